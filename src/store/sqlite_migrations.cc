#include "store/sqlite_migrations.h"

#include <array>
#include <string>

#include "store/sqlite_handle.h"
#include "store/sqlite_store.h"

namespace telecert::store::sqlite {
namespace {

// Version 1. Times are INTEGER unix seconds (UTC). Tables are STRICT so a value of the wrong type
// is refused instead of silently stored. Every foreign key has an index on its child column:
// SQLite checks foreign keys when a parent row is deleted, and without one
// delete_unreferenced_certificates would scan a child table per certificate.
constexpr std::string_view kSchemaVersion1 = R"sql(
CREATE TABLE keys (
  id INTEGER PRIMARY KEY,
  algorithm TEXT NOT NULL,
  encrypted_pkcs8 BLOB NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE certificates (
  id INTEGER PRIMARY KEY,
  sha256_fingerprint TEXT NOT NULL UNIQUE,
  der BLOB NOT NULL,
  subject TEXT NOT NULL,
  issuer TEXT NOT NULL,
  serial TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL,
  is_ca INTEGER NOT NULL CHECK (is_ca IN (0, 1))
) STRICT;
CREATE INDEX certificates_by_not_after ON certificates (not_after);

CREATE TABLE identities (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  origin TEXT NOT NULL,
  key_id INTEGER NOT NULL REFERENCES keys (id),
  leaf_id INTEGER REFERENCES certificates (id),
  csr_pem TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX identities_by_key ON identities (key_id);
CREATE INDEX identities_by_leaf ON identities (leaf_id);

CREATE TABLE identity_chain (
  identity_id INTEGER NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  certificate_id INTEGER NOT NULL REFERENCES certificates (id),
  PRIMARY KEY (identity_id, position)
) STRICT;
CREATE INDEX identity_chain_by_certificate ON identity_chain (certificate_id);

CREATE TABLE trust_anchors (
  id INTEGER PRIMARY KEY,
  certificate_id INTEGER NOT NULL UNIQUE REFERENCES certificates (id),
  source TEXT NOT NULL CHECK (source IN ('builtin', 'custom')),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  added_at INTEGER NOT NULL
) STRICT;

CREATE TABLE tls_contexts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL CHECK (json_valid(definition))
) STRICT;

CREATE TABLE service_bindings (
  service TEXT PRIMARY KEY,
  context_id INTEGER NOT NULL REFERENCES tls_contexts (id)
) STRICT;
CREATE INDEX service_bindings_by_context ON service_bindings (context_id);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  outcome TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_time ON events (time);
)sql";

// Version 2: every store has the "default" TLS context; its definition "{}" takes every field's
// default when read (tls::parse_definition). A v1 store that already has one keeps it.
constexpr std::string_view kSchemaVersion2 = R"sql(
INSERT INTO tls_contexts (name, definition) VALUES ('default', '{}')
  ON CONFLICT (name) DO NOTHING;
)sql";

// Version 3: users of the daemon (scrypt password hashes) and API tokens (SHA-256 of the token,
// lowercase hex; unique, since it is how a presented token is found). Roles are checked here too,
// so a row no build can read is never stored.
constexpr std::string_view kSchemaVersion3 = R"sql(
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin', 'monitor')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_tokens (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin', 'monitor')),
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;
)sql";

// Append a step for every schema change; never edit a step that has shipped. A step that rebuilds
// a table follows SQLite's procedure (create new, copy, drop old, rename): migrate() runs before
// foreign keys are switched on and checks them before committing.
constexpr std::array<Migration, 3> kMigrations{{
    {1, kSchemaVersion1},
    {2, kSchemaVersion2},
    {3, kSchemaVersion3},
}};
static_assert(kMigrations.back().version == kSchemaVersion,
              "kSchemaVersion must name the last migration step");

struct DatabaseState {
  std::int64_t application_id = 0;
  std::int64_t version = 0;
  std::int64_t table_count = 0;
};

