// verify() and the network: CRLs are fetched and OCSP responders asked only for a chain that ends
// in a trust anchor and has no other error, only for the certificates of the chain as built (not
// for everything the peer sent), and for at most RevocationChecker::Options::max_fetches URLs per
// call. The peers (nginx serving the CRLs, `openssl ocsp`) count what they are asked.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "pki/file_decoder.h"
#include "support/http_file_server.h"
#include "support/ocsp_responder.h"
#include "support/test_pki.h"
#include "support/test_support.h"
#include "verify/verifier.h"

namespace telecert::verify {
namespace {

using namespace telecert::testing;
using namespace std::chrono_literals;
using Ca = TestPki::Ca;
using Status = RevocationCheck::Status;

pki::Certificate load(const std::filesystem::path& pem) {
  auto certificates = pki::read_certificates(as_bytes(read_file(pem)));
  if (!certificates || certificates->empty())
    throw std::runtime_error("no certificate in " + pem.string());
  return certificates->front();
}

// Any request line in nginx's access log.
constexpr std::string_view kAnyRequest = "HTTP/1.";
// How long a test waits for a request that must not come.
constexpr auto kQuiet = 500ms;

class VerifierNetworkTest : public ::testing::Test {
 protected:
  VerifierNetworkTest() {
    options_.revocation.crl = true;
    options_.revocation.fetch_distribution_points = true;
  }

  Report run(TestPki& pki, const std::vector<pki::Certificate>& presented,
             RevocationChecker& checker) {
    options_.time = now();  // after the PKI made its CRLs
    const auto trust = TrustStore::create({load(pki.root().certificate)});
    return verify(presented, *trust, options_, &checker);
  }

  static pki::TimePoint now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  static std::string problems_of(const Report& report) { return format_report(report); }

