#include "tls/probe.h"

#include <arpa/inet.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/tls1.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "pki/ossl.h"
#include "tls/probe_io.h"

namespace telecert::tls {
namespace {

constexpr std::string_view kTargetForms =
    "use tls://host:port, https://host[:port][/path] or sips:host[:port]";

std::unexpected<Error> bad_target(std::string_view text, std::string_view why) {
  return fail(ErrorCode::InvalidArgument,
              "'" + std::string(text) + "' is not a target to probe: " + std::string(why),
              std::string(kTargetForms));
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

// The canonical text of an IPv4 or IPv6 literal (as inet_ntop writes it), or "".
std::string canonical_ip(const std::string& text) {
  unsigned char address[16];
  char out[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, text.c_str(), address) == 1) {
    return inet_ntop(AF_INET, address, out, sizeof out);
  }
  if (inet_pton(AF_INET6, text.c_str(), address) == 1) {
    return inet_ntop(AF_INET6, address, out, sizeof out);
  }
  return "";
}

bool is_host_name(std::string_view host) {
  return !host.empty() && std::ranges::all_of(host, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

// "host", "host:port", "[v6]" or "[v6]:port" into target.host / target.port.
Result<void> parse_authority(std::string_view text, std::string_view authority,
                             ProbeTarget& target) {
  std::string_view port_text;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad_target(text, "the ']' after the IPv6 address is missing");
    target.host = std::string(authority.substr(1, close - 1));
    const auto rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':'))
      return bad_target(text, "expected ':port' after ']'");
    has_port = !rest.empty();
    if (has_port) port_text = rest.substr(1);
    unsigned char address[16];
    if (inet_pton(AF_INET6, target.host.c_str(), address) != 1) {
      return bad_target(text, "'" + target.host + "' is not an IPv6 address");
    }
  } else {
    const auto colon = authority.find(':');
    if (colon != std::string_view::npos &&
        authority.find(':', colon + 1) != std::string_view::npos) {
      return bad_target(text, "an IPv6 address must be written in brackets, as [2001:db8::1]:5061");
    }
    target.host = std::string(authority.substr(0, colon));
    has_port = colon != std::string_view::npos;
    if (has_port) port_text = authority.substr(colon + 1);
    if (!is_host_name(target.host)) return bad_target(text, "the host is missing or malformed");
    std::ranges::transform(target.host, target.host.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  if (has_port) {
    if (port_text.empty()) return bad_target(text, "the port after ':' is missing");
    unsigned long port = 0;
    for (char digit : port_text) {
      if (digit < '0' || digit > '9' || port > 65535)
        return bad_target(text, "the port is not a number from 1 to 65535");
      port = port * 10 + static_cast<unsigned long>(digit - '0');
    }
    if (port == 0 || port > 65535)
      return bad_target(text, "the port is not a number from 1 to 65535");
    target.port = static_cast<std::uint16_t>(port);
  }
  return {};
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> random(bytes);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) pki::drain_openssl_errors();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : random) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
  }
  return out;
}

// RFC 3261 §11.1: an OPTIONS request with the headers §8.1.1 requires; the branch starts with the
// magic cookie "z9hG4bK" (§8.1.1.7); Accept says what body we could read (§11.1).
std::string sip_options_request(const ProbeTarget& target, const probe_io::Endpoint& local) {
  const std::string remote = probe_io::host_and_port(target.host, target.port);
  const std::string here = probe_io::host_and_port(local.address, local.port);
  return "OPTIONS sips:" + remote + " SIP/2.0\r\n" + "Via: SIP/2.0/TLS " + here +
         ";branch=z9hG4bK" + random_hex(8) + ";rport\r\n" + "Max-Forwards: 70\r\n" +
         "From: <sips:telecert@" + here + ">;tag=" + random_hex(6) + "\r\n" +
         "To: <sips:" + remote + ">\r\n" + "Call-ID: " + random_hex(12) + "@telecert\r\n" +
         "CSeq: 1 OPTIONS\r\n" + "Contact: <sips:telecert@" + here + ">\r\n" +
         "Accept: application/sdp\r\n" + "User-Agent: telecert-probe\r\n" +
         "Content-Length: 0\r\n\r\n";
}

// RFC 9112 §3: a GET of the path; Host without the port when it is the default (RFC 9110 §7.2).
std::string https_get_request(const ProbeTarget& target) {
  const std::string host =
      target.port == 443
          ? (target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host)
          : probe_io::host_and_port(target.host, target.port);
  return "GET " + target.path + " HTTP/1.1\r\nHost: " + host +
         "\r\nUser-Agent: telecert-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n";
}

