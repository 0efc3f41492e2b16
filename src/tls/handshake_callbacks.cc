#include "tls/handshake_callbacks.h"

#include <openssl/ocsp.h>
#include <openssl/tls1.h>

#include <cstring>
#include <utility>

namespace telecert::tls::detail {
namespace {

void free_snapshot_state(void*, void* pointer, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::shared_ptr<const SnapshotState>*>(pointer);
}

void free_connection_state(void*, void* pointer, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<ConnectionState*>(pointer);
}

// SSL_dup copies ex_data pointers; give the copy its own state so each is freed once.
int dup_connection_state(CRYPTO_EX_DATA*, const CRYPTO_EX_DATA*, void** from, int, long, void*) {
  auto** slot = reinterpret_cast<ConnectionState**>(from);
  if (*slot != nullptr) *slot = new ConnectionState(**slot);
  return 1;
}

int context_index() {
  static const int index =
      SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_snapshot_state);
  return index;
}

int connection_index() {
  static const int index =
      SSL_get_ex_new_index(0, nullptr, nullptr, dup_connection_state, free_connection_state);
  return index;
}

ConnectionState& state_of(SSL* connection) {
  if (auto* state = connection_state(connection)) return *state;
  // An SSL made with plain SSL_new(server_context()) (Boost.Asio, another library): defaults.
  auto fresh = std::make_unique<ConnectionState>();
  auto* raw = fresh.get();
  if (!attach(connection, std::move(fresh))) {
    static thread_local ConnectionState scratch;
    scratch = ConnectionState{};
    return scratch;
  }
  return *raw;
}

// Whether the handshake may go on with this verdict.
bool accepts(const verify::Report& report, PeerVerification verification, Enforcement enforcement) {
  if (enforcement == Enforcement::ReportOnly || verification == PeerVerification::None) {
    return true;
  }
  for (const auto& problem : report.problems) {
    if (problem.severity != verify::Severity::Error) continue;
    if (verification == PeerVerification::Chain &&
        problem.code == verify::ProblemCode::NameMismatch)
      continue;
    return false;
  }
  return true;
}

// The X509_V_ERR for the first error of the report, so SSL_get_verify_result and the alert the
// peer receives (certificate_expired, unknown_ca, ...) name the cause.
int verify_error_for(const verify::Report& report) {
  using verify::ProblemCode;
  for (const auto& problem : report.problems) {
    if (problem.severity != verify::Severity::Error) continue;
    switch (problem.code) {
      case ProblemCode::Expired:
        return X509_V_ERR_CERT_HAS_EXPIRED;
      case ProblemCode::NotYetValid:
        return X509_V_ERR_CERT_NOT_YET_VALID;
      case ProblemCode::NameMismatch:
        return X509_V_ERR_HOSTNAME_MISMATCH;
      case ProblemCode::MissingIntermediate:
        return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
      case ProblemCode::UntrustedRoot:
        return X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN;
      case ProblemCode::SelfSigned:
        return X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT;
      case ProblemCode::Revoked:
        return X509_V_ERR_CERT_REVOKED;
      case ProblemCode::BadKeyUsage:
        return X509_V_ERR_INVALID_PURPOSE;
      case ProblemCode::BadSignature:
        return X509_V_ERR_CERT_SIGNATURE_FAILURE;
      case ProblemCode::PathLength:
        return X509_V_ERR_PATH_LENGTH_EXCEEDED;
      default:
        return X509_V_ERR_CERT_REJECTED;
    }
  }
  return X509_V_ERR_CERT_REJECTED;
}

verify::Report undecodable_peer_certificate() {
  verify::Report report;
  report.problems.push_back(
      verify::Problem{verify::ProblemCode::InvalidCertificate,
                      verify::Severity::Error,
                      0,
                      {},
                      "the peer's certificate could not be decoded",
                      "replace the peer's certificate with a well-formed X.509 v3 certificate"});
  return report;
}

// The peer's certificate first, then the others it sent (OpenSSL's untrusted stack also holds the
// leaf). Extras that do not decode are left out: the path then misses them and says so.
std::optional<std::vector<pki::Certificate>> presented_chain(X509_STORE_CTX* store_context) {
  X509* leaf = X509_STORE_CTX_get0_cert(store_context);
  if (leaf == nullptr) return std::nullopt;
  auto adopt = [](X509* x509) {
    X509_up_ref(x509);
    return pki::Certificate::create(pki::Owned<X509>(x509));
  };
  auto first = adopt(leaf);
  if (!first) return std::nullopt;
  std::vector<pki::Certificate> chain{*std::move(first)};
  STACK_OF(X509)* untrusted = X509_STORE_CTX_get0_untrusted(store_context);
  for (int i = 0; untrusted != nullptr && i < sk_X509_num(untrusted); ++i) {
    X509* x509 = sk_X509_value(untrusted, i);
    if (x509 == leaf || X509_cmp(x509, leaf) == 0) continue;
    if (auto certificate = adopt(x509)) chain.push_back(*std::move(certificate));
  }
  return chain;
}

// The client side asked for a stapled OCSP answer; it arrives after this callback in TLS 1.2
// (CertificateStatus follows Certificate), so the revocation part waits for client_status().
bool revocation_waits_for_staple(SSL* connection, const SnapshotState& state) {
  return SSL_is_server(connection) == 0 && state.definition.ocsp &&
         SSL_get_tlsext_status_type(connection) == TLSEXT_STATUSTYPE_ocsp;
}

// The name a client connection expects of its server: the one given to new_client, else the one
// given to OpenSSL on an SSL made with plain SSL_new (SSL_set1_host / X509_VERIFY_PARAM_set1_ip,
// then the SNI name, RFC 6066 §3). Our verify callback replaces X509_verify_cert, so OpenSSL's own
// host check never runs: the name must reach verify() or it is not checked at all.
std::optional<verify::ReferenceIdentity> client_expected_name(SSL* connection,
                                                              const ConnectionState& state) {
  if (state.expected_name) return state.expected_name;
  auto parsed = [](const char* text) -> std::optional<verify::ReferenceIdentity> {
    if (text == nullptr || *text == '\0') return std::nullopt;
    auto identity = verify::parse_reference_identity(text);
    return identity ? std::optional(*std::move(identity)) : std::nullopt;
  };
  X509_VERIFY_PARAM* param = SSL_get0_param(connection);
  if (auto host = parsed(X509_VERIFY_PARAM_get0_host(param, 0))) return host;
  if (char* ip = X509_VERIFY_PARAM_get1_ip_asc(param); ip != nullptr) {
    auto address = parsed(ip);
    OPENSSL_free(ip);
    if (address) return address;
  }
  return parsed(SSL_get_servername(connection, TLSEXT_NAMETYPE_host_name));
}

verify::Problem no_expected_name() {
  return verify::Problem{
      verify::ProblemCode::NameMismatch,
      verify::Severity::Error,
      0,
      {},
      "no expected peer name was given for this connection, and this context checks the peer's "
      "name (verification chain+name)",
      "give the server's name for the connection (new_client with a name, or SSL_set1_host), or "
      "set the context's verification to chain if the name must not be checked"};
}

verify::Report run_verify(SSL* connection, const SnapshotState& state,
                          const ConnectionState& connection_data, bool server_side,
                          bool with_revocation, std::optional<Bytes> stapled) {
  const auto purpose = server_side ? verify::Purpose::Client : verify::Purpose::Server;
  // A server expects no particular name of its clients (RFC 6125 names the server's identity), so
  // chain+name judges a client certificate as chain does.
  auto expected_name =
      server_side ? std::nullopt : client_expected_name(connection, connection_data);
  const bool name_missing = !server_side && !expected_name &&
                            state.definition.verification == PeerVerification::ChainAndName;
  auto options = state.verify_options(purpose, std::move(expected_name), state.now());
  if (!with_revocation) options.revocation = verify::RevocationPolicy{};
  options.revocation.stapled_ocsp_response = std::move(stapled);
  auto report = verify::verify(connection_data.presented, *state.trust, options,
                               state.dependencies.revocation.get());
  if (name_missing) {
    report.problems.push_back(no_expected_name());
    report.trusted = false;
  }
  return report;
}

// Suites that carry no certificate or no encryption (kExcludedCiphers) are refused whatever the
// cipher list: offered by a client, chosen by a server, accepted from a server.
bool unauthenticated_or_unencrypted(const SSL_CIPHER* cipher) {
  const int auth = SSL_CIPHER_get_auth_nid(cipher);
  const int kx = SSL_CIPHER_get_kx_nid(cipher);
  return auth == NID_auth_null || auth == NID_auth_psk || auth == NID_auth_srp ||
         kx == NID_kx_psk || kx == NID_kx_ecdhe_psk || kx == NID_kx_dhe_psk ||
         kx == NID_kx_rsa_psk || kx == NID_kx_srp || SSL_CIPHER_get_cipher_nid(cipher) == NID_undef;
}

using SecurityCallback = int (*)(const SSL*, const SSL_CTX*, int, int, int, void*, void*);

// OpenSSL's default security callback (security levels), as a fresh SSL_CTX has it.
SecurityCallback default_security_callback() {
  static const SecurityCallback callback = [] {
    pki::Owned<SSL_CTX> fresh(SSL_CTX_new(TLS_method()));
    return fresh ? SSL_CTX_get_security_callback(fresh.get()) : nullptr;
  }();
  return callback;
}

int security_callback(const SSL* connection, const SSL_CTX* context, int operation, int bits,
                      int nid, void* other, void* ex) {
  if ((operation & SSL_SECOP_OTHER_TYPE) == SSL_SECOP_OTHER_CIPHER && other != nullptr &&
      unauthenticated_or_unencrypted(static_cast<const SSL_CIPHER*>(other))) {
    return 0;
  }
  const SecurityCallback fallback = default_security_callback();
  return fallback != nullptr ? fallback(connection, context, operation, bits, nid, other, ex) : 0;
}

int verify_peer(X509_STORE_CTX* store_context, void*) {
  auto* connection = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store_context, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const SnapshotState* state =
      connection != nullptr ? snapshot_state(SSL_get_SSL_CTX(connection)) : nullptr;
  if (state == nullptr) {
    X509_STORE_CTX_set_error(store_context, X509_V_ERR_UNSPECIFIED);
    return 0;
  }
  ConnectionState& connection_data = state_of(connection);
  const bool server_side = SSL_is_server(connection) != 0;
  auto presented = presented_chain(store_context);
  if (presented) {
    connection_data.presented = *std::move(presented);
    connection_data.report =
        run_verify(connection, *state, connection_data, server_side,
                   !revocation_waits_for_staple(connection, *state), std::nullopt);
  } else {
    connection_data.presented.clear();
    connection_data.report = undecodable_peer_certificate();
  }
  if (accepts(*connection_data.report, state->definition.verification,
              connection_data.enforcement)) {
    X509_STORE_CTX_set_error(store_context, X509_V_OK);
    return 1;
  }
  X509_STORE_CTX_set_error(store_context, verify_error_for(*connection_data.report));
  return 0;
}

// Client side, called once the server's first flight is in (TLS 1.2: after ServerHelloDone; TLS
// 1.3: with Finished), whether or not a staple came: verify again with revocation, the staple
// given for the peer's own certificate (RFC 6066 §8, RFC 8446 §4.4.2.1), and replace the report.
int client_status(SSL* connection, void*) {
  const SnapshotState* state = snapshot_state(SSL_get_SSL_CTX(connection));
  ConnectionState* connection_data = connection_state(connection);
  if (state == nullptr || connection_data == nullptr || !connection_data->report ||
      connection_data->presented.empty()) {
    return 1;  // nothing was verified (resumed session): nothing to add
  }
  unsigned char* response = nullptr;
  const long length = SSL_get_tlsext_status_ocsp_resp(connection, &response);
  std::optional<Bytes> stapled;
  if (response != nullptr && length > 0) {
    stapled = Bytes(response, response + length);
  }
  connection_data->report =
      run_verify(connection, *state, *connection_data, false, true, std::move(stapled));
  return accepts(*connection_data->report, state->definition.verification,
                 connection_data->enforcement)
             ? 1
             : 0;
}

// Server side: staple a fresh OCSP answer for our own certificate when the client asks; go on
// without one when none can be had (RFC 6066 §8 lets the server omit it).
int server_status(SSL* connection, void*) {
  const SnapshotState* state = snapshot_state(SSL_get_SSL_CTX(connection));
  if (state == nullptr || !state->own_leaf || !state->own_issuer ||
      !state->dependencies.revocation) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  verify::RevocationPolicy policy;
  policy.ocsp = true;
  policy.ocsp_urls = state->definition.ocsp_urls;
  auto response = state->dependencies.revocation->response_to_staple(
      *state->own_leaf, *state->own_issuer, policy, state->now());
  if (!response || response->empty()) return SSL_TLSEXT_ERR_NOACK;
  auto* copy = static_cast<unsigned char*>(OPENSSL_malloc(response->size()));
  if (copy == nullptr) return SSL_TLSEXT_ERR_NOACK;
  std::memcpy(copy, response->data(), response->size());
  if (SSL_set_tlsext_status_ocsp_resp(connection, copy, static_cast<long>(response->size())) != 1) {
    OPENSSL_free(copy);
    return SSL_TLSEXT_ERR_NOACK;
  }
  return SSL_TLSEXT_ERR_OK;
}

// SSL_CTX_set_tlsext_status_cb without the macro's C-style cast.
void set_status_callback(SSL_CTX* context, int (*callback)(SSL*, void*)) {
  SSL_CTX_callback_ctrl(context, SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB,
                        reinterpret_cast<void (*)()>(callback));
}

}  // namespace

