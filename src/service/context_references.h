// Private to service/: what the identity, trust and reset operations must know about TLS contexts
// (implemented in context_operations.cc), so that a context never points at something gone.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/store.h"

namespace telecert::service::detail {

// Names of the contexts that present identity `identity`, by name.
[[nodiscard]] Result<std::vector<std::string>> contexts_using_identity(store::Transaction& tx,
                                                                       std::string_view identity);
// Names of the contexts whose explicit trust list holds the root with SHA-256 `fingerprint`.
[[nodiscard]] Result<std::vector<std::string>> contexts_trusting(store::Transaction& tx,
                                                                 std::string_view fingerprint);
// Factory reset: no bindings, and only the "default" context, with the default definition.
[[nodiscard]] Result<void> reset_contexts(store::Transaction& tx);

// An OCSP responder a context names must answer an OCSP request over HTTP within `timeout`: a
// typo or a responder that is down would otherwise show up only as failed (or, with the default
// response "accept", unchecked) handshakes. Refused with ErrorCode::InvalidArgument naming the
// URL and why.
[[nodiscard]] Result<void> check_responder_answers(const std::string& url,
                                                   std::chrono::milliseconds timeout);
inline constexpr std::chrono::milliseconds kResponderConnectTimeout{3000};

// "a, b, c".
std::string join_names(const std::vector<std::string>& names);

}  // namespace telecert::service::detail
