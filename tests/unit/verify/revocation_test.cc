#include "verify/revocation.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "pki/file_decoder.h"
#include "support/http_file_server.h"
#include "support/ocsp_responder.h"
#include "support/test_pki.h"
#include "support/test_support.h"
#include "verify/ocsp_message.h"

namespace telecert::verify {
namespace {

using namespace telecert::testing;
using namespace std::chrono_literals;
using Status = RevocationCheck::Status;
using Ca = TestPki::Ca;

pki::Certificate load(const std::filesystem::path& pem) {
  auto certificates = pki::read_certificates(as_bytes(read_file(pem)));
  if (!certificates || certificates->empty())
    throw std::runtime_error("no certificate in " + pem.string());
  return certificates->front();
}

pki::TimePoint wall_clock_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Every test gets its own PKI whose leaves name a responder port and a CRL port on 127.0.0.1;
// the peers are started by the tests that need them.
class RevocationTest : public ::testing::Test {
 protected:
  RevocationTest()
      : ocsp_port_(free_port()),
        crl_port_(free_port()),
        pki_(dir_ / "pki", {.ocsp_port = ocsp_port_, .crl_port = crl_port_}),
        leaf_files_(pki_.issue({.name = "sbc1", .dns_names = {"sbc1.example.com"}})),
        leaf_(load(leaf_files_.certificate)),
        intermediate_(load(pki_.intermediate().certificate)),
        root_(load(pki_.root().certificate)) {
    policy_.ocsp = true;
  }

  OcspResponderOptions responder_options(bool delegated = true) {
    return ocsp_responder_options(pki_, Ca::Intermediate, ocsp_port_, delegated);
  }

  // A DER OCSP response made offline by `openssl ocsp` for `certificate`, with a nonce (of the
  // openssl client's request, not ours) unless `nonce` is false.
  std::filesystem::path canned_response(const TestCertificate& certificate, bool nonce,
                                        const std::string& name) {
    const auto request = dir_ / (name + ".req");
    const auto response = dir_ / "canned" / name;
    std::filesystem::create_directories(response.parent_path());
    std::vector<std::string> make_request = {"ocsp",
                                             "-issuer",
                                             pki_.intermediate().certificate.string(),
                                             "-cert",
                                             certificate.certificate.string(),
                                             "-reqout",
                                             request.string()};
    if (!nonce) make_request.push_back("-no_nonce");
    openssl(make_request);
    const auto signer = pki_.ocsp_signer(Ca::Intermediate);
    openssl({"ocsp", "-index", pki_.index(Ca::Intermediate).string(), "-CA",
             pki_.intermediate().certificate.string(), "-rsigner", signer.certificate.string(),
             "-rkey", signer.key.string(), "-reqin", request.string(), "-respout",
             response.string(), "-ndays", "1"});
    return response;
  }

  TempDir dir_;
  int ocsp_port_;
  int crl_port_;
  TestPki pki_;
  TestCertificate leaf_files_;
  pki::Certificate leaf_;
  pki::Certificate intermediate_;
  pki::Certificate root_;
  RevocationPolicy policy_;
  RevocationChecker checker_{RevocationChecker::Options{.timeout = 2000ms}};
  pki::TimePoint now_ = wall_clock_now();
};

TEST_F(RevocationTest, OcspReportsGoodFromTheResponderNamedInTheAia) {
  OcspResponder responder(responder_options());
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_);
  EXPECT_EQ(check.status, Status::Good) << check.detail;
  EXPECT_EQ(check.source, "OCSP " + responder.url());
  EXPECT_EQ(check.subject, leaf_.subject());
  EXPECT_FALSE(check.revoked_at);
}

TEST_F(RevocationTest, OcspAcceptsAnAnswerSignedByTheIssuerItself) {
  OcspResponder responder(responder_options(/*delegated=*/false));
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_);
  EXPECT_EQ(check.status, Status::Good) << check.detail;
}

