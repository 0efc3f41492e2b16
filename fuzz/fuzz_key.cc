// libFuzzer target: pki::Key::parse (PKCS#8 PEM/DER, plain or encrypted; traditional RSA/EC PEM
// with or without Proc-Type encryption; traditional DER). The passphrase is "fuzz", the one the
// encrypted seeds use.
#include <openssl/err.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "pki/key.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace telecert;
  static const Secret passphrase("fuzz");
  auto key = pki::Key::parse(ByteView(data, size), passphrase);
  if (key) {
    (void)key->algorithm();
    (void)key->bits();
    (void)key->description();
    (void)key->type();
    (void)key->public_key_pem();
    // A parsed key is its own public half.
    if (!key->matches(key->get())) std::abort();
  }
  // CONVENTIONS.md: the error queue is drained at the point of failure, never left behind.
  if (ERR_peek_error() != 0) {
    ERR_print_errors_fp(stderr);
    std::abort();
  }
  return 0;
}
