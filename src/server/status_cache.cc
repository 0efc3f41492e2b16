#include "server/status_cache.h"

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace telecert::server {
namespace {

constexpr std::array kStatuses = {service::ExpiryStatus::Ok, service::ExpiryStatus::Warning,
                                  service::ExpiryStatus::Expired, service::ExpiryStatus::Pending};

std::string labels(std::string_view kind, std::string_view name,
                   const service::CertificateView& certificate) {
  return "{kind=\"" + escape_label_value(kind) + "\",name=\"" + escape_label_value(name) +
         "\",subject=\"" + escape_label_value(certificate.subject) + "\",fingerprint=\"" +
         escape_label_value(certificate.sha256_fingerprint) + "\"}";
}

// One certificate's series of both gauges.
struct Series {
  std::string labels;
  std::int64_t expiry_seconds = 0;
  std::int64_t days_left = 0;
};

Series series_of(std::string_view kind, std::string_view name,
                 const service::CertificateView& certificate) {
  const auto expiry =
      std::chrono::duration_cast<std::chrono::seconds>(certificate.not_after.time_since_epoch());
  return Series{labels(kind, name, certificate), static_cast<std::int64_t>(expiry.count()),
                certificate.days_left};
}

void gauge_header(std::ostringstream& out, std::string_view name, std::string_view help) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n";
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string status_metrics_text(const service::StatusView& status, std::int64_t events_total) {
  std::vector<Series> series;
  std::map<service::ExpiryStatus, std::int64_t> identities;
  for (const auto& identity : status.identities) {
    ++identities[identity.status];
    if (identity.certificate) {
      series.push_back(series_of("identity", identity.name, *identity.certificate));
    }
  }
  std::int64_t builtin = 0;
  std::int64_t custom = 0;
  for (const auto& anchor : status.trust_anchors) {
    (anchor.source == "builtin" ? builtin : custom) += 1;
    const auto& certificate = anchor.certificate;
    series.push_back(
        series_of("trust_anchor",
                  certificate.common_name.empty() ? certificate.subject : certificate.common_name,
                  certificate));
  }

  std::ostringstream out;
  gauge_header(out, "telecert_certificate_expiry_timestamp_seconds",
               "notAfter of each identity and trusted root certificate, in Unix seconds.");
  for (const auto& one : series) {
    out << "telecert_certificate_expiry_timestamp_seconds" << one.labels << " "
        << one.expiry_seconds << "\n";
  }
  gauge_header(out, "telecert_certificate_days_left",
               "Whole days until each identity and trusted root certificate expires.");
  for (const auto& one : series) {
    out << "telecert_certificate_days_left" << one.labels << " " << one.days_left << "\n";
  }
  gauge_header(out, "telecert_identities", "Identities by expiry status.");
  for (const auto state : kStatuses) {
    out << "telecert_identities{status=\"" << service::to_string(state) << "\"} "
        << identities[state] << "\n";
  }
  gauge_header(out, "telecert_trust_anchors", "Trusted root certificates by source.");
  out << "telecert_trust_anchors{source=\"builtin\"} " << builtin << "\n";
  out << "telecert_trust_anchors{source=\"custom\"} " << custom << "\n";
  gauge_header(out, "telecert_expiry_warning_days",
               "Days before expiry at which a certificate is flagged.");
  out << "telecert_expiry_warning_days " << status.expiry_warning_days << "\n";
  out << "# HELP telecert_events_total Events in the audit log.\n# TYPE telecert_events_total "
         "counter\ntelecert_events_total "
      << events_total << "\n";
  return out.str();
}

StatusCache::StatusCache(const service::CertificateService& base, std::chrono::milliseconds max_age,
                         MonotonicNow monotonic_now)
    : max_age_(max_age),
      monotonic_now_(std::move(monotonic_now)),
      service_(base.with_actor("web:status")) {}

bool StatusCache::fresh(const Snapshot& snapshot) const {
  // A failed build is retried by the next request.
  return snapshot.status_json && snapshot.metrics_text &&
         snapshot.generation == generation_.load(std::memory_order_acquire) &&
         monotonic_now_() - snapshot.built_at < max_age_;
}

std::shared_ptr<const StatusCache::Snapshot> StatusCache::current() {
  auto snapshot = snapshot_.load(std::memory_order_acquire);
  if (snapshot && fresh(*snapshot)) return snapshot;
  std::unique_lock lock(rebuild_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) {
    if (snapshot) return snapshot;  // another thread is rebuilding; serve the previous one
    lock.lock();                    // none yet: wait for the first one
    if (auto built = snapshot_.load(std::memory_order_acquire)) return built;
  }
  // Another thread may have rebuilt between our load and taking the lock.
  snapshot = snapshot_.load(std::memory_order_acquire);
  if (snapshot && fresh(*snapshot)) return snapshot;
  auto rebuilt = build();
  snapshot_.store(rebuilt, std::memory_order_release);
  return rebuilt;
}

std::shared_ptr<const StatusCache::Snapshot> StatusCache::build() {
  auto snapshot = std::make_shared<Snapshot>();
  // Read the generation first: a change committed while we read makes this snapshot stale.
  snapshot->generation = generation_.load(std::memory_order_acquire);
  snapshot->built_at = monotonic_now_();
  auto status = service_->status();
  if (!status) {
    snapshot->status_json = std::unexpected(status.error());
    snapshot->metrics_text = std::unexpected(status.error());
    return snapshot;
  }
  snapshot->status_json = nlohmann::json(*status).dump();
  auto events = service_->count_events();
  if (!events) {
    snapshot->metrics_text = std::unexpected(events.error());
    return snapshot;
  }
  snapshot->metrics_text = status_metrics_text(*status, *events);
  return snapshot;
}

}  // namespace telecert::server
