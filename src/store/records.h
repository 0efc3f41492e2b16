// The values the store persists. Certificates and keys are pki objects: the store encodes them
// (keys encrypted with the store master key) and nothing above store/ sees how.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pki/certificate.h"

namespace telecert::store {

using pki::TimePoint;

enum class Origin { Factory, SelfSigned, Csr, Imported, Scep, Acme, Est, Issued };
std::string_view to_string(Origin origin);
std::optional<Origin> parse_origin(std::string_view text);

enum class TrustSource { Builtin, Custom };
std::string_view to_string(TrustSource source);
std::optional<TrustSource> parse_trust_source(std::string_view text);

using KeyId = std::int64_t;
using CertificateId = std::int64_t;
using TrustAnchorId = std::int64_t;

// An identity: a key, and once it is issued, its leaf and ordered chain. A pending identity (a CSR
// waiting for its certificate) has no leaf and keeps the CSR it was created with.
struct IdentityRecord {
  std::string name;
  Origin origin = Origin::SelfSigned;
  KeyId key_id = 0;
  std::optional<pki::Certificate> leaf;
  std::vector<pki::Certificate> chain;  // issuer of the leaf first
  std::optional<std::string> csr_pem;   // set while pending
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct TrustAnchorRecord {
  TrustAnchorId id = 0;
  pki::Certificate certificate;
  TrustSource source = TrustSource::Custom;
  bool enabled = true;
  TimePoint added_at{};
};

struct EventRecord {
  std::int64_t id = 0;  // assigned by the store
  TimePoint time{};
  std::string actor;    // "cli:alice", "api:token-name", "scheduler"
  std::string action;   // "identity.import", "trust.add", ...
  std::string object;   // "identity:sbc1", "trust:17"
  std::string outcome;  // "ok" or the error code of a refused operation
};

using ContextId = std::int64_t;

// A TLS context as stored: its name and its definition as JSON text. The store does not read the
// JSON (tls::parse_definition does); a definition of "{}" means every field at its default.
struct ContextRecord {
  ContextId id = 0;  // assigned by the store
  std::string name;
  std::string definition_json;
};

// A service (sip-tls, https-provisioning, ...) bound to a context, by the context's name.
struct ServiceBindingRecord {
  std::string service;
  std::string context;
};

// A user of the daemon. `role` is "admin" or "monitor" (the service parses it); the password is
// stored only as its encoded scrypt hash.
struct UserRecord {
  std::string name;
  std::string role;
  std::string password_hash;
  TimePoint created_at{};
  TimePoint password_changed_at{};
};

// An API token: only the SHA-256 of the token (lowercase hex) is stored.
struct ApiTokenRecord {
  std::string name;
  std::string role;
  std::string token_hash;
  TimePoint created_at{};
};

// A certificate row as the index sees it (for expiry queries without parsing DER).
struct CertificateSummary {
  CertificateId id = 0;
  std::string sha256_fingerprint;
  std::string subject;
  TimePoint not_after{};
};

}  // namespace telecert::store
