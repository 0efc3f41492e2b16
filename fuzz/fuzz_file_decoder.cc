// libFuzzer target: pki::decode_file, which decides what a file holds by its content (PEM, DER
// certificate, PKCS#7, PKCS#12, DER key, DER CSR). The passphrase is "fuzz", the one the encrypted
// seeds in fuzz/corpus/fuzz_file_decoder/ use.
#include <openssl/err.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "pki/file_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace telecert;
  static const Secret passphrase("fuzz");
  auto decoded = pki::decode_file(ByteView(data, size), passphrase);
  if (decoded) {
    (void)pki::to_string(decoded->format);
    for (const pki::Certificate& certificate : decoded->certificates) {
      (void)certificate.subject();
      (void)certificate.subject_alt_names();
      (void)certificate.public_key_bits();
    }
    for (const pki::Key& key : decoded->keys) {
      (void)key.description();
      (void)key.type();
    }
    for (const pki::Csr& request : decoded->requests) {
      (void)request.subject();
      (void)request.subject_alt_names();
    }
  }
  // CONVENTIONS.md: the error queue is drained at the point of failure, never left behind.
  if (ERR_peek_error() != 0) {
    ERR_print_errors_fp(stderr);
    std::abort();
  }
  return 0;
}
