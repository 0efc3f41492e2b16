#include "server/http_message.h"

#include <boost/beast/http/field.hpp>
#include <cctype>

namespace telecert::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding of one query component ('+' is a space).
std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

Response make_response(const Request& request, http::status status, std::string body,
                       std::string_view content_type) {
  Response response{status, request.version()};
  response.set(http::field::server, "telecertd");
  response.set(http::field::content_type,
               boost::beast::string_view(content_type.data(), content_type.size()));
  response.set(http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set(http::field::strict_transport_security, "max-age=31536000");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(const Request& request, http::status status, const nlohmann::json& body) {
  return make_response(request, status,
                       body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
}

Response for_method(const Request& request, Response response) {
  if (request.method() != http::verb::head) return response;
  const auto length = response.body().size();
  response.body().clear();
  if (response.result() != http::status::no_content) response.content_length(length);
  return response;
}

Response error_response(const Request& request, const Error& error, int retry_after_seconds) {
  const nlohmann::json body = {{"error",
                                {{"code", std::string(to_string(error.code))},
                                 {"message", error.message},
                                 {"hint", error.hint}}}};
  auto response = json_response(request, static_cast<http::status>(http_status(error.code)), body);
  if (error.code == ErrorCode::Unauthenticated) {
    response.set(http::field::www_authenticate, "Bearer realm=\"telecert\"");
  }
  if (error.code == ErrorCode::TooManyRequests && retry_after_seconds > 0) {
    response.set(http::field::retry_after, std::to_string(retry_after_seconds));
  }
  return response;
}

std::string_view target_path(std::string_view target) { return target.substr(0, target.find('?')); }

std::optional<std::string> query_parameter(std::string_view target, std::string_view key) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto equals = pair.find('=');
    const std::string_view name = pair.substr(0, equals);
    if (percent_decode(name) == key) {
      return equals == std::string_view::npos ? std::string()
                                              : percent_decode(pair.substr(equals + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string> cookie_value(const Request& request, std::string_view name) {
  const auto [first, last] = request.equal_range(http::field::cookie);
  for (auto field = first; field != last; ++field) {
    std::string_view cookies(field->value().data(), field->value().size());
    while (!cookies.empty()) {
      const auto semicolon = cookies.find(';');
      std::string_view pair = cookies.substr(0, semicolon);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
        return std::string(pair.substr(equals + 1));
      }
      if (semicolon == std::string_view::npos) break;
      cookies.remove_prefix(semicolon + 1);
    }
  }
  return std::nullopt;
}

}  // namespace telecert::server
