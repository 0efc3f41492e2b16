// RFC 5280 profile checks that OpenSSL's X509_STRICT does not make (measured with x509-limbo,
// docs/conformance.md), and the name-constraint check of the expected name itself.
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

#include "pki/subject.h"
#include "verify/chain_checks.h"
#include "verify/problem_text.h"

namespace telecert::pki {
template <>
struct Free<NAME_CONSTRAINTS> {
  void operator()(NAME_CONSTRAINTS* p) const noexcept { NAME_CONSTRAINTS_free(p); }
};
template <>
struct Free<AUTHORITY_INFO_ACCESS> {
  void operator()(AUTHORITY_INFO_ACCESS* p) const noexcept { AUTHORITY_INFO_ACCESS_free(p); }
};
}  // namespace telecert::pki

namespace telecert::verify {
namespace {

void invalid(Report& report, std::size_t depth, const pki::Certificate& certificate,
             std::string_view why) {
  const auto words = problem_text::invalid_certificate(certificate.subject(), why);
  report.problems.push_back({ProblemCode::InvalidCertificate, Severity::Error,
                             static_cast<int>(depth), certificate.subject(), words.message,
                             words.remedy});
}

// -1: absent; 0: present, not critical; 1: critical.
int criticality(X509* x509, int nid) {
  const int index = X509_get_ext_by_NID(x509, nid, -1);
  if (index < 0) return -1;
  return X509_EXTENSION_get_critical(X509_get_ext(x509, index)) != 0 ? 1 : 0;
}

// RFC 1034 §3.5 / RFC 1123 §2.1 preferred name syntax, optionally with a "*." first label.
bool is_dns_san_syntax(std::string_view name) {
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t dot = std::min(name.find('.', start), name.size());
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    if (!std::ranges::all_of(label, [](unsigned char c) { return std::isalnum(c) || c == '-'; })) {
      return false;
    }
    start = dot + 1;
  }
  return true;
}

bool is_email_syntax(std::string_view address) {
  const std::size_t at = address.find('@');
  return at != 0 && at != std::string_view::npos && address.find('@', at + 1) == address.npos &&
         is_dns_san_syntax(address.substr(at + 1)) &&
         address.substr(at + 1).find('*') == address.npos;
}

bool serial_conforms(X509* x509) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(x509);
  const int length = ASN1_STRING_length(serial);
  const unsigned char* data = ASN1_STRING_get0_data(serial);
  if (ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER) return false;
  if (length == 0 || std::all_of(data, data + length, [](unsigned char c) { return c == 0; })) {
    return false;
  }
  return length < 20 || (length == 20 && (data[0] & 0x80) == 0);  // 20 content octets at most
}

// A DNS name constraint (RFC 5280 §4.2.1.10) is a host name: no leading period, no wildcard.
bool constraints_well_formed(const NAME_CONSTRAINTS* constraints) {
  for (const auto* subtrees : {constraints->permittedSubtrees, constraints->excludedSubtrees}) {
    for (int i = 0; i < sk_GENERAL_SUBTREE_num(subtrees); ++i) {
      const GENERAL_NAME* base = sk_GENERAL_SUBTREE_value(subtrees, i)->base;
      if (base->type != GEN_DNS) continue;
      const auto* text = reinterpret_cast<const char*>(ASN1_STRING_get0_data(base->d.dNSName));
      const std::string_view name(text,
                                  static_cast<std::size_t>(ASN1_STRING_length(base->d.dNSName)));
      if (!name.empty() &&
          (name.front() == '.' || !is_dns_san_syntax(name) || name.starts_with("*"))) {
        return false;
      }
    }
  }
  return true;
}

bool dns_within(std::string_view name, std::string_view constraint) {
  if (constraint.empty()) return true;
  const auto lower_equal = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::ranges::equal(a, b, [](unsigned char x, unsigned char y) {
             return std::tolower(x) == std::tolower(y);
           });
  };
  if (lower_equal(name, constraint)) return true;
  return name.size() > constraint.size() && name[name.size() - constraint.size() - 1] == '.' &&
         lower_equal(name.substr(name.size() - constraint.size()), constraint);
}

}  // namespace

