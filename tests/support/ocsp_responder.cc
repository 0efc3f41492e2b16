#include "support/ocsp_responder.h"

#include <gtest/gtest.h>

#include <chrono>

namespace telecert::testing {

OcspResponderOptions ocsp_responder_options(const TestPki& pki, TestPki::Ca ca, int port,
                                            bool delegated) {
  const TestCertificate& signer = delegated ? pki.ocsp_signer(ca) : pki.ca(ca);
  return {.index = pki.index(ca),
          .ca = pki.ca(ca).certificate,
          .signer = signer.certificate,
          .signer_key = signer.key,
          .log = pki.dir() / ((ca == TestPki::Ca::Root ? "root" : "intermediate") +
                              std::string("-ocsp-") + std::to_string(port) + ".log"),
          .port = port};
}

OcspResponder::OcspResponder(const OcspResponderOptions& options)
    : port_(options.port > 0 ? options.port : free_port()) {
  std::vector<std::string> argv = {"openssl",  "ocsp",
                                   "-index",   options.index.string(),
                                   "-CA",      options.ca.string(),
                                   "-rsigner", options.signer.string(),
                                   "-rkey",    options.signer_key.string(),
                                   "-port",    std::to_string(port_)};
  if (options.next_update_minutes > 0) {
    argv.insert(argv.end(), {"-nmin", std::to_string(options.next_update_minutes)});
  } else if (options.next_update_days > 0) {
    argv.insert(argv.end(), {"-ndays", std::to_string(options.next_update_days)});
  }
  const auto log = options.log.empty()
                       ? options.index.parent_path() / ("ocsp-" + std::to_string(port_) + ".log")
                       : options.log;
  process_ = std::make_unique<BackgroundProcess>(argv, log);
  // Not wait_for_port(): OpenSSL 3.0's responder spins on a connection closed without a request.
  if (!process_->wait_for_log("waiting for OCSP client connections", std::chrono::seconds(5))) {
    ADD_FAILURE() << "openssl ocsp did not start on port " << port_ << ": " << process_->log();
  }
}

OcspResponder OcspResponder::down() {
  OcspResponder responder;
  responder.port_ = free_port();
  return responder;
}

void OcspResponder::stop() {
  if (process_) process_->stop();
}

}  // namespace telecert::testing
