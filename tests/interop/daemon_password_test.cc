// telecertd and passwords: the one-time admin password survives a failed first start, a password
// change (API or CLI) ends the user's other sessions, a wrong current password counts as a failed
// login, and the data directory it creates is private.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "common/clock.h"
#include "service/certificate_service.h"
#include "support/https_client.h"
#include "support/telecertd_process.h"
#include "support/test_support.h"

namespace telecert::interop {
namespace {

using namespace std::chrono_literals;
using telecert::testing::HttpsClient;
using telecert::testing::TelecertdProcess;

// A TCP socket listening on 127.0.0.1 on a port the kernel chose; closed by the destructor.
class TakenPort {
 public:
  TakenPort() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (fd_ >= 0 && ::bind(fd_, generic, length) == 0 && ::listen(fd_, 1) == 0 &&
        ::getsockname(fd_, generic, &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~TakenPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  TakenPort(const TakenPort&) = delete;
  TakenPort& operator=(const TakenPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

TEST(DaemonFirstStartTest, FailedFirstStartKeepsTheAdminPasswordForTheNextStart) {
  telecert::testing::TempDir dir;
  TelecertdProcess::Options options;
  options.data_dir = dir.path() / "data";
  {
    TakenPort taken;
    ASSERT_GT(taken.port(), 0);
    options.listen = "127.0.0.1:" + std::to_string(taken.port());
    TelecertdProcess refused(options);
    EXPECT_FALSE(refused.started()) << refused.output();
    EXPECT_EQ(refused.stop(), 1) << refused.log();
    EXPECT_EQ(refused.output().find("password"), std::string::npos) << refused.output();
  }
  options.listen = "127.0.0.1:0";
  TelecertdProcess daemon(options);
  ASSERT_TRUE(daemon.started()) << daemon.log();
  ASSERT_FALSE(daemon.admin_password().empty()) << daemon.output();
  HttpsClient client(daemon.port());
  EXPECT_EQ(client.login("admin", daemon.admin_password()).status, 200);
}

TEST(DaemonFirstStartTest, DataDirectoryItCreatesIsPrivate) {
  telecert::testing::TempDir dir;
  TelecertdProcess::Options options;
  options.data_dir = dir.path() / "data";
  TelecertdProcess daemon(options);
  ASSERT_TRUE(daemon.started()) << daemon.log();
  struct stat info {};
  ASSERT_EQ(::stat(options.data_dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700U);
  ASSERT_EQ(::stat((options.data_dir / "telecertd.lock").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600U);
}

class DaemonPasswordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<TelecertdProcess>();
    ASSERT_TRUE(daemon_->started()) << daemon_->output() << daemon_->log();
    auto opened = service::CertificateService::open(daemon_->data_dir(),
                                                    std::make_shared<SystemClock>(), "cli:test");
    ASSERT_TRUE(opened) << opened.error().message;
    ASSERT_TRUE(
        (*opened)->create_user("operator", service::Role::Monitor, Secret("operator-password-1")));
    service_ = std::move(*opened);
  }

  std::unique_ptr<HttpsClient> logged_in() const {
    auto client = std::make_unique<HttpsClient>(daemon_->port());
    EXPECT_EQ(client->login("operator", "operator-password-1").status, 200);
    return client;
  }

  std::unique_ptr<TelecertdProcess> daemon_;
  std::unique_ptr<service::CertificateService> service_;
};

TEST_F(DaemonPasswordTest, OwnPasswordChangeEndsTheOtherSessionsButNotTheCallers) {
  auto laptop = logged_in();
  auto phone = logged_in();
  const auto changed = phone->put(
      "/api/v1/users/operator/password",
      {{"current_password", "operator-password-1"}, {"password", "operator-password-2"}});
  ASSERT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(laptop->get("/api/v1/session").status, 401);
  EXPECT_EQ(phone->get("/api/v1/session").status, 200);
  std::this_thread::sleep_for(6s);  // a refresh of the daemon must not end it either
  EXPECT_EQ(phone->get("/api/v1/session").status, 200);
}

TEST_F(DaemonPasswordTest, AdminSettingAPasswordEndsThatUsersSessions) {
  auto operator_session = logged_in();
  auto token = service_->create_token("ops", service::Role::Admin);
  ASSERT_TRUE(token);
  HttpsClient admin(daemon_->port());
  admin.bearer(std::string(token->token.reveal()));
  ASSERT_EQ(
      admin.put("/api/v1/users/operator/password", {{"password", "operator-password-3"}}).status,
      204);
  EXPECT_EQ(operator_session->get("/api/v1/session").status, 401);
}

TEST_F(DaemonPasswordTest, CliPasswordChangeEndsTheSessionsWithinTheRefresh) {
  auto operator_session = logged_in();
  // password_changed_at counts whole seconds: the change must fall in a later second than the
  // user's creation to be told apart.
  std::this_thread::sleep_for(1100ms);
  ASSERT_TRUE(service_->set_password("operator", Secret("operator-password-4")));
  const auto changed_at = std::chrono::steady_clock::now();
  long status = 200;
  while (status == 200 && std::chrono::steady_clock::now() - changed_at < 8s) {
    status = operator_session->get("/api/v1/session").status;
    if (status == 200) std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(status, 401);
}

TEST_F(DaemonPasswordTest, WrongCurrentPasswordCountsAsAFailedLoginAndEndsIn429) {
  auto operator_session = logged_in();
  long status = 0;
  for (int i = 0; i < 5; ++i) {
    status = operator_session
                 ->put("/api/v1/users/operator/password",
                       {{"current_password", "guess-" + std::to_string(i)},
                        {"password", "operator-password-5"}})
                 .status;
  }
  EXPECT_EQ(status, 429);
  const auto right = operator_session->put(
      "/api/v1/users/operator/password",
      {{"current_password", "operator-password-1"}, {"password", "operator-password-5"}});
  EXPECT_EQ(right.status, 429) << right.body;
  EXPECT_FALSE(right.header("retry-after").empty());
  HttpsClient other(daemon_->port());
  EXPECT_EQ(other.login("operator", "operator-password-1").status, 429);
}

TEST_F(DaemonPasswordTest, TokenRevokedThroughTheApiStopsWorkingAtOnce) {
  auto admin_token = service_->create_token("ops", service::Role::Admin);
  auto ci_token = service_->create_token("ci", service::Role::Monitor);
  ASSERT_TRUE(admin_token && ci_token);
  HttpsClient ci(daemon_->port());
  ci.bearer(std::string(ci_token->token.reveal()));
  ASSERT_EQ(ci.get("/api/v1/session").status, 200);  // now in the token cache
  HttpsClient admin(daemon_->port());
  admin.bearer(std::string(admin_token->token.reveal()));
  ASSERT_EQ(admin.del("/api/v1/tokens/ci").status, 204);
  EXPECT_EQ(ci.get("/api/v1/session").status, 401);
}

}  // namespace
}  // namespace telecert::interop
