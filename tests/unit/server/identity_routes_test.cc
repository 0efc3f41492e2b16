#include <gtest/gtest.h>

#include "unit/server/api_test_fixture.h"

namespace telecert::server::test {
namespace {

using service::Role;
using service::test::Authority;
using service::test::make_root;
using service::test::pem_of;

class IdentityRoutesTest : public ApiRoutesTest {
 protected:
  json new_identity_body(const std::string& common_name) const {
    return json{{"subject", {{"cn", common_name}, {"o", "Example"}, {"c", "DE"}}},
                {"subject_alt_names", {"dns:" + common_name, "ip:192.0.2.10"}},
                {"key_type", "p256"},
                {"signature", "sha256"},
                {"validity_days", 90}};
  }
};

TEST_F(IdentityRoutesTest, ListAnswersTheCliJsonWithTotalCount) {
  auto response = get("/api/v1/identities", Role::Monitor);
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(header(response, "Content-Type"), "application/json");
  EXPECT_EQ(body_of(response), json(service::test::expect_ok(service().list_identities())));
  EXPECT_EQ(header(response, "X-Total-Count"), "1");
  EXPECT_EQ(header(response, "Link"), "");
}

TEST_F(IdentityRoutesTest, ListPagesWithLinkToTheNextPage) {
  create_self_signed("web");
  create_self_signed("sip");
  auto first = get("/api/v1/identities?limit=2");
  ASSERT_EQ(first.result_int(), 200);
  EXPECT_EQ(body_of(first).size(), 2u);
  EXPECT_EQ(header(first, "X-Total-Count"), "3");
  EXPECT_EQ(header(first, "Link"), "</api/v1/identities?limit=2&offset=2>; rel=\"next\"");
  auto last = get("/api/v1/identities?limit=2&offset=2");
  EXPECT_EQ(body_of(last).size(), 1u);
  EXPECT_EQ(header(last, "Link"), "");
  EXPECT_EQ(get("/api/v1/identities?limit=0").result_int(), 422);
  EXPECT_EQ(get("/api/v1/identities?limit=1001").result_int(), 422);
  EXPECT_EQ(get("/api/v1/identities?offset=-1").result_int(), 422);
  EXPECT_EQ(get("/api/v1/identities?limit=ten").result_int(), 422);
}

TEST_F(IdentityRoutesTest, ShowAnswersOneIdentityOr404) {
  auto response = get("/api/v1/identities/factory", Role::Monitor);
  ASSERT_EQ(response.result_int(), 200);
  EXPECT_EQ(body_of(response)["name"], "factory");
  auto missing = get("/api/v1/identities/nothing");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(error_code(missing), "not_found");
}

TEST_F(IdentityRoutesTest, SelfSignedCreatesFromTheNewIdentityBodyAndNamesTheActor) {
  auto response = post("/api/v1/identities/web/self-signed", new_identity_body("web.example.com"));
  ASSERT_EQ(response.result_int(), 201) << response.body();
  const auto body = body_of(response);
  EXPECT_EQ(body["name"], "web");
  EXPECT_EQ(body["certificate"]["common_name"], "web.example.com");
  EXPECT_EQ(body["certificate"]["subject_alt_names"],
            json({"dns:web.example.com", "ip:192.0.2.10"}));
  EXPECT_EQ(body["certificate"]["days_left"], 90);
  const auto events = all_events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().actor, "web:alice");
}

TEST_F(IdentityRoutesTest, CsrIsCreatedThenDownloadedAsPkcs10Attachment) {
  auto created = post("/api/v1/identities/sbc1/csr", new_identity_body("sbc1.example.com"));
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const std::string csr_pem = body_of(created)["csr"].get<std::string>();
  EXPECT_TRUE(csr_pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));

  auto download = get("/api/v1/identities/sbc1/csr", Role::Monitor);
  ASSERT_EQ(download.result_int(), 200);
  EXPECT_EQ(header(download, "Content-Type"), "application/pkcs10");
  EXPECT_EQ(header(download, "Content-Disposition"), "attachment; filename=\"sbc1.csr\"");
  EXPECT_EQ(download.body(), csr_pem);
  auto csr = pki::Csr::parse(as_bytes(download.body()));
  ASSERT_TRUE(csr);

