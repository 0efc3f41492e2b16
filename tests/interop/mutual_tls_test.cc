// Mutual TLS with a real peer: `openssl s_client`, with and without a client certificate, against
// a telecert server-side context (ContextSnapshot) listening in the test process on 127.0.0.1.
// The server greets every client whose handshake it completes; the test checks both the server's
// outcome and report and what s_client saw.

#include <gtest/gtest.h>

#include "interop/snapshot_server.h"
#include "pki/file_decoder.h"
#include "pki/key.h"
#include "support/test_pki.h"
#include "support/test_support.h"
#include "tls/context_snapshot.h"

namespace telecert::tls {
namespace {

using telecert::interop::kGreeting;
using telecert::interop::OneShotServer;
using telecert::interop::ServerOutcome;
using telecert::testing::TempDir;
using telecert::testing::TestCertificate;
using telecert::testing::TestPki;

// The PKI and its certificates, made once for the suite (the openssl CLI takes seconds).
struct SuitePki {
  TempDir dir;
  TestPki pki{dir / "pki"};
  TestCertificate server = pki.issue({.name = "sbc1", .dns_names = {"sbc1.example.com"}});
  TestCertificate client = pki.issue({.name = "phone1", .dns_names = {"phone1.example.com"}});
  TestCertificate trunk = pki.issue(
      {.name = "trunk", .dns_names = {"trunk.example.com"}, .extended_key_usage = "serverAuth"});
  TestCertificate rogue = pki.self_signed({.name = "rogue", .dns_names = {"rogue.example.com"}});
};

class MutualTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { suite_ = new SuitePki(); }
  static void TearDownTestSuite() {
    delete suite_;
    suite_ = nullptr;
  }
  static SuitePki* suite_;
  const TestPki& pki_ = suite_->pki;
  const TestCertificate& server_ = suite_->server;

  static std::string file(const std::filesystem::path& path) {
    return telecert::testing::read_file(path);
  }
  static pki::Certificate certificate(const std::filesystem::path& path) {
    auto certificates = pki::read_certificates(as_bytes(file(path)));
    EXPECT_TRUE(certificates && !certificates->empty());
    return certificates->front();
  }

  // A server-side context presenting sbc1 with its chain and trusting the PKI's root.
  std::shared_ptr<const ContextSnapshot> server_context(ClientCert mode, bool strict = false) {
    TlsContextDefinition definition;
    definition.name = "sip";
    definition.role = ContextRole::Server;
    definition.trust = TrustScope::Custom;
    definition.client_cert = mode;
    definition.strict = strict;
    auto key = pki::Key::parse(as_bytes(file(server_.key)));
    EXPECT_TRUE(key.has_value());
    ContextMaterial material{definition,
                             IdentityMaterial{"sbc1",
                                              *key,
                                              certificate(server_.certificate),
                                              {certificate(pki_.intermediate().certificate)}},
                             {certificate(pki_.root().certificate)}};
    auto snapshot = ContextSnapshot::build(material, {});
    EXPECT_TRUE(snapshot.has_value()) << (snapshot ? "" : snapshot.error().message);
    return snapshot ? *snapshot : nullptr;
  }

  // `openssl s_client` against the server, presenting `client` (with its intermediate) if given.
  telecert::testing::CommandResult s_client(int port, const TestCertificate* client) {
    std::vector<std::string> argv{"timeout",
                                  "15",
                                  "openssl",
                                  "s_client",
                                  "-connect",
                                  "127.0.0.1:" + std::to_string(port),
                                  "-servername",
                                  "sbc1.example.com",
                                  "-CAfile",
                                  pki_.root().certificate.string(),
                                  "-verify_return_error",
                                  "-ign_eof"};
    if (client != nullptr) {
      for (const auto& argument :
           {std::string("-cert"), client->certificate.string(), std::string("-key"),
            client->key.string(), std::string("-cert_chain"),
            pki_.intermediate().certificate.string()}) {
        argv.push_back(argument);
      }
    }
    return telecert::testing::run_command(argv);
  }

