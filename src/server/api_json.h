// What every REST handler shares: reading the JSON body and its fields (a body that is not JSON,
// not an object, lacks a field or holds a field of the wrong type is ErrorCode::InvalidArgument,
// HTTP 422, naming the field), base64 uploads (RFC 4648 §4, decoded by OpenSSL), the answer for
// a Result, attachments, and list pagination (?limit&offset, X-Total-Count, Link rel="next" per
// RFC 8288).
//
// Messages never quote the value of a field: a field may be a passphrase or a key.
//
// Threading: free functions without shared state.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/secret.h"
#include "server/router.h"

namespace telecert::server::api {

using nlohmann::json;

// The request body as a JSON object. Nesting deeper than kMaxJsonDepth is refused (422) before
// it is built.
inline constexpr int kMaxJsonDepth = 64;
[[nodiscard]] Result<json> parse_object(const Request& request);
[[nodiscard]] Result<json> parse_object(std::string_view text);

// Field readers. `required_*` refuse a missing field; `optional_*` give nullopt (or the default)
// for a missing or null one. Either refuses a field of another type.
[[nodiscard]] Result<std::string> required_string(const json& body, std::string_view field);
[[nodiscard]] Result<std::optional<std::string>> optional_string(const json& body,
                                                                 std::string_view field);
[[nodiscard]] Result<bool> optional_bool(const json& body, std::string_view field,
                                         bool default_value);
[[nodiscard]] Result<std::optional<std::int64_t>> optional_integer(const json& body,
                                                                   std::string_view field);
// A passphrase or password field: empty Secret when absent.
[[nodiscard]] Result<Secret> optional_secret(const json& body, std::string_view field);
// A JSON scalar as the text the service's parsers take: strings as they are, numbers in decimal,
// booleans as "on"/"off" (`boolean_words` false: "true"/"false"), arrays of strings joined with
// commas. Objects and null are refused.
[[nodiscard]] Result<std::string> value_as_text(const json& value, std::string_view field,
                                                bool boolean_words = true);

// Base64 (RFC 4648 §4; line breaks are allowed) decoded; ErrorCode::InvalidArgument naming
// `field` for anything else.
[[nodiscard]] Result<Bytes> decode_base64(std::string_view text, std::string_view field);
[[nodiscard]] Result<Bytes> required_base64(const json& body, std::string_view field);
[[nodiscard]] Result<std::optional<Bytes>> optional_base64(const json& body,
                                                           std::string_view field);

// The value's JSON (its to_json) with `status`, or the error shape.
template <class T>
Response respond(const RequestContext& context, const Result<T>& result,
                 http::status status = http::status::ok) {
  if (!result) return error_response(context.request(), result.error());
  return json_response(context.request(), status, json(*result));
}
// 204 No Content, or the error shape.
Response respond(const RequestContext& context, const Result<void>& result);
Response respond_error(const RequestContext& context, const Error& error);

// `bytes` as a download: `content_type`, Content-Disposition attachment with `filename`.
Response attachment(const RequestContext& context, std::string body, std::string_view content_type,
                    std::string_view filename);

// ?limit=N&offset=M: limit 1..kMaxPageLimit (default kDefaultPageLimit), offset >= 0.
inline constexpr std::int64_t kDefaultPageLimit = 500;
inline constexpr std::int64_t kMaxPageLimit = 1000;
struct Page {
  std::int64_t limit = kDefaultPageLimit;
  std::int64_t offset = 0;
};
[[nodiscard]] Result<Page> page_of(const RequestContext& context);

// The JSON array `items` (one page already) with X-Total-Count `total` and, when more follow,
// Link: <path?limit=N&offset=M>; rel="next" (other query parameters of the request are kept).
Response paged_response(const RequestContext& context, const json& items, std::int64_t total,
                        const Page& page);

// One page of `all` as paged_response.
template <class T>
Response paged(const RequestContext& context, const Result<std::vector<T>>& all) {
  if (!all) return error_response(context.request(), all.error());
  auto page = page_of(context);
  if (!page) return error_response(context.request(), page.error());
  json items = json::array();
  const auto total = static_cast<std::int64_t>(all->size());
  // Without offset + limit: both may be near INT64_MAX.
  for (std::int64_t i = page->offset; i < total && i - page->offset < page->limit; ++i) {
    items.push_back(json((*all)[static_cast<std::size_t>(i)]));
  }
  return paged_response(context, items, total, *page);
}

}  // namespace telecert::server::api
