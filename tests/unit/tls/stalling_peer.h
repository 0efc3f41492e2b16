// Shared by the tls unit tests of probe and probe_io: a hostile TLS peer for `telecert probe`.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include "pki/ossl.h"
#include "unit/tls/handshake_fixture.h"

namespace telecert::tls::testing {

// A TLS server on 127.0.0.1 (in-process, with a throwaway certificate) that reads the request and
// then sends `pattern` again and again, waiting `pause` in between, and never a final answer: a
// peer that streams keep-alives or endless "100 Trying". It stops when the client goes away, when
// it is destroyed, or after 64 MiB (so a client that never stops reading fails instead of hanging).
class StallingPeer {
 public:
  explicit StallingPeer(std::string pattern,
                        std::chrono::milliseconds pause = std::chrono::milliseconds(0))
      : pattern_(std::move(pattern)), pause_(pause) {
    // Writing to a client that went away must end the loop, not the test process.
    std::signal(SIGPIPE, SIG_IGN);
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listen_fd_, 1), 0);
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~StallingPeer() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);  // ends a pending accept()
    if (const int fd = connection_fd_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }
  StallingPeer(const StallingPeer&) = delete;
  StallingPeer& operator=(const StallingPeer&) = delete;
  std::uint16_t port() const { return port_; }
  std::size_t sent() const { return sent_; }

 private:
  void serve() {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    connection_fd_ = fd;
    set_timeouts(fd, std::chrono::seconds(5));
    const auto identity = issue("sbc1.example.com", {dns("sbc1.example.com")}, nullptr, false);
    pki::Owned<SSL_CTX> context(SSL_CTX_new(TLS_server_method()));
    SSL_CTX_use_certificate(context.get(), identity.certificate.get());
    SSL_CTX_use_PrivateKey(context.get(), identity.key.get());
    pki::Owned<SSL> connection(SSL_new(context.get()));
    SSL_set_fd(connection.get(), fd);
    char request[4096];
    std::size_t count = 0;
    if (SSL_accept(connection.get()) == 1 &&
        SSL_read_ex(connection.get(), request, sizeof request, &count) == 1) {
      while (!stop_ && sent_ < 64 * 1024 * 1024 &&
             SSL_write_ex(connection.get(), pattern_.data(), pattern_.size(), &count) == 1) {
        sent_ += count;
        if (pause_.count() > 0) std::this_thread::sleep_for(pause_);
      }
    }
    drain_errors();
    connection_fd_ = -1;
    ::close(fd);
  }

  std::string pattern_;
  std::chrono::milliseconds pause_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> connection_fd_{-1};
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> sent_{0};
  std::thread thread_;
};

}  // namespace telecert::tls::testing
