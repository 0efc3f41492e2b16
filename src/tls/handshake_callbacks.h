// Internal to tls/: the state a ContextSnapshot's SSL_CTX and SSL objects carry in OpenSSL's
// ex_data, and the OpenSSL callbacks that read it (peer verification through verify(), OCSP
// stapling on both sides). Not part of the library API.
//
// Lifetime: each SSL_CTX holds a heap std::shared_ptr<const SnapshotState>, freed by the ex_data
// free callback when the last reference to the SSL_CTX goes; an SSL holds a reference to its
// SSL_CTX, so a connection keeps the trust store, clock and revocation checker it verifies with
// even after its snapshot was dropped. Each SSL holds a heap ConnectionState, freed with the SSL.
//
// Threading: SnapshotState is immutable (RevocationChecker has its own lock); a ConnectionState
// belongs to the thread that drives its SSL.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "pki/certificate.h"
#include "tls/context_definition.h"
#include "tls/context_snapshot.h"
#include "tls/ssl_owned.h"
#include "verify/reference_identity.h"
#include "verify/report.h"
#include "verify/verifier.h"

namespace telecert::tls::detail {

struct SnapshotState {
  TlsContextDefinition definition;
  std::shared_ptr<const verify::TrustStore> trust;
  ContextSnapshot::Dependencies dependencies;  // clock never null; revocation set when needed
  std::vector<Bytes> crls;                     // definition.crl_file, read at build time
  std::optional<pki::Certificate> own_leaf;    // for the OCSP staple (server side)
  std::optional<pki::Certificate> own_issuer;

  pki::TimePoint now() const { return dependencies.clock->now(); }
  verify::VerifyOptions verify_options(verify::Purpose purpose,
                                       std::optional<verify::ReferenceIdentity> expected_name,
                                       pki::TimePoint time) const;
};

struct ConnectionState {
  std::optional<verify::ReferenceIdentity> expected_name;  // client side; nullopt on servers
  Enforcement enforcement = Enforcement::AsConfigured;
  std::vector<pki::Certificate> presented;  // what the peer sent, kept for the OCSP re-check
  std::optional<verify::Report> report;
};

// Attaches `state` to `context` (which then owns a reference to it).
[[nodiscard]] bool attach(SSL_CTX* context, std::shared_ptr<const SnapshotState> state);
const SnapshotState* snapshot_state(const SSL_CTX* context);

// Attaches a fresh ConnectionState to `connection` (owned by it from then on).
[[nodiscard]] bool attach(SSL* connection, std::unique_ptr<ConnectionState> state);
// The connection's state; nullptr when none was attached (an SSL made with plain SSL_new).
ConnectionState* connection_state(const SSL* connection);

// The bytes of a file (the context's CRL file); nullopt when it cannot be read.
std::optional<Bytes> read_file(const std::string& path);

// material_digest with the CRL file's bytes as already read (nullopt: unreadable), so a snapshot's
// digest describes the very bytes it verifies with even if the file is replaced meanwhile.
std::string material_digest(const ContextMaterial& material, const std::optional<Bytes>& crl);

// Appended to every TLS 1.2 cipher list (the built SSL_CTX and validate_definition's judge):
// suites without a certificate (anonymous, PSK, SRP) would leave nothing to verify, and eNULL
// encrypts nothing, whatever the admin's list or the security level says.
inline constexpr const char* kExcludedCiphers = ":!aNULL:!eNULL:!PSK:!SRP";

// The OpenSSL protocol version number of `version` (TLS1_2_VERSION, ...), for building a context
// and for judging a definition the same way.
inline int protocol_version(TlsVersion version) {
  switch (version) {
    case TlsVersion::Tls1_0:
      return TLS1_VERSION;
    case TlsVersion::Tls1_1:
      return TLS1_1_VERSION;
    case TlsVersion::Tls1_2:
      return TLS1_2_VERSION;
    case TlsVersion::Tls1_3:
      return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

// Installs verify_peer as the certificate verification callback, the OCSP status callbacks the
// definition asks for (client: check the stapled answer; server: staple our own), and a security
// callback that refuses the suites of kExcludedCiphers even when a connection's own cipher list
// (SSL_set_cipher_list on an SSL made from the context) lets them in; everything else is left to
// OpenSSL's default security callback.
void install_callbacks(SSL_CTX* context, bool server_side, const SnapshotState& state);

}  // namespace telecert::tls::detail
