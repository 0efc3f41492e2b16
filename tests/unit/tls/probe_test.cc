// tls/probe.h: what a probe target may look like, the name a peer is expected to carry, and the
// connection steps' failures (a closed port, a port that never speaks TLS).
#include "tls/probe.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/test_support.h"
#include "tls/probe_io.h"

namespace telecert::tls {
namespace {

using namespace std::chrono_literals;

ProbeTarget parsed(std::string_view text) {
  auto target = parse_probe_target(text);
  EXPECT_TRUE(target) << text << ": " << (target ? "" : target.error().message);
  return target ? *target : ProbeTarget{};
}

TEST(ParseProbeTarget, TlsNeedsHostAndPort) {
  const auto target = parsed("tls://127.0.0.1:5061");
  EXPECT_EQ(target.scheme, ProbeTarget::Scheme::Tls);
  EXPECT_EQ(target.host, "127.0.0.1");
  EXPECT_EQ(target.port, 5061);
  EXPECT_EQ(target.text, "tls://127.0.0.1:5061");
  EXPECT_FALSE(parse_probe_target("tls://127.0.0.1"));
}

TEST(ParseProbeTarget, SchemeIsCaseInsensitiveAndHostIsLowerCased) {
  const auto target = parsed("TLS://SBC1.Example.COM:5061/");
  EXPECT_EQ(target.scheme, ProbeTarget::Scheme::Tls);
  EXPECT_EQ(target.host, "sbc1.example.com");
}

TEST(ParseProbeTarget, HttpsDefaultsToPort443AndRootPath) {
  const auto target = parsed("https://prov.example.com");
  EXPECT_EQ(target.scheme, ProbeTarget::Scheme::Https);
  EXPECT_EQ(target.port, 443);
  EXPECT_EQ(target.path, "/");
}

TEST(ParseProbeTarget, HttpsKeepsPathAndQueryButDropsTheFragment) {
  const auto target = parsed("https://prov.example.com:8443/cfg/00908f123456.cfg?x=1#top");
  EXPECT_EQ(target.port, 8443);
  EXPECT_EQ(target.path, "/cfg/00908f123456.cfg?x=1");
  EXPECT_EQ(parsed("https://prov.example.com?x=1").path, "/?x=1");
}

TEST(ParseProbeTarget, SipsDefaultsToPort5061AndIgnoresUserAndParameters) {
  const auto plain = parsed("sips:sbc1.example.com");
  EXPECT_EQ(plain.scheme, ProbeTarget::Scheme::Sips);
  EXPECT_EQ(plain.host, "sbc1.example.com");
  EXPECT_EQ(plain.port, 5061);
  const auto full = parsed("sips:alice@sbc1.example.com:5062;transport=tcp?subject=x");
  EXPECT_EQ(full.host, "sbc1.example.com");
  EXPECT_EQ(full.port, 5062);
}

TEST(ParseProbeTarget, Ipv6LiteralsGoInBrackets) {
  const auto tls = parsed("tls://[::1]:5061");
  EXPECT_EQ(tls.host, "::1");
  EXPECT_EQ(tls.port, 5061);
  const auto sips = parsed("sips:[2001:db8::10]");
  EXPECT_EQ(sips.host, "2001:db8::10");
  EXPECT_EQ(sips.port, 5061);
  const auto https = parsed("https://[2001:db8::10]:8443/x");
  EXPECT_EQ(https.host, "2001:db8::10");
  EXPECT_EQ(https.path, "/x");
}

TEST(ParseProbeTarget, RefusesMalformedTargetsWithTheFormsInTheHint) {
  for (std::string_view text : {"",
                                "sbc1.example.com:5061",
                                "sip:sbc1.example.com",
                                "http://prov.example.com/",
                                "ftp://x:21",
                                "tls://::1:5061",
                                "tls://[::1",
                                "tls://[::1]5061",
                                "tls://[not-v6]:5061",
                                "tls://host:0",
                                "tls://host:65536",
                                "tls://host:99999999999",
                                "tls://host:50a1",
                                "tls://host:",
                                "tls://:5061",
                                "https://user@host/",
                                "tls://host:5061/path",
                                "sips://sbc1.example.com",
                                "tls://ho st:5061",
                                "tls://host!:5061"}) {
    auto target = parse_probe_target(text);
    ASSERT_FALSE(target) << "'" << text << "' was accepted";
    EXPECT_EQ(target.error().code, ErrorCode::InvalidArgument) << text;
    EXPECT_NE(target.error().message.find(std::string(text)), std::string::npos)
        << target.error().message;
    EXPECT_NE(target.error().hint.find("sips:host"), std::string::npos) << target.error().hint;
  }
}

TEST(DefaultExpectedName, IsTheSipDomainForSipsAndAnAddressForLiterals) {
  const auto sip = default_expected_name(parsed("sips:Example.com"));
  ASSERT_TRUE(std::holds_alternative<verify::SipUri>(sip));
  EXPECT_EQ(std::get<verify::SipUri>(sip).domain, "example.com");

  const auto dns = default_expected_name(parsed("https://prov.example.com/"));
  ASSERT_TRUE(std::holds_alternative<verify::DnsName>(dns));
  EXPECT_EQ(std::get<verify::DnsName>(dns).value, "prov.example.com");

  const auto ipv4 = default_expected_name(parsed("sips:192.0.2.10"));
  ASSERT_TRUE(std::holds_alternative<verify::IpAddress>(ipv4));
  EXPECT_EQ(std::get<verify::IpAddress>(ipv4).value, "192.0.2.10");

  const auto ipv6 = default_expected_name(parsed("tls://[2001:DB8:0::10]:5061"));
  ASSERT_TRUE(std::holds_alternative<verify::IpAddress>(ipv6));
  EXPECT_EQ(std::get<verify::IpAddress>(ipv6).value, "2001:db8::10");
}

TEST(ProbeConnection, ClosedPortIsUnreachableWithConnectionRefused) {
  const int port = telecert::testing::free_port();
  auto socket = probe_io::connect_tcp("127.0.0.1", static_cast<std::uint16_t>(port), 2s);
  ASSERT_FALSE(socket);
  EXPECT_EQ(socket.error().code, ErrorCode::Unreachable);
  EXPECT_NE(socket.error().message.find("connection refused"), std::string::npos)
      << socket.error().message;
  EXPECT_NE(socket.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
  EXPECT_FALSE(socket.error().hint.empty());
}

// A listening socket that never accepts: TCP connects (the kernel completes it from the backlog)
// but no TLS answer ever comes.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

TEST(ProbeConnection, HandshakeWithASilentPeerTimesOut) {
  SilentListener listener;
  auto socket = probe_io::connect_tcp("127.0.0.1", listener.port(), 2s);
  ASSERT_TRUE(socket) << socket.error().message;
  pki::Owned<SSL_CTX> context(SSL_CTX_new(TLS_client_method()));
  pki::Owned<SSL> connection(SSL_new(context.get()));
  ASSERT_EQ(SSL_set_fd(connection.get(), socket->fd()), 1);
  const auto started = std::chrono::steady_clock::now();
  auto done = probe_io::handshake(connection.get(), *socket, 300ms, "127.0.0.1:1");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ErrorCode::Unreachable);
  EXPECT_NE(done.error().message.find("did not finish within 300 ms"), std::string::npos)
      << done.error().message;
}

}  // namespace
}  // namespace telecert::tls
