#include "service/views.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "pki/key.h"
#include "pki/ossl.h"
#include "service/certificate_service.h"

namespace telecert::service {

std::string_view to_string(ExpiryStatus status) {
  switch (status) {
    case ExpiryStatus::Ok:
      return "ok";
    case ExpiryStatus::Warning:
      return "warning";
    case ExpiryStatus::Expired:
      return "expired";
    case ExpiryStatus::Pending:
      return "pending";
  }
  return "ok";
}

std::string format_time(pki::TimePoint time) {
  std::time_t seconds = time.time_since_epoch().count();
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32] = {};
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

CertificateView view_certificate(const pki::Certificate& certificate, pki::TimePoint now,
                                 std::int64_t warning_days) {
  CertificateView view;
  view.subject = certificate.subject();
  view.issuer = certificate.issuer();
  view.common_name = certificate.common_name();
  view.serial = certificate.serial_hex();
  view.not_before = certificate.not_before();
  view.not_after = certificate.not_after();
  view.days_left = pki::days_left(certificate, now);
  // RFC 5280 §4.1.2.5: the validity period includes notAfter itself.
  if (view.not_after < now) {
    view.status = ExpiryStatus::Expired;
  } else if (view.not_after <= now + std::chrono::days(warning_days)) {
    view.status = ExpiryStatus::Warning;
  } else {
    view.status = ExpiryStatus::Ok;
  }
  for (const auto& san : certificate.subject_alt_names()) {
    view.subject_alt_names.push_back(pki::to_string(san));
  }
  view.is_ca = certificate.is_ca();
  view.path_length = certificate.path_length();
  view.key_usage = certificate.key_usage();
  view.extended_key_usage = certificate.extended_key_usage();
  view.sha256_fingerprint = certificate.sha256_fingerprint();
  view.sha1_fingerprint = certificate.sha1_fingerprint();
  view.public_key = pki::describe_public_key(X509_get0_pubkey(certificate.get()));
  view.signature_algorithm = certificate.signature_algorithm();
  view.self_signed = certificate.is_self_signed();
  return view;
}

CsrView view_csr(const pki::Csr& request) {
  CsrView view;
  view.subject = request.subject();
  for (const auto& san : request.subject_alt_names()) {
    view.subject_alt_names.push_back(pki::to_string(san));
  }
  view.public_key = pki::describe_public_key(request.public_key());
  view.signature_valid = request.signature_is_valid();
  return view;
}

void to_json(nlohmann::json& out, const CertificateView& view) {
  out = nlohmann::json{
      {"subject", view.subject},
      {"issuer", view.issuer},
      {"common_name", view.common_name},
      {"serial", view.serial},
      {"not_before", format_time(view.not_before)},
      {"not_after", format_time(view.not_after)},
      {"days_left", view.days_left},
      {"status", to_string(view.status)},
      {"subject_alt_names", view.subject_alt_names},
      {"is_ca", view.is_ca},
      {"path_length", view.path_length ? nlohmann::json(*view.path_length) : nlohmann::json()},
      {"key_usage", view.key_usage},
      {"extended_key_usage", view.extended_key_usage},
      {"sha256_fingerprint", view.sha256_fingerprint},
      {"sha1_fingerprint", view.sha1_fingerprint},
      {"public_key", view.public_key},
      {"signature_algorithm", view.signature_algorithm},
      {"self_signed", view.self_signed},
  };
}

void to_json(nlohmann::json& out, const IdentityView& view) {
  out = nlohmann::json{
      {"name", view.name},
      {"origin", view.origin},
      {"status", to_string(view.status)},
      {"key", view.key},
      {"created_at", format_time(view.created_at)},
      {"chain", view.chain},
  };
  if (view.certificate) {
    out["subject"] = view.certificate->subject;
    out["issuer"] = view.certificate->issuer;
    out["not_after"] = format_time(view.certificate->not_after);
    out["days_left"] = view.certificate->days_left;
    out["certificate"] = *view.certificate;
  } else {
    out["subject"] = nullptr;
    out["issuer"] = nullptr;
    out["not_after"] = nullptr;
    out["days_left"] = nullptr;
    out["certificate"] = nullptr;
  }
  out["csr"] = view.csr_pem ? nlohmann::json(*view.csr_pem) : nlohmann::json();
}

void to_json(nlohmann::json& out, const TrustAnchorView& view) {
  out = nlohmann::json{
      {"id", view.id},
      {"source", view.source},
      {"enabled", view.enabled},
      {"subject", view.certificate.subject},
      {"issuer", view.certificate.issuer},
      {"not_before", format_time(view.certificate.not_before)},
      {"not_after", format_time(view.certificate.not_after)},
      {"days_left", view.certificate.days_left},
      {"status", to_string(view.certificate.status)},
      {"sha256_fingerprint", view.certificate.sha256_fingerprint},
  };
}

void to_json(nlohmann::json& out, const CsrView& view) {
  out = nlohmann::json{{"subject", view.subject},
                       {"subject_alt_names", view.subject_alt_names},
                       {"public_key", view.public_key},
                       {"signature_valid", view.signature_valid}};
}

void to_json(nlohmann::json& out, const StatusView& view) {
  out = nlohmann::json{{"device_id", view.device_id},
                       {"expiry_warning_days", view.expiry_warning_days},
                       {"identities", view.identities},
                       {"trust", view.trust_anchors}};
}

void to_json(nlohmann::json& out, const InspectView& view) {
  out = nlohmann::json{{"format", view.format},
                       {"certificates", view.certificates},
                       {"requests", view.requests},
                       {"keys", view.keys},
                       {"chain_problems", view.chain_problems}};
}

void to_json(nlohmann::json& out, const TrustAddView& view) {
  out = nlohmann::json{{"added", view.added}, {"duplicates", view.duplicates}};
}

void to_json(nlohmann::json& out, const FactoryResetView& view) {
  out = {{"identities_removed", view.identities_removed},
         {"trust_removed", view.trust_anchors_removed},
         {"certificates_kept", view.certificates_kept},
         {"contexts_removed", view.contexts_removed},
         {"services_unbound", view.services_unbound}};
}

}  // namespace telecert::service

namespace telecert::store {

void to_json(nlohmann::json& out, const EventRecord& event) {
  out = nlohmann::json{{"id", event.id},         {"time", service::format_time(event.time)},
                       {"actor", event.actor},   {"action", event.action},
                       {"object", event.object}, {"outcome", event.outcome}};
}

}  // namespace telecert::store
