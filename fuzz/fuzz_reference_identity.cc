// libFuzzer target: verify::parse_reference_identity and the RFC 6125 name checks. The input is
// "NAME\nDER": the first line is parsed as a reference identity; the rest, when it is a
// certificate, is matched against it and asked for its presented names. Invariants: a parsed
// identity prints as text that parses back to the same identity, and no OpenSSL error is left in
// the queue.
#include <openssl/err.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "verify/reference_identity.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace telecert;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view name = input.substr(0, newline);
  auto identity = verify::parse_reference_identity(name);
  if (identity) {
    const std::string text = verify::to_string(*identity);
    auto again = verify::parse_reference_identity(text);
    if (!again || verify::to_string(*again) != text || again->index() != identity->index()) {
      std::fprintf(stderr, "'%s' does not parse back to itself\n", text.c_str());
      std::abort();
    }
  }
  if (newline != std::string_view::npos) {
    const auto* der = data + newline + 1;
    auto certificate = pki::Certificate::from_der(ByteView(der, size - newline - 1));
    if (certificate) {
      for (bool fallback : {false, true}) {
        const verify::NameCheckOptions options{fallback};
        (void)verify::presented_names(*certificate, options);
        if (identity) (void)verify::matches(*certificate, *identity, options);
      }
    }
  }
  if (ERR_peek_error() != 0) {
    ERR_print_errors_fp(stderr);
    std::abort();
  }
  return 0;
}
