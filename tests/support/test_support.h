// Helpers shared by the tests: temporary directories, running commands (the openssl CLI and our
// own binary are real peers), reading and writing files.
#pragma once

#include <sys/types.h>

#include <chrono>
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

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and released). Another
// process may take it before the caller does; tests use it for peers they start right away.
int free_port();

// True once a TCP connection to 127.0.0.1:`port` is accepted, polling every 20 ms until
// `timeout`. The probe connection is closed at once without sending anything — do not use it
// on `openssl ocsp` (OpenSSL 3.0's responder spins on such a connection; wait for its log line).
bool wait_for_port(int port, std::chrono::milliseconds timeout = std::chrono::seconds(5));

// A peer running in the background while a test runs (openssl s_server / ocsp, nginx, ...):
// started without a shell, stdout and stderr appended to `log_file`, stdin a pipe that stays
// open until stop() (so `openssl s_server` does not quit on end of input). stop() and the
// destructor end it by its PID: SIGTERM, then SIGKILL after 2 s, and reap it.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, std::filesystem::path log_file);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Still running (not exited, not stopped).
  bool running();
  void stop();
  // Writes `text` to the process's stdin (e.g. a line for s_server / s_client).
  void send(std::string_view text);
  // What the process printed so far.
  std::string log() const;
  // True once log() contains `needle` (polling every 20 ms until `timeout`); false when the
  // process exits first or the time runs out.
  bool wait_for_log(std::string_view needle,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::filesystem::path log_file_;
};

std::string read_file(const std::filesystem::path& file);
void write_file(const std::filesystem::path& file, std::string_view content);

}  // namespace telecert::testing
