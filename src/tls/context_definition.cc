#include "tls/context_definition.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>

#include "pki/ossl.h"
#include "tls/ssl_owned.h"

namespace telecert::tls {

std::string_view to_string(TlsVersion version) {
  switch (version) {
    case TlsVersion::Tls1_0:
      return "1.0";
    case TlsVersion::Tls1_1:
      return "1.1";
    case TlsVersion::Tls1_2:
      return "1.2";
    case TlsVersion::Tls1_3:
      return "1.3";
  }
  return "1.2";
}

std::string_view to_string(DtlsVersion version) {
  return version == DtlsVersion::Dtls1_0 ? "1.0" : "1.2";
}

std::string_view to_string(ContextRole role) {
  switch (role) {
    case ContextRole::Server:
      return "server";
    case ContextRole::Client:
      return "client";
    case ContextRole::Both:
      return "both";
  }
  return "both";
}

std::string_view to_string(TrustScope scope) {
  switch (scope) {
    case TrustScope::Builtin:
      return "builtin";
    case TrustScope::Custom:
      return "custom";
    case TrustScope::All:
      return "all";
    case TrustScope::List:
      return "list";
  }
  return "all";
}

std::string_view to_string(PeerVerification verification) {
  switch (verification) {
    case PeerVerification::None:
      return "none";
    case PeerVerification::Chain:
      return "chain";
    case PeerVerification::ChainAndName:
      return "chain+name";
  }
  return "chain+name";
}

std::string_view to_string(ClientCert mode) {
  switch (mode) {
    case ClientCert::None:
      return "none";
    case ClientCert::Request:
      return "request";
    case ClientCert::Require:
      return "require";
  }
  return "none";
}

std::string_view to_string(RevocationDefault answer) {
  return answer == RevocationDefault::Reject ? "reject" : "accept";
}

namespace {

using nlohmann::json;

std::unexpected<Error> invalid(std::string message, std::string hint) {
  return fail(ErrorCode::InvalidArgument, std::move(message), std::move(hint));
}

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// A value chosen from a fixed set of text forms.
template <class Enum, std::size_t N>
Result<Enum> parse_choice(std::string_view field, std::string_view value,
                          const std::array<Enum, N>& choices) {
  std::string accepted;
  for (const Enum choice : choices) {
    if (to_string(choice) == value) return choice;
    accepted += (accepted.empty() ? "" : ", ") + std::string(to_string(choice));
  }
  return invalid(in_quotes(value) + " is not a value of " + std::string(field),
                 std::string(field) + " is one of: " + accepted);
}

Result<bool> parse_switch(std::string_view field, std::string_view value) {
  if (value == "on" || value == "true" || value == "yes") return true;
  if (value == "off" || value == "false" || value == "no") return false;
  return invalid(in_quotes(value) + " is not a value of " + std::string(field),
                 std::string(field) + " is on or off");
}

Result<TlsVersion> parse_tls_version(std::string_view field, std::string_view value) {
  std::string lower(value);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "sslv3" || lower == "ssl3" || lower == "3.0" || lower == "ssl3.0") {
    return invalid(
        "SSLv3 cannot be enabled: it is broken (the POODLE attack) and RFC 7568 forbids "
        "it",
        "use TLS 1.2 or 1.3; for a very old peer, TLS 1.0 with --legacy on");
  }
  for (const std::string_view prefix : {"tlsv", "tls"}) {
    if (lower.starts_with(prefix)) {
      lower.erase(0, prefix.size());
      break;
    }
  }
  return parse_choice(
      field, lower,
      std::array{TlsVersion::Tls1_0, TlsVersion::Tls1_1, TlsVersion::Tls1_2, TlsVersion::Tls1_3});
}

std::vector<std::string> split(std::string_view text, std::string_view separators) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find_first_of(separators, start);
    const std::string_view part =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!part.empty()) parts.emplace_back(part);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

// "ab:CD:..." or "abcd..." (64 hex digits) as the "AB:CD:..." form Certificate prints.
Result<std::string> normalise_fingerprint(std::string_view text) {
  std::string hex;
  for (const char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      hex.clear();
      break;
    }
    hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 64) {
    return invalid(in_quotes(text) + " is neither builtin, custom, all nor a SHA-256 fingerprint",
                   "give --trust builtin|custom|all, or the SHA-256 fingerprints of the roots "
                   "(comma separated) as `telecert trust list --json` shows them");
  }
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out += (out.empty() ? "" : ":") + hex.substr(i, 2);
  }
  return out;
}

