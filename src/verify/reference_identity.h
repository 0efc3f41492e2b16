// The name a client expects its peer to have (RFC 6125 "reference identifier") and the checks of
// a certificate's names against it.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.h"
#include "pki/certificate.h"

namespace telecert::verify {

struct DnsName {
  std::string value;  // lower-case, no trailing dot
};
struct IpAddress {
  std::string value;  // canonical text form, as pki::SubjectAltName carries it
};
// RFC 5922 §7.2: a SIP domain is matched by a "sip:domain" URI SAN, or a DNS SAN equal to it.
struct SipUri {
  std::string domain;  // from "sip:example.com" / "sips:example.com:5061"
};
struct EmailAddress {
  std::string value;  // RFC 822 mailbox (client certificates)
};
using ReferenceIdentity = std::variant<DnsName, IpAddress, SipUri, EmailAddress>;

// "sip:host[:port]" and "sips:..." give a SipUri, an IPv4/IPv6 literal (brackets allowed) an
// IpAddress, "user@host" an EmailAddress, anything else a DnsName (checked as a hostname: labels
// of letters, digits and hyphens). Empty or malformed is ErrorCode::InvalidArgument.
[[nodiscard]] Result<ReferenceIdentity> parse_reference_identity(std::string_view text);
std::string to_string(const ReferenceIdentity& identity);

struct NameCheckOptions {
  // RFC 2818 compatibility: the subject CN counts for a DNS name only when the certificate has no
  // DNS SAN; for a SIP domain only when it has no subjectAltName at all (RFC 5922 §7.1); never for
  // an IP address.
  bool common_name_fallback = false;
};

// RFC 6125 §6.4: DNS names compared case-insensitively; a wildcard only as the complete left-most
// label ("*.example.com" matches "a.example.com", not "a.b.example.com" nor "example.com"), never
// in a public-suffix-like two-label name ("*.com"), never partial ("f*.example.com" does not
// match; RFC 6125 §7.2 allows it, we do not, as browsers and webpki do not); IP addresses only
// against IP SANs (§6.2.1 rules out the CN); SIP per RFC 5922 §7.2, except that a SIP URI whose
// host is an IP literal is an IP reference: IP SANs and sip: URI SANs of that address only.
bool matches(const pki::Certificate& certificate, const ReferenceIdentity& identity,
             const NameCheckOptions& options);

// The names the certificate carries that could match, for the report: "dns:a.example.com",
// "ip:192.0.2.1", "sip:example.com", and "cn:..." when the CN would count.
std::vector<std::string> presented_names(const pki::Certificate& certificate,
                                         const NameCheckOptions& options);

}  // namespace telecert::verify
