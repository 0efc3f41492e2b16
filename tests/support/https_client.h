// A small HTTPS client for the daemon's tests (libcurl): one connection kept alive across
// requests, a cookie jar (the session cookie comes back by itself), and the two ways the REST API
// authenticates: log in (the CSRF token is then sent on every write) or a Bearer token.
//
// Verification: with a CA PEM the server's chain is verified against it (but not the host name:
// the daemon presents the factory identity, whose CN is the device id, not 127.0.0.1); without one
// nothing is verified. Only 127.0.0.1 is ever contacted.
//
// Bodies over 1 MiB go with `Expect: 100-continue` (libcurl's rule); the client waits up to 10 s
// for the 100 (the daemon answers it at once), so a server that never sends one shows as slow.
//
// Threading: one client per thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace telecert::testing {

struct HttpsResponse {
  long status = 0;                             // 0 when no answer came (see error)
  std::map<std::string, std::string> headers;  // lowercase names; repeated ones joined by ", "
  std::string body;
  std::string error;                 // libcurl's message when the transfer failed
  std::int64_t uploaded_bytes = 0;   // request body bytes actually sent
  std::string peer_certificate_pem;  // the server's leaf certificate (PEM)

  // The header `name` (lowercase), "" when absent.
  std::string header(const std::string& name) const;
  // The body parsed as JSON (a discarded value when it is not JSON).
  nlohmann::json json() const;
};

class HttpsClient {
 public:
  // Talks to https://127.0.0.1:`port`. `ca_pem` (PEM text, not a file name) is the root the
  // server's chain must lead to; empty: no verification at all.
  explicit HttpsClient(int port, std::string ca_pem = {});
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // `method` any HTTP method; `path` with its query. A JSON Content-Type is sent with a non-empty
  // body unless `headers` names one. Adds Authorization: Bearer when bearer() was set, and
  // X-CSRF-Token on methods other than GET/HEAD after login() unless send_csrf(false).
  HttpsResponse request(std::string_view method, std::string_view path, std::string_view body = {},
                        const std::map<std::string, std::string>& headers = {});
  HttpsResponse get(std::string_view path) { return request("GET", path); }
  HttpsResponse post(std::string_view path, const nlohmann::json& body) {
    return request("POST", path, body.dump());
  }
  HttpsResponse put(std::string_view path, const nlohmann::json& body) {
    return request("PUT", path, body.dump());
  }
  HttpsResponse patch(std::string_view path, const nlohmann::json& body) {
    return request("PATCH", path, body.dump());
  }
  HttpsResponse del(std::string_view path) { return request("DELETE", path); }

  // POST /api/v1/session; on 200 remembers the CSRF token (the cookie is in the jar).
  HttpsResponse login(std::string_view user, std::string_view password);
  // Sends `Authorization: Bearer <token>` from now on ("" stops it).
  void bearer(std::string token) { bearer_ = std::move(token); }
  // Whether X-CSRF-Token goes with writes after login() (default true).
  void send_csrf(bool send) { send_csrf_ = send; }
  const std::string& csrf_token() const { return csrf_token_; }
  // Forgets the cookies and the CSRF token (the connection stays).
  void clear_session();
  // Sends request bodies at most this fast (0: no limit), for tests of requests in flight.
  void max_send_speed(std::int64_t bytes_per_second) { max_send_speed_ = bytes_per_second; }
  // Drops the kept-alive connection: the next request opens a new one (new TLS handshake).
  void new_connection();
  int port() const { return port_; }

 private:
  int port_;
  std::string ca_pem_;
  std::string bearer_;
  std::string csrf_token_;
  bool send_csrf_ = true;
  std::int64_t max_send_speed_ = 0;
  void* curl_ = nullptr;  // CURL*
};

}  // namespace telecert::testing
