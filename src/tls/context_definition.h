// A TLS context as the admin configures it: the AudioCodes "TLS Contexts" table, the AudioCodes
// phone's per-connection-type certificate with factory fallback, Yealink's trust scope and
// common-name validation, Avaya's received-certificate checks. A plain value: the store keeps it
// as JSON, the service checks the names it refers to (identity, roots) against the store, and
// ContextSnapshot turns it into ready SSL_CTX objects.
//
// Threading: a value type; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace telecert::tls {

enum class TlsVersion { Tls1_0, Tls1_1, Tls1_2, Tls1_3 };
enum class DtlsVersion { Dtls1_0, Dtls1_2 };
// Which side of a connection the context is for. Both sides' SSL_CTX are always built; the role
// decides which usages strict validation asks of our own identity certificate.
enum class ContextRole { Server, Client, Both };
// Which roots verify the peer: the system bundle, the admin's own, both, or an explicit list.
enum class TrustScope { Builtin, Custom, All, List };
// None: any certificate is accepted; Chain: RFC 5280 path to a trusted root; ChainAndName: also
// the peer's name (RFC 6125) against the name the connection was made to.
enum class PeerVerification { None, Chain, ChainAndName };
enum class ClientCert { None, Request, Require };
// What to do when no revocation answer can be had (responder down, OCSP "unknown", no CRL):
// AudioCodes' "OCSP Default Response".
enum class RevocationDefault { Reject, Accept };

struct TlsContextDefinition {
  std::string name;
  ContextRole role = ContextRole::Both;
  TlsVersion min_version = TlsVersion::Tls1_2;
  TlsVersion max_version = TlsVersion::Tls1_3;
  // Allows TLS 1.0/1.1, SHA-1 signatures and 1024-bit DH by lowering OpenSSL's security level
  // for this context alone.
  bool legacy = false;
  DtlsVersion dtls_version = DtlsVersion::Dtls1_2;
  std::string ciphers;  // TLS 1.2 and below, OpenSSL syntax; empty: OpenSSL's default
  std::string suites;   // TLS 1.3 ciphersuites; empty: OpenSSL's default
  std::string groups;   // key-exchange groups, "X25519:P-256"; empty: OpenSSL's default
  std::int32_t dh_bits = 2048;
  std::string identity;  // empty: the factory identity
  TrustScope trust = TrustScope::All;
  std::vector<std::string> trust_list;  // SHA-256 fingerprints of the roots, for TrustScope::List
  PeerVerification verification = PeerVerification::ChainAndName;
  // RFC 2818 compatibility (Yealink "common name validation"): the subject CN counts as a name,
  // only when the certificate has no DNS SAN.
  bool common_name_fallback = false;
  ClientCert client_cert = ClientCert::None;
  bool ocsp = false;
  std::vector<std::string> ocsp_urls;  // primary, secondary; empty: the certificate's AIA
  bool ocsp_stapling = false;          // server side: staple our own OCSP response
  bool crl = false;
  std::string crl_file;  // empty: the certificates' CRL distribution points
  RevocationDefault revocation_default = RevocationDefault::Reject;
  // X509_STRICT, and key usage / extended key usage must allow the role.
  bool strict = false;
  bool send_chain = true;  // false: send the leaf only

  bool operator==(const TlsContextDefinition&) const = default;
};

inline constexpr std::string_view kDefaultContextName = "default";

// Text forms used by the CLI, the REST API and the stored JSON: "1.2", "1.3", "server",
// "chain+name", "require", "reject", ...
std::string_view to_string(TlsVersion version);
std::string_view to_string(DtlsVersion version);
std::string_view to_string(ContextRole role);
std::string_view to_string(TrustScope scope);
std::string_view to_string(PeerVerification verification);
std::string_view to_string(ClientCert mode);
std::string_view to_string(RevocationDefault answer);

// Sets one field from its text form, by the field's option name as the CLI spells it: "role",
// "min-tls", "max-tls", "legacy", "dtls", "ciphers", "suites", "groups", "dh-bits", "identity",
// "trust" (builtin|custom|all|a comma list of fingerprints), "verify", "cn-fallback",
// "client-cert", "ocsp" (on|off), "ocsp-url" (comma list, at most two), "ocsp-stapling", "crl"
// (on|off), "crl-file", "ocsp-default", "strict", "send-chain". Unknown fields and values are
// ErrorCode::InvalidArgument naming the accepted ones; "sslv3" is refused with the reason. Does not
// check the definition as a whole (see validate_definition).
[[nodiscard]] Result<void> set_field(TlsContextDefinition& definition, std::string_view field,
                                     std::string_view value);

// Checks the definition as a whole, with OpenSSL where OpenSSL is the judge: min <= max; TLS
// 1.0/1.1 and DH 1024 only with legacy; a cipher list or suite list OpenSSL rejects, or one that
// leaves no cipher for the allowed versions, is refused naming the list; groups OpenSSL does not
// know are refused; an explicit trust list that is empty while verification is on is refused; at
// most two OCSP URLs, each http:// or https://. Does not look at the store.
[[nodiscard]] Result<void> validate_definition(const TlsContextDefinition& definition);

// The stored form: a JSON object with every field. parse_definition accepts objects with fields
// missing (they take their defaults), so older stored definitions keep working; unknown fields or
// wrong types are ErrorCode::MalformedInput.
std::string definition_to_json(const TlsContextDefinition& definition);
[[nodiscard]] Result<TlsContextDefinition> parse_definition(std::string_view name,
                                                            std::string_view json);

}  // namespace telecert::tls