Result<void> set_trust(TlsContextDefinition& definition, std::string_view value) {
  for (const TrustScope scope : {TrustScope::Builtin, TrustScope::Custom, TrustScope::All}) {
    if (value == to_string(scope)) {
      definition.trust = scope;
      definition.trust_list.clear();
      return {};
    }
  }
  std::vector<std::string> list;
  for (const auto& part : split(value, ", ")) {
    auto fingerprint = normalise_fingerprint(part);
    if (!fingerprint) return std::unexpected(fingerprint.error());
    if (std::find(list.begin(), list.end(), *fingerprint) == list.end()) {
      list.push_back(std::move(*fingerprint));
    }
  }
  definition.trust = TrustScope::List;
  definition.trust_list = std::move(list);
  return {};
}

Result<std::int32_t> parse_dh_bits(std::string_view value) {
  for (const std::int32_t bits : {1024, 2048, 3072, 4096}) {
    if (value == std::to_string(bits)) return bits;
  }
  return invalid(in_quotes(value) + " is not a DH parameter size",
                 "dh-bits is 2048, 3072 or 4096 (1024 only with --legacy on)");
}

bool is_http_url(std::string_view url) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme)) {
      const std::string_view rest = url.substr(scheme.size());
      const std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
      return !host.empty() && host.front() != ':' &&
             std::none_of(host.begin(), host.end(),
                          [](unsigned char c) { return std::isspace(c) || std::iscntrl(c); });
    }
  }
  return false;
}

std::string known_fields() {
  return "role, min-tls, max-tls, legacy, dtls, ciphers, suites, groups, dh-bits, identity, trust, "
         "verify, cn-fallback, client-cert, ocsp, ocsp-url, ocsp-stapling, crl, crl-file, "
         "ocsp-default, strict, send-chain";
}

