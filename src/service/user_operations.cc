// CertificateService: users of the daemon and API tokens (see service/accounts.h).
//
// Passwords are hashed before the store transaction begins: the store serialises transactions,
// and a 100 ms scrypt inside one would hold every other request up.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>

#include "pki/ossl.h"
#include "service/certificate_service.h"
#include "service/password_hash.h"

namespace telecert::service {
namespace {

constexpr std::string_view kTokenPrefix = "tct_";
constexpr std::size_t kTokenRandomBytes = 32;
constexpr std::size_t kTokenLength = 4 + 43;  // the prefix and 32 bytes in unpadded base64url
constexpr std::size_t kMaxNameLength = 64;
// Longer passwords than this are refused: nobody types them, and scrypt would still hash them.
constexpr std::size_t kMaxPasswordLength = 1024;

// A well-formed hash with the default cost that matches no password anyone types: an unknown user
// name is checked against it, so it costs the same scrypt as a known one.
constexpr std::string_view kDummyPasswordHash =
    "$scrypt$ln=15,r=8,p=1$dGVsZWNlcnQtZHVtbXktc2FsdA$"
    "8J4d1c0m8Xn2kq7ZsV1wYpR3uT6eH9aL0bC5fG2jK4M";

Result<void> check_account_name(std::string_view name, std::string_view what) {
  const bool valid = !name.empty() && name.size() <= kMaxNameLength &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                     });
  if (valid) return {};
  return fail(ErrorCode::InvalidArgument,
              "'" + std::string(name.substr(0, kMaxNameLength)) + "' is not a valid " +
                  std::string(what) + " name",
              "use 1 to 64 letters, digits, dots, underscores or hyphens");
}

Result<void> check_chosen_password(const Secret& password) {
  if (password.reveal().size() < kMinPasswordLength) {
    return fail(ErrorCode::InvalidArgument,
                "the password is too short (at least " + std::to_string(kMinPasswordLength) +
                    " characters)",
                "choose a longer password, or let telecert generate one");
  }
  if (password.reveal().size() > kMaxPasswordLength) {
    return fail(
        ErrorCode::InvalidArgument,
        "the password is too long (at most " + std::to_string(kMaxPasswordLength) + " characters)",
        "choose a shorter password, or let telecert generate one");
  }
  return {};
}

Result<Role> stored_role(std::string_view text, std::string_view owner) {
  auto role = parse_role(text);
  if (role) return role;
  return fail(ErrorCode::Storage,
              std::string(owner) + " has an unknown role \"" + std::string(text) + "\"",
              "the database was written by a newer telecert or is damaged; upgrade telecert or "
              "restore a backup");
}

Result<UserView> view_user(const store::UserRecord& record) {
  auto role = stored_role(record.role, "user \"" + record.name + "\"");
  if (!role) return std::unexpected(role.error());
  return UserView{record.name, *role, record.created_at, record.password_changed_at};
}

Result<ApiTokenView> view_token(const store::ApiTokenRecord& record) {
  auto role = stored_role(record.role, "API token \"" + record.name + "\"");
  if (!role) return std::unexpected(role.error());
  return ApiTokenView{record.name, *role, record.created_at};
}

// The lowercase hex SHA-256 of `token`: what the store keeps and looks tokens up by.
Result<std::string> token_hash(const Secret& token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  const std::string_view text = token.reveal();
  if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "SHA-256 failed"));
  }
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

// "tct_" and 32 random bytes in base64url without padding (RFC 4648 §5).
Result<Secret> new_token() {
  std::array<unsigned char, kTokenRandomBytes> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal,
                                              "no random numbers for a new API token",
                                              "check the system's random number source"));
  }
  std::string text(4 * ((random.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), random.data(),
                                      static_cast<int>(random.size()));
  OPENSSL_cleanse(random.data(), random.size());
  text.resize(static_cast<std::size_t>(written));
  while (!text.empty() && text.back() == '=') text.pop_back();
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  Secret token(std::string(kTokenPrefix) + text);
  OPENSSL_cleanse(text.data(), text.size());
  return token;
}

std::unexpected<Error> wrong_credentials() {
  return fail(ErrorCode::Unauthenticated, "wrong user name or password",
              "check both and try again; an admin can set a new password with `telecert user "
              "passwd NAME` on the device");
}

