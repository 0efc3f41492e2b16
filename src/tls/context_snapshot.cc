#include "tls/context_snapshot.h"

#include <arpa/inet.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <algorithm>
#include <utility>

#include "tls/handshake_callbacks.h"

// Decisions taken here (the definition leaves them to the snapshot):
// - Security level: 2 for every context (RSA/DH >= 2048, no SHA-1 signatures in the handshake),
//   0 with legacy, for that context alone (TLS 1.0/1.1 need it in OpenSSL 3). It is set after the
//   cipher list, so an "@SECLEVEL=" inside the admin's list does not override it.
// - DH for the TLS 1.2 DHE suites: the RFC 7919 ffdhe group of dh_bits (2048, 3072, 4096, 6144,
//   8192); 1024 (legacy only) uses the RFC 5114 §2.1 group, the only named 1024-bit group.
// - CA names in the CertificateRequest (RFC 8446 §4.2.4): only for the admin's own roots (trust
//   scope custom or list); the system bundle's ~140 names would make the message larger than some
//   phones accept.
// - The server prefers its own cipher order; a session resumes only within the same snapshot (the
//   session id context is the material digest), so a new identity or trust forces a full
//   handshake. A resumed session has no peer report.
// - Auto chain building is off: with send_chain off the peer gets the leaf only.
// DTLS contexts are not built here (dtls_version is kept for the DTLS transport).

namespace telecert::tls {
namespace {

Error invalid(const std::string& field, std::string message, std::string hint) {
  return pki::openssl_error(ErrorCode::InvalidArgument,
                            "context field '" + field + "': " + std::move(message),
                            std::move(hint));
}

Result<void> check_versions(const TlsContextDefinition& definition) {
  if (definition.min_version > definition.max_version) {
    return std::unexpected(invalid("min-tls", "the minimum TLS version is above the maximum",
                                   "set min-tls at or below max-tls"));
  }
  if (!definition.legacy && definition.min_version < TlsVersion::Tls1_2) {
    return std::unexpected(invalid("min-tls", "TLS 1.0 and 1.1 are allowed only with legacy on",
                                   "set min-tls 1.2, or turn legacy on for this context"));
  }
  return {};
}

const char* dh_group_name(std::int32_t bits) {
  switch (bits) {
    case 1024:
      return "dh_1024_160";
    case 2048:
      return "ffdhe2048";
    case 3072:
      return "ffdhe3072";
    case 4096:
      return "ffdhe4096";
    case 6144:
      return "ffdhe6144";
    case 8192:
      return "ffdhe8192";
    default:
      return nullptr;
  }
}

// The admin's TLS 1.2 list (OpenSSL's default when empty) without the suites of
// detail::kExcludedCiphers. A TLS 1.3-only context never uses the list, so one that keeps nothing
// falls back to the default there (OpenSSL refuses a list that selects no TLS 1.2 cipher).
Result<void> set_cipher_list(SSL_CTX* context, const TlsContextDefinition& definition) {
  const std::string base =
      definition.ciphers.empty() ? std::string(OSSL_default_cipher_list()) : definition.ciphers;
  if (SSL_CTX_set_cipher_list(context, (base + detail::kExcludedCiphers).c_str()) == 1) return {};
  if (definition.min_version == TlsVersion::Tls1_3 &&
      SSL_CTX_set_cipher_list(
          context, (std::string(OSSL_default_cipher_list()) + detail::kExcludedCiphers).c_str()) ==
          1) {
    pki::drain_openssl_errors();
    return {};
  }
  return std::unexpected(
      invalid("ciphers",
              "OpenSSL rejects the cipher list '" + definition.ciphers +
                  "', or it holds only suites without a certificate or without encryption (aNULL, "
                  "eNULL, PSK, SRP), which are never used",
              "use OpenSSL cipher names, e.g. ECDHE-ECDSA-AES128-GCM-SHA256"));
}

Result<void> set_dh(SSL_CTX* context, const TlsContextDefinition& definition) {
  const char* group = dh_group_name(definition.dh_bits);
  if (group == nullptr || (definition.dh_bits < 2048 && !definition.legacy)) {
    return std::unexpected(invalid("dh-bits",
                                   "unsupported DH size " + std::to_string(definition.dh_bits),
                                   "use 2048, 3072, 4096, 6144 or 8192 (1024 only with legacy)"));
  }
  pki::Owned<EVP_PKEY_CTX> factory(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr));
  std::string name(group);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, name.data(), 0),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* parameters = nullptr;
  if (!factory || EVP_PKEY_fromdata_init(factory.get()) != 1 ||
      EVP_PKEY_fromdata(factory.get(), &parameters, EVP_PKEY_KEY_PARAMETERS, params) != 1) {
    return std::unexpected(
        pki::openssl_error(ErrorCode::Internal, "the DH group " + name + " could not be loaded"));
  }
  if (SSL_CTX_set0_tmp_dh_pkey(context, parameters) != 1) {
    EVP_PKEY_free(parameters);
    return std::unexpected(invalid("dh-bits", "OpenSSL refused the DH group " + name,
                                   "choose a larger DH size, or turn legacy on"));
  }
  return {};
}

