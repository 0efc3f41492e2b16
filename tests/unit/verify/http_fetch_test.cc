#include "verify/http_fetch.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "support/http_file_server.h"
#include "support/test_support.h"

namespace telecert::verify {
namespace {

using namespace std::chrono_literals;
using telecert::testing::HttpFileServer;
using telecert::testing::TempDir;
using telecert::testing::write_file;

constexpr std::size_t kCap = 64 * 1024;

// A socket that listens on 127.0.0.1 but never accepts: connections complete in the kernel's
// backlog and then nothing is ever answered.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class HttpFetchTest : public ::testing::Test {
 protected:
  HttpFetchTest() {
    write_file(dir_ / "small.bin", "hello revocation");
    write_file(dir_ / "large.bin", std::string(kCap + 1, 'x'));
  }
  TempDir dir_;
  HttpFileServer server_{dir_.path(),
                         {.extra_server_config = "location = /r1 { return 302 /r2; }\n"
                                                 "location = /r2 { return 302 /r3; }\n"
                                                 "location = /r3 { return 302 /r4; }\n"
                                                 "location = /r4 { return 302 /small.bin; }\n"
                                                 "location = /to-file { return 302 "
                                                 "file:///etc/hostname; }\n"}};
};

TEST_F(HttpFetchTest, GetReturnsTheBodyServedByNginx) {
  auto body = http_get(server_.url("small.bin"), 2s, kCap);
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(as_text(*body), "hello revocation");
}

TEST_F(HttpFetchTest, PostSendsTheBodyAndReturnsTheAnswer) {
  auto body = http_post(server_.url("small.bin"), "application/ocsp-request", as_bytes("request"),
                        2s, kCap);
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(as_text(*body), "hello revocation");
  EXPECT_EQ(server_.requests("POST /small.bin", 1), 1u);
}

TEST_F(HttpFetchTest, GetRefusesABodyLargerThanTheCap) {
  auto body = http_get(server_.url("large.bin"), 2s, kCap);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, ErrorCode::Unreachable);
  EXPECT_NE(body.error().message.find("larger than 65536 bytes"), std::string::npos)
      << body.error().message;
  EXPECT_NE(body.error().message.find(server_.url("large.bin")), std::string::npos);
}

TEST_F(HttpFetchTest, GetAcceptsABodyOfExactlyTheCap) {
  write_file(dir_ / "exact.bin", std::string(kCap, 'y'));
  auto body = http_get(server_.url("exact.bin"), 2s, kCap);
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(body->size(), kCap);
}

TEST_F(HttpFetchTest, GetReportsTheHttpStatusOfAMissingFile) {
  auto body = http_get(server_.url("missing.crl"), 2s, kCap);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, ErrorCode::Unreachable);
  EXPECT_NE(body.error().message.find("HTTP 404"), std::string::npos) << body.error().message;
}

TEST_F(HttpFetchTest, GetFollowsThreeRedirectsButNotFour) {
  auto three = http_get(server_.url("r2"), 2s, kCap);
  ASSERT_TRUE(three) << three.error().message;
  EXPECT_EQ(as_text(*three), "hello revocation");
  auto four = http_get(server_.url("r1"), 2s, kCap);
  ASSERT_FALSE(four);
  EXPECT_EQ(four.error().code, ErrorCode::Unreachable);
}

TEST_F(HttpFetchTest, GetRefusesARedirectToAFileUrl) {
  auto body = http_get(server_.url("to-file"), 2s, kCap);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, ErrorCode::Unreachable);
}

TEST(HttpFetch, GetRefusesSchemesOtherThanHttpAndHttps) {
  for (const char* url : {"file:///etc/hostname", "ftp://127.0.0.1/x.crl", "ldap://127.0.0.1/"}) {
    auto body = http_get(url, 1s, kCap);
    ASSERT_FALSE(body) << url;
    EXPECT_EQ(body.error().code, ErrorCode::Unreachable);
    EXPECT_NE(body.error().message.find(url), std::string::npos) << body.error().message;
  }
}

TEST(HttpFetch, GetOfAPortWithNothingListeningIsUnreachable) {
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::free_port()) + "/x.crl";
  auto body = http_get(url, 2s, kCap);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, ErrorCode::Unreachable);
  EXPECT_NE(body.error().message.find(url), std::string::npos) << body.error().message;
}

TEST(HttpFetch, GetGivesUpAtTheTimeoutWhenTheServerNeverAnswers) {
  SilentListener silent;
  const auto start = std::chrono::steady_clock::now();
  auto body = http_get(silent.url(), 300ms, kCap);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, ErrorCode::Unreachable);
  EXPECT_NE(body.error().message.find("timed out"), std::string::npos) << body.error().message;
  EXPECT_LT(elapsed, 2s);
  EXPECT_GE(elapsed, 250ms);
}

}  // namespace
}  // namespace telecert::verify
