// The route table of the daemon: method + path pattern -> handler, with who may call it and where
// it runs. The HTTP server (http_server.cc) authenticates, checks the access rule and the CSRF
// token, then calls the handler; handlers only do their operation. The table is also what the
// OpenAPI document is checked against (every route must be documented).
//
// Path patterns are literal segments and `{name}` parameters, one segment each:
// "/api/v1/identities/{name}/csr".
//
// Threading: build the table before the server starts; afterwards it is read-only and shared by
// every io and worker thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_message.h"
#include "service/accounts.h"
#include "service/certificate_service.h"

namespace telecert::server {

// Who may call a route. Requests that change something (every method but GET and HEAD) made with
// a session cookie also need the session's CSRF token in X-CSRF-Token; with a Bearer token not.
enum class Access {
  Public,   // no credentials needed (log in, the web UI's files)
  AnyRole,  // any authenticated principal (admin or monitor)
  Admin,    // the admin role
};

// Where the handler runs. Inline handlers run on the io thread and must not block (cached
// answers, embedded files); Blocking handlers (the store, scrypt, network peers) run on the
// worker pool.
enum class Execution { Inline, Blocking };

// How large a request body the route takes; the limit is applied from Content-Length before the
// body is read (413 otherwise). Json and Upload bodies must come with Content-Type:
// application/json (415 otherwise), which also keeps HTML forms (text/plain, urlencoded) out:
// no cross-site login or write without a CORS preflight.
enum class Body {
  None,    // GET, DELETE: no body expected; kJsonBodyLimit tolerated
  Json,    // a small JSON object: kJsonBodyLimit
  Upload,  // a JSON object carrying base64 files: 2 * max_upload_bytes + kJsonBodyLimit
};
inline constexpr std::uint64_t kJsonBodyLimit = 64 * 1024;
// The body limit of `body` given the max_upload_bytes setting.
std::uint64_t body_limit(Body body, std::uint64_t max_upload_bytes);

// What a handler gets: the request, the path parameters, who is calling, from where.
class RequestContext {
 public:
  RequestContext(const Request& request, std::map<std::string, std::string> path_parameters,
                 std::optional<service::Principal> principal, std::string remote_address,
                 const service::CertificateService* base_service)
      : request_(request),
        path_parameters_(std::move(path_parameters)),
        principal_(std::move(principal)),
        remote_address_(std::move(remote_address)),
        base_service_(base_service) {}

  const Request& request() const { return request_; }
  // The path parameter `{name}` (percent-decoded); "" when the pattern has none of that name.
  const std::string& parameter(const std::string& name) const;
  std::optional<std::string> query(std::string_view key) const;
  // Set on every route but Public ones (where it is set only if credentials came along).
  const std::optional<service::Principal>& principal() const { return principal_; }
  // The peer's IP address, for rate limiting and logs.
  const std::string& remote_address() const { return remote_address_; }
  // The service acting as this request's principal (events name it as the actor); made on
  // first use. Only for Blocking handlers.
  service::CertificateService& service();

 private:
  const Request& request_;
  std::map<std::string, std::string> path_parameters_;
  std::optional<service::Principal> principal_;
  std::string remote_address_;
  const service::CertificateService* base_service_;
  std::unique_ptr<service::CertificateService> acting_service_;
};

using Handler = std::function<Response(RequestContext&)>;

struct Route {
  http::verb method = http::verb::get;
  std::string pattern;  // "/api/v1/identities/{name}"
  Access access = Access::Admin;
  Execution execution = Execution::Blocking;
  Handler handler;
  Body body = Body::Json;  // set Upload on routes that carry files
};

class Router {
 public:
  void add(Route route);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> parameters;
  };
  // The route for `method` and `path` (no query); nullopt when none matches. When the path
  // matches routes of other methods only, `allowed` lists them (for 405 and its Allow header).
  // HEAD matches the GET route (RFC 9110 §9.3.2). A path parameter that is not valid UTF-8 after
  // percent-decoding matches nothing (404): names are UTF-8 everywhere else.
  std::optional<Match> match(http::verb method, std::string_view path,
                             std::vector<http::verb>* allowed = nullptr) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace telecert::server
