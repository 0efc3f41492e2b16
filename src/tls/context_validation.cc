// validate_definition: the checks of a TLS context definition as a whole, with OpenSSL as the
// judge of cipher lists, suites and groups (see context_definition.h).
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "pki/ossl.h"
#include "tls/context_definition.h"
#include "tls/definition_text.h"
#include "tls/handshake_callbacks.h"
#include "tls/ssl_owned.h"

namespace telecert::tls {
namespace {

using detail::in_quotes;
using detail::invalid;
using detail::split;

// The authority of a URL (after "scheme://", up to the path, query or fragment); for text with
// no "://", its start up to the first '/', '?' or '#'.
std::string_view authority_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  const std::string_view rest =
      scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  return rest.substr(0, rest.find_first_of("/?#"));
}

bool has_userinfo(std::string_view url) {
  return authority_of(url).find('@') != std::string_view::npos;
}

// The URL without its userinfo ("user:password@"), for messages: a password must never be echoed.
std::string without_userinfo(std::string_view url) {
  const std::string_view authority = authority_of(url);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  const auto start = static_cast<std::size_t>(authority.data() - url.data());
  return std::string(url.substr(0, start)) + std::string(url.substr(start + at + 1));
}

// http:// or https:// with a host and no userinfo: OCSP over HTTP takes no credentials (RFC 6960
// appendix A.1), so "user:password@" in the authority is refused rather than stored.
bool is_http_url(std::string_view url) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme)) {
      const std::string_view host = authority_of(url);
      return !host.empty() && host.front() != ':' && !has_userinfo(url) &&
             std::none_of(host.begin(), host.end(),
                          [](unsigned char c) { return std::isspace(c) || std::iscntrl(c); });
    }
  }
  return false;
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
  if (SSL_CTX_set_min_proto_version(context.get(),
                                    detail::protocol_version(definition.min_version)) != 1 ||
      SSL_CTX_set_max_proto_version(context.get(),
                                    detail::protocol_version(definition.max_version)) != 1) {
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
  // Judge what the snapshot will use: the list without anonymous, PSK, SRP and NULL suites
  // (detail::kExcludedCiphers). A list of those alone keeps nothing for TLS 1.2 (refused below,
  // unless the context is TLS 1.3-only and never uses the list).
  const std::string used =
      (definition.ciphers.empty() ? std::string(OSSL_default_cipher_list()) : definition.ciphers) +
      detail::kExcludedCiphers;
  if (SSL_CTX_set_cipher_list(context->get(), used.c_str()) != 1) {
    static_cast<void>(pki::drain_openssl_errors());
    if (definition.min_version != TlsVersion::Tls1_3) {
      return invalid("the TLS 1.2 cipher list " + in_quotes(definition.ciphers) +
                         " leaves no cipher usable for TLS " +
                         std::string(to_string(definition.min_version)) + "-" +
                         std::string(to_string(definition.max_version)) +
                         ": suites without a certificate or without encryption (aNULL, eNULL, "
                         "PSK, SRP) are never used",
                     std::string(kCipherHint));
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
        "ECDHE-RSA-AES128-GCM-SHA256; weak ones (RC4, 3DES) need --legacy on");
  }
  if (definition.max_version == TlsVersion::Tls1_3 && !tls13) {
    return invalid("the TLS 1.3 suite list " +
                       in_quotes(definition.suites.empty() ? "(default)" : definition.suites) +
                       " leaves no suite usable for TLS 1.3",
                   std::string(kSuiteHint));
  }
  return {};
}

}  // namespace

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
    if (has_userinfo(url)) {
      return invalid("the OCSP responder URL " + in_quotes(without_userinfo(url)) +
                         " carries a user name or password",
                     "OCSP responders take no credentials (RFC 6960 appendix A.1); give the URL "
                     "without 'user:password@', e.g. http://ocsp.example.com:8080");
    }
    if (!is_http_url(url)) {
      return invalid(
          "the OCSP responder URL " + in_quotes(url) + " is not an http:// or https:// URL",
          "give the responder as http://host[:port][/path], e.g. "
          "http://ocsp.example.com:8080");
    }
  }
  return check_with_openssl(definition);
}

}  // namespace telecert::tls
