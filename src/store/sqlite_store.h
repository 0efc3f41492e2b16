// The embedded store: one SQLite database (WAL mode) in the data directory, with versioned schema
// migrations. Private keys are stored as encrypted PKCS#8 under the store master key (see
// master_key.h).
//
// Threading: each SqliteStore owns one connection guarded by a mutex; a Transaction holds that
// mutex from begin_*() until it is committed or destroyed, so transactions are serialised.
#pragma once

#include <filesystem>
#include <memory>

#include "common/error.h"
#include "common/secret.h"
#include "store/store.h"

namespace telecert::store {

// The schema version this build writes; migrations bring older databases up to it.
inline constexpr int kSchemaVersion = 1;

// Opens (creating if needed) the database at `path`, applying pending migrations. Keys are
// encrypted and decrypted with `master_key`.
[[nodiscard]] Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path,
                                                               Secret master_key);

}  // namespace telecert::store
