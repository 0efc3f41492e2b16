// RAII owners for OpenSSL objects. Business code never calls *_free itself: it holds an
// Owned<T>, and converts OpenSSL's error queue into an Error at the point of failure.
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "common/bytes.h"
#include "common/error.h"

namespace telecert::pki {

// Frees a STACK_OF(X509) and every certificate in it.
void sk_X509_pop_free_all(STACK_OF(X509) * stack) noexcept;
// The same for the stacks a PKCS#12 file unpacks into.
void sk_PKCS7_pop_free_all(STACK_OF(PKCS7) * stack) noexcept;
void sk_PKCS12_SAFEBAG_pop_free_all(STACK_OF(PKCS12_SAFEBAG) * stack) noexcept;

template <class T>
struct Free;

#define TELECERT_OSSL_FREE(Type, fn)                   \
  template <>                                          \
  struct Free<Type> {                                  \
    void operator()(Type* p) const noexcept { fn(p); } \
  };

TELECERT_OSSL_FREE(BIO, BIO_free_all)
TELECERT_OSSL_FREE(EVP_PKEY, EVP_PKEY_free)
TELECERT_OSSL_FREE(EVP_PKEY_CTX, EVP_PKEY_CTX_free)
TELECERT_OSSL_FREE(EVP_MD_CTX, EVP_MD_CTX_free)
TELECERT_OSSL_FREE(X509, X509_free)
TELECERT_OSSL_FREE(X509_REQ, X509_REQ_free)
TELECERT_OSSL_FREE(X509_NAME, X509_NAME_free)
TELECERT_OSSL_FREE(X509_EXTENSION, X509_EXTENSION_free)
TELECERT_OSSL_FREE(X509_STORE, X509_STORE_free)
TELECERT_OSSL_FREE(X509_STORE_CTX, X509_STORE_CTX_free)
TELECERT_OSSL_FREE(GENERAL_NAMES, GENERAL_NAMES_free)
TELECERT_OSSL_FREE(GENERAL_NAME, GENERAL_NAME_free)
TELECERT_OSSL_FREE(BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free)
TELECERT_OSSL_FREE(AUTHORITY_KEYID, AUTHORITY_KEYID_free)
TELECERT_OSSL_FREE(ASN1_STRING, ASN1_STRING_free)  // also ASN1_INTEGER, ASN1_TIME, ...
TELECERT_OSSL_FREE(EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free)
TELECERT_OSSL_FREE(BIGNUM, BN_free)
TELECERT_OSSL_FREE(PKCS12, PKCS12_free)
TELECERT_OSSL_FREE(PKCS7, PKCS7_free)
TELECERT_OSSL_FREE(PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free)
TELECERT_OSSL_FREE(X509_SIG, X509_SIG_free)
TELECERT_OSSL_FREE(OSSL_PROVIDER, OSSL_PROVIDER_unload)
TELECERT_OSSL_FREE(OSSL_DECODER_CTX, OSSL_DECODER_CTX_free)
TELECERT_OSSL_FREE(OSSL_LIB_CTX, OSSL_LIB_CTX_free)
TELECERT_OSSL_FREE(X509_CRL, X509_CRL_free)
TELECERT_OSSL_FREE(OCSP_REQUEST, OCSP_REQUEST_free)
TELECERT_OSSL_FREE(OCSP_RESPONSE, OCSP_RESPONSE_free)
TELECERT_OSSL_FREE(OCSP_BASICRESP, OCSP_BASICRESP_free)
TELECERT_OSSL_FREE(OCSP_CERTID, OCSP_CERTID_free)
TELECERT_OSSL_FREE(X509_VERIFY_PARAM, X509_VERIFY_PARAM_free)
TELECERT_OSSL_FREE(STACK_OF(X509), sk_X509_pop_free_all)
TELECERT_OSSL_FREE(STACK_OF(PKCS7), sk_PKCS7_pop_free_all)
TELECERT_OSSL_FREE(STACK_OF(PKCS12_SAFEBAG), sk_PKCS12_SAFEBAG_pop_free_all)

#undef TELECERT_OSSL_FREE

template <class T>
using Owned = std::unique_ptr<T, Free<T>>;

// Drains OpenSSL's error queue and returns its last reason as text ("" when empty).
std::string drain_openssl_errors();

// Builds an Error from `code`, `message` and `hint`, draining OpenSSL's error queue so the next
// caller starts clean. The OpenSSL reason is appended to the message when there is one.
Error openssl_error(ErrorCode code, std::string message, std::string hint = {});

// A read-only memory BIO over `bytes` (which must outlive the BIO).
Owned<BIO> memory_bio(ByteView bytes);
// Everything written to a memory BIO.
Bytes bio_contents(BIO* bio);

// The DER encoding of `object` through its OpenSSL i2d function (i2d_X509, i2d_X509_REQ, ...);
// empty when encoding fails.
template <class T>
Bytes encode_der(const T* object, int (*i2d)(const T*, unsigned char**)) {
  unsigned char* out = nullptr;
  const int length = i2d(object, &out);
  if (length <= 0) return {};
  Bytes result(out, out + length);
  OPENSSL_free(out);
  return result;
}

// The PEM text of `object` through its OpenSSL writer (PEM_write_bio_X509, ...).
template <class T>
std::string encode_pem(const T* object, int (*write)(BIO*, const T*)) {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  write(bio.get(), object);
  const Bytes text = bio_contents(bio.get());
  return std::string(text.begin(), text.end());
}

}  // namespace telecert::pki
