#include "tls/probe_io.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>

#include "pki/ossl.h"

namespace telecert::tls::probe_io {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Answers larger than this before the end of their headers are not SIP or HTTP heads we can use.
constexpr std::size_t kMaxHeadBytes = 64 * 1024;
// All a peer may send before the head of its final answer (keep-alives, provisional answers and
// their bodies): a peer that streams more is stalling, whatever its pace.
constexpr std::size_t kMaxAnswerBytes = 256 * 1024;

std::string describe_duration(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + " s";
  return std::to_string(duration.count()) + " ms";
}

std::string describe_errno(int error) {
  switch (error) {
    case ECONNREFUSED:
      return "connection refused (nothing listens on that port)";
    case ENETUNREACH:
    case EHOSTUNREACH:
      return "no route to the host";
    case ETIMEDOUT:
      return "the connection timed out";
    case ECONNRESET:
      return "the peer reset the connection";
    default:
      return std::strerror(error);
  }
}

// poll() on one descriptor until `deadline`: > 0 ready, 0 timed out, < 0 failed (errno set).
int poll_until(pollfd& descriptor, SteadyClock::time_point deadline) {
  for (;;) {
    // Rounded up, so that 0 (timed out) means the deadline has passed.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return 0;
    const int ready = ::poll(
        &descriptor, 1,
        static_cast<int>(std::min<long long>(left.count(), std::numeric_limits<int>::max())));
    if (ready < 0 && errno == EINTR) continue;
    return ready;
  }
}

short wanted_events(int ssl_error) {
  return static_cast<short>(ssl_error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT);
}

enum class Wait { Ready, TimedOut, Failed };

// After an SSL call returned `rc`: waits until the socket is ready for what OpenSSL wants, the
// deadline passes, or the connection fails (closed, reset, a TLS error).
Wait wait_for_ssl(SSL* connection, const Socket& socket, int rc, SteadyClock::time_point deadline) {
  const int error = SSL_get_error(connection, rc);
  if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
    pki::drain_openssl_errors();
    return Wait::Failed;
  }
  pollfd descriptor{socket.fd(), wanted_events(error), 0};
  const int ready = poll_until(descriptor, deadline);
  return ready > 0 ? Wait::Ready : ready == 0 ? Wait::TimedOut : Wait::Failed;
}

std::string handshake_hint(const std::string& reason) {
  if (reason.find("wrong version number") != std::string::npos ||
      reason.find("packet length too long") != std::string::npos ||
      reason.find("record layer failure") != std::string::npos) {
    return "the port does not seem to speak TLS; check the port (SIP over TLS is usually 5061)";
  }
  if (reason.find("alert") != std::string::npos) {
    return "the server refused the handshake: check that this context's TLS versions, ciphers "
           "and groups overlap the server's, and whether the server requires a client "
           "certificate";
  }
  return "check that the server speaks TLS on this port and that its TLS versions and ciphers "
         "overlap this context's";
}

ResponseHead parse_head(std::string_view head) {
  ResponseHead parsed;
  std::size_t start = 0;
  bool first = true;
  while (start <= head.size()) {
    std::size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos) end = head.size();
    std::string line(head.substr(start, end - start));
    start = end + 2;
    if (first) {
      parsed.status_line = std::move(line);
      first = false;
    } else if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      // A folded continuation (RFC 3261 §7.3.1); one of white space only adds nothing.
      const auto text = line.find_first_not_of(" \t");
      if (text != std::string::npos && !parsed.headers.empty()) {
        parsed.headers.back().append(" ").append(line, text);
      }
    } else if (!line.empty()) {
      parsed.headers.push_back(std::move(line));
    }
  }
  return parsed;
}

// The status code of "SIP/2.0 200 OK" / "HTTP/1.1 200 OK"; 0 when the line is not a status line.
int status_code(std::string_view status_line) {
  if (!status_line.starts_with("SIP/2.0 ") && !status_line.starts_with("HTTP/")) return 0;
  const auto space = status_line.find(' ');
  if (space == std::string_view::npos || status_line.size() < space + 4) return 0;
  int code = 0;
  for (char digit : status_line.substr(space + 1, 3)) {
    if (digit < '0' || digit > '9') return 0;
    code = code * 10 + (digit - '0');
  }
  return code;
}

