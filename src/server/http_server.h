// The HTTPS listener of telecertd (Boost.Beast over Asio, TLS from telecert's own SSL_CTX).
//
// Each connection: TLS handshake with the SSL_CTX of the current web-admin snapshot (taken when
// the connection is accepted, so a renewed identity is served from the next connection on), then
// HTTP/1.1 requests with keep-alive. Per request: headers at most 16 KiB; then, from the header
// alone, the route is found and the caller admitted (RequestDispatcher::prepare and admit: 404,
// 405, 401, 403, and 413/415 from the route's body rules and Content-Length / Content-Type) without
// reading the body — the connection is closed after such an answer when a body was announced; a
// chunked body over the route's limit is 413 too. Only an admitted request gets its
// `Expect: 100-continue` answered 100 and its body read; 30 s to read each request (and to sit
// idle between two). Then RequestDispatcher decides; Inline
// routes run on the io thread, Blocking ones on the worker pool and are written back on the
// connection's io thread. Every answer is counted (telecert_http_requests_total{code="NNN"}) and
// logged (method, path without query, status, duration, actor, remote address; never bodies,
// cookies or credentials).
//
// Threading: `io_threads` io_contexts, each run by one thread of its own; the acceptor lives on
// the first and hands each accepted connection to the next context in turn, where all of that
// connection's handlers run (no strand, no cross-thread wakeup). An asio::thread_pool of
// `worker_threads` runs Blocking routes and posts each answer back to its connection's context.
// set_body_limit() may be called from any thread.
//
// At most Options::max_connections connections at once: at the cap the server stops accepting
// (the kernel's backlog holds the rest) until one closes, counting
// telecert_connections_rejected_total each time. Accept errors (EMFILE, ENFILE, ...) are retried
// after 100 ms, doubling to 1 s, counted in telecert_accept_errors_total and logged once per
// episode.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/error.h"
#include "server/counters.h"
#include "server/request_dispatcher.h"
#include "tls/context_snapshot.h"

namespace telecert::server {

class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";  // IPv4 or IPv6 literal
    std::uint16_t port = 8443;          // 0: the kernel chooses (see port())
    unsigned io_threads = 1;
    unsigned worker_threads = 4;
    std::chrono::seconds read_timeout{30};
    std::uint32_t header_limit = 16 * 1024;
    std::size_t max_connections = 1024;
  };
  // The snapshot whose server SSL_CTX new connections use (web-admin's); nullptr refuses them.
  using SnapshotSource = std::function<std::shared_ptr<const tls::ContextSnapshot>()>;

  // Binds and listens (no thread runs yet). ErrorCode::Io when the address cannot be bound.
  [[nodiscard]] static Result<std::unique_ptr<HttpServer>> create(
      const Options& options, const RequestDispatcher& dispatcher, Counters& counters,
      SnapshotSource snapshots);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address and port (the real port when Options::port was 0).
  std::string address() const;
  std::uint16_t port() const;

  // The largest request body accepted on any route (bytes); each route's own limit applies first.
  void set_body_limit(std::uint64_t bytes);

  // Starts the io threads and accepting; returns at once.
  void start();
  // Stops accepting, lets requests in flight finish (at most `grace`), then stops every thread
  // and closes the remaining connections. Returns the number of requests still in flight when the
  // grace period ended (0: all finished).
  std::size_t stop(std::chrono::milliseconds grace);

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace telecert::server
