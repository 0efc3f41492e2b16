// telecertd: the HTTPS daemon of telecert (REST API and web UI). See server/daemon.h.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "server/daemon.h"

int main(int argc, char** argv) {
  try {
    CLI::App app{"telecertd: the HTTPS daemon of telecert (REST API v1 and the web UI)"};
    telecert::server::DaemonOptions options;
    std::string data_dir = "./telecert-data";
    app.add_option("--data-dir", data_dir, "the data directory (initialised on the first start)")
        ->envname("TELECERT_DATA_DIR")
        ->capture_default_str();
    app.add_option("--listen", options.listen, "ADDRESS:PORT to listen on (port 0: any free port)")
        ->capture_default_str();
    app.add_option("--threads", options.io_threads, "io threads (default: one per core)");
    CLI11_PARSE(app, argc, argv);
    options.data_dir = data_dir;
    return telecert::server::run_daemon(options);
  } catch (const std::exception& error) {
    std::cerr << "telecertd: unexpected failure: " << error.what() << "\n";
  } catch (...) {
    std::cerr << "telecertd: unexpected failure\n";
  }
  return 1;
}
