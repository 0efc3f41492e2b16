// An X.509 certificate and its parsed fields.
// Thread-safety: immutable after creation; copies share the X509 (reference counted).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "pki/ossl.h"
#include "pki/subject.h"

namespace telecert::pki {

using TimePoint = std::chrono::sys_seconds;

class Certificate {
 public:
  // Parses exactly one DER certificate; trailing bytes are ErrorCode::MalformedInput.
  [[nodiscard]] static Result<Certificate> from_der(ByteView der);
  // Takes a certificate decoded from untrusted input: one whose public key does not decode or
  // whose extensions are damaged is ErrorCode::MalformedInput, so every accessor of a Certificate
  // works without leaving errors in OpenSSL's queue.
  [[nodiscard]] static Result<Certificate> create(Owned<X509> x509);
  // Takes a certificate we built ourselves (no checks).
  static Certificate adopt(Owned<X509> x509);

  Bytes der() const;
  std::string pem() const;

  std::string subject() const;  // RFC 2253 one line
  std::string issuer() const;
  std::string common_name() const;
  std::string serial_hex() const;  // upper-case hex, no separators
  TimePoint not_before() const;
  TimePoint not_after() const;
  std::vector<SubjectAltName> subject_alt_names() const;
  bool is_ca() const;
  std::optional<long> path_length() const;     // basicConstraints pathLenConstraint
  std::vector<std::string> key_usage() const;  // "digitalSignature", "keyCertSign", ...
  std::vector<std::string> extended_key_usage()
      const;                               // "serverAuth", "clientAuth", or a dotted OID
  std::string sha256_fingerprint() const;  // "AB:CD:..." upper-case
  std::string sha1_fingerprint() const;
  std::string public_key_algorithm() const;  // "RSA", "EC", "Ed25519"
  int public_key_bits() const;
  std::string signature_algorithm() const;  // "sha256WithRSAEncryption", "ecdsa-with-SHA256", ...

  // Subject and issuer names are equal.
  bool is_self_issued() const;
  // Self-issued and its own key verifies its signature (RFC 5280 §3.2). Unlike
  // is_issued_by(*this) this does not ask for keyCertSign, so a self-signed end-entity
  // certificate (CA:FALSE, digitalSignature only) counts too.
  bool is_self_signed() const;
  // `issuer`'s subject matches our issuer name, key identifiers agree, and its key verifies our
  // signature.
  bool is_issued_by(const Certificate& issuer) const;

  X509* get() const { return x509_.get(); }

  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;
  ~Certificate() = default;

 private:
  explicit Certificate(Owned<X509> x509) : x509_(std::move(x509)) {}
  Owned<X509> x509_;
};

// Days from `now` until `not_after`, rounded down; negative when expired.
std::int64_t days_left(const Certificate& certificate, TimePoint now);

}  // namespace telecert::pki
