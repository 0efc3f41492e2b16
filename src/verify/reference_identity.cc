#include "verify/reference_identity.h"

#include <arpa/inet.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>

namespace telecert::verify {
namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  std::ranges::transform(result, result.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::ranges::equal(a, b, [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equal_ignoring_case(text.substr(0, prefix.size()), prefix);
}

// RFC 1123 §2.1 host name: labels of 1-63 letters, digits and hyphens, not starting or ending with
// a hyphen, 253 characters at most, the last label not all digits.
bool is_hostname(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t dot = std::min(name.find('.', start), name.size());
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (unsigned char c : label) {
      if (std::isalnum(c) == 0 && c != '-') return false;
    }
    start = dot + 1;
  }
  // RFC 3696 §2: a top-level label is never all digits, so "192.0.2.1." is no host name.
  const std::string_view last = name.substr(name.rfind('.') + 1);
  return !std::ranges::all_of(last, [](unsigned char c) { return std::isdigit(c) != 0; });
}

// The canonical text of an IPv4/IPv6 literal ("[::1]" allowed), or "" when it is none.
std::string canonical_ip(std::string_view text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  const std::string input(text);
  unsigned char address[16] = {};
  char out[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, input.c_str(), address) == 1) {
    return inet_ntop(AF_INET, address, out, sizeof out) != nullptr ? out : "";
  }
  if (inet_pton(AF_INET6, input.c_str(), address) == 1) {
    return inet_ntop(AF_INET6, address, out, sizeof out) != nullptr ? out : "";
  }
  return "";
}

// The host of a SIP URI's hostport ("example.com", "example.com:5061", "[2001:db8::1]:5061"),
// with parameters and headers removed.
std::string_view sip_host(std::string_view rest) {
  rest = rest.substr(0, std::min(rest.find_first_of(";?"), rest.size()));
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    return close == std::string_view::npos ? std::string_view{} : rest.substr(0, close + 1);
  }
  return rest.substr(0, std::min(rest.find(':'), rest.size()));
}

// RFC 6125 §6.4.3 as browsers and webpki apply it: "*" only as the whole left-most label, at
// least two labels after it, matching exactly one non-empty label.
bool dns_pattern_matches(std::string_view pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '.') pattern.remove_suffix(1);
  if (pattern.empty() || name.empty()) return false;
  if (!pattern.starts_with("*.")) {
    return pattern.find('*') == std::string_view::npos && equal_ignoring_case(pattern, name);
  }
  const std::string_view suffix = pattern.substr(1);  // ".example.com"
  if (suffix.find('*') != std::string_view::npos) return false;
  if (suffix.find('.', 1) == std::string_view::npos) return false;  // "*.com"
  const std::size_t first_dot = name.find('.');
  if (first_dot == 0 || first_dot == std::string_view::npos) return false;
  return equal_ignoring_case(name.substr(first_dot), suffix);
}

bool has_dns_san(const std::vector<pki::SubjectAltName>& names) {
  return std::ranges::any_of(
      names, [](const pki::SubjectAltName& n) { return n.type == pki::SanType::Dns; });
}

// RFC 5922 §7.1: the subject CN counts for a SIP domain only when the certificate has no
// subjectAltName extension at all (of any type, including ones telecert does not list).
bool has_subject_alt_name(const pki::Certificate& certificate) {
  return X509_get_ext_by_NID(certificate.get(), NID_subject_alt_name, -1) >= 0;
}

// The host of a "sip:host" URI SAN (RFC 5922 §7.1: scheme sip, no user part) in the form a parsed
// SipUri carries: an IP literal as its canonical text without brackets, a name in lower case;
// "" when the SAN is no such URI.
std::string sip_san_domain(std::string_view uri) {
  if (!starts_with_ignoring_case(uri, "sip:")) return "";
  const std::string_view rest = uri.substr(4);
  if (rest.find('@') != std::string_view::npos) return "";
  const std::string_view host = sip_host(rest);
  if (std::string ip = canonical_ip(host); !ip.empty()) return ip;
  return lower(host);
}

bool email_matches(std::string_view san, std::string_view expected) {
  const std::size_t at_san = san.rfind('@');
  const std::size_t at_expected = expected.rfind('@');
  if (at_san == std::string_view::npos || at_expected == std::string_view::npos) return false;
  return san.substr(0, at_san) == expected.substr(0, at_expected) &&
         equal_ignoring_case(san.substr(at_san + 1), expected.substr(at_expected + 1));
}

}  // namespace

