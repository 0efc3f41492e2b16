// The reachability check of the OCSP responders a TLS context names (see context_references.h).
#include <curl/curl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>

#include "service/context_references.h"

namespace telecert::service::detail {
namespace {

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// Closes `descriptor` when it goes out of scope.
struct SocketGuard {
  int descriptor;
  ~SocketGuard() {
    if (descriptor >= 0) ::close(descriptor);
  }
};

// Whether a TCP connection to `address` is accepted before `deadline`.
bool connects(const addrinfo& address, std::chrono::steady_clock::time_point deadline) {
  SocketGuard socket{
      ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK, address.ai_protocol)};
  if (socket.descriptor < 0) return false;
  if (::connect(socket.descriptor, address.ai_addr, address.ai_addrlen) == 0) return true;
  if (errno != EINPROGRESS) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  pollfd waiting{socket.descriptor, POLLOUT, 0};
  if (left.count() <= 0 || ::poll(&waiting, 1, static_cast<int>(left.count())) != 1) return false;
  int error = 0;
  socklen_t length = sizeof error;
  return ::getsockopt(socket.descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
}

struct UrlParts {
  std::string host;
  std::string port;
};

// The host and port of an http(s) URL (libcurl's parser, so the fetcher and this check agree).
std::optional<UrlParts> host_and_port(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), &curl_url_cleanup);
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  char* host = nullptr;
  char* port = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK) return std::nullopt;
  UrlParts parts{host, ""};
  curl_free(host);
  if (curl_url_get(handle.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
    return std::nullopt;
  }
  parts.port = port;
  curl_free(port);
  if (parts.host.size() > 2 && parts.host.front() == '[') {
    parts.host = parts.host.substr(1, parts.host.size() - 2);
  }
  return parts;
}

// An OCSP responder a context names must at least accept a TCP connection: a typo or a responder
// that is down would otherwise show up only as failed (or, with "accept", unchecked) handshakes.
}  // namespace

Result<void> check_responder_answers(const std::string& url, std::chrono::milliseconds timeout) {
  const std::string hint =
      "start the OCSP responder, or check the URL (host and port) and the network path to it";
  auto parts = host_and_port(url);
  if (!parts) {
    return fail(ErrorCode::InvalidArgument,
                "the OCSP responder URL " + in_quotes(url) + " cannot be parsed",
                "give it as http://host[:port][/path]");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(parts->host.c_str(), parts->port.c_str(), &hints, &found) != 0) {
    return fail(ErrorCode::InvalidArgument,
                "the OCSP responder " + in_quotes(url) + " does not answer: its host " +
                    in_quotes(parts->host) + " cannot be resolved",
                hint);
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, &freeaddrinfo);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
    if (connects(*address, deadline)) return {};
  }
  return fail(ErrorCode::InvalidArgument,
              "the OCSP responder " + in_quotes(url) + " does not answer: no TCP connection to " +
                  parts->host + ":" + parts->port + " within " +
                  std::to_string(timeout.count() / 1000) + " s",
              hint);
}

}  // namespace telecert::service::detail
