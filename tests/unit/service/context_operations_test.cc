// CertificateService TLS contexts and service bindings: create / set / delete with their rules,
// bindings, the references identities and roots keep, factory reset, and the material a
// ContextRegistry is built from.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/ocsp_responder.h"
#include "support/test_pki.h"
#include "unit/service/service_test_fixture.h"

namespace telecert::service::test {
namespace {

// A TCP socket listening on 127.0.0.1 that never answers (the kernel completes connections into
// its backlog). Closed when destroyed.
class ListeningSocket {
 public:
  ListeningSocket() {
    descriptor_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    EXPECT_EQ(::bind(descriptor_, generic, length), 0);
    EXPECT_EQ(::listen(descriptor_, 8), 0);
    EXPECT_EQ(::getsockname(descriptor_, generic, &length), 0);
    port_ = ntohs(address.sin_port);
  }
  ~ListeningSocket() { close(); }
  ListeningSocket(const ListeningSocket&) = delete;
  ListeningSocket& operator=(const ListeningSocket&) = delete;
  void close() {
    if (descriptor_ >= 0) ::close(descriptor_);
    descriptor_ = -1;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/ocsp"; }

 private:
  int descriptor_ = -1;
  int port_ = 0;
};

// A URL on a loopback port nobody listens on.
std::string unreachable_url() {
  ListeningSocket socket;
  std::string url = socket.url();
  socket.close();
  return url;
}

std::vector<std::string> context_names(const std::vector<ContextView>& views) {
  std::vector<std::string> names;
  for (const auto& view : views) names.push_back(view.definition.name);
  return names;
}

class ContextOperationsTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    initialise();
  }

  ContextView create(const std::string& name, const ContextFields& fields = {}) {
    return expect_ok(service().create_context(name, fields));
  }