int openssl_version(TlsVersion version) {
  switch (version) {
    case TlsVersion::Tls1_0:
      return TLS1_VERSION;
    case TlsVersion::Tls1_1:
      return TLS1_1_VERSION;
    case TlsVersion::Tls1_2:
      return TLS1_2_VERSION;
    case TlsVersion::Tls1_3:
      return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

struct FreeCipherStack {
  void operator()(STACK_OF(SSL_CIPHER) * ciphers) const noexcept { sk_SSL_CIPHER_free(ciphers); }
};

// A throwaway SSL_CTX with the definition's versions and security level: OpenSSL judges lists
// against it.
Result<pki::Owned<SSL_CTX>> judge_context(const TlsContextDefinition& definition) {
  pki::Owned<SSL_CTX> context(SSL_CTX_new(TLS_method()));
  if (!context) return std::unexpected(pki::openssl_error(ErrorCode::Internal, "SSL_CTX_new"));
  // TLS 1.0/1.1 sign with MD5+SHA-1, which OpenSSL 3 allows only at security level 0.
  if (definition.legacy) SSL_CTX_set_security_level(context.get(), 0);
  if (SSL_CTX_set_min_proto_version(context.get(), openssl_version(definition.min_version)) != 1 ||
      SSL_CTX_set_max_proto_version(context.get(), openssl_version(definition.max_version)) != 1) {
    return std::unexpected(
        pki::openssl_error(ErrorCode::Internal, "setting the TLS version range"));
  }
  return context;
}

// Each name of an OpenSSL list must select something on its own: OpenSSL skips unknown names
// in a list that has one good name, and a typo would pass unnoticed.
Result<void> check_each_name(std::string_view list, std::string_view what, bool cipher_syntax,
                             std::string_view hint) {
  for (const auto& name : split(list, ":, ")) {
    if (cipher_syntax && std::string_view("!-+@").find(name.front()) != std::string_view::npos) {
      continue;  // exclusions, reordering and @STRENGTH select nothing by themselves
    }
    pki::Owned<SSL_CTX> probe(SSL_CTX_new(TLS_method()));
    if (!probe) return std::unexpected(pki::openssl_error(ErrorCode::Internal, "SSL_CTX_new"));
    const int accepted = cipher_syntax ? SSL_CTX_set_cipher_list(probe.get(), name.c_str())
                                       : SSL_CTX_set_ciphersuites(probe.get(), name.c_str());
    pki::drain_openssl_errors();
    if (accepted != 1) {
      return invalid(in_quotes(name) + " in the " + std::string(what) + " " + in_quotes(list) +
                         " is not a cipher OpenSSL knows",
                     std::string(hint));
    }
  }
  return {};
}

constexpr std::string_view kCipherHint =
    "use OpenSSL cipher names for TLS 1.2, e.g. "
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256 (`openssl ciphers -v` lists them), "
    "or leave --ciphers empty for OpenSSL's default";
constexpr std::string_view kSuiteHint =
    "use TLS 1.3 suite names: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, "
    "TLS_CHACHA20_POLY1305_SHA256 (colon separated), or leave --suites empty for OpenSSL's "
    "default";

Result<void> check_with_openssl(const TlsContextDefinition& definition) {
  auto context = judge_context(definition);
  if (!context) return std::unexpected(context.error());
  if (!definition.ciphers.empty()) {
    if (!definition.legacy && definition.ciphers.find("@SECLEVEL") != std::string::npos) {
      return invalid("the TLS 1.2 cipher list " + in_quotes(definition.ciphers) +
                         " sets OpenSSL's security level",
                     "remove @SECLEVEL; to lower the security level for old peers use --legacy on");
    }
    TELECERT_RETURN_IF_ERROR(
        check_each_name(definition.ciphers, "TLS 1.2 cipher list", true, kCipherHint));
    if (SSL_CTX_set_cipher_list(context->get(), definition.ciphers.c_str()) != 1) {
      return std::unexpected(pki::openssl_error(
          ErrorCode::InvalidArgument,
          "OpenSSL refuses the TLS 1.2 cipher list " + in_quotes(definition.ciphers),
          std::string(kCipherHint)));
    }
  }
  if (!definition.suites.empty()) {
    TELECERT_RETURN_IF_ERROR(
        check_each_name(definition.suites, "TLS 1.3 suite list", false, kSuiteHint));
    if (SSL_CTX_set_ciphersuites(context->get(), definition.suites.c_str()) != 1) {
      return std::unexpected(pki::openssl_error(
          ErrorCode::InvalidArgument,
          "OpenSSL refuses the TLS 1.3 suite list " + in_quotes(definition.suites),
          std::string(kSuiteHint)));
    }
  }
  if (!definition.groups.empty() &&
      SSL_CTX_set1_groups_list(context->get(), definition.groups.c_str()) != 1) {
    return std::unexpected(pki::openssl_error(
        ErrorCode::InvalidArgument,
        "the key-exchange groups " + in_quotes(definition.groups) + " are not all known to OpenSSL",
        "use group names such as X25519:P-256:P-384 (colon separated), or leave --groups empty "
        "for OpenSSL's default"));
  }

  // What a connection made from this context would actually offer: versions and security level
  // applied.
  pki::Owned<SSL> connection(SSL_new(context->get()));
  if (!connection) return std::unexpected(pki::openssl_error(ErrorCode::Internal, "SSL_new"));
  std::unique_ptr<STACK_OF(SSL_CIPHER), FreeCipherStack> usable(
      SSL_get1_supported_ciphers(connection.get()));
  pki::drain_openssl_errors();
  bool tls13 = false;
  bool below13 = false;
  for (int i = 0; usable && i < sk_SSL_CIPHER_num(usable.get()); ++i) {
    const std::string_view version = SSL_CIPHER_get_version(sk_SSL_CIPHER_value(usable.get(), i));
    (version == "TLSv1.3" ? tls13 : below13) = true;
  }
  const std::string range = std::string(to_string(definition.min_version)) + "-" +
                            std::string(to_string(definition.max_version));
  if (definition.min_version != TlsVersion::Tls1_3 && !below13) {
    return invalid(
        "the TLS 1.2 cipher list " +
            in_quotes(definition.ciphers.empty() ? "(default)" : definition.ciphers) +
            " leaves no cipher usable for TLS " + range + " at this context's security level",
        "choose ciphers that suit the allowed versions, e.g. ECDHE-ECDSA-AES128-GCM-SHA256:"
        "ECDHE-RSA-AES128-GCM-SHA256; weak ones (NULL, RC4, 3DES) need --legacy on");
  }
  if (definition.max_version == TlsVersion::Tls1_3 && !tls13) {
    return invalid("the TLS 1.3 suite list " +
                       in_quotes(definition.suites.empty() ? "(default)" : definition.suites) +
                       " leaves no suite usable for TLS 1.3",
                   std::string(kSuiteHint));
  }
  return {};
}

// The JSON form of each field, in the order the CLI lists them, shared by definition_to_json and
// parse_definition.
nlohmann::ordered_json field_values(const TlsContextDefinition& definition) {
  return nlohmann::ordered_json{
      {"role", to_string(definition.role)},
      {"min-tls", to_string(definition.min_version)},
      {"max-tls", to_string(definition.max_version)},
      {"legacy", definition.legacy},
      {"dtls", to_string(definition.dtls_version)},
      {"ciphers", definition.ciphers},
      {"suites", definition.suites},
      {"groups", definition.groups},
      {"dh-bits", definition.dh_bits},
      {"identity", definition.identity},
      {"trust", to_string(definition.trust)},
      {"trust-list", definition.trust_list},
      {"verify", to_string(definition.verification)},
      {"cn-fallback", definition.common_name_fallback},
      {"client-cert", to_string(definition.client_cert)},
      {"ocsp", definition.ocsp},
      {"ocsp-url", definition.ocsp_urls},
      {"ocsp-stapling", definition.ocsp_stapling},
      {"crl", definition.crl},
      {"crl-file", definition.crl_file},
      {"ocsp-default", to_string(definition.revocation_default)},
      {"strict", definition.strict},
      {"send-chain", definition.send_chain},
  };
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : ",") + part;
  return out;
}

}  // namespace

