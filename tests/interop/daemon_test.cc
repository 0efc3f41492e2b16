// telecertd as a whole: the built daemon over real HTTPS (libcurl), its start-up contract, the
// session and access rules of api-contract.md, the upload limit, the data-dir lock, shutdown, the
// TLS identity it serves (and a new one without a restart), and what its log must never hold.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>
#include <thread>

#include "common/bytes.h"
#include "common/clock.h"
#include "pki/file_decoder.h"
#include "service/certificate_service.h"
#include "support/https_client.h"
#include "support/telecertd_process.h"
#include "support/test_support.h"

namespace telecert::interop {
namespace {

using namespace std::chrono_literals;
using telecert::testing::HttpsClient;
using telecert::testing::HttpsResponse;
using telecert::testing::TelecertdProcess;

::testing::AssertionResult IsErrorShape(const HttpsResponse& response, std::string_view code) {
  const auto json = response.json();
  if (!json.is_object() || !json.contains("error") || !json["error"].is_object()) {
    return ::testing::AssertionFailure() << "not the error shape: " << response.body;
  }
  const auto& error = json["error"];
  for (const char* key : {"code", "message", "hint"}) {
    if (!error.contains(key) || !error[key].is_string()) {
      return ::testing::AssertionFailure() << "error." << key << " missing: " << response.body;
    }
  }
  if (error["code"] != code) {
    return ::testing::AssertionFailure() << "code " << error["code"] << " != " << code;
  }
  return ::testing::AssertionSuccess();
}

std::size_t count_of(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

std::string fingerprint_of_pem(const std::string& pem) {
  auto certificates = pki::read_certificates(as_bytes(pem));
  if (!certificates || certificates->empty()) return "no certificate in: " + pem;
  return certificates->front().sha256_fingerprint();
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<TelecertdProcess>();
    ASSERT_TRUE(daemon_->started()) << daemon_->output() << daemon_->log();
    ASSERT_FALSE(daemon_->admin_password().empty()) << daemon_->output();
  }

  // The daemon's service, opened beside it (another process would do the same: the CLI).
  std::unique_ptr<service::CertificateService> open_service() const {
    auto opened = service::CertificateService::open(daemon_->data_dir(),
                                                    std::make_shared<SystemClock>(), "cli:test");
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  std::string create_token(std::string_view name, service::Role role) const {
    auto svc = open_service();
    auto created = svc->create_token(name, role);
    EXPECT_TRUE(created) << created.error().message;
    return created ? std::string(created->token.reveal()) : std::string();
  }

  HttpsClient client() const { return HttpsClient(daemon_->port()); }

  // The daemon's own certificate in base64, a chain /api/v1/verify takes (an upload route).
  std::string chain_of_served_certificate() const {
    const std::string pem = client().get("/api/v1/openapi.json").peer_certificate_pem;
    std::string out(4 * ((pem.size() + 2) / 3) + 1, '\0');
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                       reinterpret_cast<const unsigned char*>(pem.data()),
                                       static_cast<int>(pem.size()));
    out.resize(static_cast<std::size_t>(length));
    return out;
  }

  std::unique_ptr<TelecertdProcess> daemon_;
};

TEST_F(DaemonTest, FirstStartPrintsTheAdminPasswordOnceAndLaterStartsNone) {
  const std::string password = daemon_->admin_password();
  EXPECT_GE(password.size(), 12U);
  EXPECT_EQ(count_of(daemon_->output(), "admin password: "), 1U) << daemon_->output();
  const auto data_dir = daemon_->data_dir();
  TelecertdProcess::Options options;
  options.data_dir = data_dir;
  ASSERT_EQ(daemon_->stop(), 0);

  TelecertdProcess again(options);
  ASSERT_TRUE(again.started()) << again.log();
  EXPECT_EQ(again.admin_password(), "");
  EXPECT_EQ(again.output().find("password"), std::string::npos) << again.output();
  HttpsClient client(again.port());
  EXPECT_EQ(client.login("admin", password).status, 200);  // the first password still works
}

TEST_F(DaemonTest, LoginSetsAnHttpOnlySecureSameSiteStrictCookieAndACsrfToken) {
  auto https = client();
  const auto response = https.login("admin", daemon_->admin_password());
  ASSERT_EQ(response.status, 200) << response.body;
  const std::string cookie = response.header("set-cookie");
  EXPECT_TRUE(cookie.starts_with("telecert_session=")) << cookie;
  for (const char* flag : {"; Path=/", "; HttpOnly", "; Secure", "; SameSite=Strict"}) {
    EXPECT_NE(cookie.find(flag), std::string::npos) << flag << " missing in " << cookie;
  }
  const auto body = response.json();
  EXPECT_EQ(body["user"], "admin");
  EXPECT_EQ(body["role"], "admin");
  EXPECT_EQ(body["csrf_token"].get<std::string>().size(), 43U);

  const auto who = https.get("/api/v1/session");
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.json()["kind"], "user");
  EXPECT_EQ(who.json()["csrf_token"], body["csrf_token"]);
}

TEST_F(DaemonTest, WrongPasswordIs401InTheErrorShape) {
  auto https = client();
  const auto response = https.login("admin", "not-the-password");
  EXPECT_EQ(response.status, 401);
  EXPECT_TRUE(IsErrorShape(response, "unauthenticated"));
  EXPECT_EQ(response.header("set-cookie"), "");
  const auto unknown_user = https.login("nobody", "not-the-password");
  EXPECT_EQ(unknown_user.status, 401);
  EXPECT_EQ(unknown_user.json()["error"]["message"], response.json()["error"]["message"]);
}

TEST_F(DaemonTest, SixthLoginAfterFiveFailuresFromOneSourceIs429WithRetryAfter) {
  auto https = client();
  for (int i = 0; i < 5; ++i) ASSERT_EQ(https.login("admin", "wrong-password").status, 401) << i;
  // Even the right password is refused for the rest of the window.
  const auto refused = https.login("admin", daemon_->admin_password());
  EXPECT_EQ(refused.status, 429);
  EXPECT_TRUE(IsErrorShape(refused, "too_many_requests"));
  const std::string retry_after = refused.header("retry-after");
  ASSERT_FALSE(retry_after.empty());
  EXPECT_GT(std::stoi(retry_after), 200);
  EXPECT_LE(std::stoi(retry_after), 300);
}

TEST_F(DaemonTest, WriteWithTheSessionCookieNeedsTheCsrfToken) {
  auto https = client();
  ASSERT_EQ(https.login("admin", daemon_->admin_password()).status, 200);
  https.send_csrf(false);
  const auto without = https.del("/api/v1/session");
  EXPECT_EQ(without.status, 403);
  EXPECT_TRUE(IsErrorShape(without, "forbidden"));
  const auto wrong =
      https.request("DELETE", "/api/v1/session", {}, {{"X-CSRF-Token", https.csrf_token() + "x"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(https.get("/api/v1/session").status, 200);  // still logged in

  https.send_csrf(true);
  const auto logout = https.del("/api/v1/session");
  EXPECT_EQ(logout.status, 204);
  EXPECT_NE(logout.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(https.get("/api/v1/session").status, 401);
}

TEST_F(DaemonTest, NoCredentialsIs401WithWwwAuthenticate) {
  auto https = client();
  const auto response = https.get("/api/v1/session");
  EXPECT_EQ(response.status, 401);
  EXPECT_TRUE(IsErrorShape(response, "unauthenticated"));
  EXPECT_NE(response.header("www-authenticate").find("Bearer"), std::string::npos);
  https.request("GET", "/", {}, {{"Cookie", "telecert_session=forged"}});
  EXPECT_EQ(
      https.request("GET", "/api/v1/session", {}, {{"Cookie", "telecert_session=forged"}}).status,
      401);
}

TEST_F(DaemonTest, MonitorTokenIsRefusedOnAnAdminRouteAndAdminTokenIsNot) {
  const std::string monitor = create_token("grafana", service::Role::Monitor);
  const std::string admin = create_token("ansible", service::Role::Admin);
  auto https = client();
  https.bearer(monitor);
  const auto who = https.get("/api/v1/session");
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.json()["kind"], "token");
  EXPECT_EQ(who.json()["role"], "monitor");
  EXPECT_FALSE(who.json().contains("csrf_token"));
  const auto refused = https.get("/api/v1/users");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_TRUE(IsErrorShape(refused, "forbidden"));

  https.bearer(admin);
  EXPECT_EQ(https.get("/api/v1/users").status, 200);
  https.bearer("tct_" + std::string(43, 'A'));
  const auto bad = https.get("/api/v1/session");
  EXPECT_EQ(bad.status, 401);
  EXPECT_TRUE(IsErrorShape(bad, "unauthenticated"));
}

TEST_F(DaemonTest, RevokedTokenStopsWorkingWithinTwoSeconds) {
  const std::string token = create_token("ci", service::Role::Monitor);
  auto https = client();
  https.bearer(token);
  ASSERT_EQ(https.get("/api/v1/session").status, 200);
  ASSERT_TRUE(open_service()->revoke_token("ci"));
  const auto revoked_at = std::chrono::steady_clock::now();
  long status = 200;
  while (status == 200 && std::chrono::steady_clock::now() - revoked_at < 5s) {
    status = https.get("/api/v1/session").status;
    if (status == 200) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, 401);
  // The token cache's time to live (2 s) plus a second for a loaded machine.
  EXPECT_LE(std::chrono::steady_clock::now() - revoked_at, 3s);
}

TEST_F(DaemonTest, BodyOverTheLimitIs413BeforeTheUploadCompletes) {
  auto https = client();
  // The default max_upload_bytes is 5 MiB: the limit of a request body is 10 MiB + 64 KiB.
  const std::string body(12 * 1024 * 1024, 'x');
  const auto response = https.request("POST", "/api/v1/session", body);
  EXPECT_EQ(response.status, 413) << response.error;
  EXPECT_TRUE(IsErrorShape(response, "limit_exceeded"));
  EXPECT_LT(response.uploaded_bytes, static_cast<std::int64_t>(body.size()));
  // The daemon is fine afterwards.
  HttpsClient again(daemon_->port());
  EXPECT_EQ(again.login("admin", daemon_->admin_password()).status, 200);
}

TEST_F(DaemonTest, LargeBodyWithExpect100ContinueIsReadAfterTheInterimAnswer) {
  auto https = client();
  https.bearer(create_token("uploader", service::Role::Admin));
  // Over 1 MiB: libcurl asks with Expect: 100-continue and waits (up to 10 s) for the 100. An
  // upload route (verify) takes it; the unknown padding field is ignored.
  const nlohmann::json body = {{"chain", chain_of_served_certificate()},
                               {"padding", std::string(2 * 1024 * 1024, 'p')}};
  const auto started = std::chrono::steady_clock::now();
  const auto response = https.request("POST", "/api/v1/verify", body.dump());
  EXPECT_EQ(response.status, 200) << response.error << response.body;
  EXPECT_EQ(response.uploaded_bytes, static_cast<std::int64_t>(body.dump().size()));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(DaemonTest, SigtermLetsARequestInFlightFinishThenExitsZero) {
  // A body sent at 100 KB/s takes about 2 s; SIGTERM comes while it is being read.
  const nlohmann::json body = {{"chain", chain_of_served_certificate()},
                               {"padding", std::string(200 * 1024, 'p')}};
  const std::string token = create_token("uploader", service::Role::Admin);
  HttpsResponse response;
  std::thread upload([&] {
    HttpsClient slow(daemon_->port());
    slow.bearer(token);
    slow.max_send_speed(100 * 1024);
    response = slow.request("POST", "/api/v1/verify", body.dump());
  });
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(daemon_->stop(SIGTERM), 0);
  upload.join();
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(response.header("connection"), "close");
  EXPECT_NE(daemon_->log().find("stopped unfinished_requests=0"), std::string::npos)
      << daemon_->log();
}

TEST_F(DaemonTest, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
  auto https = client();
  const auto missing = https.get("/api/v1/no-such-thing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(IsErrorShape(missing, "not_found"));
  EXPECT_EQ(https.get("/ui/no-such-file.js").status, 404);
  const auto wrong = https.request("PUT", "/api/v1/session", "{}");
  EXPECT_EQ(wrong.status, 405);
  const std::string allow = wrong.header("allow");
  for (const char* method : {"GET", "POST", "DELETE"}) {
    EXPECT_NE(allow.find(method), std::string::npos) << allow;
  }
  EXPECT_TRUE(wrong.json().contains("error")) << wrong.body;
}

TEST_F(DaemonTest, ServesTheOpenApiDocumentAndTheWebUiWithoutCredentials) {
  auto https = client();
  const auto openapi = https.get("/api/v1/openapi.json");
  EXPECT_EQ(openapi.status, 200);
  EXPECT_TRUE(openapi.json().is_object()) << openapi.body.substr(0, 200);
  const auto index = https.get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.header("content-type").find("text/html"), std::string::npos);
}

TEST_F(DaemonTest, SecondDaemonOnTheSameDataDirIsRefused) {
  const auto result =
      telecert::testing::run_command({telecert::testing::telecertd_binary(), "--data-dir",
                                      daemon_->data_dir().string(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(result.exit_status, 1);
  const std::string expected = "another telecertd (pid " + std::to_string(daemon_->pid()) +
                               ") is already using " + daemon_->data_dir().string();
  EXPECT_NE(result.error.find(expected), std::string::npos) << result.error;
  EXPECT_EQ(client().get("/api/v1/session").status, 401);  // the first one still serves
}

TEST_F(DaemonTest, SigtermStopsAcceptingAndExitsZero) {
  ASSERT_EQ(client().get("/").status, 200);
  EXPECT_EQ(daemon_->stop(SIGTERM), 0);
  EXPECT_NE(daemon_->log().find("stopped"), std::string::npos) << daemon_->log();
  EXPECT_FALSE(telecert::testing::wait_for_port(daemon_->port(), 200ms));
}

TEST_F(DaemonTest, SigintExitsZeroToo) { EXPECT_EQ(daemon_->stop(SIGINT), 0); }

TEST_F(DaemonTest, ServesTheWebAdminIdentityAndANewOneWithoutARestart) {
  auto svc = open_service();
  auto factory = svc->show_identity(service::kFactoryIdentityName);
  ASSERT_TRUE(factory) << factory.error().message;
  auto https = client();
  const auto first = https.get("/");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(fingerprint_of_pem(first.peer_certificate_pem),
            factory->certificate->sha256_fingerprint);

  service::NewIdentityRequest request;
  request.subject.common_name = "admin.example.net";
  request.subject_alt_names = {"dns:admin.example.net"};
  auto web = svc->create_self_signed("web2", request);
  ASSERT_TRUE(web) << web.error().message;
  auto context = svc->create_context("web", {{"identity", "web2"}});
  ASSERT_TRUE(context) << context.error().message << " / " << context.error().hint;
  ASSERT_TRUE(svc->bind_service("web-admin", "web"));

  // Another process changed the store: the daemon sees it on its next 5 s refresh.
  std::string served;
  const auto deadline = std::chrono::steady_clock::now() + 8s;
  while (std::chrono::steady_clock::now() < deadline) {
    https.new_connection();
    const auto response = https.get("/");
    ASSERT_EQ(response.status, 200);
    served = fingerprint_of_pem(response.peer_certificate_pem);
    if (served == web->certificate->sha256_fingerprint) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(served, web->certificate->sha256_fingerprint);
}

TEST_F(DaemonTest, AContextBoundThroughTheApiIsServedOnTheVeryNextConnection) {
  auto svc = open_service();
  service::NewIdentityRequest request;
  request.subject.common_name = "web3.example.net";
  auto web = svc->create_self_signed("web3", request);
  ASSERT_TRUE(web) << web.error().message;
  ASSERT_TRUE(svc->create_context("web3", {{"identity", "web3"}}));
  auto https = client();
  https.bearer(create_token("ops", service::Role::Admin));
  const auto bound = https.put("/api/v1/services/web-admin", {{"context", "web3"}});
  ASSERT_EQ(bound.status, 200) << bound.body;
  // No waiting: the daemon's own change refreshed the registry before it answered.
  https.new_connection();
  const auto response = https.get("/");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(fingerprint_of_pem(response.peer_certificate_pem),
            web->certificate->sha256_fingerprint);
}

TEST_F(DaemonTest, HeadersOver16KiBAreRefusedWith431) {
  auto https = client();
  const auto response =
      https.request("GET", "/api/v1/session", {}, {{"X-Padding", std::string(17 * 1024, 'a')}});
  EXPECT_EQ(response.status, 431);
  EXPECT_TRUE(IsErrorShape(response, "limit_exceeded"));
  HttpsClient again(daemon_->port());
  EXPECT_EQ(again.get("/").status, 200);
}

TEST_F(DaemonTest, DeletedUserIsLoggedOutAtOnce) {
  auto svc = open_service();
  ASSERT_TRUE(svc->create_user("operator", service::Role::Monitor, Secret("operator-password-1")));
  auto user = client();
  ASSERT_EQ(user.login("operator", "operator-password-1").status, 200);
  ASSERT_EQ(user.get("/api/v1/session").status, 200);
  auto admin = client();
  admin.bearer(create_token("ops", service::Role::Admin));
  ASSERT_EQ(admin.del("/api/v1/users/operator").status, 204);
  EXPECT_EQ(user.get("/api/v1/session").status, 401);
}

TEST_F(DaemonTest, MetricsCountAnswersByStatusAndFailedLogins) {
  auto https = client();
  ASSERT_EQ(https.login("admin", "wrong-password").status, 401);
  https.bearer(create_token("prometheus", service::Role::Monitor));
  const auto metrics = https.get("/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_NE(metrics.body.find("telecert_login_failures_total 1\n"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("telecert_http_requests_total{code=\"401\"} 1\n"), std::string::npos)
      << metrics.body;
}

TEST_F(DaemonTest, LogHoldsRequestsButNoPasswordTokenCookieOrCsrfToken) {
  const std::string token = create_token("ci", service::Role::Admin);
  auto https = client();
  const auto login = https.login("admin", daemon_->admin_password());
  ASSERT_EQ(login.status, 200);
  const std::string cookie = login.header("set-cookie");
  const std::string session_id =
      cookie.substr(cookie.find('=') + 1, cookie.find(';') - cookie.find('=') - 1);
  ASSERT_EQ(session_id.size(), 43U);
  https.get("/api/v1/session?secret=query-value");
  https.login("admin", "Wr0ng-but-s3cret-password");
  HttpsClient bearer(daemon_->port());
  bearer.bearer(token);
  bearer.get("/api/v1/session");
  ASSERT_EQ(daemon_->stop(), 0);

  const std::string log = daemon_->log();
  EXPECT_NE(log.find("path=/api/v1/session status=200"), std::string::npos) << log;
  EXPECT_NE(log.find("actor=token:ci"), std::string::npos) << log;
  for (const std::string& secret :
       {daemon_->admin_password(), token, session_id, https.csrf_token(),
        std::string("Wr0ng-but-s3cret-password"), std::string("query-value")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log holds a secret";
  }
}

}  // namespace
}  // namespace telecert::interop
