// /api/v1/contexts (TLS contexts), /api/v1/context-fields (what the edit form is built from) and
// /api/v1/services (service bindings).
#include "server/api_json.h"
#include "server/api_route_groups.h"
#include "tls/context_fields.h"

namespace telecert::server {
namespace {

using api::json;

// {"fields": {"min-tls": "1.2", "ocsp": true, "ocsp-url": ["http://..."], ...}} as the service's
// (field, value) pairs. The read-only members of a context's JSON ("name", "identity_in_use",
// "services") are skipped, so a context as GET shows it can be sent back; "trust-list" (how GET
// shows an explicit list) becomes the "trust" field when trust is "list" or absent.
Result<service::ContextFields> parse_fields(const json& body, bool required) {
  const auto fields = body.find("fields");
  if (fields == body.end() || fields->is_null()) {
    if (!required) return service::ContextFields{};
    return fail(ErrorCode::InvalidArgument, "field 'fields' is missing",
                "give {\"fields\": {\"min-tls\": \"1.2\", ...}}; GET /api/v1/context-fields "
                "lists the fields");
  }
  if (!fields->is_object()) {
    return fail(ErrorCode::InvalidArgument, "field 'fields' must be an object",
                "give {\"fields\": {\"min-tls\": \"1.2\", ...}}");
  }
  service::ContextFields out;
  for (const auto& [name, value] : fields->items()) {
    if (name == "name" || name == "identity_in_use" || name == "services" || name == "trust-list") {
      continue;
    }
    if (name == "trust" && value == "list") continue;  // taken from trust-list below
    auto text = api::value_as_text(value, name);
    if (!text) return std::unexpected(text.error());
    out.emplace_back(name, std::move(*text));
  }
  const auto list = fields->find("trust-list");
  const auto trust = fields->find("trust");
  if (list != fields->end() && (trust == fields->end() || *trust == "list")) {
    auto text = api::value_as_text(*list, "trust-list");
    if (!text) return std::unexpected(text.error());
    if (!text->empty() || (trust != fields->end())) out.emplace_back("trust", std::move(*text));
  }
  return out;
}

Response create_context(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  auto name = api::required_string(*body, "name");
  if (!name) return api::respond_error(context, name.error());
  auto fields = parse_fields(*body, false);
  if (!fields) return api::respond_error(context, fields.error());
  return api::respond(context, context.service().create_context(*name, *fields),
                      http::status::created);
}

Response update_context(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  auto fields = parse_fields(*body, true);
  if (!fields) return api::respond_error(context, fields.error());
  return api::respond(context, context.service().set_context(context.parameter("name"), *fields));
}

Response bind_service(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  auto target = api::required_string(*body, "context");
  if (!target) return api::respond_error(context, target.error());
  return api::respond(context,
                      context.service().bind_service(context.parameter("service"), *target));
}

}  // namespace

void add_context_routes(Router& router) {
  constexpr auto kBlocking = Execution::Blocking;
  router.add(Route{http::verb::get, "/api/v1/contexts", Access::AnyRole, kBlocking,
                   [](RequestContext& context) {
                     return api::paged(context, context.service().list_contexts());
                   }});
  router.add(Route{http::verb::get, "/api/v1/contexts/{name}", Access::AnyRole, kBlocking,
                   [](RequestContext& context) {
                     return api::respond(context,
                                         context.service().show_context(context.parameter("name")));
                   }});
  router.add(Route{http::verb::post, "/api/v1/contexts", Access::Admin, kBlocking, create_context});
  router.add(Route{http::verb::patch, "/api/v1/contexts/{name}", Access::Admin, kBlocking,
                   update_context});
  router.add(Route{http::verb::delete_, "/api/v1/contexts/{name}", Access::Admin, kBlocking,
                   [](RequestContext& context) {
                     return api::respond(
                         context, context.service().delete_context(context.parameter("name")));
                   }});
  // A constant table: answered inline.
  router.add(Route{http::verb::get, "/api/v1/context-fields", Access::AnyRole, Execution::Inline,
                   [](RequestContext& context) {
                     static const json fields = tls::context_fields_json();
                     return json_response(context.request(), http::status::ok, fields);
                   }});
  router.add(Route{http::verb::get, "/api/v1/services", Access::AnyRole, kBlocking,
                   [](RequestContext& context) {
                     return api::paged(context, context.service().list_services());
                   }});
  router.add(
      Route{http::verb::put, "/api/v1/services/{service}", Access::Admin, kBlocking, bind_service});
}

}  // namespace telecert::server