  auto none = get("/api/v1/identities/factory/csr");
  EXPECT_EQ(none.result_int(), 404);
  EXPECT_NE(body_of(none)["error"]["message"].get<std::string>().find("no pending CSR"),
            std::string::npos);
}

TEST_F(IdentityRoutesTest, CertificateInstallsTheSignedCertificateOnThePendingIdentity) {
  auto created = post("/api/v1/identities/sbc1/csr", new_identity_body("sbc1.example.com"));
  ASSERT_EQ(created.result_int(), 201);
  auto csr = pki::Csr::parse(as_bytes(body_of(created)["csr"].get<std::string>())).value();
  const Authority root = make_root("Install Root");
  add_custom_roots({root.certificate});
  const auto leaf =
      service::test::issue_leaf(service::test::public_key_of(csr), "sbc1.example.com", root);

  auto installed =
      post("/api/v1/identities/sbc1/certificate", json{{"certificate", base64(leaf.pem())}});
  ASSERT_EQ(installed.result_int(), 200) << installed.body();
  EXPECT_EQ(body_of(installed)["status"], "ok");
  EXPECT_EQ(body_of(installed)["certificate"]["common_name"], "sbc1.example.com");
}

TEST_F(IdentityRoutesTest, ImportTakesPkcs12WithPassphraseAndWrongOneLeavesStoreUnchanged) {
  const pki::Key key = service::test::new_key();
  const auto certificate = service::test::self_signed(key, "phone.example.com");
  const Bytes pkcs12 =
      pki::write_pkcs12(key, certificate, {}, Secret("right-pass"), "phone").value();

  const auto before = snapshot();
  auto wrong = post("/api/v1/identities/phone/import",
                    json{{"file", base64(pkcs12)}, {"passphrase", "wrong-pass"}});
  EXPECT_EQ(wrong.result_int(), 422);
  EXPECT_EQ(error_code(wrong), "wrong_passphrase");
  EXPECT_EQ(wrong.body().find("wrong-pass"), std::string::npos);
  EXPECT_EQ(snapshot().dump(1), before.dump(1));

  auto right = post("/api/v1/identities/phone/import",
                    json{{"file", base64(pkcs12)}, {"passphrase", "right-pass"}});
  ASSERT_EQ(right.result_int(), 201) << right.body();
  EXPECT_EQ(body_of(right)["certificate"]["sha256_fingerprint"],
            service::view_certificate(certificate, service::test::kStart, 60).sha256_fingerprint);
}

TEST_F(IdentityRoutesTest, BodiesThatAreNotJsonObjectsOrLackAFieldOrBase64Are422) {
  const auto before = snapshot();
  auto not_json = call(http::verb::post, "/api/v1/identities/x/import", "{not json");
  EXPECT_EQ(not_json.result_int(), 422);
  EXPECT_EQ(body_of(not_json)["error"]["message"], "the request body is not valid JSON");
  auto not_object = call(http::verb::post, "/api/v1/identities/x/import", "[1, 2]");
  EXPECT_EQ(not_object.result_int(), 422);
  EXPECT_EQ(body_of(not_object)["error"]["message"], "the request body is not a JSON object");
  auto missing = post("/api/v1/identities/x/import", json{{"passphrase", "p"}});
  EXPECT_EQ(missing.result_int(), 422);
  EXPECT_EQ(body_of(missing)["error"]["message"], "field 'file' is missing");
  auto wrong_type = post("/api/v1/identities/x/import", json{{"file", 42}});
  EXPECT_EQ(body_of(wrong_type)["error"]["message"], "field 'file' must be a string");
  auto bad_base64 = post("/api/v1/identities/x/import", json{{"file", "@@not base64@@"}});
  EXPECT_EQ(bad_base64.result_int(), 422);
  EXPECT_EQ(body_of(bad_base64)["error"]["message"], "field 'file' is not valid base64");
  auto truncated = post("/api/v1/identities/x/import", json{{"file", "QUJD" + std::string("R")}});
  EXPECT_EQ(truncated.result_int(), 422);
  auto bad_subject = post("/api/v1/identities/x/self-signed", json{{"subject", "CN=x"}});
  EXPECT_EQ(bad_subject.result_int(), 422);
  EXPECT_EQ(snapshot().dump(1), before.dump(1));
}