// RFC 3261 §20.14 (and its compact form "l", §7.3.3) / RFC 9110 §8.6: 1*DIGIT, surrounded by
// white space. 0 when absent; nullopt when it is not a number or larger than kMaxAnswerBytes (a
// body that size could not be passed anyway, and checking here keeps the sum from overflowing).
std::optional<std::size_t> content_length(const ResponseHead& head) {
  for (const auto& header : head.headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos) continue;
    std::string name = header.substr(0, colon);
    std::erase_if(name, [](char c) { return c == ' ' || c == '\t'; });
    std::ranges::transform(name, name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name != "content-length" && name != "l") continue;
    std::string_view value = std::string_view(header).substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    if (first == std::string_view::npos) return std::nullopt;
    value = value.substr(first, value.find_last_not_of(" \t") + 1 - first);
    std::size_t length = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return std::nullopt;
      length = length * 10 + static_cast<std::size_t>(c - '0');
      if (length > kMaxAnswerBytes) return std::nullopt;
    }
    return length;
  }
  return 0;
}

// What the peer sent instead of a final answer, for the errors: " (it sent 12 provisional (1xx)
// answers and 30 bytes of keep-alive line breaks)", or "" when it sent neither.
std::string describe_stalling(std::size_t provisional_answers, std::size_t keep_alive_bytes) {
  std::string text;
  if (provisional_answers > 0) {
    text = std::to_string(provisional_answers) +
           (provisional_answers == 1 ? " provisional (1xx) answer" : " provisional (1xx) answers");
  }
  if (keep_alive_bytes > 0) {
    if (!text.empty()) text += " and ";
    text += std::to_string(keep_alive_bytes) + " bytes of keep-alive line breaks";
  }
  return text.empty() ? text : " (it sent " + text + ")";
}

}  // namespace

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

std::string host_and_port(std::string_view host, std::uint16_t port) {
  const bool ipv6 = host.find(':') != std::string_view::npos;
  return (ipv6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

Result<Socket> connect_tcp(const std::string& host, std::uint16_t port,
                           std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  const std::string peer = host_and_port(host, port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  // getaddrinfo has no timeout of its own; the resolver's (resolv.conf) applies.
  if (const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
      rc != 0) {
    return fail(ErrorCode::Unreachable,
                "cannot resolve '" + host + "': " + std::string(gai_strerror(rc)),
                "check the host name, or give its address instead");
  }
  const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, &freeaddrinfo);
  std::string last_error = "no address to connect to";
  for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
    const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            address->ai_protocol);
    if (fd < 0) {
      last_error = describe_errno(errno);
      continue;
    }
    Socket socket(fd);
    if (::connect(fd, address->ai_addr, address->ai_addrlen) == 0) return socket;
    if (errno != EINPROGRESS) {
      last_error = describe_errno(errno);
      continue;
    }
    pollfd descriptor{fd, POLLOUT, 0};
    const int ready = poll_until(descriptor, deadline);
    if (ready == 0) {
      return fail(ErrorCode::Unreachable,
                  "no answer from " + peer + " within " + describe_duration(timeout),
                  "check the address and the port, and any firewall in between");
    }
    int error = 0;
    socklen_t length = sizeof error;
    if (ready < 0) {
      error = errno;
    } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
      error = errno;
    }
    if (error == 0) return socket;
    last_error = describe_errno(error);
  }
  return fail(ErrorCode::Unreachable, "cannot connect to " + peer + ": " + last_error,
              "check that the server is running and listens on port " + std::to_string(port));
}

Endpoint local_endpoint(const Socket& socket) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  Endpoint endpoint;
  if (::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return endpoint;
  }
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET6) {
    const auto* ipv6 = reinterpret_cast<const sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &ipv6->sin6_addr, text, sizeof text);
    endpoint.port = ntohs(ipv6->sin6_port);
  } else {
    const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof text);
    endpoint.port = ntohs(ipv4->sin_port);
  }
  endpoint.address = text;
  return endpoint;
}

Result<void> handshake(SSL* connection, const Socket& socket, std::chrono::milliseconds timeout,
                       const std::string& peer) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    ERR_clear_error();
    const int rc = SSL_connect(connection);
    if (rc == 1) return {};
    const int error = SSL_get_error(connection, rc);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      pollfd descriptor{socket.fd(), wanted_events(error), 0};
      const int ready = poll_until(descriptor, deadline);
      if (ready > 0) continue;
      if (ready == 0) {
        return fail(ErrorCode::Unreachable,
                    "the TLS handshake with " + peer + " did not finish within " +
                        describe_duration(timeout),
                    "check that this port speaks TLS (not plain TCP, or SIP over TCP/UDP)");
      }
      return fail(ErrorCode::Unreachable,
                  "waiting for " + peer + " failed: " + describe_errno(errno),
                  "try again; if it persists, check the network");
    }
    const int saved_errno = errno;
    std::string reason = pki::drain_openssl_errors();
    if (reason.empty()) {
      reason = error == SSL_ERROR_SYSCALL && saved_errno != 0
                   ? describe_errno(saved_errno)
                   : "the peer closed the connection during the handshake";
    }
    std::string message = "the TLS handshake with " + peer;
    message.append(" failed: ").append(reason);
    return fail(ErrorCode::Unreachable, std::move(message), handshake_hint(reason));
  }
}

