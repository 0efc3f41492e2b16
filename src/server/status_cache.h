// The answers of GET /api/v1/status and the certificate part of GET /metrics, built from one
// service::StatusView and kept ready, so both routes run Inline on an io thread and cost a copy.
//
// A snapshot is rebuilt on the first request after invalidate() (the daemon calls it after every
// committed change) or once it is older than max_age (so changes made by the CLI in another
// process, and days-left crossing midnight, show within a second).
//
// Threading: current() and invalidate() may be called from any thread. One thread rebuilds at a
// time (rebuild_mutex_); the others meanwhile get the previous snapshot, and wait only when there
// is none yet. Snapshots are immutable and published through an atomic shared_ptr.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/error.h"
#include "service/certificate_service.h"
#include "service/views.h"

namespace telecert::server {

class StatusCache {
 public:
  struct Snapshot {
    Result<std::string> status_json;   // StatusView's JSON, as `telecert status --json`
    Result<std::string> metrics_text;  // Prometheus text 0.0.4, without the server's counters
    std::uint64_t generation = 0;      // the invalidate() count it was built after
    std::chrono::steady_clock::time_point built_at;
  };

  // Reads through a service made from `base` (base->with_actor); `base` must outlive the cache.
  // `monotonic_now` measures max_age (tests advance their own clock).
  using MonotonicNow = std::function<std::chrono::steady_clock::time_point()>;
  explicit StatusCache(
      const service::CertificateService& base,
      std::chrono::milliseconds max_age = std::chrono::seconds(1),
      MonotonicNow monotonic_now = [] { return std::chrono::steady_clock::now(); });

  // A snapshot no older than max_age and built after the last invalidate(), or, while another
  // thread is building that one, the previous snapshot. Never null.
  std::shared_ptr<const Snapshot> current();
  // Marks the current snapshot as out of date.
  void invalidate() { generation_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  bool fresh(const Snapshot& snapshot) const;
  std::shared_ptr<const Snapshot> build();

  const std::chrono::milliseconds max_age_;
  const MonotonicNow monotonic_now_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::mutex rebuild_mutex_;
  std::unique_ptr<service::CertificateService> service_;  // guarded by rebuild_mutex_
};

// The Prometheus text 0.0.4 of `status`: per identity and trust anchor
// telecert_certificate_expiry_timestamp_seconds and telecert_certificate_days_left
// {kind="identity|trust_anchor",name,subject,fingerprint}, telecert_identities{status},
// telecert_trust_anchors{source}, telecert_expiry_warning_days and telecert_events_total.
std::string status_metrics_text(const service::StatusView& status, std::int64_t events_total);

// A label value escaped as the Prometheus text format asks: backslash, double quote, line feed.
std::string escape_label_value(std::string_view value);

}  // namespace telecert::server
