// Certificates for the verify tests, made in-process: the CAs through pki::build_certificate, the
// leaves through OpenSSL's own calls where a test needs what our builder will not make (no EKU,
// serverAuth only, RSA 1024, SHA-1, a URI SAN, a given validity), and CRLs through X509_CRL_*.
#pragma once

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "pki/certificate_builder.h"
#include "pki/key.h"

namespace telecert::verify::testing {

inline pki::TimePoint now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

struct LeafSpec {
  std::string common_name = "sbc1.example.com";
  std::string sans = "DNS:sbc1.example.com";  // openssl's conf syntax; empty: no SAN
  std::string eku = "serverAuth,clientAuth";  // empty: no EKU extension
  std::string key_usage = "critical,digitalSignature";
  std::string basic_constraints = "critical,CA:FALSE";
  pki::TimePoint not_before = now() - std::chrono::hours{1};
  pki::TimePoint not_after = now() + std::chrono::days{365};
  const EVP_MD* digest = EVP_sha256();
};

inline bool add_extension(X509* x509, X509V3_CTX* context, int nid, const std::string& value) {
  if (value.empty()) return true;
  pki::Owned<X509_EXTENSION> extension(X509V3_EXT_conf_nid(nullptr, context, nid, value.c_str()));
  return extension != nullptr && X509_add_ext(x509, extension.get(), -1) == 1;
}

// A certificate for `key` per `spec`, signed by `issuer_key` with `issuer` as issuer (null: self).
inline pki::Certificate make_certificate(const LeafSpec& spec, EVP_PKEY* key,
                                         const pki::Certificate* issuer, EVP_PKEY* issuer_key) {
  pki::Owned<X509> x509(X509_new());
  pki::Owned<X509_NAME> name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  static long serial = 1000;
  ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), ++serial);
  X509_set_version(x509.get(), 2);
  X509_set_subject_name(x509.get(), name.get());
  X509_set_issuer_name(x509.get(),
                       issuer != nullptr ? X509_get_subject_name(issuer->get()) : name.get());
  ASN1_TIME_set(X509_getm_notBefore(x509.get()), spec.not_before.time_since_epoch().count());
  ASN1_TIME_set(X509_getm_notAfter(x509.get()), spec.not_after.time_since_epoch().count());
  X509_set_pubkey(x509.get(), key);
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer != nullptr ? issuer->get() : x509.get(), x509.get(), nullptr,
                 nullptr, 0);
  bool ok = add_extension(x509.get(), &context, NID_basic_constraints, spec.basic_constraints) &&
            add_extension(x509.get(), &context, NID_key_usage, spec.key_usage) &&
            add_extension(x509.get(), &context, NID_ext_key_usage, spec.eku) &&
            add_extension(x509.get(), &context, NID_subject_alt_name, spec.sans) &&
            add_extension(x509.get(), &context, NID_subject_key_identifier, "hash") &&
            (issuer == nullptr ||
             add_extension(x509.get(), &context, NID_authority_key_identifier, "keyid:always"));
  ok = ok && X509_sign(x509.get(), issuer_key != nullptr ? issuer_key : key, spec.digest) > 0;
  EXPECT_TRUE(ok) << "building the test certificate failed: " << pki::drain_openssl_errors();
  return pki::Certificate::adopt(std::move(x509));
}

inline EVP_PKEY* rsa_key(unsigned bits) {
  static std::map<unsigned, pki::Owned<EVP_PKEY>> keys;
  auto& key = keys[bits];
  if (!key) key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  return key.get();
}

// A PEM CRL issued by `issuer` revoking `revoked` (serial numbers of certificates) at `when`.
inline std::string make_crl(const pki::Certificate& issuer, EVP_PKEY* issuer_key,
                            const std::vector<const pki::Certificate*>& revoked,
                            pki::TimePoint when) {
  pki::Owned<X509_CRL> crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get()));
  pki::Owned<ASN1_STRING> last(ASN1_TIME_set(nullptr, when.time_since_epoch().count()));
  pki::Owned<ASN1_STRING> next(
      ASN1_TIME_set(nullptr, (when + std::chrono::days{7}).time_since_epoch().count()));
  X509_CRL_set1_lastUpdate(crl.get(), last.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  for (const pki::Certificate* certificate : revoked) {
    X509_REVOKED* entry = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(certificate->get()));
    X509_REVOKED_set_revocationDate(entry, last.get());
    X509_CRL_add0_revoked(crl.get(), entry);
  }
  pki::Owned<ASN1_STRING> number(ASN1_INTEGER_new());
  ASN1_INTEGER_set(number.get(), 1);
  X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0);
  X509_CRL_sort(crl.get());
  EXPECT_GT(X509_CRL_sign(crl.get(), issuer_key, EVP_sha256()), 0);
  return pki::encode_pem<X509_CRL>(crl.get(), PEM_write_bio_X509_CRL);
}

}  // namespace telecert::verify::testing
