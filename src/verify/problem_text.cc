#include "verify/problem_text.h"

#include <cstdio>

namespace telecert::verify::problem_text {
namespace {

// Appends rather than "'" + std::string(...): g++ 12 at -O3 warns falsely on that form (-Wrestrict,
// GCC PR 105329).
std::string quoted(std::string_view subject) {
  std::string result = "'";
  result.append(subject.empty() ? "(empty subject)" : subject).append("'");
  return result;
}

std::string joined(const std::vector<std::string>& items) {
  std::string result;
  for (const std::string& item : items) result += (result.empty() ? "" : ", ") + item;
  return result.empty() ? "none" : result;
}

std::string with_detail(std::string_view detail) {
  return detail.empty() ? "" : " (" + std::string(detail) + ")";
}

}  // namespace

std::string format_time(pki::TimePoint time) {
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss clock{time - day};
  char text[48] = {};
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02ld:%02ld UTC", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long>(clock.hours().count()),
                static_cast<long>(clock.minutes().count()));
  return text;
}

std::string relative_days(pki::TimePoint time, pki::TimePoint now) {
  const auto days = std::chrono::floor<std::chrono::days>(time - now).count();
  if (days == 0 || days == -1) return time < now ? "less than a day ago" : "within a day";
  if (days < 0) return std::to_string(-days - 1) + (days == -2 ? " day ago" : " days ago");
  return "in " + std::to_string(days) + (days == 1 ? " day" : " days");
}

Text no_certificate(std::string_view role) {
  return {"the " + std::string(role) + " sent no certificate",
          "configure a certificate on the " + std::string(role) +
              " (for a client: make it present one when asked)"};
}

Text missing_intermediate(std::string_view subject, std::string_view missing_issuer,
                          bool leaf_only) {
  std::string message = leaf_only ? "the peer sent only its own certificate; the issuing "
                                    "intermediate " +
                                        quoted(missing_issuer) + " is missing"
                                  : "the chain stops at " + quoted(subject) + ", whose issuer " +
                                        quoted(missing_issuer) + " was neither sent nor is trusted";
  return {std::move(message), "add " + quoted(missing_issuer) +
                                  " to the peer's certificate chain, or to this context's "
                                  "trusted certificates"};
}

Text untrusted_root(std::string_view subject) {
  return {"the chain ends in the root " + quoted(subject) +
              ", which is not among this context's trusted certificates",
          "if you trust this CA, import " + quoted(subject) +
              " as a trusted root and include it in the context's trust scope"};
}

Text self_signed(std::string_view subject) {
  return {"the peer's certificate " + quoted(subject) +
              " is self-signed and is not among this context's trusted certificates",
          "give the peer a certificate issued by a CA you trust, or import this exact "
          "certificate as a trusted certificate"};
}

Text expired(std::string_view subject, pki::TimePoint not_after, pki::TimePoint now) {
  return {"the certificate " + quoted(subject) + " expired on " + format_time(not_after) + ", " +
              relative_days(not_after, now),
          "renew the certificate on the peer (or check this device's clock)"};
}

Text not_yet_valid(std::string_view subject, pki::TimePoint not_before, pki::TimePoint now) {
  return {"the certificate " + quoted(subject) + " is not valid before " + format_time(not_before) +
              ", " + relative_days(not_before, now),
          "check this device's clock (NTP) and the peer's; if both are right, wait or reissue "
          "the certificate"};
}

Text revoked(std::string_view subject, std::string_view source,
             std::optional<pki::TimePoint> revoked_at, std::string_view detail) {
  std::string message = "the certificate " + quoted(subject) + " has been revoked";
  if (revoked_at) message += " on " + format_time(*revoked_at);
  if (!source.empty()) message += " according to " + std::string(source);
  message += with_detail(detail);
  return {std::move(message),
          "the peer must get a new certificate from its CA; do not trust "
          "this one"};
}

Text revocation_unknown(std::string_view subject, std::string_view detail, bool rejected) {
  return {"the revocation status of " + quoted(subject) + " could not be determined" +
              with_detail(detail),
          rejected ? "make the OCSP responder or CRL reachable, or set the context's default "
                     "response to accept"
                   : "accepted because the context's default response is accept; make the OCSP "
                     "responder or CRL reachable"};
}

