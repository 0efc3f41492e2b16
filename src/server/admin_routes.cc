// /api/v1/settings, /api/v1/events, /api/v1/factory-reset, /api/v1/users and /api/v1/tokens.
// Passwords and tokens travel only in request bodies and in the one answer that creates them.
#include <utility>

#include "server/api_json.h"
#include "server/api_route_groups.h"
#include "server/session_routes.h"

namespace telecert::server {
namespace {

using api::json;

Response settings_response(const RequestContext& context, const Result<service::Settings>& result) {
  if (!result) return api::respond_error(context, result.error());
  return json_response(context.request(), http::status::ok, json(*result));
}

// All or nothing: every name and value is checked before the first one is stored.
Response update_settings(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  std::vector<std::pair<std::string, std::string>> changes;
  for (const auto& [name, value] : body->items()) {
    const auto* definition = service::find_setting(name);
    if (definition == nullptr) {
      std::string known;
      for (const auto& one : service::setting_definitions()) {
        known += (known.empty() ? "" : ", ") + std::string(one.name);
      }
      return api::respond_error(context,
                                Error{ErrorCode::InvalidArgument,
                                      "there is no setting '" + name + "'; nothing was changed",
                                      "settings are: " + known});
    }
    auto text = api::value_as_text(value, name, false);
    if (!text) return api::respond_error(context, text.error());
    if (auto parsed = service::parse_setting_value(*definition, *text); !parsed) {
      return api::respond_error(context, parsed.error().with_context(name));
    }
    changes.emplace_back(name, std::move(*text));
  }
  auto& service = context.service();
  Result<service::Settings> settings = service.settings();
  for (const auto& [name, value] : changes) {
    settings = service.set_setting(name, value);
    if (!settings) break;
  }
  return settings_response(context, settings);
}

Response list_events(RequestContext& context) {
  auto page = api::page_of(context);
  if (!page) return api::respond_error(context, page.error());
  auto& service = context.service();
  auto total = service.count_events();
  if (!total) return api::respond_error(context, total.error());
  auto events = service.events(page->limit, page->offset);
  if (!events) return api::respond_error(context, events.error());
  return api::paged_response(context, json(*events), *total, *page);
}

Response factory_reset(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  auto confirm = api::optional_string(*body, "confirm");
  if (!confirm) return api::respond_error(context, confirm.error());
  if (*confirm != "factory-reset") {
    return api::respond_error(context,
                              Error{ErrorCode::InvalidArgument, "factory reset needs confirmation",
                                    "send {\"confirm\": \"factory-reset\"}"});
  }
  auto result = context.service().factory_reset();
  if (!result) return api::respond_error(context, result.error());
  return json_response(context.request(), http::status::ok, json(*result));
}

Result<service::Role> role_of(const json& body) {
  auto text = api::required_string(body, "role");
  if (!text) return std::unexpected(text.error());
  return service::parse_role(*text);
}

// The "name" and "role" fields of a new user or API token.
Result<std::pair<std::string, service::Role>> name_and_role(const json& body) {
  auto name = api::required_string(body, "name");
  if (!name) return std::unexpected(name.error());
  auto role = role_of(body);
  if (!role) return std::unexpected(role.error());
  return std::pair{std::move(*name), *role};
}

Response create_user(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  auto named = name_and_role(*body);
  if (!named) return api::respond_error(context, named.error());
  const auto& [name, role] = *named;
  auto password = api::optional_secret(*body, "password");
  if (!password) return api::respond_error(context, password.error());
  auto created = context.service().create_user(name, role, *password);
  if (!created) return api::respond_error(context, created.error());
  json answer = {{"user", created->view}};
  if (created->generated_password) {
    answer["password"] = std::string(created->generated_password->reveal());
  }
  return json_response(context.request(), http::status::created, answer);
}

// The caller's session id when it is `name` logged in through the web UI; "" otherwise.
std::string own_session_id(const RequestContext& context, const std::string& name) {
  const auto& principal = context.principal();
  if (!principal || principal->kind != service::Principal::Kind::User || principal->name != name) {
    return {};
  }
  return cookie_value(context.request(), kSessionCookie).value_or(std::string());
}

// A wrong current password is a guess: it counts as a failed login from the caller's address.
std::optional<Response> refuse_guess(const RequestContext& context, Authenticator* authenticator,
                                     bool guessed_wrong) {
  if (authenticator == nullptr) return std::nullopt;
  const std::string& source = context.remote_address();
  std::int64_t wait = authenticator->login_retry_after(source);
  if (wait == 0 && guessed_wrong) wait = authenticator->record_login_failure(source);
  if (wait > 0) {
    return error_response(
        context.request(),
        Error{ErrorCode::TooManyRequests, "too many failed logins from this address",
              "wait " + std::to_string(wait) + " seconds, then try again"},
        static_cast<int>(wait));
  }
  return std::nullopt;
}

// An admin sets anyone's password; a monitor only its own, proving the current one. The user's
// other sessions end (the caller's own session stays when it changed its own password).
Response set_password(RequestContext& context, Authenticator* authenticator) {
  const std::string& name = context.parameter("name");
  const auto& principal = context.principal();
  const bool admin = principal && principal->may_write();
  // The role is checked before the body: a monitor learns nothing about another user.
  if (!admin && (!principal || principal->kind != service::Principal::Kind::User ||
                 principal->name != name)) {
    return api::respond_error(
        context, Error{ErrorCode::Forbidden, "a monitor may change only its own password",
                       "ask an admin to change this user's password"});
  }
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  auto password = api::optional_secret(*body, "password");
  if (!password) return api::respond_error(context, password.error());
  if (password->empty()) {
    return api::respond_error(
        context,
        Error{ErrorCode::InvalidArgument, "field 'password' is missing", "give the new password"});
  }
  auto& service = context.service();
  if (!admin) {
    auto current = api::optional_secret(*body, "current_password");
    if (!current) return api::respond_error(context, current.error());
    if (auto limited = refuse_guess(context, authenticator, false)) return std::move(*limited);
    if (current->empty() || !service.authenticate_password(name, *current)) {
      if (auto limited = refuse_guess(context, authenticator, true)) return std::move(*limited);
      return api::respond_error(
          context, Error{ErrorCode::InvalidArgument,
                         "field 'current_password' is missing or not the current password",
                         "give your current password to change it"});
    }
  }
  const std::string own_session = own_session_id(context, name);
  if (authenticator != nullptr && !own_session.empty()) {
    authenticator->hold_session_through_password_change(own_session);
  }
  auto changed = service.set_password(name, *password);
  if (changed && authenticator != nullptr) authenticator->end_sessions_of(name, own_session);
  return api::respond(context, changed);
}

Response create_token(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  auto named = name_and_role(*body);
  if (!named) return api::respond_error(context, named.error());
  const auto& [name, role] = *named;
  auto created = context.service().create_token(name, role);
  if (!created) return api::respond_error(context, created.error());
  json answer = created->view;
  answer["token"] = std::string(created->token.reveal());
  return json_response(context.request(), http::status::created, answer);
}

}  // namespace

void add_admin_routes(Router& router, const ApiDependencies& dependencies) {
  constexpr auto kBlocking = Execution::Blocking;
  router.add(Route{http::verb::get, "/api/v1/settings", Access::AnyRole, kBlocking,
                   [](RequestContext& context) {
                     return settings_response(context, context.service().settings());
                   }});
  router.add(
      Route{http::verb::patch, "/api/v1/settings", Access::Admin, kBlocking, update_settings});
  router.add(Route{http::verb::get, "/api/v1/events", Access::AnyRole, kBlocking, list_events});
  router.add(
      Route{http::verb::post, "/api/v1/factory-reset", Access::Admin, kBlocking, factory_reset});

  router.add(Route{
      http::verb::get, "/api/v1/users", Access::Admin, kBlocking,
      [](RequestContext& context) { return api::paged(context, context.service().list_users()); }});
  router.add(Route{http::verb::post, "/api/v1/users", Access::Admin, kBlocking, create_user});
  router.add(Route{http::verb::put, "/api/v1/users/{name}/password", Access::AnyRole, kBlocking,
                   [authenticator = dependencies.authenticator](RequestContext& context) {
                     return set_password(context, authenticator);
                   }});
  router.add(Route{http::verb::delete_, "/api/v1/users/{name}", Access::Admin, kBlocking,
                   [](RequestContext& context) {
                     return api::respond(context,
                                         context.service().delete_user(context.parameter("name")));
                   }});
  router.add(Route{http::verb::get, "/api/v1/tokens", Access::Admin, kBlocking,
                   [](RequestContext& context) {
                     return api::paged(context, context.service().list_tokens());
                   }});
  router.add(Route{http::verb::post, "/api/v1/tokens", Access::Admin, kBlocking, create_token});
  router.add(Route{http::verb::delete_, "/api/v1/tokens/{name}", Access::Admin, kBlocking,
                   [](RequestContext& context) {
                     return api::respond(context,
                                         context.service().revoke_token(context.parameter("name")));
                   }});
}

}  // namespace telecert::server
