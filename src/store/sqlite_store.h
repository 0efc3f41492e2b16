// The embedded store: one SQLite database (WAL mode) in the data directory, with versioned schema
// migrations. Private keys are stored as encrypted PKCS#8 under the store master key (see
// master_key.h).
//
// Threading: each SqliteStore owns one connection guarded by a mutex; a Transaction holds that
// mutex from begin_*() until it is committed or destroyed, so transactions are serialised (reads
// included) and begin_*() waits while another thread's transaction is open. A Transaction keeps
// the connection alive, so it may outlive its Store. Other processes on the same file are
// coordinated by SQLite's locks (WAL: readers never block the writer), waiting up to 5 s.
#pragma once

#include <filesystem>
#include <memory>

#include "common/error.h"
#include "common/secret.h"
#include "store/store.h"

namespace telecert::store {

// The schema version this build writes; migrations bring older databases up to it.
inline constexpr int kSchemaVersion = 3;

// Opens (creating if needed, mode 0600) the database at `path`, applying pending migrations in
// one transaction. Keys are encrypted and decrypted with `master_key`. A database written by a
// newer telecert (schema version above kSchemaVersion) or a SQLite file that is not a telecert
// database is refused with ErrorCode::Unsupported and left untouched.
[[nodiscard]] Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path,
                                                               Secret master_key);

}  // namespace telecert::store
