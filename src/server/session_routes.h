// The routes the HTTP core serves itself (api-contract.md, "Session and auth"):
//   POST   /api/v1/session       (public)  log in: {"username","password"} -> 200
//          {"user","role","csrf_token"} + the session cookie; wrong -> 401; a source over the
//          login rate limit -> 429 with Retry-After (counted: telecert_login_failures_total,
//          telecert_login_rate_limited_total)
//   GET    /api/v1/session       (any role) who is calling: {"user","role","kind","csrf_token"?}
//   DELETE /api/v1/session       (any role, CSRF) log out: 204, cookie cleared
//   GET    /api/v1/openapi.json  (public) the OpenAPI 3 document
//   GET    /, /ui/{file}, /ui/{dir}/{file} (public) the embedded web UI
#pragma once

#include <string_view>

#include "server/authenticator.h"
#include "server/counters.h"
#include "server/router.h"

namespace telecert::server {

// The session cookie's name; the cookie is `HttpOnly; Secure; SameSite=Strict; Path=/`.
inline constexpr std::string_view kSessionCookie = "telecert_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

struct SessionRouteDependencies {
  Authenticator* authenticator = nullptr;
  Counters* counters = nullptr;
};

// Registers the routes above on `router`; `dependencies` must outlive it.
void add_session_routes(Router& router, const SessionRouteDependencies& dependencies);

}  // namespace telecert::server
