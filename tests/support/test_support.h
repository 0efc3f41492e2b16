// Helpers shared by the tests: temporary directories, running commands (the openssl CLI and our
// own binary are real peers), reading and writing files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace telecert::testing {

// A fresh directory under the system temp dir, removed when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_status = -1;
  std::string output;  // stdout
  std::string error;   // stderr
};

// Runs `argv` (no shell), with `input` on stdin, and collects its exit status and output.
CommandResult run_command(const std::vector<std::string>& argv, std::string_view input = {});

// Runs `openssl ARGS...`, the independent peer; an exit status other than 0 fails the current
// test. Returns what it printed on standard output (openssl_with_stderr: and on standard error,
// where commands such as `pkcs12 -info` report).
std::string openssl(std::vector<std::string> args, std::string_view input = {});
std::string openssl_with_stderr(std::vector<std::string> args, std::string_view input = {});

std::string read_file(const std::filesystem::path& file);
void write_file(const std::filesystem::path& file, std::string_view content);

}  // namespace telecert::testing
