// telecertd over real HTTPS (libcurl) against the findings of the security review: per-route body
// limits and JSON-only bodies (no login from an HTML form), answers decided from the header before
// a body is read (404/401/403/413 without the upload), HEAD without a body.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "service/certificate_service.h"
#include "support/https_client.h"
#include "support/telecertd_process.h"
#include "support/test_support.h"

namespace telecert::interop {
namespace {

using namespace std::chrono_literals;
using telecert::testing::HttpsClient;
using telecert::testing::TelecertdProcess;

class DaemonHardeningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<TelecertdProcess>();
    ASSERT_TRUE(daemon_->started()) << daemon_->output() << daemon_->log();
  }

  void log_in(HttpsClient& https) const {
    EXPECT_EQ(https.login("admin", daemon_->admin_password()).status, 200);
  }

  std::unique_ptr<TelecertdProcess> daemon_;
};

TEST_F(DaemonHardeningTest, LoginPostedAsATextPlainFormIs415AndStartsNoSession) {
  HttpsClient https(daemon_->port());
  const nlohmann::json body = {{"username", "admin"}, {"password", daemon_->admin_password()}};
  const auto response =
      https.request("POST", "/api/v1/session", body.dump(), {{"Content-Type", "text/plain"}});
  EXPECT_EQ(response.status, 415) << response.body;
  EXPECT_EQ(response.json()["error"]["code"], "unsupported") << response.body;
  EXPECT_EQ(response.header("set-cookie"), "");
}

TEST_F(DaemonHardeningTest, HeadAnswersTheHeadersOfGetWithoutABody) {
  HttpsClient https(daemon_->port());
  const auto got = https.get("/api/v1/openapi.json");
  const auto head = https.request("HEAD", "/api/v1/openapi.json");
  EXPECT_EQ(head.status, 200) << head.error;
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("content-length"), std::to_string(got.body.size()));
  // The connection is still in step: the next answer is the right one.
  EXPECT_EQ(https.get("/api/v1/session").status, 401);
  const auto missing = https.request("HEAD", "/api/v1/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.body.empty());
}

TEST_F(DaemonHardeningTest, JsonRouteRefusesABodyOver64KiBWith413) {
  HttpsClient https(daemon_->port());
  log_in(https);
  const nlohmann::json body = {
      {"name", "big"}, {"role", "monitor"}, {"password", std::string(100 * 1024, 'p')}};
  const auto response = https.post("/api/v1/users", body);
  EXPECT_EQ(response.status, 413) << response.body;
  EXPECT_EQ(https.get("/api/v1/users").body.find("\"big\""), std::string::npos);
}

TEST_F(DaemonHardeningTest, UnauthenticatedUploadIs401BeforeItsBodyIsSent) {
  HttpsClient https(daemon_->port());
  // Over 1 MiB: libcurl waits for 100 Continue, which must not come.
  const std::string body = "{\"chain\":\"" + std::string(3 * 1024 * 1024, 'A') + "\"}";
  const auto started = std::chrono::steady_clock::now();
  const auto response = https.request("POST", "/api/v1/verify", body);
  EXPECT_EQ(response.status, 401) << response.error;
  EXPECT_LT(response.uploaded_bytes, static_cast<std::int64_t>(body.size()));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  HttpsClient again(daemon_->port());
  EXPECT_EQ(again.login("admin", daemon_->admin_password()).status, 200);
}

TEST_F(DaemonHardeningTest, UnknownPathAndJsonRouteOverItsLimitAnswerBeforeTheBody) {
  HttpsClient https(daemon_->port());
  log_in(https);
  const std::string body = "{\"padding\":\"" + std::string(2 * 1024 * 1024, 'p') + "\"}";
  const auto missing = https.request("POST", "/api/v1/nothing-here", body);
  EXPECT_EQ(missing.status, 404) << missing.error;
  EXPECT_LT(missing.uploaded_bytes, static_cast<std::int64_t>(body.size()));
  HttpsClient fresh(daemon_->port());
  log_in(fresh);
  const auto too_large = fresh.request("POST", "/api/v1/users", body);
  EXPECT_EQ(too_large.status, 413) << too_large.error;
  EXPECT_LT(too_large.uploaded_bytes, static_cast<std::int64_t>(body.size()));
}

}  // namespace
}  // namespace telecert::interop
