// The network side of probe(): a TCP connection made within a deadline (IPv4 or IPv6, each
// address getaddrinfo gives tried in turn), the TLS handshake over it, and one request followed by
// the headers of its answer. Internal to tls/ (probe.cc); every failure a peer can cause is
// ErrorCode::Unreachable saying what happened and where.
//
// Threading: stateless; each Socket belongs to one caller.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace telecert::tls::probe_io {

// An owned, non-blocking socket descriptor, closed when destroyed.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket();
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&&) = delete;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

struct Endpoint {
  std::string address;  // numeric, without brackets
  std::uint16_t port = 0;
};

// "host:port", with brackets around an IPv6 literal.
std::string host_and_port(std::string_view host, std::uint16_t port);

// Resolves `host` and connects to the first address that accepts within `timeout` (in all).
[[nodiscard]] Result<Socket> connect_tcp(const std::string& host, std::uint16_t port,
                                         std::chrono::milliseconds timeout);

// The local address of a connected socket (for the SIP Via and Contact headers).
Endpoint local_endpoint(const Socket& socket);

// Runs SSL_connect on `connection` (already bound to `socket`) until it completes or `timeout`
// passes. `peer` ("127.0.0.1:5061") names the peer in the error.
[[nodiscard]] Result<void> handshake(SSL* connection, const Socket& socket,
                                     std::chrono::milliseconds timeout, const std::string& peer);

// A response's status line and header lines (RFC 3261 §7.2 / RFC 9112 §4).
struct ResponseHead {
  std::string status_line;  // "SIP/2.0 200 OK"
  std::vector<std::string> headers;
};

// Looks at the start of `received` (what the peer sent so far) for the head of a final response:
// keep-alive CRLFs (RFC 5626 §3.5.1) and whole provisional (1xx) responses are erased from
// `received` as they are passed, and counted. `head` is set when a final response's headers are
// complete; `malformed` (with `problem`, a sentence) when what came is not a SIP or HTTP response,
// or a provisional one whose Content-Length is not a number of at most 256 KiB; neither: more is
// needed. Every pass erases something or returns, whatever the input.
struct ResponseScan {
  std::optional<ResponseHead> head;
  bool malformed = false;
  std::string problem;                  // why it is malformed: "it is not a SIP or HTTP response"
  std::size_t provisional_answers = 0;  // erased by this call
  std::size_t keep_alive_bytes = 0;     // erased by this call
};
ResponseScan scan_response(std::string& received);

// Writes `request` and reads answers until a final one (status other than 1xx: provisional SIP
// and HTTP answers are skipped) has all its headers, within `timeout` in all. A peer that closes
// the connection, sends something that is not a response, does not answer in time, or sends more
// than 256 KiB of keep-alives and provisional answers without a final one is
// ErrorCode::Unreachable saying which; `peer` ("127.0.0.1:5061") names it.
[[nodiscard]] Result<ResponseHead> exchange(SSL* connection, const Socket& socket,
                                            std::string_view request,
                                            std::chrono::milliseconds timeout,
                                            const std::string& peer);

}  // namespace telecert::tls::probe_io