std::unexpected<Error> invalid_token() {
  return fail(ErrorCode::Unauthenticated, "the API token is not valid (unknown or revoked)",
              "ask an admin for a new token (`telecert token create NAME --role ROLE`)");
}

}  // namespace

namespace {
bool has_admin(const std::vector<store::UserRecord>& users) {
  return std::any_of(users.begin(), users.end(), [](const store::UserRecord& user) {
    return user.role == to_string(Role::Admin);
  });
}
}  // namespace

Result<std::optional<NewUser>> CertificateService::ensure_first_admin() {
  {
    auto tx = store_->begin_read();
    if (!tx) return std::unexpected(tx.error());
    auto users = (*tx)->list_users();
    if (!users) return std::unexpected(users.error());
    if (has_admin(*users)) return std::optional<NewUser>{};
  }
  auto password = generate_password();
  if (!password) return std::unexpected(password.error());
  auto hash = hash_password(*password);
  if (!hash) return std::unexpected(hash.error());

  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  // Another process may have created an admin while this one hashed.
  auto users = (*tx)->list_users();
  if (!users) return std::unexpected(users.error());
  if (has_admin(*users)) return std::optional<NewUser>{};
  for (const auto& user : *users) {
    if (user.name == kFirstAdminName) {
      return fail(ErrorCode::Forbidden,
                  "there is no admin user, and the name '" + user.name +
                      "' is taken by a user of role " + user.role,
                  "create an admin on the device: telecert user add NAME --role admin");
    }
  }
  const auto now = clock_->now();
  const store::UserRecord record{std::string(kFirstAdminName), std::string(to_string(Role::Admin)),
                                 *hash, now, now};
  TELECERT_RETURN_IF_ERROR((*tx)->insert_user(record));
  TELECERT_RETURN_IF_ERROR(log_event(**tx, "user.create", "user:" + record.name));
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return std::optional<NewUser>{
      NewUser{UserView{record.name, Role::Admin, now, now}, std::move(*password)}};
}

Result<std::vector<UserView>> CertificateService::list_users() {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto users = (*tx)->list_users();
  if (!users) return std::unexpected(users.error());
  std::vector<UserView> views;
  for (const auto& user : *users) {
    auto view = view_user(user);
    if (!view) return std::unexpected(view.error());
    views.push_back(std::move(*view));
  }
  return views;
}

Result<NewUser> CertificateService::create_user(std::string_view name, Role role,
                                                const Secret& password) {
  TELECERT_RETURN_IF_ERROR(check_account_name(name, "user"));
  std::optional<Secret> generated;
  if (password.empty()) {
    auto chosen = generate_password();
    if (!chosen) return std::unexpected(chosen.error());
    generated = std::move(*chosen);
  } else {
    TELECERT_RETURN_IF_ERROR(check_chosen_password(password));
  }
  auto hash = hash_password(generated ? *generated : password);
  if (!hash) return std::unexpected(hash.error());

  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  const auto now = clock_->now();
  const store::UserRecord record{std::string(name), std::string(to_string(role)), *hash, now, now};
  TELECERT_RETURN_IF_ERROR((*tx)->insert_user(record));
  TELECERT_RETURN_IF_ERROR(log_event(**tx, "user.create", "user:" + record.name));
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return NewUser{UserView{record.name, role, now, now}, std::move(generated)};
}

Result<void> CertificateService::set_password(std::string_view name, const Secret& password) {
  TELECERT_RETURN_IF_ERROR(check_chosen_password(password));
  auto hash = hash_password(password);
  if (!hash) return std::unexpected(hash.error());

  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  auto user = (*tx)->find_user(name);
  if (!user) return std::unexpected(user.error());
  if (!*user) {
    return fail(ErrorCode::NotFound, "there is no user named \"" + std::string(name) + "\"",
                "`telecert user list` shows the users");
  }
  (*user)->password_hash = std::move(*hash);
  (*user)->password_changed_at = clock_->now();
  TELECERT_RETURN_IF_ERROR((*tx)->update_user(**user));
  TELECERT_RETURN_IF_ERROR(log_event(**tx, "user.password", "user:" + std::string(name)));
  return commit(**tx);
}

