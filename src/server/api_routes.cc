#include "server/api_routes.h"

#include <memory>

#include "server/api_route_groups.h"
#include "server/status_cache.h"

namespace telecert::server {

ApiRoutes add_api_routes(Router& router, const ApiDependencies& dependencies) {
  auto cache = std::make_shared<StatusCache>(*dependencies.service);
  add_status_routes(router, dependencies, cache);
  add_identity_routes(router);
  add_trust_routes(router);
  add_context_routes(router);
  add_admin_routes(router, dependencies);
  add_verification_routes(router);
  return ApiRoutes{[cache] { cache->invalidate(); }};
}

}  // namespace telecert::server
