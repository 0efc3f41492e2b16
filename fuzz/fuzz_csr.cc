// libFuzzer target: pki::Csr::parse (PEM "CERTIFICATE REQUEST" / "NEW CERTIFICATE REQUEST", or
// DER), and what the service reads from a CSR once parsed.
#include <openssl/err.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "pki/csr.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace telecert;
  auto request = pki::Csr::parse(ByteView(data, size));
  if (request) {
    (void)request->subject();
    (void)request->subject_alt_names();
    (void)request->public_key_algorithm();
    (void)request->public_key_bits();
    (void)request->signature_is_valid();
    // A request we accepted must read back from its own encoding.
    if (!pki::Csr::parse(request->der())) std::abort();
  }
  // CONVENTIONS.md: the error queue is drained at the point of failure, never left behind.
  if (ERR_peek_error() != 0) {
    ERR_print_errors_fp(stderr);
    std::abort();
  }
  return 0;
}
