// What verify() found: the chain as it was built and every problem, each with a stable code, a
// sentence a phone admin understands and a remedy (in the manner of Botan's
// Path_Validation_Result and BoringSSL's CertPathErrors). Never a bare bool.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pki/certificate.h"

namespace telecert::verify {

enum class ProblemCode {
  Expired,
  NotYetValid,
  NameMismatch,
  MissingIntermediate,  // the path stops at a certificate whose issuer is neither sent nor trusted
  UntrustedRoot,        // the path ends in a root that is not in the context's trust scope
  SelfSigned,           // the peer's own certificate is self-signed and not trusted
  Revoked,
  RevocationUnknown,   // no OCSP/CRL answer could be had (or "unknown"), see the context's default
  BadKeyUsage,         // key usage / extended key usage does not allow the purpose
  WeakKey,             // RSA < 2048 bits
  WeakSignature,       // SHA-1 or MD5 signatures
  BadSignature,        // a signature in the chain does not verify
  NotACa,              // an issuer that is not a CA (basicConstraints, keyCertSign)
  PathLength,          // pathLenConstraint or the maximum chain depth exceeded
  NameConstraints,     // a name outside an issuer's name constraints
  InvalidCertificate,  // a malformed or non-conforming certificate (RFC 5280, X509_STRICT)
  NoCertificate,       // the peer sent no certificate
};
std::string_view to_string(ProblemCode code);  // "expired", "missing_intermediate", ...

enum class Severity { Error, Warning };
std::string_view to_string(Severity severity);

struct Problem {
  ProblemCode code;
  Severity severity = Severity::Error;
  int depth = -1;       // position in the built chain (0 = the peer's certificate); -1: the chain
  std::string subject;  // the certificate the problem is about, RFC 2253; empty for the chain
  std::string message;  // "the certificate of 'CN=sbc1' expired on 2026-01-31 12:00 UTC"
  std::string remedy;   // "renew the certificate on the server, or ..."
};

// Where a revocation answer came from and what it said, one per checked certificate.
struct RevocationCheck {
  std::string subject;
  enum class Status { Good, Revoked, Unknown } status = Status::Unknown;
  std::string source;  // "OCSP http://127.0.0.1:8888", "stapled OCSP", "CRL /etc/x.crl", ...
  std::optional<pki::TimePoint> revoked_at;
  std::string detail;  // why the answer is unknown, or the revocation reason
};
std::string_view to_string(RevocationCheck::Status status);  // "good", "revoked", "unknown"

struct ChainElement {
  pki::Certificate certificate;
  bool trust_anchor = false;  // true for the root from the trust scope that ends the path
};

struct Report {
  bool trusted = false;             // no problem of Severity::Error
  std::vector<ChainElement> chain;  // as built: the peer's certificate first, the anchor last
  std::vector<Problem> problems;
  std::vector<RevocationCheck> revocation;

  bool has(ProblemCode code) const;
};

// {"trusted": bool, "chain":
// [{"subject","issuer","not_after","sha256_fingerprint","trust_anchor"}],
//  "problems": [{"code","severity","depth","subject","message","remedy"}],
//  "revocation": [{"subject","status","source","revoked_at","detail"}]}
void to_json(nlohmann::json& json, const Report& report);
// Human-readable lines for the CLI.
std::string format_report(const Report& report);

}  // namespace telecert::verify