Result<ReferenceIdentity> parse_reference_identity(std::string_view text) {
  const auto invalid = [&](std::string_view why) {
    std::string message = "'";  // appended: g++ 12 -O3 warns falsely on "'" + std::string
    message.append(text).append("' is not a name to check: ").append(why);
    return fail(ErrorCode::InvalidArgument, std::move(message),
                "give a host name (sbc1.example.com), an IP address, a SIP URI "
                "(sip:example.com) or an e-mail address");
  };
  if (text.empty()) return invalid("it is empty");
  for (std::string_view scheme : {"sips:", "sip:"}) {
    if (starts_with_ignoring_case(text, scheme)) {
      std::string_view rest = text.substr(scheme.size());
      if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
        rest = rest.substr(at + 1);
      }
      const std::string_view host = sip_host(rest);
      std::string domain = canonical_ip(host);
      if (domain.empty()) {
        domain = lower(host);
        if (domain.ends_with('.')) domain.pop_back();
        if (!is_hostname(domain)) return invalid("the SIP URI has no valid host");
      }
      return SipUri{std::move(domain)};
    }
  }
  if (std::string ip = canonical_ip(text); !ip.empty()) return IpAddress{std::move(ip)};
  if (const std::size_t at = text.rfind('@'); at != std::string_view::npos) {
    std::string domain = lower(text.substr(at + 1));
    if (at == 0 || !is_hostname(domain)) return invalid("the e-mail address is malformed");
    return EmailAddress{std::string(text.substr(0, at + 1)) + domain};
  }
  std::string name = lower(text);
  if (name.ends_with('.')) name.pop_back();
  if (!is_hostname(name)) return invalid("it is not a valid host name");
  return DnsName{std::move(name)};
}

std::string to_string(const ReferenceIdentity& identity) {
  struct Visitor {
    std::string operator()(const DnsName& n) const { return n.value; }
    std::string operator()(const IpAddress& n) const { return n.value; }
    std::string operator()(const SipUri& n) const {
      // An IPv6 host is bracketed (RFC 3261 §25.1), so the text parses back to the same URI.
      return n.domain.find(':') != std::string::npos ? "sip:[" + n.domain + "]" : "sip:" + n.domain;
    }
    std::string operator()(const EmailAddress& n) const { return n.value; }
  };
  return std::visit(Visitor{}, identity);
}

bool matches(const pki::Certificate& certificate, const ReferenceIdentity& identity,
             const NameCheckOptions& options) {
  const std::vector<pki::SubjectAltName> names = certificate.subject_alt_names();
  const bool cn_counts = options.common_name_fallback && !has_dns_san(names);
  const auto any_san = [&](pki::SanType type, auto&& predicate) {
    return std::ranges::any_of(
        names, [&](const pki::SubjectAltName& n) { return n.type == type && predicate(n.value); });
  };
  if (const auto* dns = std::get_if<DnsName>(&identity)) {
    if (any_san(pki::SanType::Dns,
                [&](const std::string& san) { return dns_pattern_matches(san, dns->value); })) {
      return true;
    }
    return cn_counts && dns_pattern_matches(certificate.common_name(), dns->value);
  }
  if (const auto* ip = std::get_if<IpAddress>(&identity)) {
    return any_san(pki::SanType::Ip, [&](const std::string& san) { return san == ip->value; });
  }
  if (const auto* sip = std::get_if<SipUri>(&identity)) {
    const auto sip_uri_san_is = [&](const std::string& host) {
      return any_san(pki::SanType::Uri,
                     [&](const std::string& san) { return sip_san_domain(san) == host; });
    };
    // RFC 6125 §6.2.1: a domain that is an IP literal is an IP reference, compared with IP SANs
    // (and sip: URI SANs of that address), never with a DNS SAN or the CN.
    if (const std::string ip = canonical_ip(sip->domain); !ip.empty()) {
      return any_san(pki::SanType::Ip, [&](const std::string& san) { return san == ip; }) ||
             sip_uri_san_is(ip);
    }
    // RFC 5922 §7.2: no wildcards for SIP domains.
    if (sip_uri_san_is(sip->domain) || any_san(pki::SanType::Dns, [&](const std::string& san) {
          return equal_ignoring_case(san, sip->domain);
        })) {
      return true;
    }
    return options.common_name_fallback && !has_subject_alt_name(certificate) &&
           equal_ignoring_case(certificate.common_name(), sip->domain);
  }
  const auto& email = std::get<EmailAddress>(identity);
  return any_san(pki::SanType::Email,
                 [&](const std::string& san) { return email_matches(san, email.value); });
}

std::vector<std::string> presented_names(const pki::Certificate& certificate,
                                         const NameCheckOptions& options) {
  const std::vector<pki::SubjectAltName> names = certificate.subject_alt_names();
  std::vector<std::string> result;
  for (const pki::SubjectAltName& name : names) {
    switch (name.type) {
      case pki::SanType::Dns:
        result.push_back("dns:" + name.value);
        break;
      case pki::SanType::Ip:
        result.push_back("ip:" + name.value);
        break;
      case pki::SanType::Email:
        result.push_back("email:" + name.value);
        break;
      case pki::SanType::Uri:
        if (std::string domain = sip_san_domain(name.value); !domain.empty()) {
          result.push_back(to_string(SipUri{std::move(domain)}));
        }
        break;
    }
  }
  if (options.common_name_fallback && !has_dns_san(names)) {
    if (std::string cn = certificate.common_name(); !cn.empty()) result.push_back("cn:" + cn);
  }
  return result;
}

}  // namespace telecert::verify