  static bool greeted(const telecert::testing::CommandResult& result) {
    return result.output.find(kGreeting) != std::string::npos;
  }
  static std::string describe(const ServerOutcome& outcome,
                              const telecert::testing::CommandResult& result) {
    std::string text =
        "s_client exit " + std::to_string(result.exit_status) + "\n" + result.output + result.error;
    if (outcome.report) text += "\nreport:\n" + verify::format_report(*outcome.report);
    return text;
  }
};

SuitePki* MutualTlsTest::suite_ = nullptr;

TEST_F(MutualTlsTest, RequireAcceptsClientCertificateFromTrustedCaAndReportsItsChain) {
  const auto& client = suite_->client;
  OneShotServer server(server_context(ClientCert::Require));
  const auto result = s_client(server.port(), &client);
  const auto outcome = server.outcome();
  EXPECT_TRUE(outcome.handshake_ok) << describe(outcome, result);
  EXPECT_TRUE(greeted(result)) << describe(outcome, result);
  ASSERT_TRUE(outcome.report.has_value());
  EXPECT_TRUE(outcome.report->trusted) << describe(outcome, result);
  EXPECT_TRUE(outcome.report->problems.empty()) << describe(outcome, result);
  ASSERT_EQ(outcome.report->chain.size(), 3u);
  EXPECT_EQ(outcome.report->chain.front().certificate.sha256_fingerprint(),
            certificate(client.certificate).sha256_fingerprint());
}

TEST_F(MutualTlsTest, RequireRefusesClientWithoutCertificate) {
  OneShotServer server(server_context(ClientCert::Require));
  const auto result = s_client(server.port(), nullptr);
  const auto outcome = server.outcome();
  EXPECT_FALSE(outcome.handshake_ok);
  EXPECT_FALSE(greeted(result)) << describe(outcome, result);
  EXPECT_FALSE(outcome.report.has_value());
}

TEST_F(MutualTlsTest, RequestAcceptsClientWithoutCertificateAndReportsNothing) {
  OneShotServer server(server_context(ClientCert::Request));
  const auto result = s_client(server.port(), nullptr);
  const auto outcome = server.outcome();
  EXPECT_TRUE(outcome.handshake_ok) << describe(outcome, result);
  EXPECT_TRUE(greeted(result)) << describe(outcome, result);
  EXPECT_FALSE(outcome.peer_certificate);
  EXPECT_FALSE(outcome.report.has_value());
}

TEST_F(MutualTlsTest, RequestVerifiesTheClientCertificateWhenOneIsSent) {
  const auto& client = suite_->client;
  OneShotServer server(server_context(ClientCert::Request));
  const auto result = s_client(server.port(), &client);
  const auto outcome = server.outcome();
  EXPECT_TRUE(outcome.handshake_ok) << describe(outcome, result);
  ASSERT_TRUE(outcome.report.has_value());
  EXPECT_TRUE(outcome.report->trusted) << describe(outcome, result);
}

TEST_F(MutualTlsTest, RequireRefusesSelfSignedClientCertificateAndSaysWhy) {
  const auto& client = suite_->rogue;
  OneShotServer server(server_context(ClientCert::Require));
  const auto result = s_client(server.port(), &client);
  const auto outcome = server.outcome();
  EXPECT_FALSE(outcome.handshake_ok) << describe(outcome, result);
  EXPECT_FALSE(greeted(result)) << describe(outcome, result);
  ASSERT_TRUE(outcome.report.has_value());
  EXPECT_FALSE(outcome.report->trusted);
  EXPECT_TRUE(outcome.report->has(verify::ProblemCode::SelfSigned) ||
              outcome.report->has(verify::ProblemCode::UntrustedRoot))
      << describe(outcome, result);
}

// Public CAs stop issuing clientAuth in 2026; SIP trunks present serverAuth-only certificates.
TEST_F(MutualTlsTest, ServerAuthOnlyClientCertificateIsAcceptedWithWarningWhenStrictIsOff) {
  const auto& client = suite_->trunk;
  OneShotServer server(server_context(ClientCert::Require, /*strict=*/false));
  const auto result = s_client(server.port(), &client);
  const auto outcome = server.outcome();
  EXPECT_TRUE(outcome.handshake_ok) << describe(outcome, result);
  EXPECT_TRUE(greeted(result)) << describe(outcome, result);
  ASSERT_TRUE(outcome.report.has_value());
  EXPECT_TRUE(outcome.report->trusted) << describe(outcome, result);
  ASSERT_TRUE(outcome.report->has(verify::ProblemCode::BadKeyUsage)) << describe(outcome, result);
  for (const auto& problem : outcome.report->problems) {
    EXPECT_EQ(problem.severity, verify::Severity::Warning) << problem.message;
  }
}

TEST_F(MutualTlsTest, ServerAuthOnlyClientCertificateIsRefusedWhenStrictIsOn) {
  const auto& client = suite_->trunk;
  OneShotServer server(server_context(ClientCert::Require, /*strict=*/true));
  const auto result = s_client(server.port(), &client);
  const auto outcome = server.outcome();
  EXPECT_FALSE(outcome.handshake_ok) << describe(outcome, result);
  EXPECT_FALSE(greeted(result)) << describe(outcome, result);
  ASSERT_TRUE(outcome.report.has_value());
  EXPECT_FALSE(outcome.report->trusted);
  bool named = false;
  for (const auto& problem : outcome.report->problems) {
    named = named || (problem.code == verify::ProblemCode::BadKeyUsage &&
                      problem.severity == verify::Severity::Error &&
                      problem.message.find("clientAuth") != std::string::npos);
  }
  EXPECT_TRUE(named) << describe(outcome, result);
}

}  // namespace
}  // namespace telecert::tls
