#include "cli/passphrase.h"

#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

namespace telecert::cli {
namespace {

std::string strip_line_end(std::string text) {
  auto end = text.find_first_of("\r\n");
  if (end != std::string::npos) text.resize(end);
  return text;
}

std::optional<std::string> read_line_without_echo(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios saved{};
  if (tcgetattr(STDIN_FILENO, &saved) != 0) return std::nullopt;
  termios silent = saved;
  silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &silent);
  std::string line;
  bool ok = static_cast<bool>(std::getline(std::cin, line));
  tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::cerr << "\n";
  if (!ok) return std::nullopt;
  return line;
}

}  // namespace

Result<std::optional<Secret>> read_passphrase(const PassphraseSource& source) {
  if (!source.file.empty()) {
    std::ifstream in(source.file, std::ios::binary);
    if (!in) {
      return fail(ErrorCode::Io, "cannot read passphrase file '" + source.file + "'",
                  "check the file name and its permissions");
    }
    std::string line;
    std::getline(in, line);
    return Secret(strip_line_end(std::move(line)));
  }
  if (!source.environment.empty()) {
    if (const char* value = std::getenv(source.environment.c_str()); value != nullptr) {
      return Secret(value);
    }
  }
  return std::optional<Secret>();
}

std::optional<Secret> prompt_passphrase(const std::string& prompt, bool confirm) {
  if (!isatty(STDIN_FILENO)) return std::nullopt;
  auto first = read_line_without_echo(prompt + ": ");
  if (!first) return std::nullopt;
  if (confirm) {
    auto second = read_line_without_echo("again: ");
    if (!second || *second != *first) {
      std::cerr << "the passphrases differ\n";
      return std::nullopt;
    }
  }
  return Secret(std::move(*first));
}

Result<Secret> passphrase_or_prompt(const PassphraseSource& source, const std::string& prompt,
                                    bool confirm) {
  auto given = read_passphrase(source);
  if (!given) return std::unexpected(given.error());
  if (*given) return std::move(**given);
  auto prompted = prompt_passphrase(prompt, confirm);
  return prompted ? std::move(*prompted) : Secret{};
}

}  // namespace telecert::cli
