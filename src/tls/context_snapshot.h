// A TLS context made ready: the server-side and client-side SSL_CTX built from a definition, the
// identity it presents and the roots it trusts. Peer certificates are judged by verify() (through
// SSL_CTX_set_cert_verify_callback), so a handshake and `telecert verify` give the same verdict,
// and the report of each handshake can be read back from the SSL.
//
// Threading: immutable once built; share it through std::shared_ptr<const ContextSnapshot>. An
// SSL made from it keeps what it needs alive on its own, so a snapshot may be dropped while its
// connections go on (ContextRegistry relies on this for hot reload).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "tls/context_definition.h"
#include "tls/ssl_owned.h"
#include "verify/reference_identity.h"
#include "verify/report.h"
#include "verify/revocation.h"
#include "verify/verifier.h"

namespace telecert::tls {

struct IdentityMaterial {
  std::string name;
  pki::Key key;
  pki::Certificate leaf;
  std::vector<pki::Certificate> chain;  // issuer of the leaf first
};

// Everything a snapshot is built from, as the service resolved it from the store (the identity
// falls back to the factory identity; the trust scope is resolved to certificates).
struct ContextMaterial {
  TlsContextDefinition definition;
  std::optional<IdentityMaterial> identity;
  std::vector<pki::Certificate> trust_anchors;
};

// A digest of the material (definition, certificates, key), to tell whether a rebuild is needed.
std::string material_digest(const ContextMaterial& material);

// How a connection treats the verification verdict.
enum class Enforcement {
  AsConfigured,  // the context's peer verification decides (none / chain / chain+name)
  ReportOnly,    // the handshake goes on whatever the verdict (telecert probe); read the report
};

class ContextSnapshot {
 public:
  struct Dependencies {
    std::shared_ptr<const Clock> clock;                     // time for verification
    std::shared_ptr<verify::RevocationChecker> revocation;  // shared cache; may be null if off
  };

  // Builds both SSL_CTX. Refuses what OpenSSL refuses (cipher lists, groups) with
  // ErrorCode::InvalidArgument naming the field, and a key that does not match the certificate
  // with ErrorCode::KeyMismatch.
  [[nodiscard]] static Result<std::shared_ptr<const ContextSnapshot>> build(
      const ContextMaterial& material, Dependencies dependencies);

  const TlsContextDefinition& definition() const { return definition_; }
  const std::string& identity_name() const { return identity_name_; }
  const std::string& digest() const { return digest_; }
  const verify::TrustStore& trust() const { return *trust_; }

  // The options verify() is given for a peer of `purpose` at `now`, per this context.
  verify::VerifyOptions verify_options(verify::Purpose purpose,
                                       std::optional<verify::ReferenceIdentity> expected_name,
                                       pki::TimePoint now) const;

  SSL_CTX* server_context() const { return server_.get(); }
  SSL_CTX* client_context() const { return client_.get(); }

  // A client connection: SNI (for DNS names) and the expected peer name set, OCSP stapling
  // requested when the context checks OCSP. Without an expected name, a chain+name context
  // refuses with ErrorCode::InvalidArgument (unless ReportOnly: the report then says no name was
  // checked). An SSL made with plain SSL_new(client_context()) is checked against the name given
  // with SSL_set1_host (else its SNI name); with none, chain+name refuses the handshake.
  [[nodiscard]] Result<pki::Owned<SSL>> new_client(
      std::optional<verify::ReferenceIdentity> expected_name,
      Enforcement enforcement = Enforcement::AsConfigured) const;
  [[nodiscard]] Result<pki::Owned<SSL>> new_server(
      Enforcement enforcement = Enforcement::AsConfigured) const;

  // The report verify() gave for the peer of `connection` during its handshake; nullptr when no
  // peer certificate was verified (none was sent, or verification is off).
  static const verify::Report* peer_report(const SSL* connection);

  ~ContextSnapshot();
  ContextSnapshot(const ContextSnapshot&) = delete;
  ContextSnapshot& operator=(const ContextSnapshot&) = delete;

 private:
  ContextSnapshot() = default;
  TlsContextDefinition definition_;
  std::string identity_name_;
  std::string digest_;
  std::shared_ptr<const verify::TrustStore> trust_;
  Dependencies dependencies_;
  pki::Owned<SSL_CTX> server_;
  pki::Owned<SSL_CTX> client_;
};

}  // namespace telecert::tls
