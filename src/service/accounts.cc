#include "service/accounts.h"

#include <nlohmann/json.hpp>

#include "service/views.h"

namespace telecert::service {

std::string_view to_string(Role role) { return role == Role::Admin ? "admin" : "monitor"; }

Result<Role> parse_role(std::string_view text) {
  if (text == "admin") return Role::Admin;
  if (text == "monitor") return Role::Monitor;
  return fail(ErrorCode::InvalidArgument, "unknown role '" + std::string(text) + "'",
              "use admin (everything) or monitor (read only)");
}

std::string Principal::actor() const { return (kind == Kind::User ? "web:" : "token:") + name; }

void to_json(nlohmann::json& out, const UserView& view) {
  out = {{"name", view.name},
         {"role", std::string(to_string(view.role))},
         {"created_at", format_time(view.created_at)},
         {"password_changed_at", format_time(view.password_changed_at)}};
}

void to_json(nlohmann::json& out, const ApiTokenView& view) {
  out = {{"name", view.name},
         {"role", std::string(to_string(view.role))},
         {"created_at", format_time(view.created_at)}};
}

}  // namespace telecert::service