TEST_F(RevocationTest, OcspReportsRevokedWithTimeAndReason) {
  pki_.revoke(leaf_files_, "keyCompromise");
  OcspResponder responder(responder_options());
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_);
  EXPECT_EQ(check.status, Status::Revoked) << check.detail;
  ASSERT_TRUE(check.revoked_at);
  EXPECT_LE(*check.revoked_at, now_ + 5s);
  EXPECT_GE(*check.revoked_at, now_ - 60s);
  EXPECT_NE(check.detail.find("keyCompromise"), std::string::npos) << check.detail;
}

TEST_F(RevocationTest, OcspReportsUnknownWhenTheResponderDoesNotKnowTheCertificate) {
  // Issued with the intermediate's key but outside `openssl ca`: not in the responder's index.
  const auto key = dir_ / "stray.key";
  const auto csr = dir_ / "stray.csr";
  const auto pem = dir_ / "stray.pem";
  openssl(
      {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.string()});
  openssl({"req", "-new", "-key", key.string(), "-subj", "/CN=stray", "-out", csr.string()});
  openssl({"x509", "-req", "-in", csr.string(), "-CA", pki_.intermediate().certificate.string(),
           "-CAkey", pki_.intermediate().key.string(), "-set_serial", "4242", "-days", "30", "-out",
           pem.string()});
  OcspResponder responder(responder_options());
  policy_.ocsp_urls = {responder.url()};
  auto check = checker_.check_ocsp(load(pem), intermediate_, policy_, std::nullopt, now_);
  EXPECT_EQ(check.status, Status::Unknown);
  EXPECT_NE(check.detail.find("does not know"), std::string::npos) << check.detail;
}

TEST_F(RevocationTest, OcspIsUnknownWithTheReasonWhenTheResponderIsDown) {
  auto down = OcspResponder::down();
  policy_.ocsp_urls = {down.url()};
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_);
  EXPECT_EQ(check.status, Status::Unknown);
  EXPECT_NE(check.detail.find(down.url()), std::string::npos) << check.detail;
}

TEST_F(RevocationTest, OcspAsksTheSecondaryResponderWhenThePrimaryIsDown) {
  auto down = OcspResponder::down();
  OcspResponder responder(responder_options());
  policy_.ocsp_urls = {down.url(), responder.url()};
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_);
  EXPECT_EQ(check.status, Status::Good) << check.detail;
  EXPECT_EQ(check.source, "OCSP " + responder.url());
}

TEST_F(RevocationTest, OcspRejectsAnAnswerSignedByAnUnrelatedKey) {
  const auto impostor = pki_.unrelated_ca("impostor");
  auto options = responder_options();
  options.signer = impostor.certificate;
  options.signer_key = impostor.key;
  OcspResponder responder(options);
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_);
  EXPECT_EQ(check.status, Status::Unknown);
  EXPECT_NE(check.detail.find("not signed by"), std::string::npos) << check.detail;
}

TEST_F(RevocationTest, OcspRejectsAnAnswerSignedByACertificateWithoutOcspSigning) {
  // Issued by the right CA, but not authorised for OCSP signing (RFC 6960 §4.2.2.2).
  const auto server = pki_.issue({.name = "not-a-responder", .extended_key_usage = "serverAuth"});
  auto options = responder_options();
  options.signer = server.certificate;
  options.signer_key = server.key;
  OcspResponder responder(options);
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_);
  EXPECT_EQ(check.status, Status::Unknown);
  EXPECT_NE(check.detail.find("not signed by"), std::string::npos) << check.detail;
}

TEST_F(RevocationTest, OcspRejectsAStaleAnswerAndOneFromTheFuture) {
  OcspResponder responder(responder_options());  // nextUpdate: now + 1 day
  auto stale = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_ + 48h);
  EXPECT_EQ(stale.status, Status::Unknown);
  EXPECT_NE(stale.detail.find("stale"), std::string::npos) << stale.detail;
  auto early = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_ - 1h);
  EXPECT_EQ(early.status, Status::Unknown);
  EXPECT_NE(early.detail.find("future"), std::string::npos) << early.detail;
}

