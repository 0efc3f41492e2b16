// Plain HTTP(S) fetches for revocation data: OCSP requests (RFC 6960 appendix A.1, POST of
// application/ocsp-request) and CRLs at distribution points (RFC 5280 §4.2.1.13), over libcurl.
//
// Only http:// and https:// URLs are followed; at most 3 redirects; the whole transfer is
// bounded by `timeout`; a body larger than `max_bytes` is refused while it is being received
// (the transfer is aborted, not buffered first). Every failure — unreachable host, timeout,
// non-2xx status, oversized body, unsupported scheme — is ErrorCode::Unreachable with the URL
// and the reason. Bodies are never logged.
//
// Threading: safe to call from any thread; libcurl's global state is initialised once.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace telecert::verify {

[[nodiscard]] Result<Bytes> http_get(const std::string& url, std::chrono::milliseconds timeout,
                                     std::size_t max_bytes);

[[nodiscard]] Result<Bytes> http_post(const std::string& url, std::string_view content_type,
                                      ByteView body, std::chrono::milliseconds timeout,
                                      std::size_t max_bytes);

}  // namespace telecert::verify
