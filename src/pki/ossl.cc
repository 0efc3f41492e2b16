#include "pki/ossl.h"

#include <openssl/err.h>

#include <climits>

namespace telecert::pki {

void sk_X509_pop_free_all(STACK_OF(X509) * stack) noexcept { sk_X509_pop_free(stack, X509_free); }
void sk_PKCS7_pop_free_all(STACK_OF(PKCS7) * stack) noexcept {
  sk_PKCS7_pop_free(stack, PKCS7_free);
}
void sk_PKCS12_SAFEBAG_pop_free_all(STACK_OF(PKCS12_SAFEBAG) * stack) noexcept {
  sk_PKCS12_SAFEBAG_pop_free(stack, PKCS12_SAFEBAG_free);
}

std::string drain_openssl_errors() {
  std::string reason;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    const char* text = ERR_reason_error_string(code);
    if (text != nullptr) reason = text;
  }
  return reason;
}

Error openssl_error(ErrorCode code, std::string message, std::string hint) {
  std::string reason = drain_openssl_errors();
  if (!reason.empty()) message += " (" + reason + ")";
  return Error{code, std::move(message), std::move(hint)};
}

Owned<BIO> memory_bio(ByteView bytes) {
  // BIO_new_mem_buf takes an int length; inputs larger than that are refused by callers long
  // before (the upload limit is megabytes).
  int length =
      bytes.size() > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(bytes.size());
  return Owned<BIO>(BIO_new_mem_buf(bytes.data(), length));
}

Bytes bio_contents(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  if (length <= 0 || data == nullptr) return {};
  return Bytes(data, data + length);
}

}  // namespace telecert::pki
