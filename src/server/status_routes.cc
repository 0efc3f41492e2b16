// GET /api/v1/status and GET /metrics: cached (StatusCache), so both run Inline.
#include "server/api_json.h"
#include "server/api_route_groups.h"

namespace telecert::server {

void add_status_routes(Router& router, const ApiDependencies& dependencies,
                       const std::shared_ptr<StatusCache>& cache) {
  router.add(Route{http::verb::get, "/api/v1/status", Access::AnyRole, Execution::Inline,
                   [cache](RequestContext& context) {
                     const auto snapshot = cache->current();
                     if (!snapshot->status_json) {
                       return api::respond_error(context, snapshot->status_json.error());
                     }
                     return make_response(context.request(), http::status::ok,
                                          *snapshot->status_json, "application/json");
                   }});
  const Counters* counters = dependencies.counters;
  router.add(Route{http::verb::get, "/metrics", Access::AnyRole, Execution::Inline,
                   [cache, counters](RequestContext& context) {
                     const auto snapshot = cache->current();
                     if (!snapshot->metrics_text) {
                       return api::respond_error(context, snapshot->metrics_text.error());
                     }
                     std::string text = *snapshot->metrics_text;
                     if (counters != nullptr) text += counters->prometheus_text();
                     return make_response(context.request(), http::status::ok, std::move(text),
                                          "text/plain; version=0.0.4");
                   }});
}

}  // namespace telecert::server
