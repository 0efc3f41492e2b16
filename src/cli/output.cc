#include "cli/output.h"

#include <iomanip>

namespace telecert::cli {
namespace {

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text.empty() ? "-" : text;
}

}  // namespace

void print_identity_table(std::ostream& out, const std::vector<service::IdentityView>& identities) {
  out << std::left << std::setw(16) << "NAME" << std::setw(12) << "ORIGIN" << std::setw(9)
      << "STATUS" << std::setw(7) << "DAYS" << std::setw(22) << "NOT AFTER"
      << "SUBJECT\n";
  for (const auto& identity : identities) {
    out << std::left << std::setw(16) << identity.name << std::setw(12) << identity.origin
        << std::setw(9) << service::to_string(identity.status);
    if (identity.certificate) {
      out << std::setw(7) << identity.certificate->days_left << std::setw(22)
          << service::format_time(identity.certificate->not_after) << identity.certificate->subject;
    } else {
      out << std::setw(7) << "-" << std::setw(22) << "-"
          << "(CSR waiting for its certificate)";
    }
    out << "\n";
  }
}

void print_certificate(std::ostream& out, const service::CertificateView& c,
                       const std::string& indent) {
  out << indent << "subject:      " << c.subject << "\n"
      << indent << "issuer:       " << c.issuer << (c.self_signed ? "  (self-signed)" : "") << "\n"
      << indent << "serial:       " << c.serial << "\n"
      << indent << "valid:        " << service::format_time(c.not_before) << " to "
      << service::format_time(c.not_after) << "  (" << c.days_left << " days left, "
      << service::to_string(c.status) << ")\n"
      << indent << "SANs:         " << join(c.subject_alt_names) << "\n"
      << indent << "CA:           " << (c.is_ca ? "yes" : "no");
  if (c.path_length) out << " (path length " << *c.path_length << ")";
  out << "\n"
      << indent << "key usage:    " << join(c.key_usage) << "\n"
      << indent << "ext. usage:   " << join(c.extended_key_usage) << "\n"
      << indent << "public key:   " << c.public_key << "\n"
      << indent << "signature:    " << c.signature_algorithm << "\n"
      << indent << "SHA-256:      " << c.sha256_fingerprint << "\n"
      << indent << "SHA-1:        " << c.sha1_fingerprint << "\n";
}

void print_identity(std::ostream& out, const service::IdentityView& identity) {
  out << "identity " << identity.name << "  origin " << identity.origin << "  status "
      << service::to_string(identity.status) << "  key " << identity.key << "\n";
  if (identity.certificate) print_certificate(out, *identity.certificate);
  for (std::size_t i = 0; i < identity.chain.size(); ++i) {
    out << "chain " << i + 1 << ":\n";
    print_certificate(out, identity.chain[i]);
  }
  if (identity.csr_pem) out << "waiting for the certificate of this CSR:\n" << *identity.csr_pem;
}

void print_trust_table(std::ostream& out, const std::vector<service::TrustAnchorView>& anchors) {
  out << std::left << std::setw(6) << "ID" << std::setw(9) << "SOURCE" << std::setw(9) << "STATUS"
      << std::setw(22) << "EXPIRES" << std::setw(50) << "SUBJECT"
      << "ISSUER\n";
  for (const auto& anchor : anchors) {
    out << std::left << std::setw(6) << anchor.id << std::setw(9) << anchor.source << std::setw(9)
        << service::to_string(anchor.certificate.status) << std::setw(22)
        << service::format_time(anchor.certificate.not_after) << std::setw(50)
        << anchor.certificate.subject << " " << anchor.certificate.issuer << "\n";
  }
}

void print_status(std::ostream& out, const service::StatusView& status) {
  out << "device id: " << status.device_id << "    expiry warning: " << status.expiry_warning_days
      << " days\n\n";
  print_identity_table(out, status.identities);
  std::size_t custom = 0;
  std::vector<const service::TrustAnchorView*> attention;
  for (const auto& anchor : status.trust_anchors) {
    if (anchor.source == "custom") ++custom;
    if (anchor.certificate.status != service::ExpiryStatus::Ok) attention.push_back(&anchor);
  }
  out << "\ntrusted roots: " << status.trust_anchors.size() << " ("
      << status.trust_anchors.size() - custom << " built-in, " << custom << " custom); "
      << attention.size() << " expired or inside the warning window\n";
  for (const auto* anchor : attention) {
    out << "  " << std::left << std::setw(9) << service::to_string(anchor->certificate.status)
        << std::setw(8) << anchor->certificate.days_left << "id " << std::setw(5) << anchor->id
        << anchor->certificate.subject << "\n";
  }
}

void print_inspection(std::ostream& out, const service::InspectView& inspection) {
  out << "format: " << inspection.format << "\n";
  for (std::size_t i = 0; i < inspection.certificates.size(); ++i) {
    out << "certificate " << i + 1 << ":\n";
    print_certificate(out, inspection.certificates[i]);
  }
  for (const auto& request : inspection.requests) {
    out << "certificate signing request:\n"
        << "  subject:      " << request.subject << "\n"
        << "  SANs:         " << join(request.subject_alt_names) << "\n"
        << "  public key:   " << request.public_key << "\n"
        << "  signature:    " << (request.signature_valid ? "valid" : "INVALID") << "\n";
  }
  for (const auto& key : inspection.keys) out << "private key: " << key << "\n";
  for (const auto& problem : inspection.chain_problems) out << "chain order: " << problem << "\n";
}

void print_settings(std::ostream& out, const service::Settings& settings) {
  for (const auto& definition : service::setting_definitions()) {
    out << std::left << std::setw(38) << definition.name
        << service::format_setting_value(definition, service::get_field(settings, definition))
        << "\n";
  }
}

void print_events(std::ostream& out, const std::vector<store::EventRecord>& events) {
  for (const auto& event : events) {
    out << service::format_time(event.time) << "  " << std::left << std::setw(14) << event.actor
        << std::setw(22) << event.action << std::setw(28) << event.object << event.outcome << "\n";
  }
}

}  // namespace telecert::cli