// strict: our own certificate must allow the role (context_definition.h).
Result<void> check_own_usage(const TlsContextDefinition& definition,
                             const IdentityMaterial& identity) {
  if (!definition.strict) return {};
  const auto eku = identity.leaf.extended_key_usage();
  auto has = [](const std::vector<std::string>& list, std::string_view usage) {
    return std::ranges::find(list, usage) != list.end();
  };
  const bool server = definition.role != ContextRole::Client;
  const bool client = definition.role != ContextRole::Server;
  if (!eku.empty() &&
      ((server && !has(eku, "serverAuth")) || (client && !has(eku, "clientAuth")))) {
    return fail(ErrorCode::InvalidArgument,
                "the certificate of identity '" + identity.name +
                    "' does not allow the context's role " +
                    std::string(to_string(definition.role)) + " (extended key usage)",
                "use a certificate with serverAuth (server) / clientAuth (client), set the role "
                "to the side the certificate allows, or turn strict off");
  }
  const auto ku = identity.leaf.key_usage();
  const bool rsa_transport = identity.key.algorithm() == "RSA" && has(ku, "keyEncipherment");
  if (!ku.empty() && !has(ku, "digitalSignature") && !rsa_transport) {
    return fail(ErrorCode::InvalidArgument,
                "the certificate of identity '" + identity.name +
                    "' does not allow digital signatures (key usage)",
                "use a certificate with digitalSignature in its key usage, or turn strict off");
  }
  return {};
}

Result<void> set_identity(SSL_CTX* context, const TlsContextDefinition& definition,
                          const IdentityMaterial& identity) {
  if (!identity.key.matches(X509_get0_pubkey(identity.leaf.get()))) {
    return fail(ErrorCode::KeyMismatch,
                "the key of identity '" + identity.name + "' does not belong to its certificate",
                "import the identity again with the key that signed its certificate request");
  }
  if (SSL_CTX_use_certificate(context, identity.leaf.get()) != 1 ||
      SSL_CTX_use_PrivateKey(context, identity.key.get()) != 1) {
    return std::unexpected(invalid("identity",
                                   "OpenSSL refused the certificate of '" + identity.name + "'",
                                   "use a key of at least 2048 bits (RSA) or 256 bits (EC), or "
                                   "turn legacy on"));
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    return std::unexpected(pki::openssl_error(
        ErrorCode::KeyMismatch,
        "the key of identity '" + identity.name + "' does not belong to its certificate",
        "import the identity again with the key that signed its certificate request"));
  }
  if (!definition.send_chain || identity.chain.empty()) return {};
  pki::Owned<STACK_OF(X509)> chain(sk_X509_new_null());
  for (const auto& certificate : identity.chain) {
    if (!chain || sk_X509_push(chain.get(), certificate.get()) <= 0 ||
        X509_up_ref(certificate.get()) != 1) {
      return std::unexpected(pki::openssl_error(ErrorCode::Internal, "building the chain"));
    }
  }
  if (SSL_CTX_set1_chain(context, chain.get()) != 1) {
    return std::unexpected(invalid("identity",
                                   "OpenSSL refused the chain of '" + identity.name + "'",
                                   "check that the chain's CA keys are strong enough, or turn "
                                   "legacy on"));
  }
  return {};
}

