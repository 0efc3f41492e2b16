// Versioned schema migrations for the SQLite store, private to store/. The schema version lives in
// the database header (PRAGMA user_version) and the file is marked as ours with PRAGMA
// application_id, so a stranger's SQLite file is never "migrated".
#pragma once

#include <sqlite3.h>

#include <span>
#include <string_view>

#include "common/error.h"

namespace telecert::store::sqlite {

// 'TLCT': written into every database this module creates.
inline constexpr int kApplicationId = 0x544C4354;

// One step: the SQL that brings a database from version `version - 1` to `version`.
struct Migration {
  int version;
  std::string_view sql;
};

// The steps of this build, in order; the last one's version is kSchemaVersion.
std::span<const Migration> schema_migrations();

// Brings `database` to the last version in `migrations` (which must be ordered by version, from 1,
// without gaps). Every pending step and the version bump run in one BEGIN IMMEDIATE transaction:
// either the database reaches the last version or it is left exactly as it was.
//
// Refused, leaving the file untouched:
// - a version newer than the last step (written by a newer telecert): ErrorCode::Unsupported;
// - a SQLite file that is not a telecert database (another application id, or tables but no
//   version): ErrorCode::Unsupported.
[[nodiscard]] Result<void> migrate(sqlite3* database, std::span<const Migration> migrations);

}  // namespace telecert::store::sqlite
