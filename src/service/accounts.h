// Who may use the daemon: users (name, role, scrypt password hash) and API tokens (name, role,
// SHA-256 of the token), and the principal a request acts as. The service creates, checks and
// revokes them (user_operations.cc); the REST layer only asks "who is this?".
//
// Secrets: a password is stored only as its scrypt hash; an API token only as its SHA-256 (it is
// 256 random bits, so a fast hash is enough); the plaintext of either is returned once, when it
// is created, and never again.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/secret.h"
#include "pki/certificate.h"

namespace telecert::service {

// admin: everything. monitor: reads only (status, lists, events, metrics, verify reports).
enum class Role { Admin, Monitor };
std::string_view to_string(Role role);
Result<Role> parse_role(std::string_view text);

// The name of the user created on the first start of the daemon.
inline constexpr std::string_view kFirstAdminName = "admin";
// Passwords users choose must have at least this many characters.
inline constexpr std::size_t kMinPasswordLength = 12;

struct UserView {
  std::string name;
  Role role = Role::Monitor;
  pki::TimePoint created_at{};
  pki::TimePoint password_changed_at{};
};

struct ApiTokenView {
  std::string name;
  Role role = Role::Monitor;
  pki::TimePoint created_at{};
};

// A token just created: its view and the token itself, shown once.
struct NewApiToken {
  ApiTokenView view;
  Secret token;  // "tct_" + 43 base64url characters
};

// A user just created (or the first admin): its view and its password when telecert chose it.
struct NewUser {
  UserView view;
  std::optional<Secret> generated_password;
};

// Who a request acts as.
struct Principal {
  enum class Kind { User, Token };
  Kind kind = Kind::User;
  std::string name;
  Role role = Role::Monitor;

  // The actor recorded in events: "web:<user>" for a user, "token:<name>" for an API token.
  std::string actor() const;
  bool may_write() const { return role == Role::Admin; }
};

void to_json(nlohmann::json& out, const UserView& view);
void to_json(nlohmann::json& out, const ApiTokenView& view);

}  // namespace telecert::service