TEST_F(IdentityRoutesTest, ExportGivesCertificateBytesAndKeepsKeysForAdminsWithAPassphrase) {
  create_self_signed("web");
  auto pem = post("/api/v1/identities/web/export", json{{"format", "pem"}}, Role::Monitor);
  ASSERT_EQ(pem.result_int(), 200) << pem.body();
  EXPECT_EQ(header(pem, "Content-Type"), "application/x-pem-file");
  EXPECT_EQ(header(pem, "Content-Disposition"), "attachment; filename=\"web.pem\"");
  EXPECT_TRUE(pem.body().starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_EQ(pem.body().find("PRIVATE KEY"), std::string::npos);

  auto der = post("/api/v1/identities/web/export", json{{"format", "der"}}, Role::Monitor);
  ASSERT_EQ(der.result_int(), 200);
  EXPECT_EQ(header(der, "Content-Type"), "application/pkix-cert");
  EXPECT_TRUE(pki::Certificate::from_der(as_bytes(der.body())));

  for (const json& body : {json{{"format", "pem"}, {"with_key", true}, {"passphrase", "p4ss"}},
                           json{{"format", "pkcs12"}, {"passphrase", "p4ss"}}}) {
    auto refused = post("/api/v1/identities/web/export", body, Role::Monitor);
    EXPECT_EQ(refused.result_int(), 403);
    EXPECT_EQ(body_of(refused)["error"]["message"], "exporting a private key needs the admin role");
  }
  auto no_passphrase = post("/api/v1/identities/web/export", json{{"format", "pkcs12"}});
  EXPECT_EQ(no_passphrase.result_int(), 422);

  auto pkcs12 =
      post("/api/v1/identities/web/export", json{{"format", "pkcs12"}, {"passphrase", "p4ss"}});
  ASSERT_EQ(pkcs12.result_int(), 200) << pkcs12.body();
  EXPECT_EQ(header(pkcs12, "Content-Type"), "application/x-pkcs12");
  auto contents = pki::read_pkcs12(as_bytes(pkcs12.body()), Secret("p4ss"));
  ASSERT_TRUE(contents);
  EXPECT_TRUE(contents->key);
  EXPECT_EQ(post("/api/v1/identities/web/export", json{{"format", "zip"}}).result_int(), 422);
}

TEST_F(IdentityRoutesTest, DeleteAnswers204AndTheIdentityIsGone) {
  create_self_signed("web");
  auto deleted = call(http::verb::delete_, "/api/v1/identities/web");
  EXPECT_EQ(deleted.result_int(), 204);
  EXPECT_TRUE(deleted.body().empty());
  EXPECT_EQ(get("/api/v1/identities/web").result_int(), 404);
  EXPECT_EQ(call(http::verb::delete_, "/api/v1/identities/factory").result_int(), 403);
}

TEST_F(IdentityRoutesTest, RoutesCarryTheContractsAccessRules) {
  const std::vector<std::tuple<http::verb, std::string, Access>> expected = {
      {http::verb::get, "/api/v1/identities", Access::AnyRole},
      {http::verb::get, "/api/v1/identities/{name}", Access::AnyRole},
      {http::verb::post, "/api/v1/identities/{name}/self-signed", Access::Admin},
      {http::verb::post, "/api/v1/identities/{name}/csr", Access::Admin},
      {http::verb::get, "/api/v1/identities/{name}/csr", Access::AnyRole},
      {http::verb::post, "/api/v1/identities/{name}/certificate", Access::Admin},
      {http::verb::post, "/api/v1/identities/{name}/import", Access::Admin},
      {http::verb::post, "/api/v1/identities/{name}/export", Access::AnyRole},
      {http::verb::delete_, "/api/v1/identities/{name}", Access::Admin},
  };
  for (const auto& [method, pattern, access] : expected) {
    const Route* found = route(method, pattern);
    ASSERT_NE(found, nullptr) << pattern;
    EXPECT_EQ(found->access, access) << pattern;
    EXPECT_EQ(found->execution, Execution::Blocking) << pattern;
  }
}

}  // namespace
}  // namespace telecert::server::test
