#include "server/request_dispatcher.h"

#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <cctype>
#include <exception>

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

Response RequestDispatcher::dispatch(const Request& request, const Router::Match& match,
                                     const std::string& remote_address, std::string& actor) const {
  actor = "-";
  try {
    const Route& route = *match.route;
    auto credentials = authenticate(request);
    if (credentials.principal) actor = credentials.principal->actor();
    if (route.access != Access::Public) {
      if (credentials.error) return error_response(request, *credentials.error);
      if (!credentials.principal) {
        return error_response(request,
                              Error{ErrorCode::Unauthenticated, "you are not logged in",
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
              request, Error{ErrorCode::Forbidden, "the request lacks the session's CSRF token",
                             "send the csrf_token of the login answer in the X-CSRF-Token header"});
        }
      }
    }
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

}  // namespace telecert::server
