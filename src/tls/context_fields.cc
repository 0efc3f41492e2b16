#include "tls/context_fields.h"

#include <array>

#include "tls/context_definition.h"

namespace telecert::tls {
namespace {

constexpr std::array kFields = {
    ContextField{"role", FieldKind::Choice,
                 "which side of a connection the context is for: server, client or both"},
    ContextField{"min-tls", FieldKind::Choice,
                 "lowest TLS version (1.0 and 1.1 need legacy on); SSLv3 is never allowed"},
    ContextField{"max-tls", FieldKind::Choice, "highest TLS version"},
    ContextField{"legacy", FieldKind::Bool,
                 "allow TLS 1.0/1.1, SHA-1 signatures and 1024-bit DH for this context only"},
    ContextField{"dtls", FieldKind::Choice, "DTLS version"},
    ContextField{"ciphers", FieldKind::Text,
                 "TLS 1.2 cipher list in OpenSSL syntax; empty: OpenSSL's default"},
    ContextField{"suites", FieldKind::Text,
                 "TLS 1.3 suites, e.g. TLS_AES_128_GCM_SHA256; empty: OpenSSL's default"},
    ContextField{"groups", FieldKind::Text,
                 "key-exchange groups, e.g. X25519:P-256; empty: OpenSSL's default"},
    ContextField{"dh-bits", FieldKind::Number,
                 "DH parameter size in bits (1024 only with legacy on)"},
    ContextField{"identity", FieldKind::Text,
                 "name of the identity presented; empty: the factory identity"},
    ContextField{"trust", FieldKind::Text,
                 "roots that verify peers: builtin, custom, all, or a comma list of the roots' "
                 "SHA-256 fingerprints"},
    ContextField{"verify", FieldKind::Choice,
                 "peer verification: none, chain, or chain+name (RFC 6125 name check)"},
    ContextField{"cn-fallback", FieldKind::Bool,
                 "accept the subject CN as the name when a certificate has no DNS SAN (RFC 2818)"},
    ContextField{"client-cert", FieldKind::Choice,
                 "client certificate asked of peers (server side): none, request or require"},
    ContextField{"ocsp", FieldKind::Bool, "check revocation with OCSP"},
    ContextField{"ocsp-url", FieldKind::List,
                 "primary and secondary OCSP responder URLs, http(s)://; empty: the "
                 "certificate's AIA"},
    ContextField{"ocsp-stapling", FieldKind::Bool, "staple our own OCSP response (server side)"},
    ContextField{"crl", FieldKind::Bool, "check revocation with CRLs"},
    ContextField{"crl-file", FieldKind::Text,
                 "CRL file on the device; empty: the certificates' distribution points"},
    ContextField{"ocsp-default", FieldKind::Choice,
                 "the answer when no revocation status can be had: reject or accept"},
    ContextField{"strict", FieldKind::Bool,
                 "X509_STRICT, and key usage / extended key usage must allow the role"},
    ContextField{"send-chain", FieldKind::Bool, "send the full chain (off: the leaf only)"},
};

template <class Enum, std::size_t N>
nlohmann::json choices_of(const std::array<Enum, N>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (const Enum value : values) out.push_back(std::string(to_string(value)));
  return out;
}

// The values set_field accepts for a choice field (the dh-bits sizes for that number field).
nlohmann::json choices_for(std::string_view name) {
  constexpr std::array kVersions = {TlsVersion::Tls1_0, TlsVersion::Tls1_1, TlsVersion::Tls1_2,
                                    TlsVersion::Tls1_3};
  if (name == "role") {
    return choices_of(std::array{ContextRole::Both, ContextRole::Server, ContextRole::Client});
  }
  if (name == "min-tls" || name == "max-tls") return choices_of(kVersions);
  if (name == "dtls") return choices_of(std::array{DtlsVersion::Dtls1_0, DtlsVersion::Dtls1_2});
  if (name == "dh-bits") return nlohmann::json::array({1024, 2048, 3072, 4096});
  if (name == "verify") {
    return choices_of(std::array{PeerVerification::None, PeerVerification::Chain,
                                 PeerVerification::ChainAndName});
  }
  if (name == "client-cert") {
    return choices_of(std::array{ClientCert::None, ClientCert::Request, ClientCert::Require});
  }
  if (name == "ocsp-default") {
    return choices_of(std::array{RevocationDefault::Reject, RevocationDefault::Accept});
  }
  return nullptr;
}

}  // namespace

std::string_view to_string(FieldKind kind) {
  switch (kind) {
    case FieldKind::Choice:
      return "choice";
    case FieldKind::Text:
      return "text";
    case FieldKind::Number:
      return "number";
    case FieldKind::List:
      return "list";
    case FieldKind::Bool:
      return "bool";
  }
  return "text";
}

std::span<const ContextField> context_fields() { return kFields; }

nlohmann::json context_fields_json() {
  const auto defaults = nlohmann::json::parse(definition_to_json(TlsContextDefinition{}));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& field : kFields) {
    nlohmann::json entry = {{"name", field.name}, {"kind", to_string(field.kind)}};
    if (auto choices = choices_for(field.name); !choices.is_null()) entry["choices"] = choices;
    entry["default"] = defaults.at(std::string(field.name));
    entry["help"] = field.help;
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace telecert::tls