  TempDir dir_;
  VerifyOptions options_;
  RevocationChecker checker_{RevocationChecker::Options{.timeout = 2000ms}};
};

TEST_F(VerifierNetworkTest, UntrustedChainMakesNoRequestToItsDistributionPointsOrResponders) {
  // Every URL in the chain (CRL DPs, AIA OCSP of leaf and intermediate) points at one nginx.
  const int port = free_port();
  TestPki pki(dir_ / "pki", {.ocsp_port = port, .root_ocsp_port = port, .crl_port = port});
  pki.crl(Ca::Root);
  pki.crl(Ca::Intermediate);
  HttpFileServer server(pki.crl_directory(), {.port = port});
  const auto leaf = pki.issue({.name = "sbc1", .dns_names = {"sbc1.example.com"}});
  options_.revocation.ocsp = true;
  const std::vector<pki::Certificate> presented = {
      load(leaf.certificate), load(pki.intermediate().certificate), load(pki.root().certificate)};

  const auto empty = TrustStore::create({});
  options_.time = now();
  const Report report = verify(presented, *empty, options_, &checker_);
  EXPECT_FALSE(report.trusted);
  EXPECT_TRUE(report.has(ProblemCode::UntrustedRoot)) << problems_of(report);
  EXPECT_EQ(server.requests(kAnyRequest, 1, kQuiet), 0u) << server.access_log();
}

TEST_F(VerifierNetworkTest, TrustedChainWithAnExpiredLeafMakesNoRequest) {
  const int port = free_port();
  TestPki pki(dir_ / "pki", {.ocsp_port = port, .root_ocsp_port = port, .crl_port = port});
  pki.crl(Ca::Root);
  pki.crl(Ca::Intermediate);
  HttpFileServer server(pki.crl_directory(), {.port = port});
  const auto leaf = pki.issue({.name = "old", .valid_from_days = -30, .valid_until_days = -1});
  options_.revocation.ocsp = true;
  const Report report =
      run(pki, {load(leaf.certificate), load(pki.intermediate().certificate)}, checker_);
  EXPECT_FALSE(report.trusted);
  EXPECT_TRUE(report.has(ProblemCode::Expired)) << problems_of(report);
  EXPECT_EQ(server.requests(kAnyRequest, 1, kQuiet), 0u) << server.access_log();
}

TEST_F(VerifierNetworkTest, TrustedChainGetsItsCrlsFetchedAndItsResponderAsked) {
  const int ocsp_port = free_port();
  const int root_ocsp_port = free_port();
  const int crl_port = free_port();
  TestPki pki(dir_ / "pki",
              {.ocsp_port = ocsp_port, .root_ocsp_port = root_ocsp_port, .crl_port = crl_port});
  const auto leaf = pki.issue({.name = "sbc1", .dns_names = {"sbc1.example.com"}});
  pki.crl(Ca::Root);
  pki.crl(Ca::Intermediate);
  HttpFileServer server(pki.crl_directory(), {.port = crl_port});
  OcspResponder responder(ocsp_responder_options(pki, Ca::Intermediate, ocsp_port));
  OcspResponder root_responder(ocsp_responder_options(pki, Ca::Root, root_ocsp_port));
  options_.revocation.ocsp = true;

  const Report report =
      run(pki, {load(leaf.certificate), load(pki.intermediate().certificate)}, checker_);
  EXPECT_TRUE(report.trusted) << problems_of(report);
  EXPECT_TRUE(report.problems.empty()) << problems_of(report);
  ASSERT_EQ(report.revocation.size(), 4u);  // CRL and OCSP, for the leaf and the intermediate
  for (const auto& check : report.revocation) {
    EXPECT_EQ(check.status, Status::Good) << check.subject << ": " << check.detail;
  }
  EXPECT_EQ(server.requests("GET /intermediate.crl", 1), 1u);
  EXPECT_EQ(server.requests("GET /root.crl", 1), 1u);
  EXPECT_TRUE(std::ranges::any_of(report.revocation, [&](const RevocationCheck& check) {
    return check.source == "OCSP " + responder.url();
  }));
}

TEST_F(VerifierNetworkTest, LeafRevokedByAFetchedCrlIsOneRevokedProblemAndNothingElse) {
  // With Reject, the first pass (no CRL fetched yet) finds no CRL; that must not stay behind.
  const int crl_port = free_port();
  TestPki pki(dir_ / "pki", {.crl_port = crl_port});
  const auto leaf = pki.issue({.name = "sbc1", .dns_names = {"sbc1.example.com"}});
  pki.revoke(leaf);
  pki.crl(Ca::Root);
  pki.crl(Ca::Intermediate);
  HttpFileServer server(pki.crl_directory(), {.port = crl_port});
  const Report report =
      run(pki, {load(leaf.certificate), load(pki.intermediate().certificate)}, checker_);
  EXPECT_FALSE(report.trusted);
  ASSERT_EQ(report.problems.size(), 1u) << problems_of(report);
  EXPECT_EQ(report.problems[0].code, ProblemCode::Revoked);
  EXPECT_EQ(report.problems[0].depth, 0);
  ASSERT_EQ(report.revocation.size(), 2u);
  EXPECT_EQ(report.revocation[0].status, Status::Revoked);
  EXPECT_EQ(report.revocation[1].status, Status::Good);
}

TEST_F(VerifierNetworkTest, AnExtraPresentedCertificateOutsideTheChainIsNotFetchedFor) {
  const int crl_port = free_port();
  const int stray_port = free_port();
  TestPki pki(dir_ / "pki", {.crl_port = crl_port});
  const auto leaf = pki.issue({.name = "sbc1", .dns_names = {"sbc1.example.com"}});
  const auto stray = pki.issue({.name = "stray", .crl_port = stray_port});
  pki.crl(Ca::Root);
  pki.crl(Ca::Intermediate);
  HttpFileServer server(pki.crl_directory(), {.port = crl_port});
  HttpFileServer stray_server(pki.crl_directory(), {.port = stray_port});
  const Report report = run(
      pki, {load(leaf.certificate), load(pki.intermediate().certificate), load(stray.certificate)},
      checker_);
  EXPECT_TRUE(report.trusted) << problems_of(report);
  EXPECT_EQ(server.requests("GET /intermediate.crl", 1), 1u);
  EXPECT_EQ(stray_server.requests(kAnyRequest, 1, kQuiet), 0u) << stray_server.access_log();
}

TEST_F(VerifierNetworkTest, OneVerificationFetchesAtMostMaxFetchesUrlsAndSaysWhyTheRestIsUnknown) {
  // Two CRLs and two OCSP requests would be wanted; the budget allows the two CRLs only.
  const int port = free_port();
  TestPki pki(dir_ / "pki", {.ocsp_port = port, .root_ocsp_port = port, .crl_port = port});
  const auto leaf = pki.issue({.name = "sbc1", .dns_names = {"sbc1.example.com"}});
  pki.crl(Ca::Root);
  pki.crl(Ca::Intermediate);
  HttpFileServer server(pki.crl_directory(), {.port = port});
  options_.revocation.ocsp = true;
  RevocationChecker checker(RevocationChecker::Options{.timeout = 2000ms, .max_fetches = 2});
  const Report report =
      run(pki, {load(leaf.certificate), load(pki.intermediate().certificate)}, checker);
  EXPECT_FALSE(report.trusted);
  EXPECT_EQ(server.requests(kAnyRequest, 3, kQuiet), 2u) << server.access_log();
  EXPECT_EQ(server.requests("POST", 1, 0ms), 0u) << server.access_log();
  const auto unknown = std::ranges::count_if(report.problems, [](const Problem& p) {
    return p.code == ProblemCode::RevocationUnknown &&
           p.message.find("a verification fetches at most 2 URLs") != std::string::npos;
  });
  EXPECT_EQ(unknown, 2) << problems_of(report);  // the leaf's and the intermediate's OCSP

  // With one fetch, the intermediate's CRL (at the root's distribution point) is left alone.
  RevocationChecker one(RevocationChecker::Options{.timeout = 2000ms, .max_fetches = 1});
  options_.revocation.ocsp = false;
  const Report crl_only =
      run(pki, {load(leaf.certificate), load(pki.intermediate().certificate)}, one);
  EXPECT_FALSE(crl_only.trusted);
  EXPECT_EQ(server.requests(kAnyRequest, 4, kQuiet), 3u) << server.access_log();
  ASSERT_EQ(crl_only.problems.size(), 1u) << problems_of(crl_only);
  EXPECT_EQ(crl_only.problems[0].code, ProblemCode::RevocationUnknown);
  EXPECT_EQ(crl_only.problems[0].depth, 1);
  EXPECT_NE(crl_only.problems[0].message.find("at most 1 URLs"), std::string::npos)
      << problems_of(crl_only);
}

}  // namespace
}  // namespace telecert::verify
