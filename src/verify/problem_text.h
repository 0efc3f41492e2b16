// The words of verify()'s report, in one place: for each problem a sentence a phone admin
// understands (what is wrong, about which certificate, with dates and names) and a remedy (what to
// do). verifier.cc decides *whether* there is a problem; this file only says it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pki/certificate.h"

namespace telecert::verify::problem_text {

struct Text {
  std::string message;
  std::string remedy;
};

// "2026-01-31 12:00 UTC"
std::string format_time(pki::TimePoint time);
// "23 days ago", "in 5 days", "today"
std::string relative_days(pki::TimePoint time, pki::TimePoint now);

Text no_certificate(std::string_view role);
Text missing_intermediate(std::string_view subject, std::string_view missing_issuer,
                          bool leaf_only);
Text untrusted_root(std::string_view subject);
Text self_signed(std::string_view subject);
Text expired(std::string_view subject, pki::TimePoint not_after, pki::TimePoint now);
Text not_yet_valid(std::string_view subject, pki::TimePoint not_before, pki::TimePoint now);
Text revoked(std::string_view subject, std::string_view source,
             std::optional<pki::TimePoint> revoked_at, std::string_view detail);
Text revocation_unknown(std::string_view subject, std::string_view detail, bool rejected);
Text not_a_ca(std::string_view subject, std::string_view detail);
Text path_length(std::string_view subject, std::string_view detail);
Text max_depth(int max_intermediates);
Text name_constraints(std::string_view subject, std::string_view detail);
Text bad_signature(std::string_view subject, std::string_view detail);
Text invalid_certificate(std::string_view subject, std::string_view detail);
Text name_mismatch(std::string_view expected, const std::vector<std::string>& presented);
Text eku_missing(std::string_view subject, std::string_view role, std::string_view needed,
                 const std::vector<std::string>& present, bool is_leaf);
// A client certificate that carries serverAuth but not clientAuth (public CAs, 2026).
Text client_with_server_auth_only(std::string_view subject, bool strict);
Text key_usage_missing(std::string_view subject, std::string_view role, std::string_view needed,
                       const std::vector<std::string>& present);
Text weak_key(std::string_view subject, std::string_view algorithm, int bits, bool legacy);
Text weak_signature(std::string_view subject, std::string_view algorithm, bool legacy);

}  // namespace telecert::verify::problem_text
