// RAII owners and small helpers over the SQLite C API, private to store/. Nothing outside
// store/*.cc (and the store's own tests and benchmark) includes this header.
//
// Every SQLite failure becomes an Error with ErrorCode::Storage whose message carries SQLite's own
// text and whose hint says what an administrator can do about that class of failure.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/bytes.h"
#include "common/error.h"

namespace telecert::store::sqlite {

struct CloseDatabase {
  // sqlite3_close_v2 defers the close until every statement is finalized, so the order in which
  // owners are destroyed never leaks the connection.
  void operator()(sqlite3* database) const noexcept { sqlite3_close_v2(database); }
};
using DatabaseHandle = std::unique_ptr<sqlite3, CloseDatabase>;

struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

// An Error for the failure `result_code` while `doing` something ("inserting a certificate"). The
// message ends with SQLite's text for the connection's last error when `database` is given.
Error storage_error(sqlite3* database, int result_code, std::string_view doing);

// Opens `path` read-write, creating the file when missing, with extended result codes enabled.
// The connection is opened without SQLite's own mutex: the caller serialises every use of it.
[[nodiscard]] Result<DatabaseHandle> open_database(const std::filesystem::path& path);

// Runs one or more SQL statements that return no rows the caller needs (DDL, pragmas, BEGIN).
[[nodiscard]] Result<void> execute(sqlite3* database, const std::string& sql,
                                   std::string_view doing);

// Compiles one statement. `persistent` tells SQLite the statement will be reused many times.
[[nodiscard]] Result<StatementHandle> prepare(sqlite3* database, std::string_view sql,
                                              bool persistent = false);

// Reads a single integer from a statement such as "PRAGMA user_version".
[[nodiscard]] Result<std::int64_t> query_integer(sqlite3* database, std::string_view sql,
                                                 std::string_view doing);

// One use of a prepared statement it does not own: bind parameters (1-based, as in SQL), step,
// read columns. Destroying it resets the statement and clears its bindings, so a cached statement
// is ready for its next use and holds no read lock on the database.
//
// A failed bind is remembered and reported by the next step(), so call sites bind without checking
// each call. `doing` names the operation in error messages and must outlive the Query (pass a
// literal).
class Query {
 public:
  Query(sqlite3* database, sqlite3_stmt* statement, std::string_view doing)
      : database_(database), statement_(statement), doing_(doing) {}
  ~Query() {
    if (statement_ == nullptr) return;
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  Query(Query&& other) noexcept
      : database_(other.database_),
        statement_(std::exchange(other.statement_, nullptr)),
        doing_(other.doing_),
        bind_result_(other.bind_result_) {}
  Query& operator=(Query&&) = delete;

  Query& bind(int index, std::int64_t value) {
    remember(sqlite3_bind_int64(statement_, index, value));
    return *this;
  }
  Query& bind(int index, std::string_view text) {
    remember(sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8));
    return *this;
  }
  Query& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Query& bind(int index, ByteView blob) {
    // A zero-length blob with a null pointer would bind NULL; keep it an empty blob.
    remember(blob.empty() ? sqlite3_bind_zeroblob(statement_, index, 0)
                          : sqlite3_bind_blob64(statement_, index, blob.data(), blob.size(),
                                                SQLITE_TRANSIENT));
    return *this;
  }
  Query& bind_null(int index) {
    remember(sqlite3_bind_null(statement_, index));
    return *this;
  }
  template <class T>
  Query& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // True when a row is available, false when the statement is done.
  [[nodiscard]] Result<bool> step() {
    if (bind_result_ != SQLITE_OK) return std::unexpected(failure(bind_result_));
    const int result = sqlite3_step(statement_);
    if (result == SQLITE_ROW) return true;
    if (result == SQLITE_DONE) return false;
    return std::unexpected(failure(result));
  }
  // Steps a statement that returns no rows (INSERT, UPDATE, DELETE).
  [[nodiscard]] Result<void> run() {
    auto stepped = step();
    if (!stepped) return std::unexpected(std::move(stepped.error()));
    return {};
  }

  bool is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
  std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }
  std::string text(int column) const {
    const auto* characters = sqlite3_column_text(statement_, column);
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
    if (characters == nullptr) return {};
    return {reinterpret_cast<const char*>(characters), size};
  }
  std::optional<std::string> optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
  }
  Bytes blob(int column) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_, column));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column));
    if (data == nullptr) return {};
    return {data, data + size};
  }

  // Rows changed by the last run() of this connection.
  std::int64_t changes() const { return sqlite3_changes64(database_); }
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(database_); }

 private:
  void remember(int result) {
    if (bind_result_ == SQLITE_OK) bind_result_ = result;
  }
  Error failure(int result) const { return storage_error(database_, result, doing_); }

  sqlite3* database_;
  sqlite3_stmt* statement_;
  std::string_view doing_;
  int bind_result_ = SQLITE_OK;
};

}  // namespace telecert::store::sqlite