ResponseScan scan_response(std::string& received) {
  ResponseScan scan;
  for (;;) {
    const std::size_t keep_alive = std::min(received.find_first_not_of("\r\n"), received.size());
    received.erase(0, keep_alive);
    scan.keep_alive_bytes += keep_alive;
    const auto end = received.find("\r\n\r\n");
    if (end == std::string::npos) return scan;
    ResponseHead head = parse_head(std::string_view(received).substr(0, end));
    const int code = status_code(head.status_line);
    if (code == 0) {
      scan.malformed = true;
      scan.problem = "it is not a SIP or HTTP response";
      return scan;
    }
    if (code >= 200) {
      scan.head = std::move(head);
      return scan;
    }
    const auto body = content_length(head);
    if (!body) {
      scan.malformed = true;
      scan.problem = "its provisional answer '" + head.status_line +
                     "' has a Content-Length that is not a number of at most " +
                     std::to_string(kMaxAnswerBytes) + " bytes";
      return scan;
    }
    // At least the head and its blank line go on every pass: the loop always moves forward.
    const std::size_t next = end + 4 + *body;
    if (received.size() < next) return scan;  // the provisional answer's body is still coming
    received.erase(0, next);
    ++scan.provisional_answers;
  }
}

Result<ResponseHead> exchange(SSL* connection, const Socket& socket, std::string_view request,
                              std::chrono::milliseconds timeout, const std::string& peer) {
  const auto deadline = SteadyClock::now() + timeout;
  std::size_t written = 0;
  while (written < request.size()) {
    std::size_t count = 0;
    ERR_clear_error();
    const int rc =
        SSL_write_ex(connection, request.data() + written, request.size() - written, &count);
    if (rc == 1) {
      written += count;
    } else if (const Wait wait = wait_for_ssl(connection, socket, rc, deadline);
               wait != Wait::Ready) {
      return fail(ErrorCode::Unreachable,
                  wait == Wait::TimedOut
                      ? peer + " did not take the request within " + describe_duration(timeout)
                      : peer + " closed the connection before taking the request",
                  "check that the server speaks this protocol on this port");
    }
  }
  std::string received;
  std::size_t total = 0;
  std::size_t provisional_answers = 0;
  std::size_t keep_alive_bytes = 0;
  char chunk[4096];
  for (;;) {
    ResponseScan scan = scan_response(received);
    provisional_answers += scan.provisional_answers;
    keep_alive_bytes += scan.keep_alive_bytes;
    if (scan.head) return std::move(*scan.head);
    if (scan.malformed) {
      return fail(ErrorCode::Unreachable,
                  "the answer from " + peer + " is malformed: " + scan.problem,
                  "check that the server speaks this protocol on this port");
    }
    if (received.size() > kMaxHeadBytes) {
      return fail(ErrorCode::Unreachable,
                  "the answer from " + peer + " has a head longer than " +
                      std::to_string(kMaxHeadBytes / 1024) + " KiB",
                  "check that the server speaks this protocol on this port");
    }
    if (total > kMaxAnswerBytes) {
      return fail(ErrorCode::Unreachable,
                  peer + " sent more than " + std::to_string(kMaxAnswerBytes / 1024) +
                      " KiB without a final answer" +
                      describe_stalling(provisional_answers, keep_alive_bytes),
                  "the server keeps the request pending; check its logs");
    }
    // Checked on every pass: a peer that always has more to send never lets poll() see it.
    if (SteadyClock::now() >= deadline) {
      return fail(ErrorCode::Unreachable,
                  peer + " sent no final answer within " + describe_duration(timeout) +
                      describe_stalling(provisional_answers, keep_alive_bytes),
                  "the server is slow or keeps the request pending; try a longer timeout");
    }
    std::size_t count = 0;
    ERR_clear_error();
    const int rc = SSL_read_ex(connection, chunk, sizeof chunk, &count);
    if (rc == 1) {
      received.append(chunk, count);
      total += count;
    } else if (wait_for_ssl(connection, socket, rc, deadline) == Wait::Failed) {
      return fail(ErrorCode::Unreachable,
                  peer + " closed the connection before a final answer" +
                      describe_stalling(provisional_answers, keep_alive_bytes),
                  "check the server's logs for why it dropped the request");
    }
  }
}

}  // namespace telecert::tls::probe_io
