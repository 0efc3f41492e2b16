// The REST API v1 routes (everything under /api/v1 but the session routes) and /metrics; see
// /api/v1/openapi.json for the contract. Handlers translate JSON <-> service calls and nothing
// else: every rule lives in service::CertificateService.
#pragma once

#include <functional>

#include "server/authenticator.h"
#include "server/counters.h"
#include "server/router.h"
#include "service/certificate_service.h"

namespace telecert::server {

struct ApiDependencies {
  // The daemon's service; requests act through RequestContext::service() (their own actor). The
  // cached status and metrics read through it directly.
  const service::CertificateService* service = nullptr;
  // The server's counters, appended to /metrics.
  const Counters* counters = nullptr;
  // Sessions and the login rate limit: a password change ends the user's other sessions, and a
  // wrong current password counts as a failed login. Null in tests that do not need it.
  Authenticator* authenticator = nullptr;
};

// What the routes hand back to the daemon.
struct ApiRoutes {
  // Call after every committed change (the daemon hooks it to the service's change listener):
  // cached answers (status, the certificate part of /metrics) are rebuilt on the next request.
  // Without a call they are rebuilt once they are a second old, so changes made by the CLI in
  // another process, and expiry crossing a day, show within a second.
  std::function<void()> on_change;
};

// Registers every API route on `router`. `dependencies` must outlive the router.
ApiRoutes add_api_routes(Router& router, const ApiDependencies& dependencies);

}  // namespace telecert::server