Result<void> set_field(TlsContextDefinition& definition, std::string_view field,
                       std::string_view value) {
  auto assign = [](auto& target, auto parsed) -> Result<void> {
    if (!parsed) return std::unexpected(parsed.error());
    target = *parsed;
    return {};
  };
  if (field == "role") {
    return assign(definition.role, parse_choice(field, value,
                                                std::array{ContextRole::Server, ContextRole::Client,
                                                           ContextRole::Both}));
  }
  if (field == "min-tls") return assign(definition.min_version, parse_tls_version(field, value));
  if (field == "max-tls") return assign(definition.max_version, parse_tls_version(field, value));
  if (field == "legacy") return assign(definition.legacy, parse_switch(field, value));
  if (field == "dtls") {
    return assign(
        definition.dtls_version,
        parse_choice(field, value, std::array{DtlsVersion::Dtls1_0, DtlsVersion::Dtls1_2}));
  }
  if (field == "ciphers") return assign(definition.ciphers, Result<std::string>(value));
  if (field == "suites") return assign(definition.suites, Result<std::string>(value));
  if (field == "groups") return assign(definition.groups, Result<std::string>(value));
  if (field == "dh-bits") return assign(definition.dh_bits, parse_dh_bits(value));
  if (field == "identity") return assign(definition.identity, Result<std::string>(value));
  if (field == "trust") return set_trust(definition, value);
  if (field == "verify") {
    return assign(definition.verification,
                  parse_choice(field, value,
                               std::array{PeerVerification::None, PeerVerification::Chain,
                                          PeerVerification::ChainAndName}));
  }
  if (field == "cn-fallback") {
    return assign(definition.common_name_fallback, parse_switch(field, value));
  }
  if (field == "client-cert") {
    return assign(
        definition.client_cert,
        parse_choice(field, value,
                     std::array{ClientCert::None, ClientCert::Request, ClientCert::Require}));
  }
  if (field == "ocsp") return assign(definition.ocsp, parse_switch(field, value));
  if (field == "ocsp-url") {
    definition.ocsp_urls = split(value, ", ");
    return {};
  }
  if (field == "ocsp-stapling") return assign(definition.ocsp_stapling, parse_switch(field, value));
  if (field == "crl") return assign(definition.crl, parse_switch(field, value));
  if (field == "crl-file") return assign(definition.crl_file, Result<std::string>(value));
  if (field == "ocsp-default") {
    return assign(definition.revocation_default,
                  parse_choice(field, value,
                               std::array{RevocationDefault::Reject, RevocationDefault::Accept}));
  }
  if (field == "strict") return assign(definition.strict, parse_switch(field, value));
  if (field == "send-chain") return assign(definition.send_chain, parse_switch(field, value));
  return invalid(in_quotes(field) + " is not a field of a TLS context",
                 "the fields are: " + known_fields());
}

