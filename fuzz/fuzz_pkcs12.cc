// libFuzzer target: pki::read_pkcs12 (modern AES/PBKDF2 files and legacy RC2/3DES ones through the
// private legacy-provider context). The passphrase is "fuzz", the one the seeds use.
#include <openssl/err.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "pki/pkcs12.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace telecert;
  static const Secret passphrase("fuzz");
  const ByteView input(data, size);
  (void)pki::looks_like_pkcs12(input);
  auto contents = pki::read_pkcs12(input, passphrase);
  if (contents) {
    if (contents->key) {
      (void)contents->key->description();
      // The certificate read_pkcs12 pairs with the key is the key's own.
      if (contents->certificate &&
          !contents->key->matches(X509_get0_pubkey(contents->certificate->get()))) {
        std::abort();
      }
    }
    for (const pki::Certificate& certificate : contents->other_certificates) {
      (void)certificate.subject();
    }
  }
  // CONVENTIONS.md: the error queue is drained at the point of failure, never left behind.
  if (ERR_peek_error() != 0) {
    ERR_print_errors_fp(stderr);
    std::abort();
  }
  return 0;
}
