// POST /api/v1/verify (judge an uploaded chain; the answer is the report whatever its verdict)
// and POST /api/v1/probe (connect to a peer; one that cannot be reached is 502).
#include <chrono>

#include "server/api_json.h"
#include "server/api_route_groups.h"
#include "tls/probe.h"
#include "verify/report.h"

namespace telecert::server {
namespace {

using api::json;

// The optional "name" and "context" fields of a verify or probe request (empty: not given).
template <class VerifyOrProbeRequest>
Result<void> read_name_and_context(const json& body, VerifyOrProbeRequest& request) {
  auto name = api::optional_string(body, "name");
  if (!name) return std::unexpected(name.error());
  if (*name && !(*name)->empty()) request.name = **name;
  auto context_name = api::optional_string(body, "context");
  if (!context_name) return std::unexpected(context_name.error());
  if (*context_name && !(*context_name)->empty()) request.context = **context_name;
  return {};
}

Response verify_chain(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  service::VerifyRequest request;
  auto chain = api::required_base64(*body, "chain");
  if (!chain) return api::respond_error(context, chain.error());
  request.chain_file = std::move(*chain);
  auto purpose_text = api::optional_string(*body, "purpose");
  if (!purpose_text) return api::respond_error(context, purpose_text.error());
  auto purpose = verify::parse_purpose(purpose_text->value_or("server"));
  if (!purpose) return api::respond_error(context, purpose.error());
  request.purpose = *purpose;
  if (auto named = read_name_and_context(*body, request); !named) {
    return api::respond_error(context, named.error());
  }
  return api::respond(context, context.service().verify_chain(request));
}

Response probe(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  service::ProbeRequest request;
  auto url = api::required_string(*body, "url");
  if (!url) return api::respond_error(context, url.error());
  request.url = std::move(*url);
  if (auto named = read_name_and_context(*body, request); !named) {
    return api::respond_error(context, named.error());
  }
  auto timeout = api::optional_integer(*body, "timeout_ms");
  if (!timeout) return api::respond_error(context, timeout.error());
  if (*timeout) {
    if (**timeout < 100 || **timeout > 300'000) {
      return api::respond_error(
          context, Error{ErrorCode::InvalidArgument, "timeout_ms must be between 100 and 300000",
                         "give the wait per step (connect, handshake, answer) in milliseconds"});
    }
    request.timeout = std::chrono::milliseconds(**timeout);
  }
  auto result = context.service().probe(request);
  if (!result) return api::respond_error(context, result.error());
  return json_response(context.request(), http::status::ok, json(*result));
}

}  // namespace

void add_verification_routes(Router& router) {
  router.add(Route{http::verb::post, "/api/v1/verify", Access::AnyRole, Execution::Blocking,
                   verify_chain, Body::Upload});
  router.add(Route{http::verb::post, "/api/v1/probe", Access::Admin, Execution::Blocking, probe});
}

}  // namespace telecert::server
