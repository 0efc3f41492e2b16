// nginx serving a directory over plain HTTP on 127.0.0.1, as a real peer for tests (CRL
// distribution points, files a device would download, canned OCSP responses).
//
// The configuration is generated in its own TempDir (daemon off, master_process off, pid, error
// and access logs, every *_temp_path), so it runs as a non-root user. The constructor waits
// (polling every 20 ms, at most 5 s) until the port accepts connections, else the current test
// fails (ADD_FAILURE) with nginx's error log. stop() and the destructor end it by its PID.
//
// POST requests to a file answer the file too (`error_page 405 =200 $uri`), so a DER OCSP
// response saved to the directory can be served to an OCSP client as a canned answer.
// `extra_server_config` is inserted into the server block, e.g.
// "location = /moved { return 302 /file.bin; }".
//
// Example:
//   HttpFileServer server(pki.crl_directory(), {.port = crl_port});
//   ... server.url("intermediate.crl") == "http://127.0.0.1:<crl_port>/intermediate.crl"
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "support/test_support.h"

namespace telecert::testing {

struct HttpFileServerOptions {
  int port = 0;  // 0: a free port
  std::string extra_server_config;
};

class HttpFileServer {
 public:
  explicit HttpFileServer(std::filesystem::path root, HttpFileServerOptions options = {});
  ~HttpFileServer();
  HttpFileServer(const HttpFileServer&) = delete;
  HttpFileServer& operator=(const HttpFileServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>/<path>"
  std::string url(const std::string& path = "") const;
  void stop();
  // The access log so far, one line per request ("GET /intermediate.crl HTTP/1.1" 200 ...):
  // tests count requests with it (e.g. that a cached CRL was not fetched again).
  // nginx writes a request's line after sending the answer, so a client may read the log a moment
  // too early: count with requests() instead of reading access_log() right after a request.
  std::string access_log() const;
  // The number of access-log lines containing `needle` ("GET /intermediate.crl"), polling every
  // 10 ms until there are at least `expected` or `timeout` passes.
  std::size_t requests(std::string_view needle, std::size_t expected,
                       std::chrono::milliseconds timeout = std::chrono::seconds(2)) const;
  std::string error_log() const;

 private:
  int port_ = 0;
  TempDir work_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace telecert::testing