  std::vector<std::string> actions() {
    std::vector<std::string> out;
    for (const auto& event : all_events()) out.push_back(event.action + " " + event.object);
    return out;
  }
};

TEST_F(ContextOperationsTest, InitialisedStoreHasTheDefaultContextOnTheFactoryIdentity) {
  const auto contexts = expect_ok(service().list_contexts());
  ASSERT_EQ(contexts.size(), 1u);
  EXPECT_EQ(contexts[0].definition.name, "default");
  EXPECT_EQ(contexts[0].identity_in_use, "factory");
  EXPECT_TRUE(contexts[0].services.empty());
  tls::TlsContextDefinition defaults;
  defaults.name = "default";
  EXPECT_EQ(contexts[0].definition, defaults);
}

TEST_F(ContextOperationsTest, CreateAppliesTheFieldsOverTheDefaultsAndWritesOneEvent) {
  create_self_signed("sbc1");
  add_custom_roots({make_root("Custom Root").certificate});
  const auto before = all_events().size();
  const auto view = create("sip", {{"role", "server"},
                                   {"identity", "sbc1"},
                                   {"trust", "custom"},
                                   {"verify", "chain+name"},
                                   {"client-cert", "require"},
                                   {"ocsp-default", "accept"}});
  EXPECT_EQ(view.definition.role, tls::ContextRole::Server);
  EXPECT_EQ(view.definition.client_cert, tls::ClientCert::Require);
  EXPECT_EQ(view.identity_in_use, "sbc1");
  EXPECT_EQ(expect_ok(service().show_context("sip")).definition, view.definition);
  EXPECT_EQ(context_names(expect_ok(service().list_contexts())),
            (std::vector<std::string>{"default", "sip"}));
  ASSERT_EQ(all_events().size(), before + 1);
  EXPECT_EQ(actions().front(), "context.create context:sip");
}

TEST_F(ContextOperationsTest, CreateRefusesATakenNameAndLeavesStoreUnchanged) {
  EXPECT_REFUSED_AND_UNCHANGED(service().create_context("default", {}), ErrorCode::AlreadyExists);
}

TEST_F(ContextOperationsTest, CreateRefusesAnInvalidNameAndLeavesStoreUnchanged) {
  for (const char* name : {"", "SIP", "-sip", "sip trunk", "sip/1"}) {
    EXPECT_REFUSED_AND_UNCHANGED(service().create_context(name, {}), ErrorCode::InvalidArgument);
  }
  create(std::string(64, 'a'));
  EXPECT_REFUSED_AND_UNCHANGED(service().create_context(std::string(65, 'a'), {}),
                               ErrorCode::InvalidArgument);
}

TEST_F(ContextOperationsTest, CreateRefusesUnknownCipherNamesAndLeavesStoreUnchanged) {
  EXPECT_REFUSED_AND_UNCHANGED(service().create_context("sip", {{"ciphers", "NOT-A-CIPHER"}}),
                               ErrorCode::InvalidArgument);
  EXPECT_REFUSED_AND_UNCHANGED(service().create_context("sip", {{"suites", "TLS_NOPE"}}),
                               ErrorCode::InvalidArgument);
}

TEST_F(ContextOperationsTest, CreateRefusesMinimumAboveMaximumAndSslV3AndLeavesStoreUnchanged) {
  EXPECT_REFUSED_AND_UNCHANGED(
      service().create_context("sip", {{"min-tls", "1.3"}, {"max-tls", "1.2"}}),
      ErrorCode::InvalidArgument);
  EXPECT_REFUSED_AND_UNCHANGED(service().create_context("sip", {{"min-tls", "sslv3"}}),
                               ErrorCode::InvalidArgument);
}

TEST_F(ContextOperationsTest, CreateRefusesAnUnknownIdentityWithAHintAndLeavesStoreUnchanged) {
  EXPECT_REFUSED_AND_UNCHANGED(service().create_context("sip", {{"identity", "ghost"}}),
                               ErrorCode::NotFound);
  auto refused = service().create_context("sip", {{"identity", "ghost"}});
  EXPECT_TRUE(contains(refused.error().message, "ghost"));
  EXPECT_TRUE(contains(refused.error().hint, "telecert identity list"));
}

TEST_F(ContextOperationsTest, CreateRefusesAPendingIdentityAndLeavesStoreUnchanged) {
  expect_ok(service().create_csr("waiting", new_identity("waiting.example.com")));
  EXPECT_REFUSED_AND_UNCHANGED(service().create_context("sip", {{"identity", "waiting"}}),
                               ErrorCode::InvalidArgument);
  auto refused = service().create_context("sip", {{"identity", "waiting"}});
  EXPECT_TRUE(contains(refused.error().hint, "telecert identity install waiting"));
}

TEST_F(ContextOperationsTest, CreateRefusesAnUnknownRootInTheTrustListAndLeavesStoreUnchanged) {
  const auto stranger = make_root("Stranger Root").certificate;
  EXPECT_REFUSED_AND_UNCHANGED(
      service().create_context("sip", {{"trust", stranger.sha256_fingerprint()}}),
      ErrorCode::NotFound);
  auto refused = service().create_context("sip", {{"trust", stranger.sha256_fingerprint()}});
  EXPECT_TRUE(contains(refused.error().message, stranger.sha256_fingerprint()));
  EXPECT_TRUE(contains(refused.error().hint, "trust list"));
}

TEST_F(ContextOperationsTest, CreateRefusesAnEmptyTrustListUnderChainVerification) {
  EXPECT_REFUSED_AND_UNCHANGED(
      service().create_context("sip", {{"trust", ""}, {"verify", "chain"}}),
      ErrorCode::InvalidArgument);
}

TEST_F(ContextOperationsTest, CreateRefusesAnUnreachableOcspResponderAndLeavesStoreUnchanged) {
  const std::string url = unreachable_url();
  EXPECT_REFUSED_AND_UNCHANGED(service().create_context("sip", {{"ocsp", "on"}, {"ocsp-url", url}}),
                               ErrorCode::InvalidArgument);
  auto refused = service().create_context("sip", {{"ocsp", "on"}, {"ocsp-url", url}});
  EXPECT_TRUE(contains(refused.error().message, url));
  EXPECT_TRUE(contains(refused.error().hint, "start the OCSP responder"));
}

TEST_F(ContextOperationsTest, CreateRefusesAResponderThatAcceptsButNeverAnswers) {
  ListeningSocket silent;
  auto refused = service().create_context("sip", {{"ocsp-url", silent.url()}});
  ASSERT_TRUE(refused_with(refused, ErrorCode::InvalidArgument));
  EXPECT_TRUE(contains(refused.error().message, "no answer within 3 s"));
}

// Real `openssl ocsp` responders for the test PKI's two CAs.
class ContextResponderTest : public ContextOperationsTest {
 protected:
  telecert::testing::TestPki pki_{dir_ / "pki"};
};

TEST_F(ContextResponderTest, CreateAcceptsOcspRespondersThatAnswerAndLeavesThemRunning) {
  using telecert::testing::OcspResponder;
  using telecert::testing::TestPki;
  OcspResponder primary(telecert::testing::ocsp_responder_options(pki_, TestPki::Ca::Intermediate));
  OcspResponder secondary(telecert::testing::ocsp_responder_options(pki_, TestPki::Ca::Root));
  const auto view =
      create("sip", {{"ocsp", "on"}, {"ocsp-url", primary.url() + "," + secondary.url()}});
  EXPECT_EQ(view.definition.ocsp_urls, (std::vector<std::string>{primary.url(), secondary.url()}));
  // The check asked a proper OCSP question: the responders answered it and still run.
  EXPECT_TRUE(primary.running()) << primary.log();
  EXPECT_TRUE(secondary.running()) << secondary.log();
  EXPECT_TRUE(contains(primary.log(), "POST")) << primary.log();
}

TEST_F(ContextResponderTest, SetChecksOnlyTheResponderUrlsItAdds) {
  auto responder =
      std::make_unique<telecert::testing::OcspResponder>(telecert::testing::ocsp_responder_options(
          pki_, telecert::testing::TestPki::Ca::Intermediate));
  const std::string url = responder->url();
  create("sip", {{"ocsp", "on"}, {"ocsp-url", url}});
  responder.reset();
  // The stored responder is down now; a change that keeps it is still accepted ...
  EXPECT_TRUE(expect_ok(service().set_context("sip", {{"strict", "on"}})).definition.strict);
  // ... one that adds a dead one is not.
  EXPECT_REFUSED_AND_UNCHANGED(
      service().set_context("sip", {{"ocsp-url", url + "," + unreachable_url()}}),
      ErrorCode::InvalidArgument);
}

TEST_F(ContextOperationsTest, SetChangesOnlyTheGivenFieldsAndWritesOneEvent) {
  create("sip", {{"role", "server"}, {"client-cert", "request"}});
  const auto before = all_events().size();
  const auto view = expect_ok(service().set_context("sip", {{"ocsp", "on"}, {"max-tls", "1.2"}}));
  EXPECT_TRUE(view.definition.ocsp);
  EXPECT_EQ(view.definition.max_version, tls::TlsVersion::Tls1_2);
  EXPECT_EQ(view.definition.role, tls::ContextRole::Server);
  EXPECT_EQ(view.definition.client_cert, tls::ClientCert::Request);
  ASSERT_EQ(all_events().size(), before + 1);
  EXPECT_EQ(actions().front(), "context.set context:sip");
}

TEST_F(ContextOperationsTest, SetRefusesUnknownContextsEmptyChangesAndBadValues) {
  EXPECT_REFUSED_AND_UNCHANGED(service().set_context("ghost", {{"ocsp", "on"}}),
                               ErrorCode::NotFound);
  EXPECT_REFUSED_AND_UNCHANGED(service().set_context("default", {}), ErrorCode::InvalidArgument);
  EXPECT_REFUSED_AND_UNCHANGED(service().set_context("default", {{"ocsp", "maybe"}}),
                               ErrorCode::InvalidArgument);
  // The whole result is checked: 1.3 as minimum under the stored maximum 1.3 is fine, under 1.2
  // it is not.
  EXPECT_REFUSED_AND_UNCHANGED(
      service().set_context("default", {{"max-tls", "1.2"}, {"min-tls", "1.3"}}),
      ErrorCode::InvalidArgument);
}

TEST_F(ContextOperationsTest, DefaultContextCannotBeDeleted) {
  EXPECT_REFUSED_AND_UNCHANGED(service().delete_context("default"), ErrorCode::Forbidden);
}

TEST_F(ContextOperationsTest, BoundContextCannotBeDeletedAndTheHintSaysHowToUnbind) {
  create("sip");
  expect_ok(service().bind_service("sip-tls", "sip"));
  expect_ok(service().bind_service("sip-trunk-2", "sip"));
  EXPECT_REFUSED_AND_UNCHANGED(service().delete_context("sip"), ErrorCode::Forbidden);
  auto refused = service().delete_context("sip");
  EXPECT_TRUE(contains(refused.error().message, "sip-tls"));
  EXPECT_TRUE(contains(refused.error().message, "sip-trunk-2"));
  EXPECT_TRUE(contains(refused.error().hint, "telecert service bind sip-tls default"));

  expect_ok(service().bind_service("sip-tls", "default"));
  expect_ok(service().bind_service("sip-trunk-2", "default"));
  expect_ok(service().delete_context("sip"));
  EXPECT_EQ(actions().front(), "context.delete context:sip");
  EXPECT_REFUSED_AND_UNCHANGED(service().delete_context("sip"), ErrorCode::NotFound);
}

TEST_F(ContextOperationsTest, ServiceListShowsTheWellKnownServicesOnDefaultAndEveryBoundOne) {
  auto services = expect_ok(service().list_services());
  ASSERT_EQ(services.size(), 4u);
  for (std::size_t i = 0; i < services.size(); ++i) {
    EXPECT_EQ(services[i].service, kWellKnownServices[i]);
    EXPECT_EQ(services[i].context, "default");
    EXPECT_FALSE(services[i].bound);
  }
  create("sip");
  const auto bound = expect_ok(service().bind_service("sip-tls", "sip"));
  EXPECT_TRUE(bound.bound);
  expect_ok(service().bind_service("ldap-tls", "default"));
  EXPECT_EQ(actions().front(), "service.bind service:ldap-tls=default");
  services = expect_ok(service().list_services());
  ASSERT_EQ(services.size(), 5u);
  EXPECT_EQ(services[0].service, "sip-tls");
  EXPECT_EQ(services[0].context, "sip");
  EXPECT_TRUE(services[0].bound);
  EXPECT_EQ(services[4].service, "ldap-tls");
  EXPECT_TRUE(services[4].bound);
  EXPECT_EQ(expect_ok(service().show_context("sip")).services, std::vector<std::string>{"sip-tls"});
}

TEST_F(ContextOperationsTest, BindRefusesBadServiceNamesAndUnknownContexts) {
  for (const char* name : {"", "SIP-TLS", "-sip-tls", "_sip", "sip tls"}) {
    EXPECT_REFUSED_AND_UNCHANGED(service().bind_service(name, "default"),
                                 ErrorCode::InvalidArgument);
  }
  EXPECT_REFUSED_AND_UNCHANGED(service().bind_service(std::string(65, 'a'), "default"),
                               ErrorCode::InvalidArgument);
  EXPECT_REFUSED_AND_UNCHANGED(service().bind_service("sip-tls", "ghost"), ErrorCode::NotFound);
}

TEST_F(ContextOperationsTest, IdentityUsedByAContextCannotBeDeleted) {
  create_self_signed("sbc1");
  create("sip", {{"identity", "sbc1"}});
  EXPECT_REFUSED_AND_UNCHANGED(service().delete_identity("sbc1"), ErrorCode::Forbidden);
  auto refused = service().delete_identity("sbc1");
  EXPECT_TRUE(contains(refused.error().message, "sip"));
  expect_ok(service().set_context("sip", {{"identity", ""}}));
  expect_ok(service().delete_identity("sbc1"));
}

TEST_F(ContextOperationsTest, RootInAnExplicitTrustListCannotBeRemoved) {
  const auto root = make_root("Listed Root").certificate;
  const auto added = add_custom_roots({root});
  create("sip", {{"trust", root.sha256_fingerprint()}});
  EXPECT_REFUSED_AND_UNCHANGED(service().remove_trust(added.added[0].id), ErrorCode::Forbidden);
  auto refused = service().remove_trust(added.added[0].id);
  EXPECT_TRUE(contains(refused.error().message, "sip"));
  expect_ok(service().set_context("sip", {{"trust", "all"}}));
  expect_ok(service().remove_trust(added.added[0].id));
}

TEST_F(ContextOperationsTest, FactoryResetLeavesOnlyTheDefaultContextWithDefaultsAndNoBindings) {
  create("sip", {{"ocsp", "on"}});
  expect_ok(service().set_context("default", {{"strict", "on"}}));
  expect_ok(service().bind_service("sip-tls", "sip"));
  expect_ok(service().factory_reset());
  const auto contexts = expect_ok(service().list_contexts());
  ASSERT_EQ(contexts.size(), 1u);
  EXPECT_EQ(contexts[0].definition.name, "default");
  EXPECT_FALSE(contexts[0].definition.strict);
  for (const auto& binding : expect_ok(service().list_services())) EXPECT_FALSE(binding.bound);
}

TEST_F(ContextOperationsTest, MaterialResolvesTheFactoryIdentityAndEachTrustScope) {
  const auto custom = make_root("Material Root").certificate;
  add_custom_roots({custom});
  auto material = expect_ok(service().context_material("default"));
  ASSERT_TRUE(material.identity);
  EXPECT_EQ(material.identity->name, "factory");
  EXPECT_TRUE(material.identity->key.matches(X509_get0_pubkey(material.identity->leaf.get())));
  EXPECT_EQ(material.trust_anchors.size(), builtin_roots().size() + 1);

  create("builtin", {{"trust", "builtin"}});
  EXPECT_EQ(expect_ok(service().context_material("builtin")).trust_anchors.size(),
            builtin_roots().size());
  create("custom", {{"trust", "custom"}});
  auto custom_material = expect_ok(service().context_material("custom"));
  ASSERT_EQ(custom_material.trust_anchors.size(), 1u);
  EXPECT_EQ(custom_material.trust_anchors[0].der(), custom.der());
  const auto& listed = builtin_roots()[1].certificate;
  create("listed", {{"trust", listed.sha256_fingerprint()}});
  auto listed_material = expect_ok(service().context_material("listed"));
  ASSERT_EQ(listed_material.trust_anchors.size(), 1u);
  EXPECT_EQ(listed_material.trust_anchors[0].der(), listed.der());
  EXPECT_TRUE(refused_with(service().context_material("ghost"), ErrorCode::NotFound));
}

TEST_F(ContextOperationsTest, MaterialCarriesTheNamedIdentityWithItsChain) {
  const auto root = make_root("Chain Root");
  const auto key = new_key();
  import_pem("sbc1", key, issue_leaf(key, "sbc1.example.com", root), {root.certificate});
  create("sip", {{"identity", "sbc1"}});
  auto material = expect_ok(service().context_material("sip"));
  ASSERT_TRUE(material.identity);
  EXPECT_EQ(material.identity->name, "sbc1");
  EXPECT_EQ(material.identity->leaf.common_name(), "sbc1.example.com");
  ASSERT_EQ(material.identity->chain.size(), 1u);
  EXPECT_EQ(material.identity->chain[0].der(), root.certificate.der());
}

TEST_F(ContextOperationsTest, RegistryMaterialHoldsEveryContextAndTheBindings) {
  create("sip");
  expect_ok(service().bind_service("sip-tls", "sip"));
  auto material = expect_ok(service().registry_material());
  ASSERT_EQ(material.contexts.size(), 2u);
  EXPECT_EQ(material.contexts[0].definition.name, "default");
  EXPECT_EQ(material.contexts[1].definition.name, "sip");
  EXPECT_EQ(material.bindings, (std::map<std::string, std::string>{{"sip-tls", "sip"}}));
}

TEST_F(ContextOperationsTest, ChangeListenerHearsCommittedChangesOnly) {
  int heard = 0;
  service().set_change_listener([&heard] { ++heard; });
  create("sip");
  expect_ok(service().set_context("sip", {{"strict", "on"}}));
  expect_ok(service().bind_service("sip-tls", "sip"));
  EXPECT_EQ(heard, 3);
  EXPECT_FALSE(service().delete_context("sip"));
  EXPECT_FALSE(service().create_context("sip", {}));
  EXPECT_EQ(heard, 3);
}

TEST_F(ContextOperationsTest, ContextJsonHasEveryFieldByItsCliName) {
  create("sip", {{"ocsp-url", ""}});
  expect_ok(service().bind_service("sip-tls", "sip"));
  const json view = expect_ok(service().show_context("sip"));
  for (const char* field :
       {"name",        "role",         "min-tls",    "max-tls",       "legacy",
        "dtls",        "ciphers",      "suites",     "groups",        "dh-bits",
        "identity",    "trust",        "trust-list", "verify",        "cn-fallback",
        "client-cert", "ocsp",         "ocsp-url",   "ocsp-stapling", "crl",
        "crl-file",    "ocsp-default", "strict",     "send-chain",    "identity_in_use",
        "services"}) {
    EXPECT_TRUE(view.contains(field)) << field << " missing in " << view.dump();
  }
  EXPECT_EQ(view["name"], "sip");
  EXPECT_EQ(view["identity_in_use"], "factory");
  EXPECT_EQ(view["services"], json::array({"sip-tls"}));
  const json binding = ServiceBindingView{"sip-tls", "sip", true};
  EXPECT_EQ(binding, (json{{"service", "sip-tls"}, {"context", "sip"}, {"bound", true}}));
}

}  // namespace
}  // namespace telecert::service::test
