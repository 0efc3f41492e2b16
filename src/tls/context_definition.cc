#include "tls/context_definition.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>

#include "tls/definition_text.h"

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

using detail::in_quotes;
using detail::invalid;
using detail::split;
using nlohmann::json;

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

std::string known_fields() {
  return "role, min-tls, max-tls, legacy, dtls, ciphers, suites, groups, dh-bits, identity, trust, "
         "verify, cn-fallback, client-cert, ocsp, ocsp-url, ocsp-stapling, crl, crl-file, "
         "ocsp-default, strict, send-chain";
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
          std::string message = where;
          message.append(": ").append(field).append(" holds a non-string");
          return fail(ErrorCode::MalformedInput, std::move(message), hint);
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
