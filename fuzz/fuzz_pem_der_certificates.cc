// libFuzzer target: pki::read_certificates, the importer of certificate files (PEM with any text
// around the blocks, DER, PKCS#7 bundles as PEM or DER, PKCS#12 without a passphrase).
#include <openssl/err.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "pki/file_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace telecert;
  auto certificates = pki::read_certificates(ByteView(data, size));
  if (certificates) {
    for (const pki::Certificate& certificate : *certificates) {
      // What an import shows and indexes, read from whatever parsed.
      (void)certificate.subject();
      (void)certificate.issuer();
      (void)certificate.serial_hex();
      (void)certificate.not_after();
      (void)certificate.subject_alt_names();
      (void)certificate.key_usage();
      (void)certificate.extended_key_usage();
      (void)certificate.sha256_fingerprint();
      (void)certificate.public_key_algorithm();
      // A certificate we accepted must read back from its own encoding.
      if (!pki::Certificate::from_der(certificate.der())) std::abort();
    }
  }
  // CONVENTIONS.md: the error queue is drained at the point of failure, never left behind.
  if (ERR_peek_error() != 0) {
    ERR_print_errors_fp(stderr);
    std::abort();
  }
  return 0;
}
