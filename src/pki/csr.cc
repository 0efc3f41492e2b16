#include "pki/csr.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace telecert::pki {

Result<Csr> Csr::build(const Key& key, const CsrSpec& spec) {
  Owned<X509_REQ> request(X509_REQ_new());
  auto name = build_x509_name(spec.subject);
  if (!name) return std::unexpected(name.error());
  if (X509_REQ_set_version(request.get(), 0) != 1 ||
      X509_REQ_set_subject_name(request.get(), name->get()) != 1 ||
      X509_REQ_set_pubkey(request.get(), key.get()) != 1) {
    return std::unexpected(openssl_error(ErrorCode::Internal, "building the CSR failed"));
  }
  if (!spec.subject_alt_names.empty()) {
    auto names = build_general_names(spec.subject_alt_names);
    if (!names) return std::unexpected(names.error());
    STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
    bool added = X509V3_add1_i2d(&extensions, NID_subject_alt_name, names->get(), 0,
                                 X509V3_ADD_DEFAULT) == 1 &&
                 X509_REQ_add_extensions(request.get(), extensions) == 1;
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
    if (!added) {
      return std::unexpected(
          openssl_error(ErrorCode::Internal, "adding subject alternative names to the CSR failed"));
    }
  }
  if (X509_REQ_sign(request.get(), key.get(), digest_for(spec.digest, key.get())) <= 0) {
    return std::unexpected(openssl_error(ErrorCode::InvalidArgument,
                                         "signing the CSR with " + key.description() + " and " +
                                             std::string(to_string(spec.digest)) + " failed"));
  }
  return Csr(std::move(request));
}

Result<Csr> Csr::parse(ByteView data) {
  Owned<BIO> bio = memory_bio(data);
  Owned<X509_REQ> request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (request == nullptr) {
    drain_openssl_errors();
    const unsigned char* cursor = data.data();
    request.reset(d2i_X509_REQ(nullptr, &cursor, static_cast<long>(data.size())));
    // Bytes after the request mean a damaged or concatenated file; taking the first request
    // silently would hide that.
    if (request != nullptr && cursor != data.data() + data.size()) {
      return fail(ErrorCode::MalformedInput, "the DER CSR is followed by unexpected bytes",
                  "give one PKCS#10 CSR per DER file");
    }
  }
  if (request == nullptr) {
    return std::unexpected(openssl_error(ErrorCode::MalformedInput,
                                         "the data is not a certificate signing request",
                                         "give a PKCS#10 CSR in PEM or DER"));
  }
  return create(std::move(request));
}

Result<Csr> Csr::create(Owned<X509_REQ> request) {
  ERR_clear_error();
  if (X509_REQ_get0_pubkey(request.get()) == nullptr) {
    return std::unexpected(openssl_error(ErrorCode::MalformedInput,
                                         "the CSR's public key cannot be decoded",
                                         "the CSR is damaged; create it again"));
  }
  // Decode the requested extensions once: a damaged one is refused here rather than leaving
  // errors behind in every later subject_alt_names() call.
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(request.get());
  if (extensions != nullptr) {
    Owned<GENERAL_NAMES> names(static_cast<GENERAL_NAMES*>(
        X509V3_get_d2i(extensions, NID_subject_alt_name, nullptr, nullptr)));
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  }
  if (ERR_peek_error() != 0) {
    return std::unexpected(openssl_error(ErrorCode::MalformedInput,
                                         "the CSR has a damaged requested extension",
                                         "the CSR is damaged; create it again"));
  }
  return Csr(std::move(request));
}

std::string Csr::pem() const { return encode_pem(request_.get(), PEM_write_bio_X509_REQ); }

Bytes Csr::der() const { return encode_der(request_.get(), i2d_X509_REQ); }

std::string Csr::subject() const {
  return name_to_string(X509_REQ_get_subject_name(request_.get()));
}

std::vector<SubjectAltName> Csr::subject_alt_names() const {
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(request_.get());
  std::vector<SubjectAltName> result;
  if (extensions != nullptr) {
    Owned<GENERAL_NAMES> names(static_cast<GENERAL_NAMES*>(
        X509V3_get_d2i(extensions, NID_subject_alt_name, nullptr, nullptr)));
    if (names != nullptr) result = read_general_names(names.get());
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  }
  drain_openssl_errors();
  return result;
}

std::string Csr::public_key_algorithm() const { return pki::public_key_algorithm(public_key()); }

int Csr::public_key_bits() const {
  const EVP_PKEY* key = public_key();
  return key != nullptr ? EVP_PKEY_get_bits(key) : 0;
}

bool Csr::signature_is_valid() const {
  EVP_PKEY* key = public_key();
  bool valid = key != nullptr && X509_REQ_verify(request_.get(), key) == 1;
  drain_openssl_errors();
  return valid;
}

EVP_PKEY* Csr::public_key() const { return X509_REQ_get0_pubkey(request_.get()); }

}  // namespace telecert::pki
