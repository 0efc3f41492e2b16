// The store master key: 32 random bytes, hex-encoded in `<data-dir>/master.key`, mode 0600. It
// encrypts every private key at rest. Losing it loses the keys; it is never logged.
#pragma once

#include <filesystem>

#include "common/error.h"
#include "common/secret.h"

namespace telecert::store {

// Reads the master key file, creating it (0600, in a directory made 0700) when it does not exist.
// A file that is readable by group or others is refused with a hint to chmod it.
[[nodiscard]] Result<Secret> load_or_create_master_key(const std::filesystem::path& file);

}  // namespace telecert::store
