// The HTTP messages the daemon reads and writes (Boost.Beast string bodies), and the one way each
// kind of answer is built: JSON, the error shape, plain bytes. Every answer carries the security
// headers (no caching of API answers, no sniffing, no framing).
//
// The error shape of the REST API (the contract): {"error": {"code", "message", "hint"}}, with the
// HTTP status derived from the code by http_status() (common/error.cc).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/error.h"

namespace telecert::server {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// A response to `request` (same HTTP version and keep-alive) with `body` of `content_type`.
Response make_response(const Request& request, http::status status, std::string body,
                       std::string_view content_type);
// Strings that are not valid UTF-8 are written with U+FFFD in place of the bad bytes (never
// throws).
Response json_response(const Request& request, http::status status, const nlohmann::json& body);
// {"error": {"code": to_string(error.code), "message", "hint"}} with http_status(error.code);
// 401 answers also carry `WWW-Authenticate: Bearer realm="telecert"`, 429 answers `Retry-After`
// when `retry_after_seconds` is set.
Response error_response(const Request& request, const Error& error, int retry_after_seconds = 0);

// `response` as the answer to `request`: for HEAD the headers only, Content-Length still that of
// the body a GET would get (RFC 9110 §9.3.2); otherwise unchanged.
Response for_method(const Request& request, Response response);

// The query parameter `key` of a request target ("/x?limit=5&offset=10"), percent-decoded;
// nullopt when absent.
std::optional<std::string> query_parameter(std::string_view target, std::string_view key);
// The path of a request target, without the query.
std::string_view target_path(std::string_view target);
// The value of cookie `name` in the request's Cookie headers; nullopt when absent.
std::optional<std::string> cookie_value(const Request& request, std::string_view name);

}  // namespace telecert::server
