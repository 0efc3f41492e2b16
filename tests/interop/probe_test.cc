// `telecert probe` against real servers on 127.0.0.1: `openssl s_server` presenting good, partial,
// misnamed, expired and revoked chains (revocation answered by an `openssl ocsp` responder, or not
// at all), and Kamailio answering SIP OPTIONS over TLS. The data directory trusts the test PKI's
// root (`telecert trust add`) and probes with a context made by `telecert context create`.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

#include "interop_fixture.h"
#include "support/kamailio.h"
#include "support/ocsp_responder.h"
#include "support/test_pki.h"
#include "support/tls_server.h"

namespace telecert::interop {
namespace {

using nlohmann::json;
using telecert::testing::free_port;
using telecert::testing::Kamailio;
using telecert::testing::LeafOptions;
using telecert::testing::OcspResponder;
using telecert::testing::TestCertificate;
using telecert::testing::TestPki;
using telecert::testing::TlsServer;

constexpr std::string_view kServerName = "sbc1.example.com";
constexpr std::string_view kContext = "probe";

class ProbeTest : public InitialisedTest {
 protected:
  void SetUp() override {
    InitialisedTest::SetUp();
    ocsp_port_ = free_port();
    pki_.emplace(dir_ / "pki", TestPki::Options{.ocsp_port = ocsp_port_});
    telecert_ok({"trust", "add", pki_->root().certificate.string()});
  }

  TestCertificate issue(LeafOptions options = {}) {
    if (options.name.empty()) options.name = "sbc1";
    if (options.common_name.empty()) options.common_name = std::string(kServerName);
    if (options.dns_names.empty()) options.dns_names = {std::string(kServerName)};
    return pki_->issue(options);
  }

  // `telecert context create probe --role client --trust custom --verify chain+name ...`
  void create_context(std::vector<std::string> revocation = {"--ocsp", "off"}) {
    std::vector<std::string> args = {"context", "create",   std::string(kContext),
                                     "--role",  "client",   "--trust",
                                     "custom",  "--verify", "chain+name"};
    args.insert(args.end(), revocation.begin(), revocation.end());
    telecert_ok(args);
  }

