#include "verify/report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "verify/problem_text.h"

namespace telecert::verify {

std::string_view to_string(ProblemCode code) {
  switch (code) {
    case ProblemCode::Expired:
      return "expired";
    case ProblemCode::NotYetValid:
      return "not_yet_valid";
    case ProblemCode::NameMismatch:
      return "name_mismatch";
    case ProblemCode::MissingIntermediate:
      return "missing_intermediate";
    case ProblemCode::UntrustedRoot:
      return "untrusted_root";
    case ProblemCode::SelfSigned:
      return "self_signed";
    case ProblemCode::Revoked:
      return "revoked";
    case ProblemCode::RevocationUnknown:
      return "revocation_unknown";
    case ProblemCode::BadKeyUsage:
      return "bad_key_usage";
    case ProblemCode::WeakKey:
      return "weak_key";
    case ProblemCode::WeakSignature:
      return "weak_signature";
    case ProblemCode::BadSignature:
      return "bad_signature";
    case ProblemCode::NotACa:
      return "not_a_ca";
    case ProblemCode::PathLength:
      return "path_length";
    case ProblemCode::NameConstraints:
      return "name_constraints";
    case ProblemCode::InvalidCertificate:
      return "invalid_certificate";
    case ProblemCode::NoCertificate:
      return "no_certificate";
  }
  return "invalid_certificate";
}

std::string_view to_string(Severity severity) {
  return severity == Severity::Error ? "error" : "warning";
}

std::string_view to_string(RevocationCheck::Status status) {
  switch (status) {
    case RevocationCheck::Status::Good:
      return "good";
    case RevocationCheck::Status::Revoked:
      return "revoked";
    case RevocationCheck::Status::Unknown:
      return "unknown";
  }
  return "unknown";
}

bool Report::has(ProblemCode code) const {
  return std::ranges::any_of(problems, [code](const Problem& p) { return p.code == code; });
}

void to_json(nlohmann::json& json, const Report& report) {
  json = nlohmann::json::object();
  json["trusted"] = report.trusted;
  json["chain"] = nlohmann::json::array();
  json["chain_details"] = nlohmann::json::array();
  for (const ChainElement& element : report.chain) {
    json["chain"].push_back(element.certificate.subject());
    json["chain_details"].push_back(
        {{"subject", element.certificate.subject()},
         {"issuer", element.certificate.issuer()},
         {"not_after", problem_text::format_time(element.certificate.not_after())},
         {"sha256_fingerprint", element.certificate.sha256_fingerprint()},
         {"trust_anchor", element.trust_anchor}});
  }
  json["problems"] = nlohmann::json::array();
  for (const Problem& problem : report.problems) {
    json["problems"].push_back({{"code", to_string(problem.code)},
                                {"severity", to_string(problem.severity)},
                                {"depth", problem.depth},
                                {"subject", problem.subject},
                                {"message", problem.message},
                                {"remedy", problem.remedy}});
  }
  json["revocation"] = nlohmann::json::array();
  for (const RevocationCheck& check : report.revocation) {
    json["revocation"].push_back(
        {{"subject", check.subject},
         {"status", to_string(check.status)},
         {"source", check.source},
         {"revoked_at", check.revoked_at
                            ? nlohmann::json(problem_text::format_time(*check.revoked_at))
                            : nlohmann::json(nullptr)},
         {"detail", check.detail}});
  }
}

std::string format_report(const Report& report) {
  std::string out = std::string("trusted: ") + (report.trusted ? "yes" : "no") + "\n";
  out += "chain:\n";
  for (std::size_t i = 0; i < report.chain.size(); ++i) {
    const ChainElement& element = report.chain[i];
    out += "  " + std::to_string(i) + ": " + element.certificate.subject() +
           (element.trust_anchor ? "  [trust anchor]" : "") + "\n";
    out += "     issuer " + element.certificate.issuer() + ", valid until " +
           problem_text::format_time(element.certificate.not_after()) + "\n";
  }
  if (report.problems.empty()) {
    out += "problems: none\n";
  } else {
    out += "problems:\n";
    for (const Problem& problem : report.problems) {
      out += "  - " + std::string(to_string(problem.severity)) + " " +
             std::string(to_string(problem.code));
      if (problem.depth >= 0) out += " (certificate " + std::to_string(problem.depth) + ")";
      out += ": " + problem.message + "\n    what to do: " + problem.remedy + "\n";
    }
  }
  if (!report.revocation.empty()) {
    out += "revocation:\n";
    for (const RevocationCheck& check : report.revocation) {
      out += "  " + check.subject + ": " + std::string(to_string(check.status));
      if (!check.source.empty()) out += " (" + check.source + ")";
      if (check.revoked_at) out += " revoked " + problem_text::format_time(*check.revoked_at);
      if (!check.detail.empty()) out += " - " + check.detail;
      out += "\n";
    }
  }
  return out;
}

}  // namespace telecert::verify
