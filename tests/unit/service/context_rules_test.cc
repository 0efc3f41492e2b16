// CertificateService: the rules that keep every stored TLS context buildable and usable — a
// context is refused unless tls::ContextSnapshot::build accepts it, a verifying context needs a
// root, an identity or root a context relies on cannot be taken from under it — plus the names,
// the OCSP responder URL check, idempotent bindings and what a factory reset reports.
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "support/http_file_server.h"
#include "unit/service/service_test_fixture.h"

namespace telecert::service::test {
namespace {

using telecert::testing::HttpFileServer;

// An end-entity certificate for `key`, issued by `issuer`, whose extendedKeyUsage is `eku` alone
// (the certificate builder always writes serverAuth + clientAuth).
pki::Certificate leaf_with_eku(const pki::Key& key, const std::string& common_name,
                               const Authority& issuer, const char* eku) {
  pki::Owned<X509> x509(X509_new());
  EXPECT_EQ(X509_set_version(x509.get(), X509_VERSION_3), 1);
  ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), 4242);
  auto start = std::chrono::system_clock::to_time_t(kStart - Days{1});
  X509_time_adj_ex(X509_getm_notBefore(x509.get()), 0, 0, &start);
  X509_time_adj_ex(X509_getm_notAfter(x509.get()), 365, 0, &start);
  X509_NAME* subject = X509_get_subject_name(x509.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(x509.get(), X509_get_subject_name(issuer.certificate.get()));
  X509_set_pubkey(x509.get(), key.get());
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer.certificate.get(), x509.get(), nullptr, nullptr, 0);
  const std::string san = "DNS:" + common_name;
  for (const auto& [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
        std::pair{NID_key_usage, "critical,digitalSignature"}, std::pair{NID_ext_key_usage, eku},
        std::pair{NID_subject_alt_name, san.c_str()},
        std::pair{NID_authority_key_identifier, "keyid"}}) {
    pki::Owned<X509_EXTENSION> extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    EXPECT_NE(extension, nullptr) << value;
    EXPECT_EQ(X509_add_ext(x509.get(), extension.get(), -1), 1);
  }
  EXPECT_GT(X509_sign(x509.get(), issuer.key.get(), EVP_sha256()), 0);
  return pki::Certificate::adopt(std::move(x509));
}

class ContextRulesTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    initialise();
  }

  // An identity `name` on a fresh key, issued by a custom root with serverAuth + clientAuth.
  void import_identity(const std::string& name) {
    add_custom_roots({root_.certificate});
    import_pem(name, key_, issue_leaf(key_, name + ".example.com", root_));
  }

  Authority root_ = make_root("Context Rules Root");
  pki::Key key_ = new_key();
};

// --- 1: a context is stored only when it builds ---

TEST_F(ContextRulesTest, CreateRefusesACrlFileThatCannotBeReadAndLeavesStoreUnchanged) {
  EXPECT_REFUSED_AND_UNCHANGED(
      service().create_context("c2", {{"crl", "on"}, {"crl-file", "/nonexistent.crl"}}),
      ErrorCode::Io);
  auto refused = service().create_context("c2", {{"crl", "on"}, {"crl-file", "/nonexistent.crl"}});
  EXPECT_TRUE(contains(refused.error().message, "could not be read"));
  EXPECT_TRUE(refused_with(service().show_context("c2"), ErrorCode::NotFound));
}

TEST_F(ContextRulesTest, SetRefusesACrlFileThatCannotBeReadAndKeepsTheStoredDefinition) {
  expect_ok(service().create_context("c2", {}));
  EXPECT_REFUSED_AND_UNCHANGED(
      service().set_context("c2", {{"crl", "on"}, {"crl-file", "/nonexistent.crl"}}),
      ErrorCode::Io);
  EXPECT_FALSE(expect_ok(service().show_context("c2")).definition.crl);
}

