// The users and API tokens of the SQLite store (schema v3), private to store/: the SQL behind the
// account methods of store::Transaction, kept apart from sqlite_store.cc. SqliteTransaction
// forwards to these functions and hands them its statements.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/records.h"
#include "store/sqlite_handle.h"

namespace telecert::store::sqlite {

// Where the functions below get their statements: the open transaction, which checks that it is
// still open (and, for `write`, writable) and caches the prepared statement. `sql` is always a
// string literal.
struct StatementSource {
  std::function<Result<Query>(std::string_view sql, std::string_view doing)> read;
  std::function<Result<Query>(std::string_view sql, std::string_view doing)> write;
};

// The contracts are those of the methods of the same names in store/store.h.
[[nodiscard]] Result<std::vector<UserRecord>> list_users(const StatementSource& statements);
[[nodiscard]] Result<std::optional<UserRecord>> find_user(const StatementSource& statements,
                                                          std::string_view name);
[[nodiscard]] Result<void> insert_user(const StatementSource& statements, const UserRecord& user);
[[nodiscard]] Result<void> update_user(const StatementSource& statements, const UserRecord& user);
[[nodiscard]] Result<void> delete_user(const StatementSource& statements, std::string_view name);

[[nodiscard]] Result<std::vector<ApiTokenRecord>> list_api_tokens(
    const StatementSource& statements);
[[nodiscard]] Result<std::optional<ApiTokenRecord>> find_api_token_by_hash(
    const StatementSource& statements, std::string_view token_hash);
[[nodiscard]] Result<void> insert_api_token(const StatementSource& statements,
                                            const ApiTokenRecord& token);
[[nodiscard]] Result<void> delete_api_token(const StatementSource& statements,
                                            std::string_view name);

}  // namespace telecert::store::sqlite