  // `telecert probe URL --name NAME --context probe --timeout 5 --json`, expecting `exit_status`.
  json probe(const std::string& url, int exit_status, std::string_view name = kServerName) const {
    auto result = telecert({"probe", url, "--name", std::string(name), "--context",
                            std::string(kContext), "--timeout", "5", "--json"});
    EXPECT_EQ(result.exit_status, exit_status) << describe(last_argv_, result);
    auto parsed = json::parse(result.output, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << describe(last_argv_, result);
    return parsed.is_discarded() ? json::object() : parsed;
  }

  // A DER OCSP response about `leaf` made by `openssl ocsp` from the intermediate's index and
  // signed by its delegated signer: what a server staples.
  std::filesystem::path staple_for(const TestCertificate& leaf) const {
    const std::string request = path("staple-" + leaf.name + ".req");
    const std::string response = path("staple-" + leaf.name + ".der");
    const auto& signer = pki_->ocsp_signer(TestPki::Ca::Intermediate);
    openssl_ok({"ocsp", "-issuer", pki_->intermediate().certificate.string(), "-cert",
                leaf.certificate.string(), "-no_nonce", "-reqout", request});
    openssl_ok({"ocsp", "-index", pki_->index(TestPki::Ca::Intermediate).string(), "-CA",
                pki_->intermediate().certificate.string(), "-rsigner", signer.certificate.string(),
                "-rkey", signer.key.string(), "-reqin", request, "-respout", response, "-ndays",
                "1"});
    return response;
  }

  static std::string tls_url(const TlsServer& server) { return "tls://" + server.address(); }

  std::optional<TestPki> pki_;
  int ocsp_port_ = 0;
};

// The problem with `code` in a report, or null.
const json* problem(const json& report, std::string_view code) {
  if (!report.contains("problems") || !report["problems"].is_array()) return nullptr;
  for (const auto& entry : report["problems"]) {
    if (entry.value("code", "") == code) return &entry;
  }
  return nullptr;
}

// True when a socket can be bound to ::1.
bool ipv6_loopback() {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return bound;
}

std::string codes(const json& report) {
  std::string text;
  for (const auto& entry : report.value("problems", json::array())) {
    text += entry.value("code", "?") + "(" + entry.value("severity", "?") + ") ";
  }
  return text.empty() ? "none" : text;
}

TEST_F(ProbeTest, ProbeTrustsAGoodChainAndExitsZero) {
  create_context();
  const auto leaf = issue();
  TlsServer server({.certificate = leaf.certificate,
                    .key = leaf.key,
                    .chain = pki_->intermediate().certificate});
  const json report = probe(tls_url(server), 0);
  EXPECT_EQ(report.value("trusted", false), true) << report.dump(2);
  EXPECT_EQ(report.value("target", ""), tls_url(server));
  EXPECT_TRUE(report.value("tls_version", "").starts_with("TLSv1.")) << report.dump(2);
  EXPECT_FALSE(report.value("cipher", "").empty());
  EXPECT_FALSE(report.value("group", "").empty());
  EXPECT_EQ(report.value("stapled_ocsp", ""), "none");
  ASSERT_EQ(report["peer_chain"].size(), 2u) << report.dump(2);
  EXPECT_TRUE(Contains(report["peer_chain"][0].get<std::string>(), "CN=sbc1.example.com"));
  ASSERT_EQ(report["chain"].size(), 3u) << report.dump(2);
  EXPECT_TRUE(Contains(report["chain"][2].get<std::string>(), "Telecert Test Root CA"));
  EXPECT_TRUE(report["problems"].empty()) << codes(report);
}

TEST_F(ProbeTest, ProbeReportsMissingIntermediateWhenServerSendsLeafOnly) {
  create_context();
  const auto leaf = issue();
  TlsServer server({.certificate = leaf.certificate, .key = leaf.key});
  const json report = probe(tls_url(server), 1);
  EXPECT_EQ(report.value("trusted", true), false);
  EXPECT_EQ(report["peer_chain"].size(), 1u) << report.dump(2);
  const json* missing = problem(report, "missing_intermediate");
  ASSERT_NE(missing, nullptr) << codes(report);
  EXPECT_TRUE(Contains(missing->value("message", ""), "Telecert Test Intermediate CA"));
  EXPECT_FALSE(missing->value("remedy", "").empty());
}

TEST_F(ProbeTest, ProbeReportsNameMismatchListingTheNamesTheCertificateCarries) {
  create_context();
  const auto leaf = issue({.name = "sbc1", .dns_names = {"sbc1.example.com", "sip.example.com"}});
  TlsServer server({.certificate = leaf.certificate,
                    .key = leaf.key,
                    .chain = pki_->intermediate().certificate});
  const json report = probe(tls_url(server), 1, "pbx.example.org");
  EXPECT_EQ(report.value("trusted", true), false);
  const json* mismatch = problem(report, "name_mismatch");
  ASSERT_NE(mismatch, nullptr) << codes(report);
  const std::string message = mismatch->value("message", "");
  EXPECT_TRUE(Contains(message, "pbx.example.org"));
  EXPECT_TRUE(Contains(message, "sbc1.example.com"));
  EXPECT_TRUE(Contains(message, "sip.example.com"));
}

TEST_F(ProbeTest, ProbeReportsAnExpiredCertificateWithItsDate) {
  create_context();
  const auto leaf = issue({.name = "old", .valid_from_days = -30, .valid_until_days = -2});
  TlsServer server({.certificate = leaf.certificate,
                    .key = leaf.key,
                    .chain = pki_->intermediate().certificate});
  const json report = probe(tls_url(server), 1);
  const json* expired = problem(report, "expired");
  ASSERT_NE(expired, nullptr) << codes(report);
  ASSERT_FALSE(report["chain"].empty());
  const std::string not_after = report["chain_details"][0].value("not_after", "");
  ASSERT_GE(not_after.size(), 10u) << report.dump(2);
  EXPECT_TRUE(Contains(expired->value("message", ""), not_after.substr(0, 10)));
}

TEST_F(ProbeTest, ProbeReportsACertificateRevokedAtTheOcspResponderWithItsSource) {
  create_context({"--ocsp", "on", "--ocsp-default", "reject"});
  const auto leaf = issue({.name = "revoked"});
  pki_->revoke(leaf);
  OcspResponder responder(
      telecert::testing::ocsp_responder_options(*pki_, TestPki::Ca::Intermediate, ocsp_port_));
  TlsServer server({.certificate = leaf.certificate,
                    .key = leaf.key,
                    .chain = pki_->intermediate().certificate});
  const json report = probe(tls_url(server), 1);
  EXPECT_EQ(report.value("trusted", true), false);
  ASSERT_NE(problem(report, "revoked"), nullptr) << codes(report) << "\n" << responder.log();
  bool revoked_entry = false;
  for (const auto& check : report.value("revocation", json::array())) {
    if (check.value("status", "") != "revoked") continue;
    revoked_entry = true;
    EXPECT_TRUE(Contains(check.value("subject", ""), "CN=sbc1.example.com"));
    EXPECT_TRUE(Contains(check.value("source", ""), "127.0.0.1:" + std::to_string(ocsp_port_)));
  }
  EXPECT_TRUE(revoked_entry) << report.dump(2);
}

TEST_F(ProbeTest, ProbeDoesNotTrustAGoodCertificateWhenTheResponderIsDownAndDefaultIsReject) {
  create_context({"--ocsp", "on", "--ocsp-default", "reject"});
  const auto leaf = issue();
  TlsServer server({.certificate = leaf.certificate,
                    .key = leaf.key,
                    .chain = pki_->intermediate().certificate});
  const json report = probe(tls_url(server), 1);
  EXPECT_EQ(report.value("trusted", true), false);
  const json* unknown = problem(report, "revocation_unknown");
  ASSERT_NE(unknown, nullptr) << codes(report);
  EXPECT_EQ(unknown->value("severity", ""), "error");
}

TEST_F(ProbeTest, ProbeTrustsAGoodCertificateWithAWarningWhenTheResponderIsDownAndDefaultIsAccept) {
  create_context({"--ocsp", "on", "--ocsp-default", "accept"});
  const auto leaf = issue();
  TlsServer server({.certificate = leaf.certificate,
                    .key = leaf.key,
                    .chain = pki_->intermediate().certificate});
  const json report = probe(tls_url(server), 0);
  EXPECT_EQ(report.value("trusted", false), true) << codes(report);
  const json* unknown = problem(report, "revocation_unknown");
  ASSERT_NE(unknown, nullptr) << codes(report);
  EXPECT_EQ(unknown->value("severity", ""), "warning");
}

TEST_F(ProbeTest, ProbeOfAPortWithNothingListeningExitsTwoSayingSo) {
  create_context();
  const int port = free_port();
  auto result = telecert({"probe", "tls://127.0.0.1:" + std::to_string(port), "--context",
                          std::string(kContext), "--json"});
  EXPECT_EQ(result.exit_status, 2) << describe(last_argv_, result);
  EXPECT_TRUE(result.output.empty()) << result.output;
  EXPECT_TRUE(Contains(result.error, "error: cannot connect to 127.0.0.1:" + std::to_string(port)));
  EXPECT_TRUE(Contains(result.error, "connection refused"));
  EXPECT_TRUE(Contains(result.error, "hint: "));
}

TEST_F(ProbeTest, ProbeOfSomethingThatIsNotAUrlIsAUsageError) {
  auto result = telecert({"probe", "sbc1.example.com:5061"});
  EXPECT_EQ(result.exit_status, 2) << describe(last_argv_, result);
  EXPECT_TRUE(Contains(result.error, "sips:host"));
}

TEST_F(ProbeTest, ProbeHttpsReadsTheHttpStatusLine) {
  create_context();
  const auto leaf = issue();
  TlsServer server({.certificate = leaf.certificate,
                    .key = leaf.key,
                    .chain = pki_->intermediate().certificate,
                    .http = true});
  const json report = probe("https://" + server.address() + "/", 0);
  EXPECT_TRUE(report.value("http_status", "").starts_with("HTTP/1.0 200")) << report.dump(2);
  EXPECT_FALSE(report["headers"].empty());
}

TEST_F(ProbeTest, ProbeTextOutputShowsTheConnectionTheChainSentAndTheVerdict) {
  create_context();
  const auto leaf = issue();
  TlsServer server({.certificate = leaf.certificate, .key = leaf.key});
  auto result = telecert({"probe", tls_url(server), "--name", std::string(kServerName), "--context",
                          std::string(kContext)});
  EXPECT_EQ(result.exit_status, 1) << describe(last_argv_, result);
  EXPECT_TRUE(Contains(result.output, "TLSv1.3"));
  EXPECT_TRUE(Contains(result.output, "peer sent     1 certificate"));
  EXPECT_TRUE(Contains(result.output, "CN=sbc1.example.com"));
  EXPECT_TRUE(Contains(result.output, "missing_intermediate"));
}

TEST_F(ProbeTest, ProbeShowsTheStapledOcspStatusTheServerSends) {
  create_context();
  const auto good = issue({.name = "good"});
  const auto revoked = issue({.name = "revoked"});
  pki_->revoke(revoked);
  TlsServer good_server({.certificate = good.certificate,
                         .key = good.key,
                         .chain = pki_->intermediate().certificate,
                         .ocsp_response = staple_for(good)});
  EXPECT_EQ(probe(tls_url(good_server), 0).value("stapled_ocsp", ""), "good") << good_server.log();
  TlsServer revoked_server({.certificate = revoked.certificate,
                            .key = revoked.key,
                            .chain = pki_->intermediate().certificate,
                            .ocsp_response = staple_for(revoked)});
  // The context does not check revocation, so the verdict stands; the staple is shown as sent.
  EXPECT_EQ(probe(tls_url(revoked_server), 0).value("stapled_ocsp", ""), "revoked");
}

TEST_F(ProbeTest, ProbeConnectsOverIpv6) {
  if (!ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
  create_context();
  const auto leaf = issue();
  TlsServer server({.certificate = leaf.certificate,
                    .key = leaf.key,
                    .chain = pki_->intermediate().certificate,
                    .host = "::1"});
  const json report = probe("tls://" + server.address(), 0);
  EXPECT_EQ(report.value("target", ""), "tls://[::1]:" + std::to_string(server.port()));
  EXPECT_EQ(report.value("trusted", false), true) << codes(report);
}

class KamailioProbeTest : public ProbeTest {
 protected:
  void SetUp() override {
    if (!Kamailio::available()) GTEST_SKIP() << "kamailio with its tls module is not installed";
    ProbeTest::SetUp();
    create_context();
    leaf_ = issue();
    // Kamailio sends every certificate of its certificate file: the leaf and the intermediate.
    kamailio_.emplace(
        telecert::testing::KamailioOptions{.certificate = leaf_.chain, .key = leaf_.key});
  }

  std::string url() const { return "sips:127.0.0.1:" + std::to_string(kamailio_->port()); }

  TestCertificate leaf_;
  std::optional<Kamailio> kamailio_;
};

TEST_F(KamailioProbeTest, ProbeSipsGetsTheOptionsAnswerAndATrustedVerdict) {
  const json report = probe(url(), 0);
  EXPECT_EQ(report.value("sip_status", ""), "SIP/2.0 200 OK") << report.dump(2) << kamailio_->log();
  EXPECT_EQ(report.value("trusted", false), true) << codes(report);
  bool cseq = false;
  for (const auto& header : report.value("headers", json::array())) {
    cseq = cseq || header.get<std::string>() == "CSeq: 1 OPTIONS";
  }
  EXPECT_TRUE(cseq) << report.dump(2);
  EXPECT_EQ(report["peer_chain"].size(), 2u);
}

TEST_F(KamailioProbeTest, ProbeSipsWithTheWrongNameGivesANameMismatchVerdict) {
  const json report = probe(url(), 1, "pbx.example.org");
  EXPECT_EQ(report.value("trusted", true), false);
  ASSERT_NE(problem(report, "name_mismatch"), nullptr) << codes(report);
  // The verdict does not stop the probe: the SIP answer is still shown.
  EXPECT_EQ(report.value("sip_status", ""), "SIP/2.0 200 OK") << kamailio_->log();
}

}  // namespace
}  // namespace telecert::interop
