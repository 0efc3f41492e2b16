#include "server/session_routes.h"

#include <boost/beast/http/field.hpp>

#include "server/api_json.h"
#include "server/web_assets.h"

namespace telecert::server {
namespace {

std::string session_cookie(std::string_view id, bool clear) {
  std::string cookie(kSessionCookie);
  cookie += '=';
  cookie += id;
  cookie += "; Path=/; HttpOnly; Secure; SameSite=Strict";
  if (clear) cookie += "; Max-Age=0";
  return cookie;
}

Error bad_login_body() {
  return Error{ErrorCode::MalformedInput,
               "the login needs a JSON object with username and password",
               "send {\"username\": \"...\", \"password\": \"...\"}"};
}

Response login(RequestContext& context, const SessionRouteDependencies& dependencies) {
  const auto& request = context.request();
  auto& authenticator = *dependencies.authenticator;
  const std::string& source = context.remote_address();
  if (const auto wait = authenticator.login_retry_after(source); wait > 0) {
    dependencies.counters->add("telecert_login_rate_limited_total");
    return error_response(
        request,
        Error{ErrorCode::TooManyRequests, "too many failed logins from this address",
              "wait " + std::to_string(wait) + " seconds, then try again"},
        static_cast<int>(wait));
  }
  // A body that is not a login counts as a failed login: guessing through malformed bodies is
  // rate limited like guessing passwords.
  const auto failed = [&](const Error& error) {
    dependencies.counters->add("telecert_login_failures_total");
    authenticator.record_login_failure(source);
    return error_response(request, error);
  };
  const auto body = api::parse_object(request);
  if (!body || !body->contains("username") || !body->contains("password") ||
      !(*body)["username"].is_string() || !(*body)["password"].is_string()) {
    return failed(bad_login_body());
  }
  const Secret password((*body)["password"].get<std::string>());
  auto principal =
      context.service().authenticate_password((*body)["username"].get<std::string>(), password);
  if (!principal) return failed(principal.error());
  const auto session = authenticator.create_session(*principal);
  auto response = json_response(request, http::status::ok,
                                {{"user", principal->name},
                                 {"role", std::string(service::to_string(principal->role))},
                                 {"csrf_token", session.csrf_token}});
  response.set(http::field::set_cookie, session_cookie(session.id, false));
  return response;
}

Response who_am_i(RequestContext& context, const SessionRouteDependencies& dependencies) {
  const auto& principal = *context.principal();
  nlohmann::json body = {
      {"user", principal.name},
      {"role", std::string(service::to_string(principal.role))},
      {"kind", principal.kind == service::Principal::Kind::User ? "user" : "token"}};
  if (principal.kind == service::Principal::Kind::User) {
    if (const auto id = cookie_value(context.request(), kSessionCookie)) {
      if (const auto session = dependencies.authenticator->find_session(*id)) {
        body["csrf_token"] = session->csrf_token;
      }
    }
  }
  return json_response(context.request(), http::status::ok, body);
}

Response logout(RequestContext& context, const SessionRouteDependencies& dependencies) {
  if (const auto id = cookie_value(context.request(), kSessionCookie)) {
    dependencies.authenticator->end_session(*id);
  }
  auto response = make_response(context.request(), http::status::no_content, "", "text/plain");
  response.set(http::field::set_cookie, session_cookie("", true));
  return response;
}

Response asset(const Request& request, std::string_view path) {
  const Asset* file = find_asset(path);
  if (file == nullptr) {
    return error_response(
        request, Error{ErrorCode::NotFound, "no such page", "open / for the web interface"});
  }
  auto response =
      make_response(request, http::status::ok, std::string(file->body), file->content_type);
  response.set("Content-Security-Policy",
               "default-src 'self'; img-src 'self' data:; style-src 'self'; "
               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
  return response;
}

}  // namespace

void add_session_routes(Router& router, const SessionRouteDependencies& dependencies) {
  router.add(
      Route{http::verb::post, "/api/v1/session", Access::Public, Execution::Blocking,
            [dependencies](RequestContext& context) { return login(context, dependencies); }});
  router.add(
      Route{http::verb::get, "/api/v1/session", Access::AnyRole, Execution::Inline,
            [dependencies](RequestContext& context) { return who_am_i(context, dependencies); }});
  router.add(
      Route{http::verb::delete_, "/api/v1/session", Access::AnyRole, Execution::Inline,
            [dependencies](RequestContext& context) { return logout(context, dependencies); }});
  router.add(Route{http::verb::get, "/api/v1/openapi.json", Access::Public, Execution::Inline,
                   [](RequestContext& context) {
                     return make_response(context.request(), http::status::ok,
                                          std::string(openapi_document()), "application/json");
                   }});
  router.add(Route{http::verb::get, "/", Access::Public, Execution::Inline,
                   [](RequestContext& context) { return asset(context.request(), "index.html"); }});
  router.add(Route{
      http::verb::get, "/ui/{file}", Access::Public, Execution::Inline,
      [](RequestContext& context) { return asset(context.request(), context.parameter("file")); }});
  router.add(Route{http::verb::get, "/ui/{dir}/{file}", Access::Public, Execution::Inline,
                   [](RequestContext& context) {
                     return asset(context.request(),
                                  context.parameter("dir") + "/" + context.parameter("file"));
                   }});
}

}  // namespace telecert::server