Text not_a_ca(std::string_view subject, std::string_view detail) {
  return {"the certificate " + quoted(subject) +
              " is used to issue another certificate but is not allowed to act as a CA" +
              with_detail(detail),
          "the issuing certificate needs basicConstraints CA:TRUE and keyUsage keyCertSign; "
          "have the chain reissued by a proper CA"};
}

Text path_length(std::string_view subject, std::string_view detail) {
  return {"the chain through " + quoted(subject) + " is longer than its CAs allow" +
              with_detail(detail),
          "shorten the chain (fewer intermediates) or have the CA reissued with a larger path "
          "length"};
}

Text max_depth(int max_intermediates) {
  return {"the chain has more intermediates than the " + std::to_string(max_intermediates) +
              " this context allows",
          "raise the context's maximum chain depth, or use a shorter chain"};
}

Text name_constraints(std::string_view subject, std::string_view detail) {
  return {"the certificate " + quoted(subject) +
              " carries a name its issuing CA is not allowed to certify" + with_detail(detail),
          "the CA's name constraints exclude this name; get a certificate from a CA allowed to "
          "issue it"};
}

Text bad_signature(std::string_view subject, std::string_view detail) {
  return {"the signature on " + quoted(subject) + " does not verify" + with_detail(detail),
          "the certificate was altered or was not issued by the CA it names; reinstall the "
          "correct chain on the peer"};
}

Text invalid_certificate(std::string_view subject, std::string_view detail) {
  return {
      "the certificate " + quoted(subject) + " does not conform to RFC 5280" + with_detail(detail),
      "have the certificate reissued by its CA; a malformed certificate cannot be trusted"};
}

Text name_mismatch(std::string_view expected, const std::vector<std::string>& presented) {
  return {"the certificate is for " + joined(presented) + ", not " + std::string(expected),
          "connect using one of the names the certificate carries, or reissue the certificate "
          "with " +
              std::string(expected) + " as a subject alternative name"};
}

Text eku_missing(std::string_view subject, std::string_view role, std::string_view needed,
                 const std::vector<std::string>& present, bool is_leaf) {
  return {std::string(is_leaf ? "the certificate " : "the issuing CA ") + quoted(subject) +
              " does not allow use as a TLS " + std::string(role) +
              " (extended key usage: " + joined(present) + ")",
          "reissue " + std::string(is_leaf ? "the certificate" : "the CA") + " with " +
              std::string(needed) + " in its extended key usage"};
}

Text client_with_server_auth_only(std::string_view subject, bool strict) {
  std::string message = "the client certificate " + quoted(subject) +
                        " allows serverAuth only, not clientAuth; public CAs stopped issuing "
                        "clientAuth certificates in 2026";
  if (strict) {
    return {message + ", and strict validation refuses it",
            "give the peer a certificate with clientAuth from a private CA, or turn strict "
            "validation off for this context to accept it"};
  }
  return {message + "; accepted because strict validation is off",
          "move the peer to a certificate with clientAuth from a private CA"};
}

Text key_usage_missing(std::string_view subject, std::string_view role, std::string_view needed,
                       const std::vector<std::string>& present) {
  return {"the key usage of " + quoted(subject) + " (" + joined(present) +
              ") does not allow use as a TLS " + std::string(role),
          "reissue the certificate with " + std::string(needed) +
              " in its key usage, or turn strict validation off"};
}

Text weak_key(std::string_view subject, std::string_view algorithm, int bits, bool legacy) {
  return {"the certificate " + quoted(subject) + " has a weak " + std::to_string(bits) + "-bit " +
              std::string(algorithm) + " key" + (legacy ? " (accepted: legacy mode)" : ""),
          "reissue it with an RSA key of at least 2048 bits or an EC key" +
              std::string(legacy ? "" : ", or turn on the context's legacy switch")};
}

Text weak_signature(std::string_view subject, std::string_view algorithm, bool legacy) {
  return {"the certificate " + quoted(subject) + " is signed with the weak algorithm " +
              std::string(algorithm) + (legacy ? " (accepted: legacy mode)" : ""),
          "reissue it with a SHA-256 (or stronger) signature" +
              std::string(legacy ? "" : ", or turn on the context's legacy switch")};
}

}  // namespace telecert::verify::problem_text
