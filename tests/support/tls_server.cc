#include "support/tls_server.h"

#include <gtest/gtest.h>

#include <chrono>

namespace telecert::testing {

TlsServer::TlsServer(const TlsServerOptions& options)
    : port_(options.port > 0 ? options.port : free_port()) {
  // -no-CA*: the server's trust store stays empty, so OpenSSL cannot complete a chain the test
  // left incomplete on purpose.
  std::vector<std::string> argv = {"openssl",    "s_server",
                                   "-accept",    "127.0.0.1:" + std::to_string(port_),
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
  if (!wait_for_port(port_, std::chrono::seconds(5))) {
    ADD_FAILURE() << "openssl s_server did not start on port " << port_ << ": " << process_->log();
  }
}

void TlsServer::stop() {
  if (process_) process_->stop();
}

}  // namespace telecert::testing
