// PKCS#10 certificate signing requests: building one from a key and a subject, and reading one.
#pragma once

#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "pki/subject.h"

namespace telecert::pki {

struct CsrSpec {
  DistinguishedName subject;
  std::vector<SubjectAltName> subject_alt_names;
  SignatureDigest digest = SignatureDigest::Sha256;
};

class Csr {
 public:
  // Builds and signs a CSR with `key`. Pure: no policy (limits and weak-algorithm rules are the
  // service's); a malformed name or SAN is ErrorCode::InvalidArgument.
  [[nodiscard]] static Result<Csr> build(const Key& key, const CsrSpec& spec);
  // Parses one CSR from PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or DER.
  [[nodiscard]] static Result<Csr> parse(ByteView data);
  // Takes a CSR decoded from untrusted input: one whose public key or requested extensions do
  // not decode is ErrorCode::MalformedInput.
  [[nodiscard]] static Result<Csr> create(Owned<X509_REQ> request);

  std::string pem() const;
  Bytes der() const;
  std::string subject() const;
  std::vector<SubjectAltName> subject_alt_names() const;
  std::string public_key_algorithm() const;
  int public_key_bits() const;
  // The request's self-signature verifies with its own public key.
  bool signature_is_valid() const;
  // The request's public key (owned by the request).
  EVP_PKEY* public_key() const;

  X509_REQ* get() const { return request_.get(); }

 private:
  explicit Csr(Owned<X509_REQ> request) : request_(std::move(request)) {}
  Owned<X509_REQ> request_;  // shared by nobody: Csr is move-only
};

}  // namespace telecert::pki
