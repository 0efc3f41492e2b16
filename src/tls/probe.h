// `telecert probe`: connect to a remote TLS endpoint with a context's client side and say what
// it is and whether it is trusted. sips: also sends a SIP OPTIONS request (RFC 3261 §11),
// https: a GET of the path.
//
// Threading: stateless; each call makes its own connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "pki/certificate.h"
#include "tls/context_snapshot.h"
#include "verify/reference_identity.h"
#include "verify/report.h"

namespace telecert::tls {

struct ProbeTarget {
  enum class Scheme { Tls, Https, Sips } scheme = Scheme::Tls;
  std::string host;  // name or address literal, without brackets
  std::uint16_t port = 0;
  std::string path = "/";  // https only
  std::string text;        // as given
};

// "tls://host:port" (port required), "https://host[:port][/path]" (443),
// "sips:host[:port]" or "sips:user@host[:port]" (5061). IPv6 literals in brackets. Anything else
// is ErrorCode::InvalidArgument.
[[nodiscard]] Result<ProbeTarget> parse_probe_target(std::string_view text);

// The name the peer is expected to have when none is given: the host (a SipUri for sips:).
verify::ReferenceIdentity default_expected_name(const ProbeTarget& target);

struct ProbeResult {
  ProbeTarget target;
  std::string tls_version;                   // "TLSv1.3"
  std::string cipher;                        // "TLS_AES_256_GCM_SHA384"
  std::string group;                         // "X25519"
  std::vector<pki::Certificate> peer_chain;  // as the peer sent it
  std::string stapled_ocsp;  // "good", "revoked", "unknown", or "none" when nothing was stapled
  verify::Report report;
  std::optional<std::string> application_status;  // "SIP/2.0 200 OK", "HTTP/1.1 200 OK"
  std::vector<std::string> application_headers;   // the SIP/HTTP response headers
  // Why there is no application_status for sips: / https: ("127.0.0.1:5061 sent more than
  // 256 KiB without a final answer ..."); empty when there is one, and for tls://.
  std::string application_error;
};

// Connects (TCP then TLS) within `timeout` per step. Failures to resolve, connect, or complete
// the handshake are ErrorCode::Unreachable with what happened; an untrusted peer is not an error
// (see result.report.trusted).
[[nodiscard]] Result<ProbeResult> probe(const ProbeTarget& target, const ContextSnapshot& context,
                                        const verify::ReferenceIdentity& expected_name,
                                        std::chrono::milliseconds timeout);

// The JSON form (`telecert probe --json` and POST /api/v1/probe): the verification report's
// fields, with what the connection showed (target, tls_version, cipher, group, peer_chain as the
// subjects sent, stapled_ocsp; for sips:/https: the answer's status, headers, answer_error).
void to_json(nlohmann::json& out, const ProbeResult& result);

}  // namespace telecert::tls
