#include "store/sqlite_handle.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace telecert::store::sqlite {
namespace {

std::string_view hint_for(int result_code) {
  switch (result_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "another telecert process is using the database; try again, or stop the other process";
    case SQLITE_FULL:
      return "the disk that holds the data directory is full; free some space and try again";
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
      return "check that the data directory and the database files in it are writable by the user "
             "telecert runs as";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "the database file is damaged or is not a telecert database; restore it from a backup";
    case SQLITE_IOERR:
      return "the storage device reported an error; check it and the system log";
    case SQLITE_NOMEM:
      return "the system is out of memory; free memory and try again";
    default:
      return "check the data directory and the system log; report the message if it persists";
  }
}

}  // namespace

Error storage_error(sqlite3* database, int result_code, std::string_view doing) {
  // sqlite3_errmsg describes the connection's last error, which is only ours when the codes agree;
  // otherwise the generic text for the code is the honest description.
  const bool connection_describes_it =
      database != nullptr && sqlite3_extended_errcode(database) == result_code;
  std::string message(doing);
  message += ": ";
  message += connection_describes_it ? sqlite3_errmsg(database) : sqlite3_errstr(result_code);
  return Error{ErrorCode::Storage, std::move(message), std::string(hint_for(result_code))};
}

Result<DatabaseHandle> open_database(const std::filesystem::path& path) {
  if (sqlite3_threadsafe() == 0) {
    return fail(ErrorCode::Internal, "the SQLite library was built without thread support",
                "install a thread-safe SQLite build (Debian's libsqlite3-0 is one)");
  }
  // SQLite creates missing files with 0644; the database holds (encrypted) private keys, so
  // create it owner-only first. SQLite gives its -wal and -shm files the database file's mode.
  const int descriptor = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (descriptor < 0) {
    return fail(ErrorCode::Io,
                "cannot open the database " + path.string() + ": " + std::strerror(errno),
                "check that the data directory exists and is writable by the user telecert "
                "runs as");
  }
  ::close(descriptor);

  sqlite3* opened = nullptr;
  const int result = sqlite3_open_v2(
      path.c_str(), &opened,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
      nullptr);
  // SQLite allocates a handle even when opening fails; own it before anything else.
  DatabaseHandle database(opened);
  if (result != SQLITE_OK) {
    return std::unexpected(
        storage_error(database.get(), result, "opening the database " + path.string()));
  }
  sqlite3_extended_result_codes(database.get(), 1);
  return database;
}

Result<void> execute(sqlite3* database, const std::string& sql, std::string_view doing) {
  const int result = sqlite3_exec(database, sql.c_str(), nullptr, nullptr, nullptr);
  if (result != SQLITE_OK) return std::unexpected(storage_error(database, result, doing));
  return {};
}

Result<StatementHandle> prepare(sqlite3* database, std::string_view sql, bool persistent) {
  sqlite3_stmt* prepared = nullptr;
  const int result =
      sqlite3_prepare_v3(database, sql.data(), static_cast<int>(sql.size()),
                         persistent ? SQLITE_PREPARE_PERSISTENT : 0u, &prepared, nullptr);
  StatementHandle statement(prepared);
  if (result != SQLITE_OK) {
    return std::unexpected(storage_error(database, result, "preparing a database statement"));
  }
  if (statement == nullptr) {
    return fail(ErrorCode::Internal, "an empty SQL statement was prepared",
                "report this as a telecert bug");
  }
  return statement;
}

Result<std::int64_t> query_integer(sqlite3* database, std::string_view sql,
                                   std::string_view doing) {
  auto statement = prepare(database, sql);
  if (!statement) return std::unexpected(std::move(statement.error()));
  Query query(database, statement->get(), doing);
  auto row = query.step();
  if (!row) return std::unexpected(std::move(row.error()));
  if (!*row) {
    return fail(ErrorCode::Storage, std::string(doing) + ": the database returned no value",
                "check that the SQLite library supports this feature");
  }
  return query.integer(0);
}

}  // namespace telecert::store::sqlite
