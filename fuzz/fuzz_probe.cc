// libFuzzer target: what `telecert probe` parses from outside: the target URL a user types
// (tls::parse_probe_target, then default_expected_name) and the SIP / HTTP answer a server sends
// (tls::probe_io::scan_response: keep-alive CRLFs, provisional answers with their bodies, the head
// of the final answer). Both take arbitrary bytes; neither may crash, hang or read out of bounds.
//
// Seeds (fuzz/corpus/fuzz_probe/): targets of each scheme (IPv6, user part, parameters, path),
// and SIP / HTTP answers as Kamailio and openssl s_server -www send them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tls/probe.h"
#include "tls/probe_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto target = telecert::tls::parse_probe_target(text)) {
    (void)telecert::tls::default_expected_name(*target);
  }
  std::string received(text);
  (void)telecert::tls::probe_io::scan_response(received);
  return 0;
}