TEST_F(RevocationTest, OcspRejectsAnAnswerWithAnotherRequestsNonce) {
  const auto response = canned_response(leaf_files_, /*nonce=*/true, "with-nonce.der");
  HttpFileServer server(response.parent_path());
  policy_.ocsp_urls = {server.url("with-nonce.der")};
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_);
  EXPECT_EQ(check.status, Status::Unknown);
  EXPECT_NE(check.detail.find("nonce"), std::string::npos) << check.detail;
  EXPECT_EQ(server.requests("POST /with-nonce.der", 1), 1u);
}

TEST_F(RevocationTest, OcspAcceptsAnAnswerWithoutNonce) {
  const auto response = canned_response(leaf_files_, /*nonce=*/false, "no-nonce.der");
  HttpFileServer server(response.parent_path());
  policy_.ocsp_urls = {server.url("no-nonce.der")};
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_);
  EXPECT_EQ(check.status, Status::Good) << check.detail;
}

TEST_F(RevocationTest, OcspAnswersFromTheCacheUntilNextUpdate) {
  OcspResponder responder(responder_options());  // nextUpdate: now + 1 day
  auto first = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_);
  ASSERT_EQ(first.status, Status::Good) << first.detail;
  responder.stop();
  auto second = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_ + 12h);
  EXPECT_EQ(second.status, Status::Good) << second.detail;
  EXPECT_EQ(second.source, "cached OCSP");
  auto after = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_ + 25h);
  EXPECT_EQ(after.status, Status::Unknown) << after.detail;
}

TEST_F(RevocationTest, OcspUsesAStapledAnswerWithoutAskingAResponder) {
  const auto response = canned_response(leaf_files_, /*nonce=*/false, "staple.der");
  const std::string der = read_file(response);
  auto down = OcspResponder::down();
  policy_.ocsp_urls = {down.url()};
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, as_bytes(der), now_);
  EXPECT_EQ(check.status, Status::Good) << check.detail;
  EXPECT_EQ(check.source, "stapled OCSP");
}

TEST_F(RevocationTest, OcspFallsBackToTheResponderWhenTheStapleIsJunk) {
  OcspResponder responder(responder_options());
  const std::string junk = "not an OCSP response";
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, as_bytes(junk), now_);
  EXPECT_EQ(check.status, Status::Good) << check.detail;
  EXPECT_EQ(check.source, "OCSP " + responder.url());
}

TEST_F(RevocationTest, ResponseToStapleIsAFreshAnswerFromTheResponderThenFromTheCache) {
  OcspResponder responder(responder_options());
  auto staple = checker_.response_to_staple(leaf_, intermediate_, policy_, now_);
  ASSERT_TRUE(staple);
  auto answer = ocsp::judge_response(*staple, leaf_, intermediate_, nullptr, now_);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, Status::Good);
  responder.stop();
  auto again = checker_.response_to_staple(leaf_, intermediate_, policy_, now_ + 1h);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *staple);
  EXPECT_FALSE(checker_.response_to_staple(leaf_, intermediate_, policy_, now_ + 25h));
}

TEST_F(RevocationTest, ResponseToStapleLeavesAFailedResponderAloneForAMinute) {
  auto down = OcspResponder::down();
  policy_.ocsp_urls = {down.url()};
  EXPECT_FALSE(checker_.response_to_staple(leaf_, intermediate_, policy_, now_));
  auto options = responder_options();
  options.port = down.port();
  OcspResponder responder(options);
  EXPECT_FALSE(checker_.response_to_staple(leaf_, intermediate_, policy_, now_ + 30s));
  // The verifying side is not held back by the stapling side's memory of the failure.
  auto check = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_ + 30s);
  EXPECT_EQ(check.status, Status::Good) << check.detail;
  EXPECT_TRUE(checker_.response_to_staple(leaf_, intermediate_, policy_, now_ + 30s));
}

TEST_F(RevocationTest, ResponseToStapleAsksAgainAfterAMinute) {
  auto down = OcspResponder::down();
  policy_.ocsp_urls = {down.url()};
  EXPECT_FALSE(checker_.response_to_staple(leaf_, intermediate_, policy_, now_));
  auto options = responder_options();
  options.port = down.port();
  OcspResponder responder(options);
  EXPECT_TRUE(checker_.response_to_staple(leaf_, intermediate_, policy_, now_ + 61s));
}

