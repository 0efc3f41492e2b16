#include <gtest/gtest.h>

#include "support/tls_server.h"
#include "unit/server/api_test_fixture.h"

namespace telecert::server::test {
namespace {

using service::Role;
using service::test::builtin_roots;
using service::test::issue_leaf;
using service::test::new_key;
using service::test::pem_of;

using VerificationRoutesTest = ApiRoutesTest;

TEST_F(VerificationRoutesTest, VerifyAnswersTheReportWhateverTheVerdict) {
  const auto key = new_key();
  const auto leaf = issue_leaf(key, "peer.example.com", builtin_roots()[0]);
  auto trusted =
      post("/api/v1/verify",
           json{{"chain", base64(leaf.pem())}, {"purpose", "server"}, {"name", "peer.example.com"}},
           Role::Monitor);
  ASSERT_EQ(trusted.result_int(), 200) << trusted.body();
  EXPECT_EQ(body_of(trusted)["trusted"], true);

  const auto stranger = service::test::make_root("Stranger Root");
  const auto untrusted_leaf = issue_leaf(key, "peer.example.com", stranger);
  auto untrusted = post("/api/v1/verify", json{{"chain", base64(untrusted_leaf.pem())}});
  ASSERT_EQ(untrusted.result_int(), 200) << untrusted.body();
  EXPECT_EQ(body_of(untrusted)["trusted"], false);
  EXPECT_FALSE(body_of(untrusted)["problems"].empty());

  auto wrong_name =
      post("/api/v1/verify", json{{"chain", base64(leaf.pem())}, {"name", "other.example.com"}});
  EXPECT_EQ(body_of(wrong_name)["trusted"], false);
}

TEST_F(VerificationRoutesTest, VerifyRefusesWhatCannotBeJudged) {
  EXPECT_EQ(post("/api/v1/verify", json::object()).result_int(), 422);
  EXPECT_EQ(post("/api/v1/verify", json{{"chain", "%%%"}}).result_int(), 422);
  EXPECT_EQ(post("/api/v1/verify", json{{"chain", base64("junk")}}).result_int(), 422);
  const auto leaf = issue_leaf(new_key(), "peer.example.com", builtin_roots()[0]);
  EXPECT_EQ(
      post("/api/v1/verify", json{{"chain", base64(leaf.pem())}, {"purpose", "both"}}).result_int(),
      422);
  EXPECT_EQ(
      post("/api/v1/verify", json{{"chain", base64(leaf.pem())}, {"context", "none"}}).result_int(),
      404);
}

TEST_F(VerificationRoutesTest, ProbeOfADeadPortIs502) {
  const int port = telecert::testing::free_port();
  auto response = post("/api/v1/probe", json{{"url", "tls://127.0.0.1:" + std::to_string(port)},
                                             {"timeout_ms", 2000}});
  EXPECT_EQ(response.result_int(), 502) << response.body();
  EXPECT_EQ(error_code(response), "unreachable");
  EXPECT_EQ(
      post("/api/v1/probe", json{{"url", "tls://127.0.0.1:1"}, {"timeout_ms", 5}}).result_int(),
      422);
  EXPECT_EQ(post("/api/v1/probe", json::object()).result_int(), 422);
  EXPECT_EQ(route(http::verb::post, "/api/v1/probe")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::post, "/api/v1/verify")->access, Access::AnyRole);
}

TEST_F(VerificationRoutesTest, ProbeOfALiveServerAnswersTheProbeJson) {
  const auto key = new_key();
  const auto leaf = issue_leaf(key, "localhost", builtin_roots()[0]);
  const auto certificate_file = dir_ / "leaf.pem";
  const auto key_file = dir_ / "leaf.key";
  telecert::testing::write_file(certificate_file, pem_of({leaf}));
  telecert::testing::write_file(key_file, service::test::plain_pkcs8_pem(key));
  telecert::testing::TlsServer server({.certificate = certificate_file, .key = key_file});
  auto response =
      post("/api/v1/probe", json{{"url", "tls://127.0.0.1:" + std::to_string(server.port())},
                                 {"name", "localhost"},
                                 {"timeout_ms", 5000}});
  ASSERT_EQ(response.result_int(), 200) << response.body();
  const auto body = body_of(response);
  EXPECT_EQ(body["trusted"], true) << body.dump(1);
  EXPECT_FALSE(body["tls_version"].get<std::string>().empty());
  EXPECT_EQ(body["peer_chain"], json({leaf.subject()}));
  EXPECT_TRUE(body.contains("stapled_ocsp"));
}

}  // namespace
}  // namespace telecert::server::test
