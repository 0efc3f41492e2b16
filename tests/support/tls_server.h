// `openssl s_server` on 127.0.0.1 as a real TLS server for tests: it presents the certificate,
// key and extra chain certificates it is given (exactly those: no chain is built for it), and can
// staple a canned OCSP response (RFC 6066 §8) or answer HTTP GETs with its status page (-www).
//
// The constructor starts it and waits (polling every 20 ms, at most 5 s) until the port accepts
// connections; when it does not come up the current test fails (ADD_FAILURE) with its log.
// stop() and the destructor end it by its PID.
//
// Example:
//   TlsServer server({.certificate = leaf.certificate, .key = leaf.key,
//                     .chain = pki.intermediate().certificate});
//   ... probe tls://127.0.0.1:<server.port()>
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace telecert::testing {

struct TlsServerOptions {
  std::filesystem::path certificate;    // PEM; only its first certificate is used (-cert)
  std::filesystem::path key;            // (-key)
  std::filesystem::path chain;          // certificates sent after it (-cert_chain); empty: none
  std::filesystem::path ocsp_response;  // DER OCSP response to staple (-status_file); empty: none
  bool http = false;                    // answer "GET /" with "HTTP/1.0 200 ok" (-www)
  int port = 0;                         // 0: a free port
  std::string host = "127.0.0.1";       // or "::1" (loopback either way)
  std::vector<std::string> extra_arguments;  // more s_server options, e.g. {"-tls1_2"}
  std::filesystem::path log;                 // empty: "s_server-<port>.log" next to the certificate
};

class TlsServer {
 public:
  explicit TlsServer(const TlsServerOptions& options);

  int port() const { return port_; }
  // "127.0.0.1:<port>", "[::1]:<port>"
  std::string address() const;
  bool running() const { return process_ && process_->running(); }
  void stop();
  std::string log() const { return process_ ? process_->log() : std::string(); }

 private:
  int port_ = 0;
  std::string host_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace telecert::testing
