// What the service returns to its callers (CLI, REST, UI): plain values with every field a user
// sees, and their JSON form (the CLI's --json and the REST API share it). Never holds key material.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pki/certificate.h"
#include "pki/csr.h"
#include "store/records.h"

namespace telecert::service {

// ok / warning (inside the expiry warning window) / expired; pending for a CSR without certificate.
enum class ExpiryStatus { Ok, Warning, Expired, Pending };
std::string_view to_string(ExpiryStatus status);

struct CertificateView {
  std::string subject;
  std::string issuer;
  std::string common_name;
  std::string serial;
  pki::TimePoint not_before{};
  pki::TimePoint not_after{};
  std::int64_t days_left = 0;
  ExpiryStatus status = ExpiryStatus::Ok;
  std::vector<std::string> subject_alt_names;  // "dns:..." form
  bool is_ca = false;
  std::optional<long> path_length;
  std::vector<std::string> key_usage;
  std::vector<std::string> extended_key_usage;
  std::string sha256_fingerprint;
  std::string sha1_fingerprint;
  std::string public_key;  // "EC P-256", "RSA 2048"
  std::string signature_algorithm;
  bool self_signed = false;
};

struct IdentityView {
  std::string name;
  std::string origin;
  ExpiryStatus status = ExpiryStatus::Pending;
  std::string key;                             // description only, e.g. "EC P-256"
  std::optional<CertificateView> certificate;  // absent while pending
  std::vector<CertificateView> chain;
  std::optional<std::string> csr_pem;  // while pending
  pki::TimePoint created_at{};
};

struct TrustAnchorView {
  std::int64_t id = 0;
  std::string source;  // builtin | custom
  bool enabled = true;
  CertificateView certificate;
};

struct CsrView {
  std::string subject;
  std::vector<std::string> subject_alt_names;
  std::string public_key;
  bool signature_valid = false;
};

struct StatusView {
  std::string device_id;
  std::int64_t expiry_warning_days = 0;
  std::vector<IdentityView> identities;
  std::vector<TrustAnchorView> trust_anchors;
};

struct InspectView {
  std::string format;  // "PEM", "PKCS#12", ...
  std::vector<CertificateView> certificates;
  std::vector<CsrView> requests;
  std::vector<std::string> keys;  // descriptions only
  std::vector<std::string> chain_problems;
};

struct TrustAddView {
  std::vector<TrustAnchorView> added;
  std::vector<std::string> duplicates;  // subjects already trusted
};

// Builds the view of `certificate` as seen at `now` with a warning window of `warning_days`.
CertificateView view_certificate(const pki::Certificate& certificate, pki::TimePoint now,
                                 std::int64_t warning_days);
CsrView view_csr(const pki::Csr& request);

void to_json(nlohmann::json& out, const CertificateView& view);
void to_json(nlohmann::json& out, const IdentityView& view);
void to_json(nlohmann::json& out, const TrustAnchorView& view);
void to_json(nlohmann::json& out, const CsrView& view);
void to_json(nlohmann::json& out, const StatusView& view);
void to_json(nlohmann::json& out, const InspectView& view);
void to_json(nlohmann::json& out, const TrustAddView& view);

// ISO 8601 UTC ("2026-11-23T09:00:00Z").
std::string format_time(pki::TimePoint time);

}  // namespace telecert::service

namespace telecert::store {
// Found by argument-dependent lookup, so it lives beside EventRecord's namespace.
void to_json(nlohmann::json& out, const EventRecord& event);
}  // namespace telecert::store
