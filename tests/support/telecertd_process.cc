#include "support/telecertd_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>
#include <thread>

namespace telecert::testing {
namespace {

std::string read_if_present(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::exists(file, error)) return {};
  return read_file(file);
}

// The value after `prefix` on the line that starts with it, or "".
std::string line_value(const std::string& text, std::string_view prefix) {
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) break;  // only complete lines count
    const std::string_view line(text.data() + start, end - start);
    if (line.starts_with(prefix)) return std::string(line.substr(prefix.size()));
    start = end + 1;
  }
  return {};
}

}  // namespace

std::string telecertd_binary() {
#ifdef TELECERTD
  return TELECERTD;
#else
  return {};
#endif
}

TelecertdProcess::TelecertdProcess(Options options) {
  temp_ = std::make_unique<TempDir>();
  data_dir_ = options.data_dir.empty() ? temp_->path() / "data" : options.data_dir;
  stdout_file_ = temp_->path() / "telecertd.out";
  stderr_file_ = temp_->path() / "telecertd.log";
  const std::string binary = telecertd_binary();
  if (binary.empty()) throw std::runtime_error("this test target was built without TELECERTD");

  std::vector<std::string> argv = {binary,
                                   "--data-dir",
                                   data_dir_.string(),
                                   "--listen",
                                   options.listen,
                                   "--threads",
                                   std::to_string(options.threads)};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());

  const int out_fd = open(stdout_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err_fd = open(stderr_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot create the daemon's log files");
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");

  const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = output();
    const std::string address = line_value(out, "listening on https://");
    if (!address.empty()) {
      port_ = std::stoi(address.substr(address.rfind(':') + 1));
      admin_password_ = line_value(out, "admin password: ");
      return;
    }
    if (!running()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

TelecertdProcess::~TelecertdProcess() { stop(); }

std::string TelecertdProcess::output() const { return read_if_present(stdout_file_); }
std::string TelecertdProcess::log() const { return read_if_present(stderr_file_); }

bool TelecertdProcess::wait_for_log(std::string_view needle,
                                    std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (log().find(needle) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool TelecertdProcess::running() {
  if (pid_ <= 0 || exit_status_ >= 0) return false;
  int status = 0;
  const pid_t result = waitpid(pid_, &status, WNOHANG);
  if (result == 0) return true;
  if (result == pid_) {
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return false;
}

int TelecertdProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_status_;
  if (!running()) return exit_status_;
  kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
      exit_status_ = 128 + SIGKILL;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_status_;
}

}  // namespace telecert::testing
