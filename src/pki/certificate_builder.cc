#include "pki/certificate_builder.h"

#include <openssl/rand.h>

namespace telecert::pki {
namespace {

// Adds one extension given in OpenSSL's configuration syntax ("critical,CA:FALSE").
bool add_extension(X509* certificate, X509V3_CTX* context, int nid, const char* value) {
  Owned<X509_EXTENSION> extension(X509V3_EXT_conf_nid(nullptr, context, nid, value));
  return extension != nullptr && X509_add_ext(certificate, extension.get(), -1) == 1;
}

// A random positive serial of at most 127 bits (RFC 5280 §4.1.2.2: at most 20 octets).
bool set_random_serial(X509* certificate) {
  Owned<BIGNUM> serial(BN_new());
  if (BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) return false;
  if (BN_is_zero(serial.get())) BN_one(serial.get());
  return BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)) != nullptr;
}

// authorityKeyIdentifier (RFC 5280 §4.2.1.1) with the issuer's subjectKeyIdentifier. An issuer
// without one (older manufacturer CAs) gets the identifier of RFC 5280 §4.2.1.2 method (1), the
// SHA-1 of its subjectPublicKey, which is what OpenSSL's "keyid:always" would refuse to make.
bool add_authority_key_identifier(X509* certificate, X509* issuer) {
  Owned<AUTHORITY_KEYID> identifier(AUTHORITY_KEYID_new());
  Owned<ASN1_STRING> key_id(ASN1_OCTET_STRING_new());
  if (identifier == nullptr || key_id == nullptr) return false;
  if (const ASN1_OCTET_STRING* issuer_key_id = X509_get0_subject_key_id(issuer)) {
    if (ASN1_STRING_set(key_id.get(), ASN1_STRING_get0_data(issuer_key_id),
                        ASN1_STRING_length(issuer_key_id)) != 1) {
      return false;
    }
  } else {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_pubkey_digest(issuer, EVP_sha1(), digest, &length) != 1 ||
        ASN1_STRING_set(key_id.get(), digest, static_cast<int>(length)) != 1) {
      return false;
    }
  }
  identifier->keyid = key_id.release();
  return X509_add1_ext_i2d(certificate, NID_authority_key_identifier, identifier.get(), 0,
                           X509V3_ADD_DEFAULT) == 1;
}

}  // namespace

Result<Certificate> build_certificate(const Key& subject_key, const CertificateSpec& spec,
                                      const Issuer* issuer) {
  if (issuer != nullptr && !issuer->key.matches(X509_get0_pubkey(issuer->certificate.get()))) {
    return fail(ErrorCode::KeyMismatch,
                "the issuing key does not belong to the CA certificate '" +
                    issuer->certificate.subject() + "'",
                "give the CA certificate together with its own private key");
  }
  auto name = build_x509_name(spec.subject);
  if (!name) return std::unexpected(name.error());
  Owned<X509> certificate(X509_new());
  X509* x = certificate.get();
  const std::time_t start = spec.not_before.time_since_epoch().count();
  const std::time_t end =
      start + std::chrono::duration_cast<std::chrono::seconds>(spec.validity).count();
  X509_NAME* issuer_name =
      issuer != nullptr ? X509_get_subject_name(issuer->certificate.get()) : name->get();
  if (X509_set_version(x, 2) != 1 || !set_random_serial(x) ||
      X509_set_subject_name(x, name->get()) != 1 || X509_set_issuer_name(x, issuer_name) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(x), start) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x), end) == nullptr ||
      X509_set_pubkey(x, subject_key.get()) != 1) {
    return std::unexpected(openssl_error(ErrorCode::Internal, "building the certificate failed"));
  }

  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer != nullptr ? issuer->certificate.get() : x, x, nullptr, nullptr,
                 0);
  const bool rsa = EVP_PKEY_get_base_id(subject_key.get()) == EVP_PKEY_RSA;
  bool ok = true;
  if (spec.is_ca) {
    ok = add_extension(x, &context, NID_basic_constraints, "critical,CA:TRUE") &&
         add_extension(x, &context, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign");
  } else {
    ok = add_extension(x, &context, NID_basic_constraints, "critical,CA:FALSE") &&
         add_extension(
             x, &context, NID_key_usage,
             rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature") &&
         add_extension(x, &context, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  ok = ok && add_extension(x, &context, NID_subject_key_identifier, "hash");
  if (ok && issuer != nullptr) ok = add_authority_key_identifier(x, issuer->certificate.get());
  if (ok && !spec.subject_alt_names.empty()) {
    auto names = build_general_names(spec.subject_alt_names);
    if (!names) return std::unexpected(names.error());
    // RFC 5280 §4.2.1.6: when the subject is empty the names live only here, and the extension
    // must be critical.
    const int critical = X509_NAME_entry_count(name->get()) == 0 ? 1 : 0;
    ok =
        X509_add1_ext_i2d(x, NID_subject_alt_name, names->get(), critical, X509V3_ADD_DEFAULT) == 1;
  }
  if (!ok) {
    return std::unexpected(
        openssl_error(ErrorCode::Internal, "adding extensions to the certificate failed"));
  }

  const Key& signing_key = issuer != nullptr ? issuer->key : subject_key;
  if (X509_sign(x, signing_key.get(), digest_for(spec.digest, signing_key.get())) <= 0) {
    return std::unexpected(openssl_error(
        ErrorCode::InvalidArgument, "signing the certificate with " + signing_key.description() +
                                        " and " + std::string(to_string(spec.digest)) + " failed"));
  }
  return Certificate::adopt(std::move(certificate));
}

}  // namespace telecert::pki
