#include "support/tls_server.h"

#include <gtest/gtest.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace telecert::testing {
namespace {

// True once `host`:`port` accepts a TCP connection (IPv4 or IPv6), polling every 20 ms.
bool wait_for_listener(const std::string& host, int port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
  bool connected = false;
  while (!connected && std::chrono::steady_clock::now() < deadline) {
    const int fd = socket(found->ai_family, SOCK_STREAM, 0);
    connected = fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0;
    if (fd >= 0) close(fd);
    if (!connected) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  freeaddrinfo(found);
  return connected;
}

}  // namespace

TlsServer::TlsServer(const TlsServerOptions& options)
    : port_(options.port > 0 ? options.port : free_port()), host_(options.host) {
  // -no-CA*: the server's trust store stays empty, so OpenSSL cannot complete a chain the test
  // left incomplete on purpose.
  std::vector<std::string> argv = {"openssl",    "s_server",
                                   "-accept",    address(),
                                   "-cert",      options.certificate.string(),
                                   "-key",       options.key.string(),
                                   "-no-CAfile", "-no-CApath",
                                   "-no-CAstore"};
  if (!options.chain.empty()) argv.insert(argv.end(), {"-cert_chain", options.chain.string()});
  if (!options.ocsp_response.empty()) {
    argv.insert(argv.end(), {"-status_file", options.ocsp_response.string()});
  }
  if (options.http) argv.push_back("-www");
  argv.insert(argv.end(), options.extra_arguments.begin(), options.extra_arguments.end());
  const auto log = options.log.empty() ? options.certificate.parent_path() /
                                             ("s_server-" + std::to_string(port_) + ".log")
                                       : options.log;
  process_ = std::make_unique<BackgroundProcess>(argv, log);
  if (!wait_for_listener(host_, port_, std::chrono::seconds(5))) {
    ADD_FAILURE() << "openssl s_server did not start on port " << port_ << ": " << process_->log();
  }
}

std::string TlsServer::address() const {
  const bool ipv6 = host_.find(':') != std::string::npos;
  return (ipv6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

void TlsServer::stop() {
  if (process_) process_->stop();
}

}  // namespace telecert::testing