TEST_F(ContextRulesTest, StrictContextRefusesAnIdentityWhoseCertificateDoesNotAllowTheRole) {
  add_custom_roots({root_.certificate});
  import_pem("web", key_, leaf_with_eku(key_, "web.example.com", root_, "serverAuth"));
  EXPECT_REFUSED_AND_UNCHANGED(
      service().create_context("c3", {{"identity", "web"}, {"strict", "on"}, {"role", "both"}}),
      ErrorCode::InvalidArgument);
  // The same certificate suits a strict server-only context.
  expect_ok(
      service().create_context("c3", {{"identity", "web"}, {"strict", "on"}, {"role", "server"}}));
  EXPECT_REFUSED_AND_UNCHANGED(service().set_context("c3", {{"role", "both"}}),
                               ErrorCode::InvalidArgument);
}

TEST_F(ContextRulesTest, InstallRefusesACertificateAContextPresentingTheIdentityCouldNotUse) {
  import_identity("sbc");
  expect_ok(service().create_context("sip", {{"identity", "sbc"}, {"strict", "on"}}));
  InstallRequest request;
  request.certificate_file =
      pem_bytes({leaf_with_eku(key_, "sbc.example.com", root_, "serverAuth")});
  EXPECT_REFUSED_AND_UNCHANGED(service().install_certificate("sbc", request),
                               ErrorCode::InvalidArgument);
  auto refused = service().install_certificate("sbc", request);
  EXPECT_TRUE(contains(refused.error().message, "'sip'")) << refused.error().message;
  // Without strict validation the context can present it, so the install goes through.
  expect_ok(service().set_context("sip", {{"strict", "off"}}));
  expect_ok(service().install_certificate("sbc", request));
}

// --- 3: a verifying context needs a root ---

TEST_F(ContextRulesTest, CreateRefusesCustomTrustWithNoCustomRootWhileVerifying) {
  EXPECT_REFUSED_AND_UNCHANGED(
      service().create_context("c1", {{"trust", "custom"}, {"verify", "chain"}}),
      ErrorCode::InvalidArgument);
  auto refused = service().create_context("c1", {{"trust", "custom"}, {"verify", "chain+name"}});
  ASSERT_FALSE(refused);
  EXPECT_TRUE(contains(refused.error().hint, "telecert trust add")) << refused.error().hint;
  EXPECT_TRUE(contains(refused.error().hint, "--trust all")) << refused.error().hint;
  // Without verification no root is needed; with a custom root the context is fine.
  expect_ok(service().create_context("c0", {{"trust", "custom"}, {"verify", "none"}}));
  add_custom_roots({root_.certificate});
  expect_ok(service().create_context("c1", {{"trust", "custom"}, {"verify", "chain"}}));
}

TEST_F(ContextRulesTest, TrustRemoveRefusesTheLastCustomRootAVerifyingContextRelieson) {
  const auto added = add_custom_roots({root_.certificate});
  expect_ok(service().create_context("c1", {{"trust", "custom"}, {"verify", "chain"}}));
  EXPECT_REFUSED_AND_UNCHANGED(service().remove_trust(added.added[0].id), ErrorCode::Forbidden);
  auto refused = service().remove_trust(added.added[0].id);
  EXPECT_TRUE(contains(refused.error().message, "c1")) << refused.error().message;
  // With another custom root left, the first may go.
  add_custom_roots({make_root("Second Root").certificate});
  expect_ok(service().remove_trust(added.added[0].id));
}

// --- 5: no credentials in OCSP URLs, and none echoed ---

TEST_F(ContextRulesTest, CreateRefusesAnOcspUrlWithUserinfoWithoutEchoingThePassword) {
  const std::string url = "http://admin:s3cr3t-pw@127.0.0.1:9/ocsp";
  EXPECT_REFUSED_AND_UNCHANGED(service().create_context("c5", {{"ocsp-url", url}}),
                               ErrorCode::InvalidArgument);
  auto refused = service().create_context("c5", {{"ocsp-url", url}});
  ASSERT_FALSE(refused);
  EXPECT_FALSE(contains(refused.error().message + refused.error().hint, "s3cr3t"))
      << refused.error().message;
  EXPECT_FALSE(contains(refused.error().message, "admin")) << refused.error().message;
  EXPECT_TRUE(contains(refused.error().message, "127.0.0.1:9/ocsp")) << refused.error().message;
}

// --- 6: one name rule ---

