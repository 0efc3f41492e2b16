#include "server/daemon.h"

#include <fcntl.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <ctime>
#include <iostream>
#include <thread>

#include "server/api_routes.h"
#include "server/authenticator.h"
#include "server/http_server.h"
#include "server/request_dispatcher.h"
#include "server/session_routes.h"

namespace telecert::server {
namespace {

constexpr auto kShutdownGrace = std::chrono::seconds(5);
constexpr auto kRefreshInterval = std::chrono::seconds(5);
constexpr std::string_view kWebAdminService = "web-admin";

// DIR/telecertd.lock, held with flock(LOCK_EX) for the daemon's life (the kernel drops it when the
// process ends, however it ends). It holds the owner's pid for the message to a second daemon.
class DataDirLock {
 public:
  static Result<DataDirLock> acquire(const std::filesystem::path& data_dir) {
    // The data dir holds keys: created 0700 (its parents as the umask says).
    std::error_code error;
    if (data_dir.has_parent_path())
      std::filesystem::create_directories(data_dir.parent_path(), error);
    if (error || (::mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST)) {
      const std::string reason = error ? error.message() : std::generic_category().message(errno);
      return fail(ErrorCode::Io, "cannot create " + data_dir.string() + ": " + reason,
                  "check the path and its permissions");
    }
    const auto file = data_dir / "telecertd.lock";
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
      return fail(ErrorCode::Io, "cannot open " + file.string(),
                  "check the permissions of the data directory");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      char buffer[32] = {};
      const auto n = ::pread(fd, buffer, sizeof buffer - 1, 0);
      ::close(fd);
      std::string pid(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      return fail(ErrorCode::Forbidden,
                  "another telecertd (pid " + (pid.empty() ? std::string("?") : pid) +
                      ") is already using " + data_dir.string(),
                  "stop it first, or give this one another --data-dir");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
      spdlog::warn("cannot write the pid into {}", file.string());
    }
    return DataDirLock(fd);
  }
  DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DataDirLock& operator=(DataDirLock&&) = delete;
  ~DataDirLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

struct ListenAddress {
  std::string address;
  std::uint16_t port = 0;
};

Result<ListenAddress> parse_listen(const std::string& text) {
  const auto bad = [&] {
    return fail(ErrorCode::InvalidArgument, "'" + text + "' is not ADDRESS:PORT",
                "e.g. --listen 127.0.0.1:8443, 0.0.0.0:8443 or [::1]:8443");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad();
  std::string address = text.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  const std::string port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return bad();
  }
  const long port = std::stol(port_text);
  if (port > 65535) return bad();
  return ListenAddress{address, static_cast<std::uint16_t>(port)};
}

void setup_logging() {
  auto logger = spdlog::stderr_logger_mt("telecertd");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

int refuse(const Error& error) {
  std::cerr << "telecertd: " << error.message << "\n";
  if (!error.hint.empty()) std::cerr << "hint: " << error.hint << "\n";
  spdlog::error("start refused error=\"{}\"", error.message);
  return 1;
}

std::uint64_t body_limit(service::CertificateService& service) {
  const auto settings = service.settings();
  const std::int64_t upload =
      settings ? settings->max_upload_bytes : service::Settings{}.max_upload_bytes;
  return 2 * static_cast<std::uint64_t>(upload > 0 ? upload : 0) + 64 * 1024;
}

// Logs out the sessions of users deleted (or changed) by the API or the CLI.
void revalidate_sessions(service::CertificateService& service, Authenticator& authenticator) {
  if (auto users = service.list_users()) authenticator.retain_sessions_of(*users);
}

bool has_identity(const std::shared_ptr<const tls::ContextSnapshot>& snapshot) {
  return snapshot && snapshot->server_context() != nullptr &&
         SSL_CTX_get0_certificate(snapshot->server_context()) != nullptr;
}

}  // namespace

int run_daemon(const DaemonOptions& options) {
  // Every thread started below inherits this mask; the main thread takes the signals with
  // sigtimedwait, which doubles as the refresh timer.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  setup_logging();

  const auto listen = parse_listen(options.listen);
  if (!listen) return refuse(listen.error());
  auto lock = DataDirLock::acquire(options.data_dir);
  if (!lock) return refuse(lock.error());

  auto clock = std::make_shared<SystemClock>();
  if (!std::filesystem::exists(options.data_dir / "telecert.db")) {
    spdlog::info("initialising data_dir={}", options.data_dir.string());
    auto initialised = service::CertificateService::initialise(options.data_dir, clock, "telecertd",
                                                               service::InitRequest{});
    if (!initialised) return refuse(initialised.error());
  }
  auto opened = service::CertificateService::open(options.data_dir, clock, "telecertd");
  if (!opened) return refuse(opened.error());
  auto& service = **opened;

  tls::ContextRegistry registry(
      [&service] { return service.registry_material(); },
      tls::ContextSnapshot::Dependencies{clock, std::make_shared<verify::RevocationChecker>()});
  if (auto refreshed = registry.refresh(); !refreshed) return refuse(refreshed.error());
  if (!has_identity(registry.for_service(kWebAdminService))) {
    return refuse(Error{ErrorCode::NotFound,
                        "the TLS context of web-admin has no identity to present",
                        "bind web-admin to a context with an identity: telecert service bind "
                        "web-admin CONTEXT"});
  }

  Counters counters;
  Authenticator authenticator(clock);
  Router router;
  add_session_routes(router, SessionRouteDependencies{&authenticator, &counters});
  const ApiDependencies api_dependencies{&service, &counters, &authenticator};
  const ApiRoutes api = add_api_routes(router, api_dependencies);
  RequestDispatcher dispatcher(router, authenticator, service);
  dispatcher.set_upload_body_limit(body_limit(service));

  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  HttpServer::Options server_options;
  server_options.address = listen->address;
  server_options.port = listen->port;
  server_options.io_threads = options.io_threads == 0 ? cores : options.io_threads;
  server_options.worker_threads = options.worker_threads;
  auto server = HttpServer::create(server_options, dispatcher, counters,
                                   [&registry] { return registry.for_service(kWebAdminService); });
  if (!server) return refuse(server.error());
  (*server)->set_body_limit(body_limit(service));

  // Only once the listener is bound and web-admin has an identity: a start that fails before here
  // leaves the one-time password to the next start.
  auto first_admin = service.ensure_first_admin();
  if (!first_admin) return refuse(first_admin.error());
  if (*first_admin && (*first_admin)->generated_password) {
    std::cout << "admin password: " << (*first_admin)->generated_password->reveal() << std::endl;
    spdlog::info("first admin created user={}", (*first_admin)->view.name);
  }
  revalidate_sessions(service, authenticator);

  auto on_change = [&registry, &api, &service, &server, &authenticator, &dispatcher] {
    authenticator.clear_token_cache();
    if (auto refreshed = registry.refresh(); !refreshed) {
      spdlog::warn("tls refresh failed error=\"{}\"", refreshed.error().message);
    }
    if (api.on_change) api.on_change();
    (*server)->set_body_limit(body_limit(service));
    dispatcher.set_upload_body_limit(body_limit(service));
    revalidate_sessions(service, authenticator);
  };
  service.set_change_listener(on_change);

  (*server)->start();
  const std::string shown_address = listen->address.find(':') != std::string::npos
                                        ? "[" + listen->address + "]"
                                        : listen->address;
  std::cout << "listening on https://" << shown_address << ":" << (*server)->port() << std::endl;
  spdlog::info("started address={} port={} io_threads={} workers={} data_dir={}", listen->address,
               (*server)->port(), server_options.io_threads, server_options.worker_threads,
               options.data_dir.string());

  int signal_number = 0;
  while (signal_number == 0) {
    const timespec timeout{static_cast<time_t>(kRefreshInterval.count()), 0};
    const int received = sigtimedwait(&signals, nullptr, &timeout);
    if (received > 0) {
      signal_number = received;
    } else {
      // Changes made by the CLI in another process reach us only this way.
      if (auto refreshed = registry.refresh(); !refreshed) {
        spdlog::warn("tls refresh failed error=\"{}\"", refreshed.error().message);
      } else if (!refreshed->empty() && api.on_change) {
        api.on_change();
      }
      (*server)->set_body_limit(body_limit(service));
      dispatcher.set_upload_body_limit(body_limit(service));
      revalidate_sessions(service, authenticator);
    }
  }
  spdlog::info("stopping signal={} grace_s={}", signal_number == SIGTERM ? "SIGTERM" : "SIGINT",
               kShutdownGrace.count());
  const std::size_t unfinished = (*server)->stop(kShutdownGrace);
  service.set_change_listener({});
  spdlog::info("stopped unfinished_requests={}", unfinished);
  return 0;
}

}  // namespace telecert::server
