// The route groups add_api_routes (api_routes.cc) registers, one per file. Each adds the routes
// of its part of /work/notes/api-contract.md (the OpenAPI document lists them) with their access
// rule and execution; `dependencies` must outlive the router.
#pragma once

#include <memory>

#include "server/api_routes.h"
#include "server/router.h"
#include "server/status_cache.h"

namespace telecert::server {

// GET /api/v1/status and GET /metrics, answered from `cache` (Inline).
void add_status_routes(Router& router, const ApiDependencies& dependencies,
                       const std::shared_ptr<StatusCache>& cache);
// /api/v1/identities...
void add_identity_routes(Router& router);
// /api/v1/trust...
void add_trust_routes(Router& router);
// /api/v1/contexts..., /api/v1/context-fields, /api/v1/services...
void add_context_routes(Router& router);
// /api/v1/settings, /api/v1/events, /api/v1/factory-reset, /api/v1/users..., /api/v1/tokens...
void add_admin_routes(Router& router, const ApiDependencies& dependencies);
// POST /api/v1/verify and POST /api/v1/probe.
void add_verification_routes(Router& router);

}  // namespace telecert::server
