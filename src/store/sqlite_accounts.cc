#include "store/sqlite_accounts.h"

#include <chrono>
#include <string>

namespace telecert::store::sqlite {
namespace {

std::int64_t to_unix_seconds(TimePoint time) { return time.time_since_epoch().count(); }
TimePoint from_unix_seconds(std::int64_t seconds) {
  return TimePoint{std::chrono::seconds{seconds}};
}

UserRecord user_from(const Query& row) {
  return UserRecord{
      .name = row.text(0),
      .role = row.text(1),
      .password_hash = row.text(2),
      .created_at = from_unix_seconds(row.integer(3)),
      .password_changed_at = from_unix_seconds(row.integer(4)),
  };
}

ApiTokenRecord token_from(const Query& row) {
  return ApiTokenRecord{
      .name = row.text(0),
      .role = row.text(1),
      .token_hash = row.text(2),
      .created_at = from_unix_seconds(row.integer(3)),
  };
}

// Every row of `query`, converted by `convert`.
template <class Record>
Result<std::vector<Record>> all_rows(Query& query, Record (*convert)(const Query&)) {
  std::vector<Record> records;
  while (true) {
    auto row = query.step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) break;
    records.push_back(convert(query));
  }
  return records;
}

// The one row of `query`, if any.
template <class Record>
Result<std::optional<Record>> one_row(Query& query, Record (*convert)(const Query&)) {
  auto row = query.step();
  if (!row) return std::unexpected(std::move(row.error()));
  if (!*row) return std::optional<Record>{};
  return std::optional<Record>{convert(query)};
}

std::unexpected<Error> no_user_error(std::string_view name) {
  return fail(ErrorCode::NotFound, "there is no user named \"" + std::string(name) + "\"",
              "list the users to see their names");
}

std::unexpected<Error> no_token_error(std::string_view name) {
  return fail(ErrorCode::NotFound, "there is no API token named \"" + std::string(name) + "\"",
              "list the API tokens to see their names");
}

Result<bool> token_name_taken(const StatementSource& statements, std::string_view name) {
  auto select = statements.read("SELECT 1 FROM api_tokens WHERE name = ?1",
                                "looking up an API token by name");
  if (!select) return std::unexpected(std::move(select.error()));
  select->bind(1, name);
  return select->step();
}

}  // namespace

Result<std::vector<UserRecord>> list_users(const StatementSource& statements) {
  auto select = statements.read(
      "SELECT name, role, password_hash, created_at, password_changed_at FROM users "
      "ORDER BY name",
      "listing users");
  if (!select) return std::unexpected(std::move(select.error()));
  return all_rows(*select, &user_from);
}

Result<std::optional<UserRecord>> find_user(const StatementSource& statements,
                                            std::string_view name) {
  auto select = statements.read(
      "SELECT name, role, password_hash, created_at, password_changed_at FROM users "
      "WHERE name = ?1",
      "reading a user");
  if (!select) return std::unexpected(std::move(select.error()));
  select->bind(1, name);
  return one_row(*select, &user_from);
}

Result<void> insert_user(const StatementSource& statements, const UserRecord& user) {
  auto existing = find_user(statements, user.name);
  if (!existing) return std::unexpected(std::move(existing.error()));
  if (*existing) {
    return fail(ErrorCode::AlreadyExists, "a user named \"" + user.name + "\" already exists",
                "choose another name, or change that user's password");
  }
  auto insert = statements.write(
      "INSERT INTO users (name, role, password_hash, created_at, password_changed_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)",
      "storing a user");
  if (!insert) return std::unexpected(std::move(insert.error()));
  insert->bind(1, user.name)
      .bind(2, user.role)
      .bind(3, user.password_hash)
      .bind(4, to_unix_seconds(user.created_at))
      .bind(5, to_unix_seconds(user.password_changed_at));
  return insert->run();
}

Result<void> update_user(const StatementSource& statements, const UserRecord& user) {
  auto update = statements.write(
      "UPDATE users SET role = ?2, password_hash = ?3, password_changed_at = ?4 WHERE name = ?1",
      "updating a user");
  if (!update) return std::unexpected(std::move(update.error()));
  update->bind(1, user.name)
      .bind(2, user.role)
      .bind(3, user.password_hash)
      .bind(4, to_unix_seconds(user.password_changed_at));
  if (auto updated = update->run(); !updated) return updated;
  if (update->changes() == 0) return no_user_error(user.name);
  return {};
}

Result<void> delete_user(const StatementSource& statements, std::string_view name) {
  auto remove = statements.write("DELETE FROM users WHERE name = ?1", "deleting a user");
  if (!remove) return std::unexpected(std::move(remove.error()));
  remove->bind(1, name);
  if (auto removed = remove->run(); !removed) return removed;
  if (remove->changes() == 0) return no_user_error(name);
  return {};
}

Result<std::vector<ApiTokenRecord>> list_api_tokens(const StatementSource& statements) {
  auto select =
      statements.read("SELECT name, role, token_hash, created_at FROM api_tokens ORDER BY name",
                      "listing API tokens");
  if (!select) return std::unexpected(std::move(select.error()));
  return all_rows(*select, &token_from);
}

Result<std::optional<ApiTokenRecord>> find_api_token_by_hash(const StatementSource& statements,
                                                             std::string_view token_hash) {
  auto select = statements.read(
      "SELECT name, role, token_hash, created_at FROM api_tokens WHERE token_hash = ?1",
      "looking up an API token");
  if (!select) return std::unexpected(std::move(select.error()));
  select->bind(1, token_hash);
  return one_row(*select, &token_from);
}

Result<void> insert_api_token(const StatementSource& statements, const ApiTokenRecord& token) {
  auto taken = token_name_taken(statements, token.name);
  if (!taken) return std::unexpected(std::move(taken.error()));
  if (*taken) {
    return fail(ErrorCode::AlreadyExists,
                "an API token named \"" + token.name + "\" already exists",
                "choose another name, or revoke the existing token first");
  }
  auto insert = statements.write(
      "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
      "storing an API token");
  if (!insert) return std::unexpected(std::move(insert.error()));
  insert->bind(1, token.name)
      .bind(2, token.role)
      .bind(3, token.token_hash)
      .bind(4, to_unix_seconds(token.created_at));
  return insert->run();
}

Result<void> delete_api_token(const StatementSource& statements, std::string_view name) {
  auto remove = statements.write("DELETE FROM api_tokens WHERE name = ?1", "revoking an API token");
  if (!remove) return std::unexpected(std::move(remove.error()));
  remove->bind(1, name);
  if (auto removed = remove->run(); !removed) return removed;
  if (remove->changes() == 0) return no_token_error(name);
  return {};
}

}  // namespace telecert::store::sqlite
