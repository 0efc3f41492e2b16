// What happens to a request once it has been read, short of the network: find the route (404,
// 405 with Allow), authenticate (Authorization: Bearer -> API token; else the telecert_session
// cookie -> session), apply the route's Access (api-contract.md: no credentials 401, monitor on an
// admin route 403, a write made with a session cookie needs the session's X-CSRF-Token, compared
// in constant time, else 403), then the route's body rules (over its Body limit 413; a body not
// sent as application/json 415), call the handler, and turn an exception into a 500 in the error
// shape. A HEAD request runs its GET route and gets the headers only (RFC 9110 §9.3.2). No asio
// here: http_server.cc decides on which thread dispatch() runs.
//
// Threading: prepare() and dispatch() may run on any thread at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "server/authenticator.h"
#include "server/router.h"
#include "service/certificate_service.h"

namespace telecert::server {

class RequestDispatcher {
 public:
  RequestDispatcher(const Router& router, Authenticator& authenticator,
                    service::CertificateService& service)
      : router_(router), authenticator_(authenticator), service_(service) {}

  struct Prepared {
    std::optional<Response> answer;      // set when the request is answered already (404, 405)
    std::optional<Router::Match> match;  // otherwise the route
    bool blocking = false;  // dispatch() must run on the worker pool (the route is Blocking, or
                            // a Bearer token has to be looked up in the store)
  };
  Prepared prepare(const Request& request) const;

  // Authenticates, checks access and runs the handler. `actor` receives who called (the
  // principal's actor, "-" for nobody) for the request log.
  Response dispatch(const Request& request, const Router::Match& match,
                    const std::string& remote_address, std::string& actor) const;

  // What can be decided from the request's header alone, before its body is read: access (401,
  // 403, CSRF) and the route's body rules from Content-Length and Content-Type (413, 415). An
  // answer means: send it and do not read the body; nullopt: read the body, then dispatch().
  // Looks a Bearer token up in the store when it is not cached: run it on the worker pool when
  // admission_blocks().
  std::optional<Response> admit(const Request& header, const Router::Match& match) const;
  bool admission_blocks(const Request& header) const;

  // The largest body `route` takes (router.h Body), for the server to refuse from Content-Length.
  std::uint64_t body_limit(const Route& route) const;
  // The limit of Body::Upload routes (2 * max_upload_bytes + 64 KiB); any thread.
  void set_upload_body_limit(std::uint64_t bytes) { upload_body_limit_ = bytes; }

 private:
  struct Credentials {
    std::optional<service::Principal> principal;
    std::optional<Error> error;  // credentials were sent but are not valid
    std::string csrf_token;      // the session's, when the principal came from a session
  };
  Credentials authenticate(const Request& request) const;
  // Access and body rules; nullopt when the request may go to the handler.
  std::optional<Response> refusal(const Request& request, const Route& route,
                                  const Credentials& credentials) const;
  // dispatch() before the HEAD rule.
  Response handle(const Request& request, const Router::Match& match,
                  const std::string& remote_address, std::string& actor) const;

  const Router& router_;
  Authenticator& authenticator_;
  service::CertificateService& service_;
  std::atomic<std::uint64_t> upload_body_limit_{2 * 5 * 1024 * 1024 + kJsonBodyLimit};
};

// The token of an `Authorization: Bearer <token>` header; nullopt when there is none.
std::optional<std::string> bearer_token(const Request& request);

}  // namespace telecert::server
