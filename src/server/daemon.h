// telecertd from start to exit: take the data directory's lock, initialise the directory on the
// first start (as `telecert init`), open the service, create the first admin (its password is
// printed once to stdout: `admin password: PW`), build the TLS registry and the routes, listen
// (printing `listening on https://ADDR:PORT`), and run until SIGTERM or SIGINT; then stop
// accepting, let requests in flight finish (at most 5 s) and exit 0.
//
// While running: after every change the service commits, the TLS registry is refreshed and the
// REST routes' caches dropped; every 5 s the registry and the upload limit are refreshed from the
// store as well, for changes made by the CLI in another process.
#pragma once

#include <filesystem>
#include <string>

namespace telecert::server {

struct DaemonOptions {
  std::filesystem::path data_dir;
  std::string listen = "127.0.0.1:8443";  // ADDRESS:PORT, IPv6 as [ADDRESS]:PORT; port 0 allowed
  unsigned io_threads = 0;                // 0: one per core
  unsigned worker_threads = 4;
};

// Runs the daemon in the calling thread; returns the process exit status (0 after a clean
// shutdown, 1 when start-up was refused, with the reason on stderr).
int run_daemon(const DaemonOptions& options);

}  // namespace telecert::server