// The key-exchange group by the name the context's "groups" field uses (X25519, P-256).
std::string negotiated_group(SSL* connection) {
  const int nid = static_cast<int>(SSL_get_negotiated_group(connection));
  if (nid == NID_undef) return "";
  if ((nid & TLSEXT_nid_unknown) == 0) {
    if (const char* nist = EC_curve_nid2nist(nid); nist != nullptr) return nist;
    if (const char* name = OBJ_nid2sn(nid); name != nullptr) return name;
  }
  const char* name = SSL_group_to_name(connection, nid);
  return name != nullptr ? name : "";
}

std::vector<pki::Certificate> peer_chain(SSL* connection) {
  std::vector<pki::Certificate> chain;
  // The client side's peer chain includes the peer's own certificate first
  // (SSL_get_peer_cert_chain(3)).
  STACK_OF(X509)* sent = SSL_get_peer_cert_chain(connection);
  for (int i = 0; sent != nullptr && i < sk_X509_num(sent); ++i) {
    X509* certificate = sk_X509_value(sent, i);
    X509_up_ref(certificate);
    chain.push_back(pki::Certificate::adopt(pki::Owned<X509>(certificate)));
  }
  return chain;
}

// What the stapled OCSP response (RFC 6066 §8) says about the peer's certificate, read as sent:
// its signature and freshness are judged by verify() (see the report's revocation entries).
std::string stapled_status(SSL* connection, const std::vector<pki::Certificate>& chain) {
  const unsigned char* data = nullptr;
  const long length = SSL_get_tlsext_status_ocsp_resp(connection, &data);
  if (length <= 0 || data == nullptr) return "none";
  pki::Owned<OCSP_RESPONSE> response(d2i_OCSP_RESPONSE(nullptr, &data, length));
  if (!response || OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    pki::drain_openssl_errors();
    return "unknown";
  }
  pki::Owned<OCSP_BASICRESP> basic(OCSP_response_get1_basic(response.get()));
  if (!basic || chain.empty()) {
    pki::drain_openssl_errors();
    return "unknown";
  }
  const ASN1_INTEGER* serial = X509_get0_serialNumber(chain.front().get());
  for (int i = 0; i < OCSP_resp_count(basic.get()); ++i) {
    OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), i);
    ASN1_INTEGER* answered = nullptr;
    OCSP_id_get0_info(nullptr, nullptr, nullptr, &answered,
                      const_cast<OCSP_CERTID*>(OCSP_SINGLERESP_get0_id(single)));
    if (answered == nullptr || ASN1_INTEGER_cmp(answered, serial) != 0) continue;
    switch (OCSP_single_get0_status(single, nullptr, nullptr, nullptr, nullptr)) {
      case V_OCSP_CERTSTATUS_GOOD:
        return "good";
      case V_OCSP_CERTSTATUS_REVOKED:
        return "revoked";
      default:
        return "unknown";
    }
  }
  return "unknown";
}

verify::Report report_without_verification(std::vector<pki::Certificate> chain) {
  verify::Report report;
  for (auto& certificate : chain) report.chain.push_back({std::move(certificate), false});
  verify::Problem problem;
  problem.code = verify::ProblemCode::NoCertificate;
  problem.message = report.chain.empty()
                        ? "the server sent no certificate"
                        : "the server's certificate was not verified during the handshake";
  problem.remedy = report.chain.empty()
                       ? "configure a certificate on the server (anonymous TLS cannot be trusted)"
                       : "check the context's peer verification setting";
  report.problems.push_back(std::move(problem));
  return report;
}

}  // namespace

Result<ProbeTarget> parse_probe_target(std::string_view text) {
  ProbeTarget target;
  target.text = std::string(text);
  if (text.find_first_of(" \t\r\n") != std::string_view::npos) {
    return bad_target(text, "it contains white space");
  }
  std::string_view rest;
  if (starts_with_ignoring_case(text, "tls://")) {
    target.scheme = ProbeTarget::Scheme::Tls;
    rest = text.substr(6);
    if (rest.ends_with('/')) rest.remove_suffix(1);
    if (rest.find_first_of("/?#@") != std::string_view::npos) {
      return bad_target(text, "tls:// takes only host:port");
    }
    TELECERT_RETURN_IF_ERROR(parse_authority(text, rest, target));
    if (target.port == 0) return bad_target(text, "tls:// needs a port, as tls://host:5061");
  } else if (starts_with_ignoring_case(text, "https://")) {
    target.scheme = ProbeTarget::Scheme::Https;
    rest = text.substr(8);
    const auto authority_end = std::min(rest.find_first_of("/?#"), rest.size());
    const auto authority = rest.substr(0, authority_end);
    if (authority.find('@') != std::string_view::npos) {
      return bad_target(text, "user names in https:// URLs are not supported");
    }
    TELECERT_RETURN_IF_ERROR(parse_authority(text, authority, target));
    std::string_view path = rest.substr(authority_end);
    path = path.substr(0, std::min(path.find('#'), path.size()));  // fragments stay client-side
    target.path = path.empty() ? "/" : (path.starts_with('/') ? "" : "/") + std::string(path);
    if (target.port == 0) target.port = 443;
  } else if (starts_with_ignoring_case(text, "sips:")) {
    target.scheme = ProbeTarget::Scheme::Sips;
    rest = text.substr(5);
    if (rest.starts_with("//"))
      return bad_target(text, "a SIP URI has no '//': write sips:host[:port]");
    rest = rest.substr(0, std::min(rest.find_first_of(";?"), rest.size()));  // parameters, headers
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
    TELECERT_RETURN_IF_ERROR(parse_authority(text, rest, target));
    if (target.port == 0) target.port = 5061;  // RFC 3261 §19.1.2
  } else if (starts_with_ignoring_case(text, "sip:") ||
             starts_with_ignoring_case(text, "http://")) {
    return bad_target(text, "it is not TLS; probe the TLS form (sips: or https://)");
  } else {
    return bad_target(text, "unknown scheme");
  }
  return target;
}

