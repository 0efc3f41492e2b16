// What happens to a request once it has been read, short of the network: find the route (404,
// 405 with Allow), authenticate (Authorization: Bearer -> API token; else the telecert_session
// cookie -> session), apply the route's Access (api-contract.md: no credentials 401, monitor on an
// admin route 403, a write made with a session cookie needs the session's X-CSRF-Token, compared
// in constant time, else 403), call the handler, and turn an exception into a 500 in the error
// shape. No asio here: http_server.cc decides on which thread dispatch() runs.
//
// Threading: prepare() and dispatch() may run on any thread at once.
#pragma once

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

 private:
  struct Credentials {
    std::optional<service::Principal> principal;
    std::optional<Error> error;  // credentials were sent but are not valid
    std::string csrf_token;      // the session's, when the principal came from a session
  };
  Credentials authenticate(const Request& request) const;

  const Router& router_;
  Authenticator& authenticator_;
  service::CertificateService& service_;
};

// The token of an `Authorization: Bearer <token>` header; nullopt when there is none.
std::optional<std::string> bearer_token(const Request& request);

}  // namespace telecert::server
