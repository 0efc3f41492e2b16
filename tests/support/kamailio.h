// Kamailio (with kamailio-tls-modules) listening for SIP over TLS on 127.0.0.1, as the real SIP
// server `telecert probe sips:` talks to. It answers OPTIONS with "200 OK" (sl_send_reply,
// stateless) and anything else with 501.
//
// The configuration (kamailio.cfg + tls.cfg) and the pid file, runtime and working directories are
// generated in a TempDir of its own, so it runs without root and touches nothing outside. It runs
// in the foreground (-DD -E: its log goes to the log file); the constructor waits (polling every
// 20 ms, at most 5 s) until the port accepts connections, else the current test fails
// (ADD_FAILURE) with the log. stop() and the destructor end it by its PID (the main process
// takes its children with it).
//
// Example:
//   Kamailio sip({.certificate = leaf.chain, .key = leaf.key});
//   ... probe sips:127.0.0.1:<sip.port()>
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "support/test_support.h"

namespace telecert::testing {

inline constexpr std::string_view kKamailioBinary = "/usr/sbin/kamailio";
inline constexpr std::string_view kKamailioModules = "/usr/lib/x86_64-linux-gnu/kamailio/modules/";

struct KamailioOptions {
  // PEM: the server's certificate, then the chain it sends (Kamailio sends the whole file).
  std::filesystem::path certificate;
  std::filesystem::path key;
  int port = 0;  // 0: a free port
};

class Kamailio {
 public:
  explicit Kamailio(const KamailioOptions& options);
  ~Kamailio();
  Kamailio(const Kamailio&) = delete;
  Kamailio& operator=(const Kamailio&) = delete;

  // False when Kamailio or its TLS module is not installed (the test should then skip).
  static bool available();

  int port() const { return port_; }
  bool running() const { return process_ && process_->running(); }
  void stop();
  std::string log() const { return process_ ? process_->log() : std::string(); }

 private:
  int port_ = 0;
  TempDir work_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace telecert::testing