TEST_F(ContextRulesTest, ServiceNamesFollowTheContextNameRule) {
  for (const char* name : {"-sip", "_sip", "", "Sip", "sip tls"}) {
    EXPECT_REFUSED_AND_UNCHANGED(service().bind_service(name, "default"),
                                 ErrorCode::InvalidArgument);
    EXPECT_REFUSED_AND_UNCHANGED(service().create_context(name, {}), ErrorCode::InvalidArgument);
  }
  expect_ok(service().bind_service("sip_tls", "default"));
  expect_ok(service().create_context("sip_trunk", {}));
  expect_ok(service().bind_service(std::string(64, 's'), "default"));
  EXPECT_REFUSED_AND_UNCHANGED(service().bind_service(std::string(65, 's'), "default"),
                               ErrorCode::InvalidArgument);
}

// --- 8: the context is named once ---

TEST_F(ContextRulesTest, VerifyWithAContextThatNoLongerBuildsNamesItOnce) {
  const auto crl = dir_ / "gone.crl";
  telecert::testing::write_file(crl, "not read until a peer is checked\n");
  expect_ok(service().create_context("c2", {{"crl", "on"}, {"crl-file", crl.string()}}));
  std::filesystem::remove(crl);
  VerifyRequest request;
  request.chain_file = pem_bytes({root_.certificate});
  request.context = "c2";
  auto refused = service().verify_chain(request);
  ASSERT_FALSE(refused);
  const std::string& message = refused.error().message;
  EXPECT_EQ(message.find("context 'c2'"), message.rfind("context 'c2'")) << message;
  EXPECT_TRUE(contains(message, "context 'c2'")) << message;
}

// --- 9: factory reset reports the contexts and bindings it removed ---

TEST_F(ContextRulesTest, FactoryResetCountsTheContextsRemovedAndServicesUnbound) {
  expect_ok(service().create_context("a", {}));
  expect_ok(service().create_context("b", {}));
  expect_ok(service().bind_service("sip-tls", "a"));
  expect_ok(service().bind_service("web-admin", "default"));
  expect_ok(service().bind_service("custom-svc", "b"));
  const auto view = expect_ok(service().factory_reset());
  EXPECT_EQ(view.contexts_removed, 2);
  EXPECT_EQ(view.services_unbound, 3);
  const auto again = expect_ok(service().factory_reset());
  EXPECT_EQ(again.contexts_removed, 0);
  EXPECT_EQ(again.services_unbound, 0);
}

// --- 10: only an OCSP responder passes the responder check ---

TEST_F(ContextRulesTest, CreateRefusesAnOcspUrlAnsweredByAWebServerSayingWhatAnswered) {
  std::filesystem::create_directories(dir_ / "www");
  telecert::testing::write_file(dir_ / "www" / "index.html", "<html>hello</html>\n");
  HttpFileServer server(dir_ / "www");
  const std::string page = server.url("index.html");
  EXPECT_REFUSED_AND_UNCHANGED(service().create_context("c10", {{"ocsp-url", page}}),
                               ErrorCode::InvalidArgument);
  auto refused = service().create_context("c10", {{"ocsp-url", page}});
  ASSERT_FALSE(refused);
  // nginx answers the POST with the file: status 200, but not an OCSP response.
  EXPECT_TRUE(contains(refused.error().message, "HTTP status 200 with content type"))
      << refused.error().message;
  EXPECT_FALSE(contains(refused.error().message, "'application/ocsp-response'"))
      << refused.error().message;
  EXPECT_TRUE(contains(refused.error().hint, "path")) << refused.error().hint;
  auto missing = service().create_context("c10", {{"ocsp-url", server.url("no-such-path")}});
  ASSERT_FALSE(missing);
  EXPECT_TRUE(contains(missing.error().message, "404")) << missing.error().message;
}

// --- 11: binding again is a no-op ---

TEST_F(ContextRulesTest, BindingAServiceToItsContextAgainChangesNothingAndWritesNoEvent) {
  expect_ok(service().create_context("sip", {}));
  EXPECT_FALSE(expect_ok(service().bind_service("sip-tls", "sip")).already_bound);
  const auto before = snapshot();
  const auto again = expect_ok(service().bind_service("sip-tls", "sip"));
  EXPECT_TRUE(again.already_bound);
  EXPECT_TRUE(again.bound);
  EXPECT_EQ(snapshot().dump(1), before.dump(1));
}

}  // namespace
}  // namespace telecert::service::test
