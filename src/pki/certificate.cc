#include "pki/certificate.h"

#include <openssl/pem.h>

#include <ctime>

#include "pki/key.h"

namespace telecert::pki {
namespace {

TimePoint to_time_point(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return TimePoint{};
  return TimePoint{std::chrono::seconds{timegm(&parts)}};
}

std::string hex_fingerprint(X509* x509, const EVP_MD* digest) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(x509, digest, md, &length) != 1) return {};
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string text;
  for (unsigned int i = 0; i < length; ++i) {
    if (i > 0) text += ':';
    text += kHex[md[i] >> 4];
    text += kHex[md[i] & 0xF];
  }
  return text;
}

}  // namespace

Result<Certificate> Certificate::from_der(ByteView der) {
  const unsigned char* cursor = der.data();
  Owned<X509> x509(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (x509 == nullptr) {
    return std::unexpected(openssl_error(ErrorCode::MalformedInput,
                                         "the data is not a DER certificate, or it is truncated"));
  }
  if (cursor != der.data() + der.size()) {
    return fail(ErrorCode::MalformedInput, "the DER certificate is followed by unexpected bytes",
                "give one certificate per DER file, or use PEM for several");
  }
  return create(std::move(x509));
}

Result<Certificate> Certificate::create(Owned<X509> x509) {
  if (X509_get0_pubkey(x509.get()) == nullptr) {
    return std::unexpected(openssl_error(
        ErrorCode::MalformedInput, "the certificate's public key cannot be decoded",
        "the certificate is damaged or uses a key algorithm telecert does not support"));
  }
  // Decoding the extensions once here also caches them, so later accessors do not fail.
  if ((X509_get_extension_flags(x509.get()) & EXFLAG_INVALID) != 0) {
    return std::unexpected(openssl_error(
        ErrorCode::MalformedInput, "the certificate has a damaged extension",
        "ask its issuer for a new copy; key usage, constraints or names do not decode"));
  }
  drain_openssl_errors();
  return Certificate(std::move(x509));
}

Certificate Certificate::adopt(Owned<X509> x509) { return Certificate(std::move(x509)); }

Certificate::Certificate(const Certificate& other) : x509_(other.x509_.get()) {
  if (x509_ != nullptr) X509_up_ref(x509_.get());
}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) {
    if (other.x509_ != nullptr) X509_up_ref(other.x509_.get());
    x509_.reset(other.x509_.get());
  }
  return *this;
}

Bytes Certificate::der() const { return encode_der(x509_.get(), i2d_X509); }

std::string Certificate::pem() const { return encode_pem(x509_.get(), PEM_write_bio_X509); }

std::string Certificate::subject() const {
  return name_to_string(X509_get_subject_name(x509_.get()));
}
std::string Certificate::issuer() const {
  return name_to_string(X509_get_issuer_name(x509_.get()));
}
std::string Certificate::common_name() const {
  return name_entry(X509_get_subject_name(x509_.get()), NID_commonName);
}

std::string Certificate::serial_hex() const {
  Owned<BIGNUM> serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509_.get()), nullptr));
  if (serial == nullptr) return {};
  char* hex = BN_bn2hex(serial.get());
  std::string text = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  // BN_bn2hex writes zero as "0"; `openssl x509 -serial` (i2a_ASN1_INTEGER) writes whole octets,
  // "00", and admins compare the two.
  if (text == "0") text = "00";
  return text;
}

TimePoint Certificate::not_before() const {
  return to_time_point(X509_get0_notBefore(x509_.get()));
}
TimePoint Certificate::not_after() const { return to_time_point(X509_get0_notAfter(x509_.get())); }

std::vector<SubjectAltName> Certificate::subject_alt_names() const {
  Owned<GENERAL_NAMES> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x509_.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (names == nullptr) return {};
  return read_general_names(names.get());
}

bool Certificate::is_ca() const {
  Owned<BASIC_CONSTRAINTS> constraints(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(x509_.get(), NID_basic_constraints, nullptr, nullptr)));
  return constraints != nullptr && constraints->ca != 0;
}

std::optional<long> Certificate::path_length() const {
  long length = X509_get_pathlen(x509_.get());
  if (length < 0) return std::nullopt;
  return length;
}

std::vector<std::string> Certificate::key_usage() const {
  std::vector<std::string> usages;
  if ((X509_get_extension_flags(x509_.get()) & EXFLAG_KUSAGE) == 0) return usages;
  const std::uint32_t bits = X509_get_key_usage(x509_.get());
  const std::pair<std::uint32_t, const char*> names[] = {
      {KU_DIGITAL_SIGNATURE, "digitalSignature"},
      {KU_NON_REPUDIATION, "nonRepudiation"},
      {KU_KEY_ENCIPHERMENT, "keyEncipherment"},
      {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
      {KU_KEY_AGREEMENT, "keyAgreement"},
      {KU_KEY_CERT_SIGN, "keyCertSign"},
      {KU_CRL_SIGN, "cRLSign"},
      {KU_ENCIPHER_ONLY, "encipherOnly"},
      {KU_DECIPHER_ONLY, "decipherOnly"},
  };
  for (const auto& [bit, name] : names) {
    if (bits & bit) usages.emplace_back(name);
  }
  return usages;
}

std::vector<std::string> Certificate::extended_key_usage() const {
  std::vector<std::string> usages;
  Owned<EXTENDED_KEY_USAGE> eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(x509_.get(), NID_ext_key_usage, nullptr, nullptr)));
  if (eku == nullptr) return usages;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    const ASN1_OBJECT* object = sk_ASN1_OBJECT_value(eku.get(), i);
    int nid = OBJ_obj2nid(object);
    if (nid != NID_undef) {
      usages.emplace_back(OBJ_nid2sn(nid));
    } else {
      char dotted[128] = {};
      OBJ_obj2txt(dotted, sizeof dotted, object, 1);
      usages.emplace_back(dotted);
    }
  }
  return usages;
}

std::string Certificate::sha256_fingerprint() const {
  return hex_fingerprint(x509_.get(), EVP_sha256());
}
std::string Certificate::sha1_fingerprint() const {
  return hex_fingerprint(x509_.get(), EVP_sha1());
}

std::string Certificate::public_key_algorithm() const {
  return pki::public_key_algorithm(X509_get0_pubkey(x509_.get()));
}

int Certificate::public_key_bits() const {
  const EVP_PKEY* key = X509_get0_pubkey(x509_.get());
  return key != nullptr ? EVP_PKEY_get_bits(key) : 0;
}

std::string Certificate::signature_algorithm() const {
  int nid = X509_get_signature_nid(x509_.get());
  return nid != NID_undef ? OBJ_nid2ln(nid) : "unknown";
}

bool Certificate::is_self_issued() const {
  return X509_NAME_cmp(X509_get_subject_name(x509_.get()), X509_get_issuer_name(x509_.get())) == 0;
}

bool Certificate::is_self_signed() const {
  bool self_signed =
      is_self_issued() && X509_verify(x509_.get(), X509_get0_pubkey(x509_.get())) == 1;
  drain_openssl_errors();
  return self_signed;
}

bool Certificate::is_issued_by(const Certificate& issuer) const {
  bool issued = X509_check_issued(issuer.get(), x509_.get()) == X509_V_OK &&
                X509_verify(x509_.get(), X509_get0_pubkey(issuer.get())) == 1;
  drain_openssl_errors();
  return issued;
}

std::int64_t days_left(const Certificate& certificate, TimePoint now) {
  auto remaining = certificate.not_after() - now;
  return std::chrono::floor<std::chrono::days>(remaining).count();
}

}  // namespace telecert::pki
