#include "server/api_routes.h"

namespace telecert::server {

// The REST routes helper replaces this with the routes of /work/notes/api-contract.md.
ApiRoutes add_api_routes(Router& /*router*/, const ApiDependencies& /*dependencies*/) {
  return ApiRoutes{[] {}};
}

}  // namespace telecert::server