Result<void> CertificateService::delete_user(std::string_view name) {
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  auto users = (*tx)->list_users();
  if (!users) return std::unexpected(users.error());
  const auto user =
      std::find_if(users->begin(), users->end(),
                   [&](const store::UserRecord& record) { return record.name == name; });
  if (user == users->end()) {
    return fail(ErrorCode::NotFound, "there is no user named \"" + std::string(name) + "\"",
                "`telecert user list` shows the users");
  }
  const auto admins = std::count_if(users->begin(), users->end(), [](const store::UserRecord& r) {
    return r.role == to_string(Role::Admin);
  });
  if (user->role == to_string(Role::Admin) && admins <= 1) {
    return fail(ErrorCode::Forbidden,
                "user \"" + std::string(name) + "\" is the last admin and cannot be deleted",
                "create another admin first, or set a new password with `telecert user passwd " +
                    std::string(name) + "`");
  }
  TELECERT_RETURN_IF_ERROR((*tx)->delete_user(name));
  TELECERT_RETURN_IF_ERROR(log_event(**tx, "user.delete", "user:" + std::string(name)));
  return commit(**tx);
}

Result<Principal> CertificateService::authenticate_password(std::string_view name,
                                                            const Secret& password) {
  std::optional<store::UserRecord> user;
  {
    auto tx = store_->begin_read();
    if (!tx) return std::unexpected(tx.error());
    auto found = (*tx)->find_user(name);
    if (!found) return std::unexpected(found.error());
    user = std::move(*found);
  }
  // The same scrypt runs whether or not the user exists (the transaction is closed by now).
  const bool matches = verify_password(password, user ? user->password_hash : kDummyPasswordHash);
  if (!user || !matches) return wrong_credentials();
  auto role = stored_role(user->role, "user \"" + user->name + "\"");
  if (!role) return std::unexpected(role.error());
  return Principal{Principal::Kind::User, user->name, *role};
}

Result<std::vector<ApiTokenView>> CertificateService::list_tokens() {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto tokens = (*tx)->list_api_tokens();
  if (!tokens) return std::unexpected(tokens.error());
  std::vector<ApiTokenView> views;
  for (const auto& token : *tokens) {
    auto view = view_token(token);
    if (!view) return std::unexpected(view.error());
    views.push_back(std::move(*view));
  }
  return views;
}

Result<NewApiToken> CertificateService::create_token(std::string_view name, Role role) {
  TELECERT_RETURN_IF_ERROR(check_account_name(name, "API token"));
  auto token = new_token();
  if (!token) return std::unexpected(token.error());
  auto hash = token_hash(*token);
  if (!hash) return std::unexpected(hash.error());

  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  const auto now = clock_->now();
  const store::ApiTokenRecord record{std::string(name), std::string(to_string(role)), *hash, now};
  TELECERT_RETURN_IF_ERROR((*tx)->insert_api_token(record));
  TELECERT_RETURN_IF_ERROR(log_event(**tx, "token.create", "token:" + record.name));
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return NewApiToken{ApiTokenView{record.name, role, now}, std::move(*token)};
}

Result<void> CertificateService::revoke_token(std::string_view name) {
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  TELECERT_RETURN_IF_ERROR((*tx)->delete_api_token(name));
  TELECERT_RETURN_IF_ERROR(log_event(**tx, "token.revoke", "token:" + std::string(name)));
  return commit(**tx);
}

Result<Principal> CertificateService::authenticate_token(const Secret& token) {
  const std::string_view text = token.reveal();
  if (text.size() != kTokenLength || !text.starts_with(kTokenPrefix)) return invalid_token();
  auto hash = token_hash(token);
  if (!hash) return std::unexpected(hash.error());
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto found = (*tx)->find_api_token_by_hash(*hash);
  if (!found) return std::unexpected(found.error());
  if (!*found) return invalid_token();
  auto role = stored_role((*found)->role, "API token \"" + (*found)->name + "\"");
  if (!role) return std::unexpected(role.error());
  return Principal{Principal::Kind::Token, (*found)->name, *role};
}

}  // namespace telecert::service
