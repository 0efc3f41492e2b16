// Human-readable rendering of the service's views for the terminal. The --json form is the views'
// to_json (service/views.h), shared with the REST API.
#pragma once

#include <ostream>
#include <vector>

#include "service/certificate_service.h"

namespace telecert::cli {

void print_status(std::ostream& out, const service::StatusView& status);
void print_identity_table(std::ostream& out, const std::vector<service::IdentityView>& identities);
void print_identity(std::ostream& out, const service::IdentityView& identity);
void print_trust_table(std::ostream& out, const std::vector<service::TrustAnchorView>& anchors);
void print_certificate(std::ostream& out, const service::CertificateView& certificate,
                       const std::string& indent = "  ");
void print_inspection(std::ostream& out, const service::InspectView& inspection);
void print_settings(std::ostream& out, const service::Settings& settings);
void print_events(std::ostream& out, const std::vector<store::EventRecord>& events);

}  // namespace telecert::cli
