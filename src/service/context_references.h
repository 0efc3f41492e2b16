// Private to service/: what the identity, trust and reset operations must know about TLS contexts
// (implemented in context_operations.cc), so that a context never points at something gone.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/store.h"
#include "tls/context_snapshot.h"

namespace telecert::service::detail {

// Names of the contexts that present identity `identity`, by name.
[[nodiscard]] Result<std::vector<std::string>> contexts_using_identity(store::Transaction& tx,
                                                                       std::string_view identity);
// Names of the contexts whose explicit trust list holds the root with SHA-256 `fingerprint`.
[[nodiscard]] Result<std::vector<std::string>> contexts_trusting(store::Transaction& tx,
                                                                 std::string_view fingerprint);
// Names of the contexts that verify peers (chain or chain+name) while their trust scope resolves
// to no enabled root: no peer could ever be trusted. Explicit lists are left to contexts_trusting.
[[nodiscard]] Result<std::vector<std::string>> contexts_without_roots(store::Transaction& tx);
// Every context that presents identity `identity` must still build (tls::ContextSnapshot::build)
// from what `tx` holds now; refused with the first one that does not, naming it.
[[nodiscard]] Result<void> check_contexts_using_identity_build(
    store::Transaction& tx, std::string_view identity,
    const tls::ContextSnapshot::Dependencies& dependencies);

struct ContextResetCounts {
  std::int64_t contexts_removed = 0;
  std::int64_t services_unbound = 0;
};
// Factory reset: no bindings, and only the "default" context, with the default definition.
[[nodiscard]] Result<ContextResetCounts> reset_contexts(store::Transaction& tx);

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
