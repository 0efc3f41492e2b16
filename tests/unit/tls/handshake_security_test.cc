// Security invariants of the handshake: a chain+name client always checks a name (whichever way
// the connection was made), and no context ever negotiates a suite without a certificate
// (anonymous, PSK, SRP) or without encryption.
#include <gtest/gtest.h>

#include "tls/context_snapshot.h"
#include "unit/tls/handshake_fixture.h"

namespace telecert::tls {
namespace {

using testing::build;
using testing::definition;
using testing::handshake;

class HandshakeSecurityTest : public ::testing::Test {
 protected:
  testing::Pki pki;

  // A server presenting pki.server ("sbc1.example.com").
  std::shared_ptr<const ContextSnapshot> server(
      TlsContextDefinition server_definition = definition("server")) const {
    return build(ContextMaterial{
        std::move(server_definition), pki.identity(pki.server, "sbc1"), {pki.root.certificate}});
  }
  std::shared_ptr<const ContextSnapshot> client(
      PeerVerification verification = PeerVerification::ChainAndName) const {
    auto client_definition = definition("client");
    client_definition.verification = verification;
    return build(
        ContextMaterial{std::move(client_definition), std::nullopt, {pki.root.certificate}});
  }
  static pki::Owned<SSL> server_of(const ContextSnapshot& snapshot) {
    auto connection = snapshot.new_server();
    EXPECT_TRUE(connection.has_value());
    return connection ? *std::move(connection) : nullptr;
  }
};

TEST_F(HandshakeSecurityTest, NewClientWithoutExpectedNameIsRefusedOnChainAndNameContext) {
  auto strict = client(PeerVerification::ChainAndName);
  auto chain_only = client(PeerVerification::Chain);
  ASSERT_TRUE(strict && chain_only);
  auto refused = strict->new_client(std::nullopt);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
  EXPECT_FALSE(refused.error().hint.empty());
  EXPECT_TRUE(chain_only->new_client(std::nullopt).has_value());
}

TEST_F(HandshakeSecurityTest, ReportOnlyClientWithoutNameGoesOnButReportsNoNameWasChecked) {
  auto server_snapshot = server();
  auto client_snapshot = client();
  ASSERT_TRUE(server_snapshot && client_snapshot);
  auto client_ssl = client_snapshot->new_client(std::nullopt, Enforcement::ReportOnly);
  ASSERT_TRUE(client_ssl.has_value());
  auto server_ssl = server_of(*server_snapshot);
  const auto outcome = handshake(client_ssl->get(), server_ssl.get());
  EXPECT_TRUE(outcome.client.ok) << outcome.client.error;
  const auto* report = ContextSnapshot::peer_report(client_ssl->get());
  ASSERT_NE(report, nullptr);
  EXPECT_TRUE(report->has(verify::ProblemCode::NameMismatch));
  EXPECT_FALSE(report->trusted);
}

// The usual OpenSSL pattern: SSL_new on our client SSL_CTX, the name given to OpenSSL.
TEST_F(HandshakeSecurityTest, PlainSslNewChecksTheHostSetWithSslSet1Host) {
  auto server_snapshot = server();
  auto client_snapshot = client();
  ASSERT_TRUE(server_snapshot && client_snapshot);
  for (const auto& [host, succeeds] :
       {std::pair{"evil.example.org", false}, std::pair{"sbc1.example.com", true}}) {
    pki::Owned<SSL> client_ssl(SSL_new(client_snapshot->client_context()));
    ASSERT_TRUE(client_ssl);
    ASSERT_EQ(SSL_set1_host(client_ssl.get(), host), 1);
    auto server_ssl = server_of(*server_snapshot);
    const auto outcome = handshake(client_ssl.get(), server_ssl.get());
    EXPECT_EQ(outcome.client.ok, succeeds) << host << ": " << outcome.client.error;
    if (!succeeds) {
      EXPECT_EQ(SSL_get_verify_result(client_ssl.get()), X509_V_ERR_HOSTNAME_MISMATCH);
    }
    const auto* report = ContextSnapshot::peer_report(client_ssl.get());
    ASSERT_NE(report, nullptr);
    EXPECT_EQ(report->has(verify::ProblemCode::NameMismatch), !succeeds) << host;
  }
}

TEST_F(HandshakeSecurityTest, PlainSslNewChecksTheServerNameSentInSni) {
  auto server_snapshot = server();
  auto client_snapshot = client();
  ASSERT_TRUE(server_snapshot && client_snapshot);
  pki::Owned<SSL> client_ssl(SSL_new(client_snapshot->client_context()));
  ASSERT_TRUE(client_ssl);
  char host[] = "evil.example.org";
  ASSERT_EQ(
      SSL_ctrl(client_ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, host), 1);
  auto server_ssl = server_of(*server_snapshot);
  EXPECT_FALSE(handshake(client_ssl.get(), server_ssl.get()).client.ok);
  const auto* report = ContextSnapshot::peer_report(client_ssl.get());
  ASSERT_NE(report, nullptr);
  EXPECT_TRUE(report->has(verify::ProblemCode::NameMismatch));
}

TEST_F(HandshakeSecurityTest, PlainSslNewWithoutAnyNameIsRefusedByChainAndNameButNotByChain) {
  auto server_snapshot = server();
  ASSERT_TRUE(server_snapshot);
  for (const auto verification : {PeerVerification::ChainAndName, PeerVerification::Chain}) {
    auto client_snapshot = client(verification);
    ASSERT_TRUE(client_snapshot);
    pki::Owned<SSL> client_ssl(SSL_new(client_snapshot->client_context()));
    ASSERT_TRUE(client_ssl);
    auto server_ssl = server_of(*server_snapshot);
    const auto outcome = handshake(client_ssl.get(), server_ssl.get());
    const bool chain_only = verification == PeerVerification::Chain;
    EXPECT_EQ(outcome.client.ok, chain_only) << outcome.client.error;
    const auto* report = ContextSnapshot::peer_report(client_ssl.get());
    ASSERT_NE(report, nullptr);
    EXPECT_EQ(report->has(verify::ProblemCode::NameMismatch), !chain_only);
  }
}

// A peer outside telecert that speaks anonymous suites only (no certificate at all).
pki::Owned<SSL_CTX> anonymous_peer(bool server_side) {
  pki::Owned<SSL_CTX> context(SSL_CTX_new(server_side ? TLS_server_method() : TLS_client_method()));
  EXPECT_TRUE(context);
  if (!context) return context;
  EXPECT_EQ(SSL_CTX_set_cipher_list(context.get(), "aNULL:@SECLEVEL=0"), 1);
  EXPECT_EQ(SSL_CTX_set_max_proto_version(context.get(), TLS1_2_VERSION), 1);
  return context;
}

TlsContextDefinition legacy_all(std::string name) {
  auto legacy = definition(std::move(name));
  legacy.legacy = true;
  legacy.ciphers = "ALL";
  legacy.max_version = TlsVersion::Tls1_2;
  return legacy;
}

TEST_F(HandshakeSecurityTest, LegacyClientWithCipherListAllRefusesAnonymousServer) {
  auto client_snapshot =
      build(ContextMaterial{legacy_all("client"), std::nullopt, {pki.root.certificate}});
  ASSERT_TRUE(client_snapshot);
  auto peer = anonymous_peer(true);
  ASSERT_TRUE(peer);
  auto client_ssl = client_snapshot->new_client(verify::DnsName{"sbc1.example.com"});
  ASSERT_TRUE(client_ssl.has_value());
  pki::Owned<SSL> server_ssl(SSL_new(peer.get()));
  const auto outcome = handshake(client_ssl->get(), server_ssl.get());
  EXPECT_FALSE(outcome.client.ok) << "negotiated "
                                  << SSL_CIPHER_get_name(SSL_get_current_cipher(client_ssl->get()));
}

// The exclusion holds even when a connection's own cipher list lets the anonymous suites back in
// (the context's security callback refuses them, not only its cipher list).
TEST_F(HandshakeSecurityTest, ClientWhoseOwnCipherListAllowsAnonymousSuitesStillRefusesThem) {
  auto client_snapshot =
      build(ContextMaterial{legacy_all("client"), std::nullopt, {pki.root.certificate}});
  ASSERT_TRUE(client_snapshot);
  auto peer = anonymous_peer(true);
  ASSERT_TRUE(peer);
  auto client_ssl = client_snapshot->new_client(verify::DnsName{"sbc1.example.com"});
  ASSERT_TRUE(client_ssl.has_value());
  if (SSL_set_cipher_list(client_ssl->get(), "aNULL:@SECLEVEL=0") == 1) {
    pki::Owned<SSL> server_ssl(SSL_new(peer.get()));
    const auto outcome = handshake(client_ssl->get(), server_ssl.get());
    EXPECT_FALSE(outcome.client.ok)
        << "negotiated " << SSL_CIPHER_get_name(SSL_get_current_cipher(client_ssl->get()));
  }
  testing::drain_errors();
}

// Whatever it asks of clients, the server never picks an anonymous suite (with client-cert
// require, OpenSSL 3.0 would also break the handshake by asking an anonymous client for a
// certificate; with none or request the anonymous handshake would complete).
TEST_F(HandshakeSecurityTest, LegacyServerRefusesAnonymousClientWhateverItAsksOfClients) {
  for (const auto mode : {ClientCert::Require, ClientCert::Request, ClientCert::None}) {
    auto server_definition = legacy_all("server");
    server_definition.client_cert = mode;
    auto server_snapshot = server(server_definition);
    ASSERT_TRUE(server_snapshot);
    auto peer = anonymous_peer(false);
    ASSERT_TRUE(peer);
    pki::Owned<SSL> client_ssl(SSL_new(peer.get()));
    auto server_ssl = server_of(*server_snapshot);
    const auto outcome = handshake(client_ssl.get(), server_ssl.get());
    EXPECT_FALSE(outcome.server.ok)
        << to_string(mode) << ": negotiated "
        << SSL_CIPHER_get_name(SSL_get_current_cipher(server_ssl.get()));
    EXPECT_EQ(ContextSnapshot::peer_report(server_ssl.get()), nullptr);
  }
}

TEST_F(HandshakeSecurityTest, LegacyContextWithCipherListAllOffersNoSuiteWithoutCertificate) {
  auto snapshot =
      build(ContextMaterial{legacy_all("client"), std::nullopt, {pki.root.certificate}});
  ASSERT_TRUE(snapshot);
  auto connection = snapshot->new_client(verify::DnsName{"sbc1.example.com"});
  ASSERT_TRUE(connection.has_value());
  STACK_OF(SSL_CIPHER)* offered = SSL_get1_supported_ciphers(connection->get());
  ASSERT_NE(offered, nullptr);
  for (int i = 0; i < sk_SSL_CIPHER_num(offered); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(offered, i);
    const int auth = SSL_CIPHER_get_auth_nid(cipher);
    EXPECT_NE(auth, NID_auth_null) << SSL_CIPHER_get_name(cipher);
    EXPECT_NE(auth, NID_auth_psk) << SSL_CIPHER_get_name(cipher);
    EXPECT_NE(auth, NID_auth_srp) << SSL_CIPHER_get_name(cipher);
    EXPECT_NE(SSL_CIPHER_get_cipher_nid(cipher), NID_undef) << SSL_CIPHER_get_name(cipher);
  }
  sk_SSL_CIPHER_free(offered);
}

TEST_F(HandshakeSecurityTest, ValidationRefusesCipherListOfAnonymousSuitesOnly) {
  auto anonymous = legacy_all("anon");
  anonymous.ciphers = "aNULL";
  const auto validated = validate_definition(anonymous);
  ASSERT_FALSE(validated.has_value());
  EXPECT_EQ(validated.error().code, ErrorCode::InvalidArgument);
  EXPECT_TRUE(validate_definition(legacy_all("all")).has_value());
}

}  // namespace
}  // namespace telecert::tls