Result<void> validate_definition(const TlsContextDefinition& definition) {
  if (definition.min_version > definition.max_version) {
    return invalid("the minimum TLS version " + std::string(to_string(definition.min_version)) +
                       " is above the maximum " + std::string(to_string(definition.max_version)),
                   "give --min-tls at or below --max-tls, e.g. --min-tls 1.2 --max-tls 1.3");
  }
  if (!definition.legacy && definition.min_version < TlsVersion::Tls1_2) {
    return invalid("TLS " + std::string(to_string(definition.min_version)) +
                       " is deprecated (RFC 8996) and allowed only in a legacy context",
                   "use --min-tls 1.2; if an old peer needs it, add --legacy on (this lowers "
                   "OpenSSL's security level for this context only)");
  }
  if (!definition.legacy && definition.dh_bits < 2048) {
    return invalid("DH parameters of " + std::to_string(definition.dh_bits) +
                       " bits are too weak (Logjam) outside a legacy context",
                   "use --dh-bits 2048 or more; if an old peer needs 1024, add --legacy on");
  }
  if (definition.trust == TrustScope::List && definition.trust_list.empty() &&
      definition.verification != PeerVerification::None) {
    return invalid("the context trusts an empty list of roots while it verifies peers (" +
                       std::string(to_string(definition.verification)) +
                       "), so no peer could ever be trusted",
                   "give the roots' SHA-256 fingerprints with --trust FP,FP..., or use --trust "
                   "custom|builtin|all");
  }
  if (definition.ocsp_urls.size() > 2) {
    return invalid(std::to_string(definition.ocsp_urls.size()) +
                       " OCSP responder URLs given; a context has a primary and a secondary",
                   "give at most two --ocsp-url");
  }
  for (const auto& url : definition.ocsp_urls) {
    if (!is_http_url(url)) {
      return invalid(
          "the OCSP responder URL " + in_quotes(url) + " is not an http:// or https:// URL",
          "give the responder as http://host[:port][/path], e.g. "
          "http://ocsp.example.com:8080");
    }
  }
  return check_with_openssl(definition);
}

std::string definition_to_json(const TlsContextDefinition& definition) {
  return field_values(definition).dump();
}

Result<TlsContextDefinition> parse_definition(std::string_view name, std::string_view text) {
  const json parsed = json::parse(text, nullptr, false);
  const std::string where = "the stored definition of TLS context " + in_quotes(name);
  const std::string hint =
      "the database was written by a newer telecert or is damaged; upgrade "
      "telecert or restore a backup";
  if (parsed.is_discarded() || !parsed.is_object()) {
    return fail(ErrorCode::MalformedInput, where + " is not a JSON object", hint);
  }
  TlsContextDefinition definition;
  definition.name = std::string(name);
  const auto defaults = field_values(definition);
  for (const auto& [field, value] : parsed.items()) {
    if (!defaults.contains(field)) {
      return fail(ErrorCode::MalformedInput, where + " has an unknown field " + in_quotes(field),
                  hint);
    }
    const auto& expected = defaults.at(field);
    const bool same_type = value.type() == expected.type() ||
                           (expected.is_number_integer() && value.is_number_integer());
    if (!same_type) {
      return fail(ErrorCode::MalformedInput,
                  where + ": field " + in_quotes(field) + " is a " + value.type_name() +
                      ", not a " + expected.type_name(),
                  hint);
    }
    Result<void> applied;
    if (field == "trust-list") {
      if (!std::all_of(value.begin(), value.end(),
                       [](const json& item) { return item.is_string(); })) {
        return fail(ErrorCode::MalformedInput, where + ": trust-list holds a non-string", hint);
      }
      applied = {};  // applied after "trust", below
    } else if (value.is_boolean()) {
      applied = set_field(definition, field, value.get<bool>() ? "on" : "off");
    } else if (value.is_number_integer()) {
      applied = set_field(definition, field, std::to_string(value.get<std::int64_t>()));
    } else if (value.is_array()) {
      std::vector<std::string> items;
      for (const auto& item : value) {
        if (!item.is_string()) {
          return fail(ErrorCode::MalformedInput, where + ": " + field + " holds a non-string",
                      hint);
        }
        items.push_back(item.get<std::string>());
      }
      applied = set_field(definition, field, join(items));
    } else if (field == "trust") {
      applied = {};  // applied with trust-list, below
    } else {
      applied = set_field(definition, field, value.get<std::string>());
    }
    if (!applied) {
      return fail(ErrorCode::MalformedInput, where + ": " + applied.error().message, hint);
    }
  }
  if (parsed.contains("trust")) {
    const std::string scope = parsed.at("trust").get<std::string>();
    std::string value = scope;
    if (scope == to_string(TrustScope::List)) {
      value = parsed.contains("trust-list")
                  ? join(parsed.at("trust-list").get<std::vector<std::string>>())
                  : "";
    }
    if (auto applied = set_trust(definition, value); !applied) {
      return fail(ErrorCode::MalformedInput, where + ": " + applied.error().message, hint);
    }
  }
  return definition;
}

}  // namespace telecert::tls
