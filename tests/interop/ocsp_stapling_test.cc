// OCSP stapling (RFC 6066 §8) through ContextSnapshot on both sides, with real `openssl ocsp`
// responders for the test PKI's root and intermediate: a telecert server context with
// ocsp_stapling fetches and staples the answer for its own certificate; a telecert client context
// with OCSP on judges the staple, in TLS 1.2 (CertificateStatus after Certificate) and TLS 1.3
// (status in the Certificate message); `openssl s_client -status` sees the staple too.

#include <gtest/gtest.h>

#include <algorithm>

#include "interop/snapshot_server.h"
#include "pki/file_decoder.h"
#include "pki/key.h"
#include "support/ocsp_responder.h"
#include "support/test_pki.h"
#include "support/test_support.h"
#include "tls/context_snapshot.h"
#include "unit/tls/handshake_fixture.h"

namespace telecert::tls {
namespace {

using telecert::testing::OcspResponder;
using telecert::testing::TestCertificate;
using telecert::testing::TestPki;

// The PKI, one good and one revoked server certificate, and both CAs' responders, once per suite.
struct StaplingPki {
  telecert::testing::TempDir dir;
  int ocsp_port = telecert::testing::free_port();
  int root_ocsp_port = telecert::testing::free_port();
  TestPki pki{dir / "pki", {.ocsp_port = ocsp_port, .root_ocsp_port = root_ocsp_port}};
  TestCertificate good = pki.issue({.name = "good", .dns_names = {"sbc1.example.com"}});
  TestCertificate revoked =
      revoke(pki.issue({.name = "revoked", .dns_names = {"sbc1.example.com"}}));
  OcspResponder intermediate_responder{
      ocsp_responder_options(pki, TestPki::Ca::Intermediate, ocsp_port)};
  OcspResponder root_responder{ocsp_responder_options(pki, TestPki::Ca::Root, root_ocsp_port)};

  TestCertificate revoke(TestCertificate certificate) {
    pki.revoke(certificate);
    return certificate;
  }
};

class OcspStaplingTest : public ::testing::TestWithParam<TlsVersion> {
 protected:
  static void SetUpTestSuite() { suite_ = new StaplingPki(); }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }
  static StaplingPki* suite_;

  static pki::Certificate certificate(const std::filesystem::path& path) {
    auto certificates = pki::read_certificates(as_bytes(telecert::testing::read_file(path)));
    EXPECT_TRUE(certificates && !certificates->empty());
    return certificates->front();
  }
  static std::shared_ptr<const ContextSnapshot> server_context(const TestCertificate& leaf) {
    auto definition = testing::definition("sip");
    definition.ocsp_stapling = true;
    auto key = pki::Key::parse(as_bytes(telecert::testing::read_file(leaf.key)));
    EXPECT_TRUE(key.has_value());
    return testing::build(
        ContextMaterial{definition,
                        IdentityMaterial{leaf.name,
                                         *key,
                                         certificate(leaf.certificate),
                                         {certificate(suite_->pki.intermediate().certificate)}},
                        {certificate(suite_->pki.root().certificate)}});
  }
  static std::shared_ptr<const ContextSnapshot> client_context(TlsVersion version) {
    auto definition = testing::definition("client");
    definition.ocsp = true;
    definition.min_version = definition.max_version = version;
    return testing::build(
        ContextMaterial{definition, std::nullopt, {certificate(suite_->pki.root().certificate)}});
  }
  static const verify::RevocationCheck* leaf_check(const verify::Report& report) {
    if (report.revocation.empty() || report.chain.empty()) return nullptr;
    const std::string subject = report.chain.front().certificate.subject();
    const auto found = std::ranges::find_if(
        report.revocation, [&](const auto& check) { return check.subject == subject; });
    return found != report.revocation.end() ? &*found : nullptr;
  }
};

StaplingPki* OcspStaplingTest::suite_ = nullptr;

TEST_P(OcspStaplingTest, ClientTrustsServerWhoseStapledAnswerIsGood) {
  auto server = server_context(suite_->good);
  auto client = client_context(GetParam());
  ASSERT_TRUE(server && client);
  auto client_ssl = client->new_client(verify::DnsName{"sbc1.example.com"});
  auto server_ssl = server->new_server();
  ASSERT_TRUE(client_ssl && server_ssl);
  const auto outcome = testing::handshake(client_ssl->get(), server_ssl->get());
  EXPECT_TRUE(outcome.both_ok()) << outcome.client.error << outcome.server.error;
  const auto* report = ContextSnapshot::peer_report(client_ssl->get());
  ASSERT_NE(report, nullptr);
  EXPECT_TRUE(report->trusted) << verify::format_report(*report);
  const auto* check = leaf_check(*report);
  ASSERT_NE(check, nullptr) << verify::format_report(*report);
  EXPECT_EQ(check->status, verify::RevocationCheck::Status::Good);
  EXPECT_NE(check->source.find("stapled"), std::string::npos) << check->source;
}

TEST_P(OcspStaplingTest, ClientRefusesServerWhoseStapledAnswerSaysRevoked) {
  auto server = server_context(suite_->revoked);
  auto client = client_context(GetParam());
  ASSERT_TRUE(server && client);
  auto client_ssl = client->new_client(verify::DnsName{"sbc1.example.com"});
  auto server_ssl = server->new_server();
  ASSERT_TRUE(client_ssl && server_ssl);
  const auto outcome = testing::handshake(client_ssl->get(), server_ssl->get());
  EXPECT_FALSE(outcome.client.ok);
  EXPECT_FALSE(outcome.server.ok);
  const auto* report = ContextSnapshot::peer_report(client_ssl->get());
  ASSERT_NE(report, nullptr);
  EXPECT_FALSE(report->trusted);
  EXPECT_TRUE(report->has(verify::ProblemCode::Revoked)) << verify::format_report(*report);
  const auto* check = leaf_check(*report);
  ASSERT_NE(check, nullptr) << verify::format_report(*report);
  EXPECT_EQ(check->status, verify::RevocationCheck::Status::Revoked);
  EXPECT_NE(check->source.find("stapled"), std::string::npos) << check->source;
}

// The independent peer: `openssl s_client -status` prints the OCSP answer our server staples.
TEST_P(OcspStaplingTest, OpensslClientReceivesTheStapledAnswerOfATelecertServer) {
  for (const auto* leaf : {&suite_->good, &suite_->revoked}) {
    interop::OneShotServer server(server_context(*leaf));
    const auto result = telecert::testing::run_command(
        {"timeout", "15", "openssl", "s_client", "-connect",
         "127.0.0.1:" + std::to_string(server.port()), "-servername", "sbc1.example.com",
         GetParam() == TlsVersion::Tls1_2 ? "-tls1_2" : "-tls1_3", "-status", "-CAfile",
         suite_->pki.root().certificate.string(), "-verify_return_error", "-ign_eof"});
    const auto outcome = server.outcome();
    const std::string text = result.output + result.error;
    EXPECT_TRUE(outcome.handshake_ok) << text;
    EXPECT_NE(text.find("OCSP Response Status: successful"), std::string::npos) << text;
    const std::string status = leaf == &suite_->good ? "Cert Status: good" : "Cert Status: revoked";
    EXPECT_NE(text.find(status), std::string::npos) << text;
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, OcspStaplingTest,
                         ::testing::Values(TlsVersion::Tls1_2, TlsVersion::Tls1_3),
                         [](const auto& info) {
                           return info.param == TlsVersion::Tls1_2 ? "Tls12" : "Tls13";
                         });

}  // namespace
}  // namespace telecert::tls
