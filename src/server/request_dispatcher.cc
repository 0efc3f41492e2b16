#include "server/request_dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <cctype>
#include <charconv>
#include <exception>
#include <limits>

#include "server/session_routes.h"

namespace telecert::server {
namespace {

bool is_safe_method(http::verb method) {
  return method == http::verb::get || method == http::verb::head || method == http::verb::options;
}

std::string allow_header(const std::vector<http::verb>& methods) {
  std::string out;
  for (const auto method : methods) {
    if (!out.empty()) out += ", ";
    const auto name = http::to_string(method);
    out.append(name.data(), name.size());
  }
  return out;
}

// The announced (Content-Length) or received size of the body, whichever is larger.
std::uint64_t body_size(const Request& request) {
  std::uint64_t announced = 0;
  const auto field = request.find(http::field::content_length);
  if (field != request.end()) {
    const auto [end, error] = std::from_chars(
        field->value().data(), field->value().data() + field->value().size(), announced);
    if (error != std::errc{}) announced = std::numeric_limits<std::uint64_t>::max();
  }
  return std::max<std::uint64_t>(announced, request.body().size());
}

bool has_body(const Request& request) {
  return body_size(request) > 0 || request.find(http::field::transfer_encoding) != request.end();
}

// RFC 9110 §8.3.1: the media type, case-insensitive, parameters (charset) allowed.
bool is_json(const Request& request) {
  const auto field = request.find(http::field::content_type);
  if (field == request.end()) return false;
  std::string_view value(field->value().data(), field->value().size());
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  if (value.size() != kJson.size()) return false;
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kJson[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> bearer_token(const Request& request) {
  const auto field = request.find(http::field::authorization);
  if (field == request.end()) return std::nullopt;
  std::string_view value(field->value().data(), field->value().size());
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size()) return std::string();
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return std::string();
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return std::string(value);
}

RequestDispatcher::Prepared RequestDispatcher::prepare(const Request& request) const {
  Prepared prepared;
  const std::string_view target(request.target().data(), request.target().size());
  std::vector<http::verb> allowed;
  auto match = router_.match(request.method(), target_path(target), &allowed);
  if (!match) {
    if (!allowed.empty()) {
      auto response = error_response(
          request, Error{ErrorCode::Unsupported, "this method is not allowed on this resource",
                         "use one of: " + allow_header(allowed)});
      response.result(http::status::method_not_allowed);
      response.set(http::field::allow, allow_header(allowed));
      prepared.answer = std::move(response);
    } else {
      prepared.answer =
          error_response(request, Error{ErrorCode::NotFound, "there is no such resource",
                                        "see /api/v1/openapi.json for the routes of the API"});
    }
    prepared.answer = for_method(request, std::move(*prepared.answer));
    return prepared;
  }
  prepared.blocking = match->route->execution == Execution::Blocking;
  if (!prepared.blocking) {
    const auto token = bearer_token(request);
    if (token && !token->empty() && !authenticator_.cached_token(*token)) prepared.blocking = true;
  }
  prepared.match = std::move(match);
  return prepared;
}

RequestDispatcher::Credentials RequestDispatcher::authenticate(const Request& request) const {
  Credentials credentials;
  if (const auto token = bearer_token(request)) {
    if (token->empty()) {
      credentials.error =
          Error{ErrorCode::Unauthenticated, "the Authorization header is not a Bearer token",
                "send Authorization: Bearer tct_..."};
      return credentials;
    }
    if (auto cached = authenticator_.cached_token(*token)) {
      credentials.principal = std::move(cached);
      return credentials;
    }
    auto principal = service_.authenticate_token(Secret(*token));
    if (!principal) {
      credentials.error = principal.error();
      return credentials;
    }
    authenticator_.cache_token(*token, *principal);
    credentials.principal = std::move(*principal);
    return credentials;
  }
  if (const auto id = cookie_value(request, kSessionCookie)) {
    if (auto session = authenticator_.find_session(*id)) {
      credentials.principal = std::move(session->principal);
      credentials.csrf_token = std::move(session->csrf_token);
    }
  }
  return credentials;
}

std::optional<Response> RequestDispatcher::refusal(const Request& request, const Route& route,
                                                   const Credentials& credentials) const {
  if (route.access != Access::Public) {
    if (credentials.error) return error_response(request, *credentials.error);
    if (!credentials.principal) {
      return error_response(request, Error{ErrorCode::Unauthenticated, "you are not logged in",
                                           "log in (POST /api/v1/session) or send an API token in "
                                           "Authorization: Bearer"});
    }
    if (route.access == Access::Admin && credentials.principal->role != service::Role::Admin) {
      return error_response(request, Error{ErrorCode::Forbidden, "this needs the admin role",
                                           "log in as an admin or use an admin token"});
    }
    if (credentials.principal->kind == service::Principal::Kind::User &&
        !is_safe_method(request.method())) {
      const auto given =
          request.find(boost::beast::string_view(kCsrfHeader.data(), kCsrfHeader.size()));
      const std::string_view value =
          given == request.end() ? std::string_view()
                                 : std::string_view(given->value().data(), given->value().size());
      if (!Authenticator::csrf_matches(credentials.csrf_token, value)) {
        return error_response(
            request, Error{ErrorCode::Forbidden, "the CSRF token is missing or wrong",
                           "send the csrf_token of the login answer (or of GET /api/v1/session) "
                           "in the X-CSRF-Token header"});
      }
    }
  }
  if (const auto limit = body_limit(route); body_size(request) > limit) {
    return error_response(request, Error{ErrorCode::LimitExceeded,
                                         "the request body is over the limit of " +
                                             std::to_string(limit) + " bytes for this resource",
                                         route.body == Body::Upload
                                             ? "upload smaller files (see the max_upload_bytes "
                                               "setting)"
                                             : "send a smaller JSON object"});
  }
  if (route.body != Body::None && has_body(request) && !is_json(request)) {
    auto response =
        error_response(request, Error{ErrorCode::Unsupported, "the request body is not JSON",
                                      "send JSON with Content-Type: application/json"});
    response.result(http::status::unsupported_media_type);
    return response;
  }
  return std::nullopt;
}

std::optional<Response> RequestDispatcher::admit(const Request& header,
                                                 const Router::Match& match) const {
  auto refused = refusal(header, *match.route, authenticate(header));
  if (!refused) return std::nullopt;
  return for_method(header, std::move(*refused));
}

bool RequestDispatcher::admission_blocks(const Request& header) const {
  const auto token = bearer_token(header);
  return token && !token->empty() && !authenticator_.cached_token(*token);
}

Response RequestDispatcher::dispatch(const Request& request, const Router::Match& match,
                                     const std::string& remote_address, std::string& actor) const {
  return for_method(request, handle(request, match, remote_address, actor));
}

Response RequestDispatcher::handle(const Request& request, const Router::Match& match,
                                   const std::string& remote_address, std::string& actor) const {
  actor = "-";
  try {
    const Route& route = *match.route;
    auto credentials = authenticate(request);
    if (credentials.principal) actor = credentials.principal->actor();
    if (auto refused = refusal(request, route, credentials)) return std::move(*refused);
    RequestContext context(request, match.parameters, std::move(credentials.principal),
                           remote_address, &service_);
    return route.handler(context);
  } catch (const std::exception& error) {
    spdlog::error("handler failed path={} error=\"{}\"",
                  std::string(target_path({request.target().data(), request.target().size()})),
                  error.what());
  } catch (...) {
    spdlog::error("handler failed path={} error=unknown",
                  std::string(target_path({request.target().data(), request.target().size()})));
  }
  return error_response(request, Error{ErrorCode::Internal, "the server failed on this request",
                                       "try again; if it persists, see the daemon's log"});
}

std::uint64_t RequestDispatcher::body_limit(const Route& route) const {
  return route.body == Body::Upload ? upload_body_limit_.load() : kJsonBodyLimit;
}

}  // namespace telecert::server