TEST_F(RevocationTest, OcspCheckerIsSharedBetweenThreads) {
  OcspResponder responder(responder_options());
  std::vector<std::thread> threads;
  std::vector<Status> results(4, Status::Unknown);
  for (std::size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      results[i] = checker_.check_ocsp(leaf_, intermediate_, policy_, std::nullopt, now_).status;
    });
  }
  for (auto& thread : threads) thread.join();
  for (auto status : results) EXPECT_EQ(status, Status::Good);
}

TEST_F(RevocationTest, CrlsComeFromAHandedInFileWithSeveralPemCrlsOrOneDerCrl) {
  pki_.revoke(leaf_files_);
  const std::string pem = read_file(pki_.crl(Ca::Root)) + read_file(pki_.crl(Ca::Intermediate));
  policy_.crl = true;
  policy_.fetch_distribution_points = false;
  policy_.crls = {to_bytes(pem), to_bytes(read_file(pki_.crl_directory() / "intermediate.crl"))};
  auto set = checker_.crls_for(std::vector<pki::Certificate>{leaf_, intermediate_}, policy_, now_);
  EXPECT_TRUE(set.unavailable.empty());
  ASSERT_EQ(set.crls.size(), 3u);
  X509_REVOKED* entry = nullptr;
  ASN1_INTEGER* serial = X509_get_serialNumber(leaf_.get());
  EXPECT_EQ(X509_CRL_get0_by_serial(set.crls[1].get(), &entry, serial), 1);
  EXPECT_EQ(X509_CRL_get0_by_serial(set.crls[2].get(), &entry, serial), 1);
  EXPECT_EQ(X509_CRL_get0_by_serial(set.crls[0].get(), &entry, serial), 0);
}

TEST_F(RevocationTest, CrlHandedInThatDoesNotParseIsListedAsUnavailable) {
  policy_.crl = true;
  policy_.fetch_distribution_points = false;
  policy_.crls = {to_bytes("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")};
  auto set = checker_.crls_for(std::vector<pki::Certificate>{leaf_}, policy_, now_);
  EXPECT_TRUE(set.crls.empty());
  ASSERT_EQ(set.unavailable.size(), 1u);
}

TEST_F(RevocationTest, CrlsAreFetchedFromTheDistributionPointsAndCachedUntilNextUpdate) {
  pki_.crl(Ca::Root);
  pki_.crl(Ca::Intermediate, 2);
  HttpFileServer server(pki_.crl_directory(), {.port = crl_port_});
  policy_.crl = true;
  const std::vector<pki::Certificate> chain = {leaf_, intermediate_};
  auto set = checker_.crls_for(chain, policy_, now_);
  EXPECT_TRUE(set.unavailable.empty()) << set.unavailable.front();
  EXPECT_EQ(set.crls.size(), 2u);
  auto again = checker_.crls_for(chain, policy_, now_ + 1h);
  EXPECT_EQ(again.crls.size(), 2u);
  EXPECT_EQ(server.requests("GET /intermediate.crl", 1), 1u);
  auto later = checker_.crls_for(chain, policy_, now_ + 3h);  // past the intermediate's nextUpdate
  EXPECT_EQ(later.crls.size(), 2u);
  EXPECT_EQ(server.requests("GET /intermediate.crl", 2), 2u);
  EXPECT_EQ(server.requests("GET /root.crl", 1), 1u);
}

TEST_F(RevocationTest, CrlAtADeadDistributionPointIsListedAsUnavailable) {
  policy_.crl = true;
  auto set = checker_.crls_for(std::vector<pki::Certificate>{leaf_}, policy_, now_);
  EXPECT_TRUE(set.crls.empty());
  ASSERT_EQ(set.unavailable.size(), 1u);
  EXPECT_NE(set.unavailable[0].find("http://127.0.0.1:" + std::to_string(crl_port_) +
                                    "/intermediate.crl"),
            std::string::npos)
      << set.unavailable[0];
}

