// Builds certificates: self-signed identities, and certificates issued by a CA key (the
// manufacturer CA that issues a factory identity). Pure: the validity start comes from the caller.
#pragma once

#include <chrono>
#include <vector>

#include "common/error.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "pki/subject.h"

namespace telecert::pki {

struct CertificateSpec {
  DistinguishedName subject;
  std::vector<SubjectAltName> subject_alt_names;
  SignatureDigest digest = SignatureDigest::Sha256;
  TimePoint not_before;
  std::chrono::days validity{365};
  bool is_ca = false;  // CA:TRUE with keyCertSign/cRLSign instead of an end-entity profile
};

// The issuing side of a certificate: the CA's certificate and its private key.
struct Issuer {
  const Certificate& certificate;
  const Key& key;
};

// End-entity profile: basicConstraints CA:FALSE (critical); keyUsage digitalSignature, plus
// keyEncipherment for RSA keys (critical); extendedKeyUsage serverAuth + clientAuth;
// subjectKeyIdentifier; authorityKeyIdentifier when issued (the issuer's subjectKeyIdentifier, or
// the SHA-1 of its public key when it has none). subjectAltName is critical when the subject is
// empty (RFC 5280 §4.2.1.6). A random positive serial of at most 127 bits.
// With `issuer` empty the certificate is self-signed by `subject_key`; an issuer key that is not
// the issuer certificate's is ErrorCode::KeyMismatch.
[[nodiscard]] Result<Certificate> build_certificate(const Key& subject_key,
                                                    const CertificateSpec& spec,
                                                    const Issuer* issuer = nullptr);

}  // namespace telecert::pki