Result<pki::Owned<SSL_CTX>> make_context(bool server_side, const ContextMaterial& material,
                                         const std::shared_ptr<const detail::SnapshotState>& state,
                                         const std::string& digest) {
  const auto& definition = material.definition;
  pki::Owned<SSL_CTX> context(SSL_CTX_new(server_side ? TLS_server_method() : TLS_client_method()));
  if (!context || !detail::attach(context.get(), state)) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "creating an SSL_CTX"));
  }
  SSL_CTX* ctx = context.get();
  if (SSL_CTX_set_min_proto_version(ctx, detail::protocol_version(definition.min_version)) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, detail::protocol_version(definition.max_version)) != 1) {
    return std::unexpected(
        invalid("min-tls", "OpenSSL refused the version range", "use TLS versions 1.0 to 1.3"));
  }
  TELECERT_RETURN_IF_ERROR(set_cipher_list(ctx, definition));
  if (!definition.suites.empty() && SSL_CTX_set_ciphersuites(ctx, definition.suites.c_str()) != 1) {
    return std::unexpected(invalid("suites",
                                   "OpenSSL rejects the TLS 1.3 suites '" + definition.suites + "'",
                                   "use names such as TLS_AES_128_GCM_SHA256"));
  }
  if (!definition.groups.empty() && SSL_CTX_set1_groups_list(ctx, definition.groups.c_str()) != 1) {
    return std::unexpected(invalid("groups",
                                   "OpenSSL rejects the groups '" + definition.groups + "'",
                                   "use names such as X25519:P-256:P-384"));
  }
  SSL_CTX_set_security_level(ctx, definition.legacy ? 0 : 2);
  SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
  if (material.identity) {
    TELECERT_RETURN_IF_ERROR(set_identity(ctx, definition, *material.identity));
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (server_side) {
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    const auto id_length = std::min<std::size_t>(digest.size(), SSL_MAX_SID_CTX_LENGTH);
    SSL_CTX_set_session_id_context(ctx, reinterpret_cast<const unsigned char*>(digest.data()),
                                   static_cast<unsigned>(id_length));
    TELECERT_RETURN_IF_ERROR(set_dh(ctx, definition));
    switch (definition.client_cert) {
      case ClientCert::None:
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
        break;
      case ClientCert::Request:
        break;
      case ClientCert::Require:
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
        break;
    }
    const bool own_roots =
        definition.trust == TrustScope::Custom || definition.trust == TrustScope::List;
    if (definition.client_cert != ClientCert::None && own_roots) {
      for (const auto& anchor : material.trust_anchors) SSL_CTX_add_client_CA(ctx, anchor.get());
    }
  }
  detail::install_callbacks(ctx, server_side, *state);
  return context;
}

}  // namespace

Result<std::shared_ptr<const ContextSnapshot>> ContextSnapshot::build(
    const ContextMaterial& material, Dependencies dependencies) {
  const auto& definition = material.definition;
  const auto context_error = [&](Error error) {
    return std::unexpected(std::move(error).with_context("context '" + definition.name + "'"));
  };
  if (auto checked = check_versions(definition); !checked) return context_error(checked.error());
  if (!dependencies.clock) dependencies.clock = std::make_shared<SystemClock>();
  if (!dependencies.revocation && (definition.ocsp || definition.crl || definition.ocsp_stapling)) {
    dependencies.revocation = std::make_shared<verify::RevocationChecker>();
  }
  auto state = std::make_shared<detail::SnapshotState>();
  state->definition = definition;
  state->dependencies = dependencies;
  // Read once: the digest below is of these very bytes (a file replaced meanwhile cannot leave a
  // snapshot with the new digest and the old CRL).
  std::optional<Bytes> crl;
  if (definition.crl && !definition.crl_file.empty()) {
    crl = detail::read_file(definition.crl_file);
    if (!crl) {
      return context_error(Error{ErrorCode::Io,
                                 "the CRL file " + definition.crl_file + " could not be read",
                                 "check the path and its permissions, or clear crl-file"});
    }
    state->crls.push_back(*crl);
  }
  if (material.identity) {
    if (auto usage = check_own_usage(definition, *material.identity); !usage) {
      return context_error(usage.error());
    }
    state->own_leaf = material.identity->leaf;
    if (!material.identity->chain.empty()) state->own_issuer = material.identity->chain.front();
  }
  state->trust = verify::TrustStore::create(material.trust_anchors);
  if (!state->trust) {
    return context_error(pki::openssl_error(ErrorCode::Internal, "building the trust store"));
  }

  std::shared_ptr<ContextSnapshot> snapshot(new ContextSnapshot());
  snapshot->digest_ = detail::material_digest(material, crl);
  auto server = make_context(true, material, state, snapshot->digest_);
  if (!server) return context_error(server.error());
  auto client = make_context(false, material, state, snapshot->digest_);
  if (!client) return context_error(client.error());
  snapshot->definition_ = definition;
  snapshot->identity_name_ = material.identity ? material.identity->name : std::string{};
  snapshot->trust_ = state->trust;
  snapshot->dependencies_ = std::move(dependencies);
  snapshot->server_ = *std::move(server);
  snapshot->client_ = *std::move(client);
  return std::shared_ptr<const ContextSnapshot>(std::move(snapshot));
}

