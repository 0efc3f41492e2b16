// tls/probe.h: what a probe target may look like, the name a peer is expected to carry, and the
// connection steps' failures (a closed port, a port that never speaks TLS).
#include "tls/probe.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pki/file_decoder.h"
#include "support/test_pki.h"
#include "support/test_support.h"
#include "support/tls_server.h"
#include "tls/probe_io.h"
#include "unit/tls/stalling_peer.h"

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

// probe() against a real `openssl s_server`, with a snapshot built in the test that trusts the
// test PKI's root.
class ProbeAgainstServerTest : public ::testing::Test {
 protected:
  std::shared_ptr<const ContextSnapshot> snapshot(TlsVersion min_version = TlsVersion::Tls1_2) {
    ContextMaterial material;
    material.definition.name = "probe";
    material.definition.trust = TrustScope::Custom;
    material.definition.min_version = min_version;
    auto roots =
        pki::read_certificates(as_bytes(telecert::testing::read_file(pki_.root().certificate)));
    EXPECT_TRUE(roots) << roots.error().message;
    if (roots) material.trust_anchors = *roots;
    auto built = ContextSnapshot::build(material, {std::make_shared<SystemClock>(), nullptr});
    EXPECT_TRUE(built) << (built ? "" : built.error().message);
    return built ? *built : nullptr;
  }

  // A DER OCSP response about `leaf` made by `openssl ocsp` from the intermediate's index.
  std::filesystem::path staple_for(const telecert::testing::TestCertificate& leaf) {
    const auto request = (dir_ / "staple.req").string();
    const auto response = (dir_ / "staple.der").string();
    const auto& signer = pki_.ocsp_signer(telecert::testing::TestPki::Ca::Intermediate);
    telecert::testing::openssl({"ocsp", "-issuer", pki_.intermediate().certificate.string(),
                                "-cert", leaf.certificate.string(), "-no_nonce", "-reqout",
                                request});
    telecert::testing::openssl(
        {"ocsp", "-index", pki_.index(telecert::testing::TestPki::Ca::Intermediate).string(), "-CA",
         pki_.intermediate().certificate.string(), "-rsigner", signer.certificate.string(), "-rkey",
         signer.key.string(), "-reqin", request, "-respout", response, "-ndays", "1"});
    return response;
  }

  telecert::testing::TempDir dir_;
  telecert::testing::TestPki pki_{dir_ / "pki"};
  telecert::testing::TestCertificate leaf_ =
      pki_.issue({.name = "sbc1", .dns_names = {"sbc1.example.com"}});
};

TEST_F(ProbeAgainstServerTest, ProbeReadsVersionCipherGroupChainStapleAndHttpAnswer) {
  telecert::testing::TlsServer server({.certificate = leaf_.certificate,
                                       .key = leaf_.key,
                                       .chain = pki_.intermediate().certificate,
                                       .ocsp_response = staple_for(leaf_),
                                       .http = true});
  const auto context = snapshot();
  ASSERT_NE(context, nullptr);
  auto target = parse_probe_target("https://" + server.address() + "/");
  ASSERT_TRUE(target);
  auto result = probe(*target, *context, verify::DnsName{"sbc1.example.com"}, 5s);
  ASSERT_TRUE(result) << result.error().message << "\n" << server.log();
  EXPECT_EQ(result->tls_version, "TLSv1.3");
  EXPECT_FALSE(result->cipher.empty());
  EXPECT_FALSE(result->group.empty());
  ASSERT_EQ(result->peer_chain.size(), 2u);
  EXPECT_NE(result->peer_chain[1].subject().find("Telecert Test Intermediate CA"),
            std::string::npos);
  EXPECT_EQ(result->stapled_ocsp, "good");
  EXPECT_TRUE(result->report.trusted);
  ASSERT_TRUE(result->application_status.has_value());
  EXPECT_TRUE(result->application_status->starts_with("HTTP/1.0 200"))
      << *result->application_status;
}

TEST_F(ProbeAgainstServerTest, ProbeOfALeafOnlyServerIsAnAnswerNotAnError) {
  telecert::testing::TlsServer server({.certificate = leaf_.certificate, .key = leaf_.key});
  const auto context = snapshot();
  ASSERT_NE(context, nullptr);
  auto target = parse_probe_target("tls://" + server.address());
  ASSERT_TRUE(target);
  auto result = probe(*target, *context, verify::DnsName{"sbc1.example.com"}, 5s);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->peer_chain.size(), 1u);
  EXPECT_EQ(result->stapled_ocsp, "none");
  EXPECT_FALSE(result->report.trusted);
  EXPECT_TRUE(result->report.has(verify::ProblemCode::MissingIntermediate));
  EXPECT_FALSE(result->application_status.has_value());
}

TEST_F(ProbeAgainstServerTest, ProbeOfAPeerThatNeverAnswersFinallyEndsAndSaysWhy) {
  testing::StallingPeer peer("SIP/2.0 100 Trying\r\nl: 0\r\n\r\n\r\n");
  const auto context = snapshot();
  ASSERT_NE(context, nullptr);
  auto target = parse_probe_target("sips:127.0.0.1:" + std::to_string(peer.port()));
  ASSERT_TRUE(target);
  auto result = probe(*target, *context, verify::SipUri{"sbc1.example.com"}, 10s);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_FALSE(result->application_status.has_value());
  EXPECT_NE(result->application_error.find("without a final answer"), std::string::npos)
      << result->application_error;
}

TEST_F(ProbeAgainstServerTest, HandshakeRefusedByTheServerIsUnreachableWithTheAlert) {
  // The server speaks TLS 1.2 only; the context asks for 1.3 at least.
  telecert::testing::TlsServer server({.certificate = leaf_.certificate,
                                       .key = leaf_.key,
                                       .chain = pki_.intermediate().certificate,
                                       .extra_arguments = {"-tls1_2"}});
  const auto context = snapshot(TlsVersion::Tls1_3);
  ASSERT_NE(context, nullptr);
  auto target = parse_probe_target("tls://" + server.address());
  ASSERT_TRUE(target);
  auto result = probe(*target, *context, verify::DnsName{"sbc1.example.com"}, 5s);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::Unreachable);
  EXPECT_NE(result.error().message.find("TLS handshake with " + server.address() + " failed"),
            std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("alert"), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().hint.find("TLS versions"), std::string::npos) << result.error().hint;
}

}  // namespace
}  // namespace telecert::tls
