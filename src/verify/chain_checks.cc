#include "verify/chain_checks.h"

#include <openssl/x509v3.h>

#include "pki/subject.h"
#include "verify/problem_text.h"

namespace telecert::verify {
namespace {

namespace text = problem_text;

void add(Report& report, ProblemCode code, Severity severity, int depth,
         const pki::Certificate* certificate, text::Text words) {
  report.problems.push_back({code, severity, depth,
                             certificate != nullptr ? certificate->subject() : std::string{},
                             std::move(words.message), std::move(words.remedy)});
}

bool has_eku(X509* certificate) {
  return (X509_get_extension_flags(certificate) & EXFLAG_XKUSAGE) != 0;
}

// RFC 5280 §4.2.1.12 lets an application that needs a specific purpose require it; we do, and
// do not let anyExtendedKeyUsage stand in for it (CA/B BR 7.1.2.7.10 forbids it in leaves).
void check_extended_key_usage(Report& report, const VerifyOptions& options) {
  const bool server = options.purpose == Purpose::Server;
  const std::uint32_t needed = server ? XKU_SSL_SERVER : XKU_SSL_CLIENT;
  const std::string_view role = to_string(options.purpose);
  const std::string_view needed_name = server ? "serverAuth" : "clientAuth";
  for (std::size_t depth = 0; depth < report.chain.size(); ++depth) {
    const ChainElement& element = report.chain[depth];
    X509* x509 = element.certificate.get();
    if (element.trust_anchor || !has_eku(x509)) continue;
    const std::uint32_t usages = X509_get_extended_key_usage(x509);
    const bool is_leaf = depth == 0;
    const int at = static_cast<int>(depth);
    if ((usages & needed) != 0) {
      if (is_leaf && options.strict && (usages & XKU_ANYEKU) != 0) {
        // CA/B BR 7.1.2.7.10: anyExtendedKeyUsage has no place in a subscriber certificate.
        add(report, ProblemCode::BadKeyUsage, Severity::Error, at, &element.certificate,
            {"the certificate '" + element.certificate.subject() +
                 "' allows any extended key usage, which strict validation does not accept",
             "reissue the certificate with only the extended key usages it needs"});
      }
      if (is_leaf && options.strict &&
          X509_EXTENSION_get_critical(
              X509_get_ext(x509, X509_get_ext_by_NID(x509, NID_ext_key_usage, -1)))) {
        // CA/B BR 7.1.2.7.6: extKeyUsage in a subscriber certificate is not critical.
        add(report, ProblemCode::BadKeyUsage, Severity::Error, at, &element.certificate,
            {"the extended key usage of '" + element.certificate.subject() +
                 "' is marked critical, which strict validation does not allow",
             "reissue the certificate with a non-critical extended key usage"});
      }
      continue;
    }
    if (!server && (usages & XKU_SSL_SERVER) != 0) {
      // Public CAs stop issuing clientAuth in 2026; SIP trunks present serverAuth-only
      // certificates as clients. Accepted with a warning unless strict.
      if (is_leaf) {
        add(report, ProblemCode::BadKeyUsage, options.strict ? Severity::Error : Severity::Warning,
            at, &element.certificate,
            text::client_with_server_auth_only(element.certificate.subject(), options.strict));
      } else if (options.strict) {
        add(report, ProblemCode::BadKeyUsage, Severity::Error, at, &element.certificate,
            text::eku_missing(element.certificate.subject(), role, needed_name,
                              element.certificate.extended_key_usage(), false));
      }
      continue;
    }
    add(report, ProblemCode::BadKeyUsage, Severity::Error, at, &element.certificate,
        text::eku_missing(element.certificate.subject(), role, needed_name,
                          element.certificate.extended_key_usage(), is_leaf));
  }
}

// The leaf's key usage (when present) must allow the TLS role (options.key_usage_for_role). A
// server's RSA key may use keyEncipherment (RSA key transport); everything else signs.
void check_key_usage(Report& report, const VerifyOptions& options) {
  const ChainElement& leaf = report.chain.front();
  X509* x509 = leaf.certificate.get();
  if (!options.key_usage_for_role || leaf.trust_anchor ||
      (X509_get_extension_flags(x509) & EXFLAG_KUSAGE) == 0) {
    return;
  }
  const std::uint32_t usage = X509_get_key_usage(x509);
  std::uint32_t allowed = KU_DIGITAL_SIGNATURE;
  if (options.purpose == Purpose::Server) allowed |= KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT;
  if ((usage & allowed) != 0) return;
  add(report, ProblemCode::BadKeyUsage, Severity::Error, 0, &leaf.certificate,
      text::key_usage_missing(leaf.certificate.subject(), to_string(options.purpose),
                              options.purpose == Purpose::Server
                                  ? "digitalSignature (or keyEncipherment for RSA)"
                                  : "digitalSignature",
                              leaf.certificate.key_usage()));
}

bool is_weak_digest(int digest_nid) {
  return digest_nid == NID_sha1 || digest_nid == NID_md5 || digest_nid == NID_md4 ||
         digest_nid == NID_md2 || digest_nid == NID_md5_sha1;
}

void check_weak_algorithms(Report& report, const VerifyOptions& options) {
  const Severity severity = options.legacy ? Severity::Warning : Severity::Error;
  for (std::size_t depth = 0; depth < report.chain.size(); ++depth) {
    const ChainElement& element = report.chain[depth];
    if (element.trust_anchor) continue;
    X509* x509 = element.certificate.get();
    const int at = static_cast<int>(depth);
    const EVP_PKEY* key = X509_get0_pubkey(x509);
    const int type = key != nullptr ? EVP_PKEY_get_base_id(key) : EVP_PKEY_NONE;
    // RSA below 2048 bits, any DSA key (no TLS 1.3, deprecated by FIPS 186-5), EC below P-256.
    if ((type == EVP_PKEY_RSA && EVP_PKEY_get_bits(key) < 2048) || type == EVP_PKEY_DSA ||
        (type == EVP_PKEY_EC && EVP_PKEY_get_bits(key) < 256)) {
      add(report, ProblemCode::WeakKey, severity, at, &element.certificate,
          text::weak_key(element.certificate.subject(), element.certificate.public_key_algorithm(),
                         EVP_PKEY_get_bits(key), options.legacy));
    }
    int digest_nid = NID_undef;
    if (X509_get_signature_info(x509, &digest_nid, nullptr, nullptr, nullptr) == 1 &&
        is_weak_digest(digest_nid)) {
      add(report, ProblemCode::WeakSignature, severity, at, &element.certificate,
          text::weak_signature(element.certificate.subject(),
                               element.certificate.signature_algorithm(), options.legacy));
    }
  }
}

}  // namespace

void check_chain(Report& report, const pki::Certificate& leaf, const VerifyOptions& options) {
  if (options.expected_name && !matches(leaf, *options.expected_name, options.names)) {
    add(report, ProblemCode::NameMismatch, Severity::Error, 0, &leaf,
        text::name_mismatch(to_string(*options.expected_name),
                            presented_names(leaf, options.names)));
  }
  if (const auto* dns =
          options.expected_name ? std::get_if<DnsName>(&*options.expected_name) : nullptr) {
    check_expected_name_constraints(report, *dns);
  }
  check_extended_key_usage(report, options);
  check_key_usage(report, options);
  check_profile(report, options);
  check_weak_algorithms(report, options);
}

void check_ocsp(Report& report, const VerifyOptions& options, RevocationChecker* revocation,
                FetchBudget* budget) {
  const RevocationPolicy& policy = options.revocation;
  const bool reject = policy.when_unknown == WhenUnknown::Reject;
  for (std::size_t depth = 0; depth + 1 < report.chain.size(); ++depth) {
    const pki::Certificate& subject = report.chain[depth].certificate;
    const pki::Certificate& issuer = report.chain[depth + 1].certificate;
    RevocationCheck check;
    if (revocation != nullptr) {
      std::optional<ByteView> stapled;
      if (depth == 0 && policy.stapled_ocsp_response)
        stapled = ByteView(*policy.stapled_ocsp_response);
      check = revocation->check_ocsp(subject, issuer, policy, stapled, options.time, budget);
    } else {
      check = {subject.subject(), RevocationCheck::Status::Unknown, "OCSP", std::nullopt,
               "no revocation checker was given"};
    }
    const int at = static_cast<int>(depth);
    if (check.status == RevocationCheck::Status::Revoked) {
      add(report, ProblemCode::Revoked, Severity::Error, at, &subject,
          text::revoked(subject.subject(), check.source, check.revoked_at, check.detail));
    } else if (check.status == RevocationCheck::Status::Unknown) {
      add(report, ProblemCode::RevocationUnknown, reject ? Severity::Error : Severity::Warning, at,
          &subject, text::revocation_unknown(subject.subject(), check.detail, reject));
    }
    report.revocation.push_back(std::move(check));
  }
}

}  // namespace telecert::verify