verify::ReferenceIdentity default_expected_name(const ProbeTarget& target) {
  if (std::string ip = canonical_ip(target.host); !ip.empty()) return verify::IpAddress{ip};
  if (target.scheme == ProbeTarget::Scheme::Sips) return verify::SipUri{target.host};
  return verify::DnsName{target.host};
}

Result<ProbeResult> probe(const ProbeTarget& target, const ContextSnapshot& context,
                          const verify::ReferenceIdentity& expected_name,
                          std::chrono::milliseconds timeout) {
  const std::string peer = probe_io::host_and_port(target.host, target.port);
  auto socket = probe_io::connect_tcp(target.host, target.port, timeout);
  if (!socket) return std::unexpected(socket.error());
  auto connection = context.new_client(expected_name, Enforcement::ReportOnly);
  if (!connection) return std::unexpected(connection.error());
  SSL* ssl = connection->get();
  if (SSL_set_fd(ssl, socket->fd()) != 1) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "cannot set up the connection"));
  }
  // SNI (RFC 6066 §3) names a host, never an address; new_client sets it for a DNS name.
  if (SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) == nullptr) {
    std::string server_name = canonical_ip(target.host).empty() ? target.host : "";
    if (const auto* sip = std::get_if<verify::SipUri>(&expected_name);
        server_name.empty() && sip != nullptr && canonical_ip(sip->domain).empty()) {
      server_name = sip->domain;
    }
    // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
    if (!server_name.empty()) {
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(server_name.c_str()));
    }
  }
  // Ask for a staple whatever the context's revocation settings, to show what the server does.
  SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
  TELECERT_RETURN_IF_ERROR(probe_io::handshake(ssl, *socket, timeout, peer));

  ProbeResult result;
  result.target = target;
  result.tls_version = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl); cipher != nullptr) {
    result.cipher = SSL_CIPHER_get_name(cipher);
  }
  result.group = negotiated_group(ssl);
  result.peer_chain = peer_chain(ssl);
  result.stapled_ocsp = stapled_status(ssl, result.peer_chain);
  if (const verify::Report* report = ContextSnapshot::peer_report(ssl); report != nullptr) {
    result.report = *report;
  } else {
    result.report = report_without_verification(result.peer_chain);
  }

  std::optional<std::string> request;
  if (target.scheme == ProbeTarget::Scheme::Sips) {
    request = sip_options_request(target, probe_io::local_endpoint(*socket));
  } else if (target.scheme == ProbeTarget::Scheme::Https) {
    request = https_get_request(target);
  }
  if (request) {
    // A peer that answers badly is shown in the result, beside what the handshake showed.
    if (auto answer = probe_io::exchange(ssl, *socket, *request, timeout, peer)) {
      result.application_status = std::move(answer->status_line);
      result.application_headers = std::move(answer->headers);
    } else {
      result.application_error = std::move(answer.error().message);
    }
  }
  // A close_notify for a tidy end; whether the peer answers it does not matter.
  ERR_clear_error();
  if (SSL_shutdown(ssl) < 0) pki::drain_openssl_errors();
  return result;
}

void to_json(nlohmann::json& out, const ProbeResult& result) {
  out = result.report;
  out["target"] = result.target.text;
  out["tls_version"] = result.tls_version;
  out["cipher"] = result.cipher;
  out["group"] = result.group;
  out["peer_chain"] = nlohmann::json::array();
  for (const auto& certificate : result.peer_chain)
    out["peer_chain"].push_back(certificate.subject());
  out["stapled_ocsp"] = result.stapled_ocsp;
  if (result.target.scheme != ProbeTarget::Scheme::Tls) {
    const std::string key =
        result.target.scheme == ProbeTarget::Scheme::Sips ? "sip_status" : "http_status";
    out[key] = result.application_status ? nlohmann::json(*result.application_status)
                                         : nlohmann::json(nullptr);
    out["headers"] = result.application_headers;
    if (!result.application_error.empty()) out["answer_error"] = result.application_error;
  }
}

}  // namespace telecert::tls