void check_profile(Report& report, const VerifyOptions& options) {
  for (std::size_t depth = 0; depth < report.chain.size(); ++depth) {
    const ChainElement& element = report.chain[depth];
    X509* x509 = element.certificate.get();
    const bool is_leaf = depth == 0;
    // Always: an AIA that does not decode or is empty is broken, not merely unusual.
    if (!element.trust_anchor && criticality(x509, NID_info_access) >= 0) {
      pki::Owned<AUTHORITY_INFO_ACCESS> access(static_cast<AUTHORITY_INFO_ACCESS*>(
          X509_get_ext_d2i(x509, NID_info_access, nullptr, nullptr)));
      pki::drain_openssl_errors();
      if (access == nullptr || sk_ACCESS_DESCRIPTION_num(access.get()) == 0) {
        invalid(report, depth, element.certificate,
                "its authority information access extension is malformed");
      }
    }
    if (!options.strict) continue;
    // A non-critical name constraints extension is accepted: RFC 5280 §4.2.1.10 says CAs MUST
    // mark it critical, but plain OpenSSL and webpki accept it and its constraints still apply.
    if (criticality(x509, NID_name_constraints) >= 0) {
      pki::Owned<NAME_CONSTRAINTS> constraints(static_cast<NAME_CONSTRAINTS*>(
          X509_get_ext_d2i(x509, NID_name_constraints, nullptr, nullptr)));
      pki::drain_openssl_errors();
      if (constraints == nullptr || !constraints_well_formed(constraints.get()) ||
          (sk_GENERAL_SUBTREE_num(constraints->permittedSubtrees) <= 0 &&
           sk_GENERAL_SUBTREE_num(constraints->excludedSubtrees) <= 0)) {
        invalid(report, depth, element.certificate,
                "its name constraints are empty or malformed (RFC 5280 §4.2.1.10)");
      }
    }
    if (element.trust_anchor) continue;
    if (!serial_conforms(x509)) {
      invalid(report, depth, element.certificate,
              "its serial number is not a positive integer of at most 20 octets (RFC 5280 "
              "§4.1.2.2)");
    }
    if (is_leaf && criticality(x509, NID_name_constraints) >= 0 && !element.certificate.is_ca()) {
      invalid(report, depth, element.certificate,
              "name constraints belong only in CA certificates (RFC 5280 §4.2.1.10)");
    }
    if (criticality(x509, NID_policy_constraints) == 0) {
      invalid(report, depth, element.certificate,
              "its policy constraints extension must be critical (RFC 5280 §4.2.1.11)");
    }
    if (criticality(x509, NID_subject_alt_name) == 1 &&
        X509_NAME_entry_count(X509_get_subject_name(x509)) > 0) {
      invalid(report, depth, element.certificate,
              "its subject alternative name is critical although the subject is not empty");
    }
    const EVP_PKEY* key = X509_get0_pubkey(x509);
    if (key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
        EVP_PKEY_get_bits(key) % 8 != 0) {
      invalid(report, depth, element.certificate, "its RSA modulus is not a whole number of bytes");
    }
    if (is_leaf) {
      for (const pki::SubjectAltName& san : element.certificate.subject_alt_names()) {
        if ((san.type == pki::SanType::Dns && !is_dns_san_syntax(san.value)) ||
            (san.type == pki::SanType::Email && !is_email_syntax(san.value))) {
          invalid(report, depth, element.certificate,
                  "its subject alternative name '" + san.value + "' is malformed");
        }
      }
    }
  }
}

void check_expected_name_constraints(Report& report, const DnsName& name) {
  for (std::size_t depth = 1; depth < report.chain.size(); ++depth) {
    const ChainElement& element = report.chain[depth];
    pki::Owned<NAME_CONSTRAINTS> constraints(static_cast<NAME_CONSTRAINTS*>(
        X509_get_ext_d2i(element.certificate.get(), NID_name_constraints, nullptr, nullptr)));
    pki::drain_openssl_errors();
    if (constraints == nullptr) continue;
    bool any_permitted = false;
    bool permitted = false;
    bool excluded = false;
    for (const auto& [subtrees, is_permitted] : {std::pair{constraints->permittedSubtrees, true},
                                                 std::pair{constraints->excludedSubtrees, false}}) {
      for (int i = 0; i < sk_GENERAL_SUBTREE_num(subtrees); ++i) {
        const GENERAL_NAME* base = sk_GENERAL_SUBTREE_value(subtrees, i)->base;
        if (base->type != GEN_DNS) continue;
        const auto* text = reinterpret_cast<const char*>(ASN1_STRING_get0_data(base->d.dNSName));
        const std::string_view constraint(
            text, static_cast<std::size_t>(ASN1_STRING_length(base->d.dNSName)));
        const bool within = dns_within(name.value, constraint);
        if (is_permitted) {
          any_permitted = true;
          permitted = permitted || within;
        } else {
          excluded = excluded || within;
        }
      }
    }
    if (excluded || (any_permitted && !permitted)) {
      const auto words = problem_text::name_constraints(
          element.certificate.subject(), name.value + " is outside its DNS name constraints");
      report.problems.push_back({ProblemCode::NameConstraints, Severity::Error,
                                 static_cast<int>(depth), element.certificate.subject(),
                                 words.message, words.remedy});
    }
  }
}

}  // namespace telecert::verify
