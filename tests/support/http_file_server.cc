#include "support/http_file_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace telecert::testing {

HttpFileServer::HttpFileServer(std::filesystem::path root, HttpFileServerOptions options)
    : port_(options.port > 0 ? options.port : free_port()) {
  const std::string work = work_.path().string();
  const std::string config =
      "daemon off;\n"
      "master_process off;\n"
      "worker_processes 1;\n"
      "pid " +
      work +
      "/nginx.pid;\n"
      "error_log " +
      work +
      "/error.log info;\n"
      "events { worker_connections 64; }\n"
      "http {\n"
      "  access_log " +
      work +
      "/access.log;\n"
      "  client_body_temp_path " +
      work +
      "/client_body;\n"
      "  proxy_temp_path " +
      work +
      "/proxy;\n"
      "  fastcgi_temp_path " +
      work +
      "/fastcgi;\n"
      "  uwsgi_temp_path " +
      work +
      "/uwsgi;\n"
      "  scgi_temp_path " +
      work +
      "/scgi;\n"
      "  default_type application/octet-stream;\n"
      "  types { application/pkix-crl crl; application/ocsp-response der; }\n"
      "  server {\n"
      "    listen 127.0.0.1:" +
      std::to_string(port_) +
      ";\n"
      "    root " +
      std::filesystem::absolute(root).string() +
      ";\n"
      "    error_page 405 =200 $uri;\n"
      "    " +
      options.extra_server_config +
      "\n"
      "  }\n"
      "}\n";
  write_file(work_ / "nginx.conf", config);
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"nginx", "-p", work, "-e", work + "/error.log", "-c",
                               (work_ / "nginx.conf").string()},
      work_ / "nginx.out");
  if (!wait_for_port(port_, std::chrono::seconds(5))) {
    ADD_FAILURE() << "nginx did not start on port " << port_ << ": " << process_->log()
                  << error_log();
  }
}

HttpFileServer::~HttpFileServer() { stop(); }

std::string HttpFileServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + path;
}

void HttpFileServer::stop() {
  if (process_) process_->stop();
}

std::string HttpFileServer::access_log() const {
  return std::filesystem::exists(work_ / "access.log") ? read_file(work_ / "access.log") : "";
}

std::size_t HttpFileServer::requests(std::string_view needle, std::size_t expected,
                                     std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const std::string log = access_log();
    std::size_t count = 0;
    for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) {
      ++count;
    }
    if (count >= expected || std::chrono::steady_clock::now() >= deadline) return count;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string HttpFileServer::error_log() const {
  return std::filesystem::exists(work_ / "error.log") ? read_file(work_ / "error.log") : "";
}

}  // namespace telecert::testing
