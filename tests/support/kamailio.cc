#include "support/kamailio.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

namespace telecert::testing {
namespace {

// The smallest configuration that serves SIP over TLS: one worker of each kind, the tls module
// and stateless replies (RFC 3261 §11.2: an OPTIONS is answered as an INVITE would be, here
// simply 200).
std::string kamailio_config(int port, const std::filesystem::path& tls_config) {
  return "#!KAMAILIO\n"
         "debug=2\n"
         "log_stderror=yes\n"
         "children=1\n"
         "tcp_children=1\n"
         "disable_tcp=no\n"
         "enable_tls=yes\n"
         "auto_aliases=no\n"
         "listen=tls:127.0.0.1:" +
         std::to_string(port) +
         "\n"
         "mpath=\"" +
         std::string(kKamailioModules) +
         "\"\n"
         "loadmodule \"tls.so\"\n"
         "loadmodule \"sl.so\"\n"
         "modparam(\"tls\", \"config\", \"" +
         tls_config.string() +
         "\")\n"
         "request_route {\n"
         "  if (method == \"OPTIONS\") {\n"
         "    sl_send_reply(\"200\", \"OK\");\n"
         "    exit;\n"
         "  }\n"
         "  sl_send_reply(\"501\", \"Not Implemented\");\n"
         "}\n";
}

std::string tls_config(const KamailioOptions& options) {
  return "[server:default]\n"
         "method = TLSv1.2+\n"
         "verify_certificate = no\n"
         "require_certificate = no\n"
         "private_key = " +
         options.key.string() +
         "\n"
         "certificate = " +
         options.certificate.string() +
         "\n\n"
         "[client:default]\n"
         "method = TLSv1.2+\n"
         "verify_certificate = no\n"
         "require_certificate = no\n";
}

}  // namespace

bool Kamailio::available() {
  return ::access(std::string(kKamailioBinary).c_str(), X_OK) == 0 &&
         std::filesystem::exists(std::filesystem::path(kKamailioModules) / "tls.so");
}

Kamailio::Kamailio(const KamailioOptions& options)
    : port_(options.port > 0 ? options.port : free_port()) {
  const auto tls_file = work_ / "tls.cfg";
  const auto config_file = work_ / "kamailio.cfg";
  write_file(tls_file, tls_config(options));
  write_file(config_file, kamailio_config(port_, tls_file));
  const std::vector<std::string> argv = {std::string(kKamailioBinary),
                                         "-DD",
                                         "-E",
                                         "-f",
                                         config_file.string(),
                                         "-P",
                                         (work_ / "kamailio.pid").string(),
                                         "-Y",
                                         work_.path().string(),
                                         "-w",
                                         work_.path().string(),
                                         "-m",
                                         "32",
                                         "-M",
                                         "8"};
  process_ = std::make_unique<BackgroundProcess>(argv, work_ / "kamailio.log");
  if (!wait_for_port(port_, std::chrono::seconds(5))) {
    ADD_FAILURE() << "kamailio did not start on port " << port_ << ": " << process_->log();
  }
}

Kamailio::~Kamailio() { stop(); }

void Kamailio::stop() {
  if (process_) process_->stop();
}

}  // namespace telecert::testing
