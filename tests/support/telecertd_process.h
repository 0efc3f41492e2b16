// The built telecertd (TELECERTD, given by the test target) running for one test: on a fresh
// temporary data directory (or one the test names) and a port the kernel chose (--listen
// 127.0.0.1:0; the port is read from the `listening on https://...` line). stdout and stderr are
// kept apart: stdout holds the `admin password:` line, stderr the structured log. The destructor
// stops it by its PID (SIGTERM, SIGKILL after 10 s).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace telecert::testing {

// The telecertd the test target was built with ("" when the target gave no TELECERTD).
std::string telecertd_binary();

class TelecertdProcess {
 public:
  struct Options {
    std::filesystem::path data_dir;       // empty: a fresh one in a temporary directory
    int threads = 2;                      // --threads
    std::vector<std::string> extra_args;  // appended to the command line
    std::string listen = "127.0.0.1:0";   // --listen
    std::chrono::milliseconds start_timeout{30000};
  };

  TelecertdProcess() : TelecertdProcess(Options{}) {}
  explicit TelecertdProcess(Options options);
  ~TelecertdProcess();
  TelecertdProcess(const TelecertdProcess&) = delete;
  TelecertdProcess& operator=(const TelecertdProcess&) = delete;

  // True once it printed `listening on`; false when it exited or timed out first (see log()).
  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  // The password of the `admin password: PW` line; "" when none was printed.
  const std::string& admin_password() const { return admin_password_; }
  // What it wrote to stdout / stderr (the log) so far.
  std::string output() const;
  std::string log() const;
  // True once log() contains `needle` (polls every 20 ms).
  bool wait_for_log(std::string_view needle,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  bool running();
  // Sends `signal` and waits (at most `timeout`, then SIGKILL); returns the exit status, or 128 +
  // the signal number when a signal ended it. Idempotent: later calls return the same status.
  int stop(int signal = 15, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  std::unique_ptr<TempDir> temp_;
  std::filesystem::path data_dir_;
  std::filesystem::path stdout_file_;
  std::filesystem::path stderr_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_status_ = -1;
  std::string admin_password_;
};

}  // namespace telecert::testing