TEST(TestPkiFixture, ResponderAndFileServerAnswerForTheTestPki) {
  TempDir dir;
  const int ocsp_port = free_port();
  const int crl_port = free_port();
  TestPki pki(dir / "pki", {.ocsp_port = ocsp_port, .crl_port = crl_port});
  auto leaf = pki.issue({.name = "sbc1", .dns_names = {"sbc1.example.com"}});
  auto revoked = pki.issue({.name = "old", .dns_names = {"old.example.com"}});
  pki.revoke(revoked);
  pki.crl(TestPki::Ca::Intermediate);
  OcspResponder responder(ocsp_responder_options(pki, TestPki::Ca::Intermediate, ocsp_port));
  HttpFileServer server(pki.crl_directory(), {.port = crl_port});

  const std::string good = openssl({"ocsp", "-issuer", pki.intermediate().certificate.string(),
                                    "-cert", leaf.certificate.string(), "-url", responder.url(),
                                    "-CAfile", pki.root().certificate.string()});
  EXPECT_NE(good.find(": good"), std::string::npos) << good;
  const std::string bad = openssl({"ocsp", "-issuer", pki.intermediate().certificate.string(),
                                   "-cert", revoked.certificate.string(), "-url", responder.url(),
                                   "-CAfile", pki.root().certificate.string()});
  EXPECT_NE(bad.find(": revoked"), std::string::npos) << bad;
  const std::string text = openssl({"x509", "-in", leaf.certificate.string(), "-noout", "-text"});
  EXPECT_NE(text.find("OCSP - URI:http://127.0.0.1:" + std::to_string(ocsp_port)),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("URI:" + server.url("intermediate.crl")), std::string::npos) << text;
  auto verify =
      run_command({"openssl", "verify", "-crl_check", "-CAfile", pki.root().certificate.string(),
                   "-untrusted", pki.intermediate().certificate.string(), "-CRLfile",
                   (dir / "pki" / "intermediate.crl.pem").string(), revoked.certificate.string()});
  EXPECT_NE((verify.output + verify.error).find("certificate revoked"), std::string::npos)
      << verify.output << verify.error;
  auto fetched = run_command(
      {"curl", "-sS", "-o", (dir / "fetched.crl").string(), server.url("intermediate.crl")});
  EXPECT_EQ(fetched.exit_status, 0) << fetched.error;
  EXPECT_EQ(read_file(dir / "fetched.crl"), read_file(pki.crl_directory() / "intermediate.crl"));
  auto posted =
      run_command({"curl", "-sS", "-X", "POST", "--data", "x", "-o", (dir / "posted.crl").string(),
                   "-w", "%{http_code}", server.url("intermediate.crl")});
  EXPECT_EQ(posted.output, "200");
  EXPECT_EQ(server.requests("GET /intermediate.crl", 1), 1u);
}

TEST(TestPkiFixture, IssuesLeavesOfEachKeyTypeValidityAndIssuer) {
  TempDir dir;
  TestPki pki(dir / "pki");
  auto rsa = pki.issue({.name = "rsa", .key_type = TestKeyType::Rsa2048});
  auto ed = pki.issue({.name = "ed", .key_type = TestKeyType::Ed25519, .issued_by_root = true});
  auto expired = pki.issue({.name = "expired", .valid_from_days = -30, .valid_until_days = -1});
  auto self = pki.self_signed({.name = "self", .dns_names = {"self.example.com"}});
  EXPECT_EQ(load(rsa.certificate).public_key_algorithm(), "RSA");
  EXPECT_EQ(load(ed.certificate).public_key_algorithm(), "Ed25519");
  EXPECT_EQ(load(ed.certificate).issuer(), load(pki.root().certificate).subject());
  EXPECT_EQ(load(rsa.certificate).serial_hex(), rsa.serial_hex);
  EXPECT_LT(load(expired.certificate).not_after(), wall_clock_now());
  EXPECT_TRUE(load(self.certificate).is_self_signed());
  auto chain = pki::read_certificates(as_bytes(read_file(rsa.full_chain)));
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->size(), 3u);
  auto verified =
      run_command({"openssl", "verify", "-CAfile", pki.root().certificate.string(), "-untrusted",
                   pki.intermediate().certificate.string(), rsa.certificate.string()});
  EXPECT_EQ(verified.exit_status, 0) << verified.output << verified.error;
}

}  // namespace
}  // namespace telecert::verify
