#include "tls/context_snapshot.h"

#include <gtest/gtest.h>

#include "unit/tls/handshake_fixture.h"

namespace telecert::tls {
namespace {

using testing::build;
using testing::definition;
using testing::handshake;

constexpr std::string_view kServerName = "sbc1.example.com";

class ContextSnapshotTest : public ::testing::Test {
 protected:
  testing::Pki pki;

  // A server context presenting pki.server with its chain.
  ContextMaterial server_material(TlsContextDefinition server = definition("server")) const {
    return ContextMaterial{
        std::move(server), pki.identity(pki.server, "sbc1"), {pki.root.certificate}};
  }
  // A client context that trusts pki.root, optionally presenting pki.client.
  ContextMaterial client_material(TlsContextDefinition client = definition("client"),
                                  bool with_identity = false) const {
    ContextMaterial material{std::move(client), std::nullopt, {pki.root.certificate}};
    if (with_identity) material.identity = pki.identity(pki.client, "phone1");
    return material;
  }

  static pki::Owned<SSL> client_of(const ContextSnapshot& snapshot,
                                   Enforcement enforcement = Enforcement::AsConfigured,
                                   std::string_view name = kServerName) {
    auto connection = snapshot.new_client(verify::DnsName{std::string(name)}, enforcement);
    EXPECT_TRUE(connection.has_value());
    return connection ? *std::move(connection) : nullptr;
  }
  static pki::Owned<SSL> server_of(const ContextSnapshot& snapshot) {
    auto connection = snapshot.new_server();
    EXPECT_TRUE(connection.has_value());
    return connection ? *std::move(connection) : nullptr;
  }
};

TEST_F(ContextSnapshotTest, HandshakeSucceedsAndPeerReportHoldsTheTrustedChain) {
  auto server = build(server_material());
  auto client = build(client_material());
  ASSERT_TRUE(server && client);
  auto client_ssl = client_of(*client);
  auto server_ssl = server_of(*server);
  const auto outcome = handshake(client_ssl.get(), server_ssl.get());
  ASSERT_TRUE(outcome.both_ok()) << outcome.client.error << outcome.server.error;

  const verify::Report* report = ContextSnapshot::peer_report(client_ssl.get());
  ASSERT_NE(report, nullptr);
  EXPECT_TRUE(report->trusted);
  ASSERT_EQ(report->chain.size(), 3u);
  EXPECT_EQ(report->chain[0].certificate.sha256_fingerprint(),
            pki.server.certificate.sha256_fingerprint());
  EXPECT_TRUE(report->chain[2].trust_anchor);
  // The server asked for no client certificate, so it verified nothing.
  EXPECT_EQ(ContextSnapshot::peer_report(server_ssl.get()), nullptr);
  EXPECT_EQ(SSL_get0_peer_certificate(server_ssl.get()), nullptr);
}

TEST_F(ContextSnapshotTest, ServerLimitedToTls13RefusesClientLimitedToTls12) {
  auto server_definition = definition("server");
  server_definition.min_version = TlsVersion::Tls1_3;
  auto client_definition = definition("client");
  client_definition.max_version = TlsVersion::Tls1_2;
  auto server = build(server_material(server_definition));
  auto client = build(client_material(client_definition));
  ASSERT_TRUE(server && client);
  auto client_ssl = client_of(*client);
  auto server_ssl = server_of(*server);
  const auto outcome = handshake(client_ssl.get(), server_ssl.get());
  EXPECT_FALSE(outcome.client.ok);
  EXPECT_FALSE(outcome.server.ok);
  EXPECT_NE(outcome.server.error.find("unsupported protocol"), std::string::npos)
      << outcome.server.error;
}

// A raw OpenSSL client that offers TLS 1.0 only (security level 0 so it may).
pki::Owned<SSL_CTX> tls10_client_context() {
  pki::Owned<SSL_CTX> context(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_security_level(context.get(), 0);
  SSL_CTX_set_min_proto_version(context.get(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(context.get(), TLS1_VERSION);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  return context;
}

TEST_F(ContextSnapshotTest, DefaultContextRefusesTls10ClientAndLegacyContextAcceptsIt) {
  auto raw_client = tls10_client_context();
  {
    auto server = build(server_material());
    ASSERT_TRUE(server);
    pki::Owned<SSL> client_ssl(SSL_new(raw_client.get()));
    auto server_ssl = server_of(*server);
    const auto outcome = handshake(client_ssl.get(), server_ssl.get());
    EXPECT_FALSE(outcome.server.ok);
    EXPECT_FALSE(outcome.client.ok);
  }
  auto legacy = definition("legacy");
  legacy.legacy = true;
  legacy.min_version = TlsVersion::Tls1_0;
  auto server = build(server_material(legacy));
  ASSERT_TRUE(server);
  pki::Owned<SSL> client_ssl(SSL_new(raw_client.get()));
  auto server_ssl = server_of(*server);
  const auto outcome = handshake(client_ssl.get(), server_ssl.get());
  EXPECT_TRUE(outcome.both_ok()) << outcome.client.error << outcome.server.error;
  EXPECT_EQ(SSL_version(server_ssl.get()), TLS1_VERSION);
}

TEST_F(ContextSnapshotTest, BuildRefusesTls10WithoutLegacy) {
  auto server_definition = definition("server");
  server_definition.min_version = TlsVersion::Tls1_0;
  auto snapshot =
      ContextSnapshot::build(server_material(server_definition), testing::dependencies());
  ASSERT_FALSE(snapshot.has_value());
  EXPECT_EQ(snapshot.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(snapshot.error().message.find("min-tls"), std::string::npos);
}

TEST_F(ContextSnapshotTest, Dh1024NeedsLegacy) {
  auto server_definition = definition("server");
  server_definition.dh_bits = 1024;
  auto refused =
      ContextSnapshot::build(server_material(server_definition), testing::dependencies());
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("dh-bits"), std::string::npos) << refused.error().message;
  server_definition.legacy = true;
  EXPECT_TRUE(build(server_material(server_definition)));
  server_definition.dh_bits = 1000;
  EXPECT_FALSE(ContextSnapshot::build(server_material(server_definition), testing::dependencies()));
}

TEST_F(ContextSnapshotTest, ServerNegotiatesTheCipherOfItsListAndRefusesClientsWithoutIt) {
  auto server_definition = definition("server");
  server_definition.max_version = TlsVersion::Tls1_2;
  server_definition.ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305";
  auto server = build(server_material(server_definition));
  auto client = build(client_material());
  ASSERT_TRUE(server && client);
  {
    auto client_ssl = client_of(*client);
    auto server_ssl = server_of(*server);
    const auto outcome = handshake(client_ssl.get(), server_ssl.get());
    ASSERT_TRUE(outcome.both_ok()) << outcome.client.error << outcome.server.error;
    EXPECT_STREQ(SSL_get_cipher_name(client_ssl.get()), "ECDHE-ECDSA-CHACHA20-POLY1305");
  }
  auto other_definition = definition("client");
  other_definition.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
  other_definition.max_version = TlsVersion::Tls1_2;
  auto other = build(client_material(other_definition));
  ASSERT_TRUE(other);
  auto client_ssl = client_of(*other);
  auto server_ssl = server_of(*server);
  const auto outcome = handshake(client_ssl.get(), server_ssl.get());
  EXPECT_FALSE(outcome.server.ok);
  EXPECT_NE(outcome.server.error.find("no shared cipher"), std::string::npos)
      << outcome.server.error;
}

TEST_F(ContextSnapshotTest, BuildRefusesCipherListOpenSslRejectsNamingTheField) {
  auto server_definition = definition("server");
  server_definition.ciphers = "NOT-A-CIPHER";
  auto snapshot =
      ContextSnapshot::build(server_material(server_definition), testing::dependencies());
  ASSERT_FALSE(snapshot.has_value());
  EXPECT_EQ(snapshot.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(snapshot.error().message.find("ciphers"), std::string::npos)
      << snapshot.error().message;
}

struct ClientCertCase {
  ClientCert mode;
  bool client_presents;
  bool handshake_succeeds;
  bool server_has_report;
};

class ClientCertificateModeTest : public ContextSnapshotTest,
                                  public ::testing::WithParamInterface<ClientCertCase> {};

TEST_P(ClientCertificateModeTest, ServerAsksForAndJudgesTheClientCertificateAsConfigured) {
  const auto& param = GetParam();
  auto server_definition = definition("server");
  server_definition.client_cert = param.mode;
  auto server = build(server_material(server_definition));
  auto client = build(client_material(definition("client"), param.client_presents));
  ASSERT_TRUE(server && client);
  auto client_ssl = client_of(*client);
  auto server_ssl = server_of(*server);
  const auto outcome = handshake(client_ssl.get(), server_ssl.get());
  EXPECT_EQ(outcome.server.ok, param.handshake_succeeds) << outcome.server.error;
  EXPECT_EQ(outcome.client.ok, param.handshake_succeeds) << outcome.client.error;
  const verify::Report* report = ContextSnapshot::peer_report(server_ssl.get());
  ASSERT_EQ(report != nullptr, param.server_has_report);
  if (report != nullptr) {
    EXPECT_TRUE(report->trusted);
    EXPECT_EQ(report->chain.front().certificate.sha256_fingerprint(),
              pki.client.certificate.sha256_fingerprint());
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, ClientCertificateModeTest,
                         ::testing::Values(ClientCertCase{ClientCert::None, true, true, false},
                                           ClientCertCase{ClientCert::Request, false, true, false},
                                           ClientCertCase{ClientCert::Request, true, true, true},
                                           ClientCertCase{ClientCert::Require, false, false, false},
                                           ClientCertCase{ClientCert::Require, true, true, true}));

TEST_F(ContextSnapshotTest, SendChainOffSendsTheLeafOnlyAndTheClientMissesTheIntermediate) {
  auto client = build(client_material());
  ASSERT_TRUE(client);
  for (const bool send_chain : {true, false}) {
    auto server_definition = definition("server");
    server_definition.send_chain = send_chain;
    auto server = build(server_material(server_definition));
    ASSERT_TRUE(server);
    auto client_ssl = client_of(*client, Enforcement::ReportOnly);
    auto server_ssl = server_of(*server);
    const auto outcome = handshake(client_ssl.get(), server_ssl.get());
    ASSERT_TRUE(outcome.both_ok()) << outcome.client.error << outcome.server.error;
    const auto* received = SSL_get_peer_cert_chain(client_ssl.get());
    EXPECT_EQ(sk_X509_num(received), send_chain ? 2 : 1);
    const auto* report = ContextSnapshot::peer_report(client_ssl.get());
    ASSERT_NE(report, nullptr);
    EXPECT_EQ(report->trusted, send_chain);
    EXPECT_EQ(report->has(verify::ProblemCode::MissingIntermediate), !send_chain);
    // Enforced, the same server is refused.
    auto enforced = client_of(*client);
    auto server_again = server_of(*server);
    EXPECT_EQ(handshake(enforced.get(), server_again.get()).client.ok, send_chain);
  }
}

TEST_F(ContextSnapshotTest, WrongServerNameFailsChainAndNameButPassesChain) {
  auto server = build(server_material());
  ASSERT_TRUE(server);
  for (const auto verification : {PeerVerification::ChainAndName, PeerVerification::Chain}) {
    auto client_definition = definition("client");
    client_definition.verification = verification;
    auto client = build(client_material(client_definition));
    ASSERT_TRUE(client);
    auto client_ssl = client_of(*client, Enforcement::AsConfigured, "other.example.com");
    auto server_ssl = server_of(*server);
    const auto outcome = handshake(client_ssl.get(), server_ssl.get());
    const bool chain_only = verification == PeerVerification::Chain;
    EXPECT_EQ(outcome.client.ok, chain_only) << outcome.client.error;
    if (!chain_only) {
      EXPECT_EQ(SSL_get_verify_result(client_ssl.get()), X509_V_ERR_HOSTNAME_MISMATCH);
    }
    const auto* report = ContextSnapshot::peer_report(client_ssl.get());
    ASSERT_NE(report, nullptr);
    EXPECT_TRUE(report->has(verify::ProblemCode::NameMismatch));
    EXPECT_FALSE(report->trusted);
  }
}

TEST_F(ContextSnapshotTest, UntrustedServerIsRefusedUnlessReportOnlyOrVerificationNone) {
  auto server = build(server_material());
  ASSERT_TRUE(server);
  const testing::Pki other;  // a different root
  auto client_definition = definition("client");
  auto client = build(ContextMaterial{client_definition, std::nullopt, {other.root.certificate}});
  client_definition.verification = PeerVerification::None;
  auto lenient = build(ContextMaterial{client_definition, std::nullopt, {other.root.certificate}});
  ASSERT_TRUE(client && lenient);
  struct Case {
    const ContextSnapshot& snapshot;
    Enforcement enforcement;
    bool succeeds;
  };
  for (const auto& [snapshot, enforcement, succeeds] :
       {Case{*client, Enforcement::AsConfigured, false},
        Case{*client, Enforcement::ReportOnly, true},
        Case{*lenient, Enforcement::AsConfigured, true}}) {
    auto client_ssl = client_of(snapshot, enforcement);
    auto server_ssl = server_of(*server);
    EXPECT_EQ(handshake(client_ssl.get(), server_ssl.get()).client.ok, succeeds);
    const auto* report = ContextSnapshot::peer_report(client_ssl.get());
    ASSERT_NE(report, nullptr);  // verified and reported even when not enforced
    EXPECT_FALSE(report->trusted);
  }
}

TEST_F(ContextSnapshotTest, ConnectionsOutliveTheSnapshotTheyWereMadeFrom) {
  auto server = build(server_material());
  auto client = build(client_material());
  ASSERT_TRUE(server && client);
  auto client_ssl = client_of(*client);
  auto server_ssl = server_of(*server);
  server.reset();
  client.reset();
  const auto outcome = handshake(client_ssl.get(), server_ssl.get());
  EXPECT_TRUE(outcome.both_ok()) << outcome.client.error << outcome.server.error;
  ASSERT_NE(ContextSnapshot::peer_report(client_ssl.get()), nullptr);
}

TEST_F(ContextSnapshotTest, BuildRefusesKeyThatDoesNotBelongToTheCertificate) {
  auto material = server_material();
  material.identity->key = pki.client.key;
  auto snapshot = ContextSnapshot::build(material, testing::dependencies());
  ASSERT_FALSE(snapshot.has_value());
  EXPECT_EQ(snapshot.error().code, ErrorCode::KeyMismatch);
  EXPECT_NE(snapshot.error().message.find("sbc1"), std::string::npos);
}

TEST_F(ContextSnapshotTest, DigestFollowsDefinitionIdentityAndAnchors) {
  const auto base = server_material();
  EXPECT_EQ(material_digest(base), material_digest(server_material()));
  auto other_identity = base;
  other_identity.identity = pki.identity(pki.client, "sbc1");
  auto other_definition = base;
  other_definition.definition.send_chain = false;
  auto other_anchors = base;
  other_anchors.trust_anchors.push_back(pki.intermediate.certificate);
  for (const auto& changed : {other_identity, other_definition, other_anchors}) {
    EXPECT_NE(material_digest(changed), material_digest(base));
  }
  auto server = build(base);
  ASSERT_TRUE(server);
  EXPECT_EQ(server->digest(), material_digest(base));
  EXPECT_EQ(server->identity_name(), "sbc1");
}

TEST_F(ContextSnapshotTest, VerifyOptionsFollowTheDefinition) {
  auto server_definition = definition("server");
  server_definition.strict = true;
  server_definition.common_name_fallback = true;
  server_definition.ocsp = true;
  server_definition.ocsp_urls = {"http://127.0.0.1:1"};
  server_definition.revocation_default = RevocationDefault::Accept;
  auto server = build(server_material(server_definition));
  ASSERT_TRUE(server);
  const auto now = testing::test_now();
  const auto options =
      server->verify_options(verify::Purpose::Client, verify::DnsName{"a.example.com"}, now);
  EXPECT_EQ(options.purpose, verify::Purpose::Client);
  EXPECT_EQ(options.time, now);
  EXPECT_TRUE(options.strict);
  EXPECT_TRUE(options.names.common_name_fallback);
  EXPECT_TRUE(options.revocation.ocsp);
  EXPECT_EQ(options.revocation.ocsp_urls, server_definition.ocsp_urls);
  EXPECT_EQ(options.revocation.when_unknown, verify::WhenUnknown::Accept);
  ASSERT_TRUE(options.expected_name.has_value());
}

}  // namespace
}  // namespace telecert::tls
