// An `openssl ocsp` responder (RFC 6960 over HTTP, RFC 6960 appendix A) as a real peer for
// tests: it answers from an `openssl ca` index (support/test_pki.h), signs with the signer given
// (the CA itself or a delegated signer), and includes a nonce when the request carries one.
//
// The constructor starts `openssl ocsp -port N` and waits (polling every 20 ms, at most 5 s)
// until it logs that it waits for connections; when it does not come up the current test fails
// (ADD_FAILURE) with the responder's log. stop() and the destructor end it by its PID.
// Note: OpenSSL 3.0's `-port` binds every interface (it takes no address); clients must use the
// url(), which names 127.0.0.1.
//
// A responder that is "down" (nothing listening) is OcspResponder::down(): its url() points at a
// port that was free a moment ago.
//
// Example:
//   OcspResponder responder(pki.ocsp_responder(TestPki::Ca::Intermediate, ocsp_port));
//   ... responder.url() == "http://127.0.0.1:<ocsp_port>"
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "support/test_pki.h"
#include "support/test_support.h"

namespace telecert::testing {

struct OcspResponderOptions {
  std::filesystem::path index;       // `openssl ca` index.txt
  std::filesystem::path ca;          // the issuer of the certificates asked about (-CA)
  std::filesystem::path signer;      // certificate that signs the responses (-rsigner)
  std::filesystem::path signer_key;  // its key (-rkey)
  std::filesystem::path log;         // where the responder's output goes
  int port = 0;                      // 0: a free port
  int next_update_days = 1;          // -ndays; 0 with next_update_minutes 0: no nextUpdate
  int next_update_minutes = 0;       // -nmin, used instead of days when > 0
};

// The options for a responder answering for `ca`'s certificates, signed by `ca`'s delegated OCSP
// signer (or by `ca` itself when `delegated` is false), on `port`.
OcspResponderOptions ocsp_responder_options(const TestPki& pki, TestPki::Ca ca, int port = 0,
                                            bool delegated = true);

class OcspResponder {
 public:
  explicit OcspResponder(const OcspResponderOptions& options);
  // Nothing listens on the returned responder's port.
  static OcspResponder down();

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool running() const { return process_ && process_->running(); }
  void stop();
  std::string log() const { return process_ ? process_->log() : std::string(); }

 private:
  OcspResponder() = default;
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace telecert::testing
