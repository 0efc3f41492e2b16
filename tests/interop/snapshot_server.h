// A one-shot TLS server for interop tests: a telecert server-side context (ContextSnapshot)
// listening in the test process on 127.0.0.1 (a port the kernel picks), so real clients such as
// `openssl s_client` can be pointed at it. It accepts one connection, runs the handshake with
// new_server(), greets the client on success ("telecert-hello\n") and closes; outcome() waits
// for that (at most 10 s for the client to come, 5 s per read).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "tls/context_snapshot.h"

namespace telecert::interop {

using tls::ContextSnapshot;

inline constexpr std::string_view kGreeting = "telecert-hello";

struct ServerOutcome {
  bool handshake_ok = false;
  bool peer_certificate = false;
  std::optional<verify::Report> report;
};

class OneShotServer {
 public:
  explicit OneShotServer(std::shared_ptr<const ContextSnapshot> snapshot)
      : snapshot_(std::move(snapshot)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(listener_, reinterpret_cast<sockaddr*>(&address), length);
    listen(listener_, 4);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~OneShotServer() {
    if (thread_.joinable()) thread_.join();
    close(listener_);
  }
  int port() const { return port_; }
  ServerOutcome outcome() {
    if (thread_.joinable()) thread_.join();
    return outcome_;
  }

 private:
  void serve() {
    pollfd ready{listener_, POLLIN, 0};
    if (poll(&ready, 1, 10000) <= 0) return;
    const int fd = accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    timeval timeout{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    auto connection = snapshot_->new_server();
    if (connection && SSL_set_fd(connection->get(), fd) == 1) {
      SSL* ssl = connection->get();
      outcome_.handshake_ok = SSL_accept(ssl) == 1;
      outcome_.peer_certificate = SSL_get0_peer_certificate(ssl) != nullptr;
      if (const auto* report = ContextSnapshot::peer_report(ssl)) outcome_.report = *report;
      if (outcome_.handshake_ok) {
        const std::string line = std::string(kGreeting) + "\n";
        SSL_write(ssl, line.data(), static_cast<int>(line.size()));
        SSL_shutdown(ssl);
      }
    }
    close(fd);
  }

  std::shared_ptr<const ContextSnapshot> snapshot_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  ServerOutcome outcome_;
};

}  // namespace telecert::interop
