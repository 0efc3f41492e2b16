// /api/v1/trust: the trusted roots (list with a source filter, add, remove, export as one PEM
// bundle).
#include <charconv>

#include "server/api_json.h"
#include "server/api_route_groups.h"

namespace telecert::server {
namespace {

Result<service::TrustFilter> filter_of(const RequestContext& context) {
  return service::parse_trust_filter(context.query("filter").value_or("all"));
}

Response list_trust(RequestContext& context) {
  auto filter = filter_of(context);
  if (!filter) return api::respond_error(context, filter.error());
  auto anchors = context.service().list_trust();
  if (anchors && *filter != service::TrustFilter::All) {
    const std::string_view keep = *filter == service::TrustFilter::Builtin ? "builtin" : "custom";
    std::erase_if(*anchors, [keep](const auto& anchor) { return anchor.source != keep; });
  }
  return api::paged(context, anchors);
}

Response add_trust(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  auto file = api::required_base64(*body, "file");
  if (!file) return api::respond_error(context, file.error());
  return api::respond(context, context.service().add_trust(*file), http::status::created);
}

Response remove_trust(RequestContext& context) {
  const std::string& text = context.parameter("id");
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return api::respond_error(context,
                              Error{ErrorCode::NotFound, "there is no trusted root '" + text + "'",
                                    "use the id GET /api/v1/trust lists"});
  }
  return api::respond(context, context.service().remove_trust(id));
}

Response export_trust(RequestContext& context) {
  auto filter = filter_of(context);
  if (!filter) return api::respond_error(context, filter.error());
  auto pem = context.service().export_trust(*filter);
  if (!pem) return api::respond_error(context, pem.error());
  return api::attachment(context, std::move(*pem), "application/x-pem-file", "trusted-roots.pem");
}

}  // namespace

void add_trust_routes(Router& router) {
  constexpr auto kBlocking = Execution::Blocking;
  router.add(Route{http::verb::get, "/api/v1/trust", Access::AnyRole, kBlocking, list_trust});
  router.add(
      Route{http::verb::post, "/api/v1/trust", Access::Admin, kBlocking, add_trust, Body::Upload});
  // Registered before /api/v1/trust/{id} so "export" is never taken for an id.
  router.add(
      Route{http::verb::get, "/api/v1/trust/export", Access::AnyRole, kBlocking, export_trust});
  router.add(
      Route{http::verb::delete_, "/api/v1/trust/{id}", Access::Admin, kBlocking, remove_trust});
}

}  // namespace telecert::server