ContextSnapshot::~ContextSnapshot() = default;

verify::VerifyOptions ContextSnapshot::verify_options(
    verify::Purpose purpose, std::optional<verify::ReferenceIdentity> expected_name,
    pki::TimePoint now) const {
  return detail::snapshot_state(server_.get())
      ->verify_options(purpose, std::move(expected_name), now);
}

Result<pki::Owned<SSL>> ContextSnapshot::new_client(
    std::optional<verify::ReferenceIdentity> expected_name, Enforcement enforcement) const {
  if (!expected_name && enforcement == Enforcement::AsConfigured &&
      definition_.verification == PeerVerification::ChainAndName) {
    return fail(ErrorCode::InvalidArgument,
                "context '" + definition_.name +
                    "' checks the peer's name (verification chain+name), but no expected peer "
                    "name was given for this connection",
                "give the name the server must have (the host or SIP domain dialled), or set "
                "the context's verification to chain if the name must not be checked");
  }
  pki::Owned<SSL> connection(SSL_new(client_.get()));
  if (!connection) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "creating a TLS connection"));
  }
  // SNI (RFC 6066 §3) carries a host name, never an IP literal.
  std::string host;
  if (const auto* dns = expected_name ? std::get_if<verify::DnsName>(&*expected_name) : nullptr) {
    host = dns->value;
  } else if (const auto* sip =
                 expected_name ? std::get_if<verify::SipUri>(&*expected_name) : nullptr) {
    unsigned char address[16];
    const bool literal = inet_pton(AF_INET, sip->domain.c_str(), address) == 1 ||
                         inet_pton(AF_INET6, sip->domain.c_str(), address) == 1;
    if (!literal) host = sip->domain;
  }
  if (!host.empty() && SSL_ctrl(connection.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                                TLSEXT_NAMETYPE_host_name, host.data()) != 1) {
    return std::unexpected(pki::openssl_error(ErrorCode::InvalidArgument,
                                              "the server name '" + host + "' cannot be sent"));
  }
  if (definition_.ocsp) SSL_set_tlsext_status_type(connection.get(), TLSEXT_STATUSTYPE_ocsp);
  auto state = std::make_unique<detail::ConnectionState>();
  state->expected_name = std::move(expected_name);
  state->enforcement = enforcement;
  if (!detail::attach(connection.get(), std::move(state))) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "creating a TLS connection"));
  }
  return connection;
}

Result<pki::Owned<SSL>> ContextSnapshot::new_server(Enforcement enforcement) const {
  pki::Owned<SSL> connection(SSL_new(server_.get()));
  auto state = std::make_unique<detail::ConnectionState>();
  state->enforcement = enforcement;
  if (!connection || !detail::attach(connection.get(), std::move(state))) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "creating a TLS connection"));
  }
  return connection;
}

const verify::Report* ContextSnapshot::peer_report(const SSL* connection) {
  const auto* state = connection != nullptr ? detail::connection_state(connection) : nullptr;
  return state != nullptr && state->report ? &*state->report : nullptr;
}

}  // namespace telecert::tls