Result<DatabaseState> read_state(sqlite3* database) {
  DatabaseState state;
  auto application_id =
      query_integer(database, "PRAGMA application_id", "reading the database application id");
  if (!application_id) return std::unexpected(std::move(application_id.error()));
  auto version = query_integer(database, "PRAGMA user_version", "reading the schema version");
  if (!version) return std::unexpected(std::move(version.error()));
  auto tables = query_integer(database, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
                              "reading the database tables");
  if (!tables) return std::unexpected(std::move(tables.error()));
  state.application_id = *application_id;
  state.version = *version;
  state.table_count = *tables;
  return state;
}

// Whether this build can open a database in `state`; its error when not.
Result<void> check_compatible(const DatabaseState& state, int newest_version) {
  const bool ours = state.application_id == kApplicationId ||
                    (state.application_id == 0 && state.version == 0 && state.table_count == 0);
  if (!ours) {
    return fail(ErrorCode::Unsupported, "the database file is not a telecert database",
                "point telecert at its own data directory; it does not open other SQLite files");
  }
  if (state.version > newest_version) {
    return fail(ErrorCode::Unsupported,
                "the database has schema version " + std::to_string(state.version) +
                    ", newer than the version " + std::to_string(newest_version) +
                    " this telecert knows; it was written by a newer telecert",
                "upgrade telecert, or restore the data directory from a backup made with this "
                "version");
  }
  return {};
}

Result<void> check_migration_list(std::span<const Migration> migrations) {
  for (std::size_t index = 0; index < migrations.size(); ++index) {
    if (migrations[index].version != static_cast<int>(index) + 1) {
      return fail(ErrorCode::Internal, "the schema migration steps are not numbered 1, 2, 3, ...",
                  "report this as a telecert bug");
    }
  }
  return {};
}

// Rolls the migration transaction back unless it was committed.
class RollbackUnlessCommitted {
 public:
  explicit RollbackUnlessCommitted(sqlite3* database) : database_(database) {}
  ~RollbackUnlessCommitted() {
    if (sqlite3_get_autocommit(database_) == 0) {
      sqlite3_exec(database_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  RollbackUnlessCommitted(const RollbackUnlessCommitted&) = delete;
  RollbackUnlessCommitted& operator=(const RollbackUnlessCommitted&) = delete;

 private:
  sqlite3* database_;
};

}  // namespace

std::span<const Migration> schema_migrations() { return kMigrations; }

Result<void> migrate(sqlite3* database, std::span<const Migration> migrations) {
  if (auto checked = check_migration_list(migrations); !checked) return checked;
  const int newest_version = migrations.empty() ? 0 : migrations.back().version;

  // An up-to-date database, the common case, is recognised without taking the write lock, so
  // opening a store never waits for another process's write.
  auto state = read_state(database);
  if (!state) return std::unexpected(std::move(state.error()));
  if (auto compatible = check_compatible(*state, newest_version); !compatible) return compatible;
  if (state->version == newest_version) return {};

  RollbackUnlessCommitted guard(database);
  if (auto begun = execute(database, "BEGIN IMMEDIATE", "locking the database for migration");
      !begun) {
    return begun;
  }
  // Another process may have migrated the file between the first look and the lock.
  state = read_state(database);
  if (!state) return std::unexpected(std::move(state.error()));
  if (auto compatible = check_compatible(*state, newest_version); !compatible) return compatible;

  for (const auto& step : migrations) {
    if (step.version <= state->version) continue;
    const std::string doing =
        "migrating the database to schema version " + std::to_string(step.version);
    if (auto applied = execute(database, std::string(step.sql), doing); !applied) return applied;
  }
  auto violations = query_integer(database, "SELECT count(*) FROM pragma_foreign_key_check",
                                  "checking foreign keys after migration");
  if (!violations) return std::unexpected(std::move(violations.error()));
  if (*violations != 0) {
    return fail(ErrorCode::Storage,
                "the migrated database would break " + std::to_string(*violations) +
                    " foreign key references",
                "report this as a telecert bug; the database was left unchanged");
  }
  const std::string stamp = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                            "; PRAGMA user_version = " + std::to_string(newest_version) + ";";
  if (auto stamped = execute(database, stamp, "recording the schema version"); !stamped) {
    return stamped;
  }
  return execute(database, "COMMIT", "committing the schema migration");
}

}  // namespace telecert::store::sqlite