verify::VerifyOptions SnapshotState::verify_options(
    verify::Purpose purpose, std::optional<verify::ReferenceIdentity> expected_name,
    pki::TimePoint time) const {
  verify::VerifyOptions options;
  options.purpose = purpose;
  options.time = time;
  options.expected_name = std::move(expected_name);
  options.names.common_name_fallback = definition.common_name_fallback;
  options.strict = definition.strict;
  options.key_usage_for_role = definition.strict;
  options.legacy = definition.legacy;
  options.revocation.ocsp = definition.ocsp;
  options.revocation.ocsp_urls = definition.ocsp_urls;
  options.revocation.crl = definition.crl;
  options.revocation.crls = crls;
  // A CRL file given replaces the distribution points (context_definition.h).
  options.revocation.fetch_distribution_points = definition.crl_file.empty();
  options.revocation.when_unknown = definition.revocation_default == RevocationDefault::Accept
                                        ? verify::WhenUnknown::Accept
                                        : verify::WhenUnknown::Reject;
  return options;
}

bool attach(SSL_CTX* context, std::shared_ptr<const SnapshotState> state) {
  auto* holder = new std::shared_ptr<const SnapshotState>(std::move(state));
  if (SSL_CTX_set_ex_data(context, context_index(), holder) != 1) {
    delete holder;
    return false;
  }
  return true;
}

const SnapshotState* snapshot_state(const SSL_CTX* context) {
  if (context == nullptr) return nullptr;
  const auto* holder = static_cast<const std::shared_ptr<const SnapshotState>*>(
      SSL_CTX_get_ex_data(context, context_index()));
  return holder != nullptr ? holder->get() : nullptr;
}

bool attach(SSL* connection, std::unique_ptr<ConnectionState> state) {
  if (SSL_set_ex_data(connection, connection_index(), state.get()) != 1) return false;
  static_cast<void>(state.release());  // the SSL owns it now (free_connection_state)
  return true;
}

ConnectionState* connection_state(const SSL* connection) {
  return static_cast<ConnectionState*>(SSL_get_ex_data(connection, connection_index()));
}

void install_callbacks(SSL_CTX* context, bool server_side, const SnapshotState& state) {
  SSL_CTX_set_cert_verify_callback(context, verify_peer, nullptr);
  SSL_CTX_set_security_callback(context, security_callback);
  if (server_side) {
    if (state.definition.ocsp_stapling) set_status_callback(context, server_status);
  } else if (state.definition.ocsp) {
    set_status_callback(context, client_status);
  }
}

}  // namespace telecert::tls::detail
