// Named counters of the daemon (requests by status, failed logins, rate-limited sources, degraded
// paths), rendered into /metrics in the Prometheus text format.
//
// A name may carry labels in Prometheus syntax: `telecert_http_requests_total{code="401"}`; every
// distinct string is its own series, grouped under its metric name for the `# TYPE` line.
//
// Threading: add() and prometheus_text() may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace telecert::server {

class Counters {
 public:
  void add(std::string_view series, std::uint64_t amount = 1);
  std::uint64_t value(std::string_view series) const;
  // "# TYPE <metric> counter" once per metric name, then "<series> <value>" lines, sorted.
  std::string prometheus_text() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> values_;  // guarded by mutex_
};

}  // namespace telecert::server
