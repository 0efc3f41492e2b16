// Where the CLI gets a passphrase from: a file (--passphrase-file), an environment variable, or a
// prompt on the terminal. Never from a command-line value, so it never shows in `ps`.
#pragma once

#include <optional>
#include <string>

#include "common/error.h"
#include "common/secret.h"

namespace telecert::cli {

struct PassphraseSource {
  std::string file;         // --passphrase-file; first line, without its line end
  std::string environment;  // name of the variable to read, e.g. TELECERT_PASSPHRASE
};

// The passphrase from the file, else the environment variable, else nullopt. An unreadable file
// is an error.
[[nodiscard]] Result<std::optional<Secret>> read_passphrase(const PassphraseSource& source);

// Asks on the terminal with echo off (twice when `confirm`). nullopt when stdin is not a terminal.
[[nodiscard]] std::optional<Secret> prompt_passphrase(const std::string& prompt, bool confirm);

// read_passphrase, then a prompt if nothing was given; Secret{} when neither is possible.
[[nodiscard]] Result<Secret> passphrase_or_prompt(const PassphraseSource& source,
                                                  const std::string& prompt, bool confirm);

}  // namespace telecert::cli
