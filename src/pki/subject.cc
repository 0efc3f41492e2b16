#include "pki/subject.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace telecert::pki {
namespace {

struct SanTypeName {
  SanType type;
  std::string_view name;
  int gen_type;
};
constexpr std::array kSanTypes{
    SanTypeName{SanType::Dns, "dns", GEN_DNS},
    SanTypeName{SanType::Ip, "ip", GEN_IPADD},
    SanTypeName{SanType::Email, "email", GEN_EMAIL},
    SanTypeName{SanType::Uri, "uri", GEN_URI},
};

// Canonical text of an IPv4 or IPv6 address, or "" when `text` is neither.
std::string canonical_ip(const std::string& text) {
  unsigned char buffer[16];
  char out[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, text.c_str(), buffer) == 1) {
    return inet_ntop(AF_INET, buffer, out, sizeof out);
  }
  if (inet_pton(AF_INET6, text.c_str(), buffer) == 1) {
    return inet_ntop(AF_INET6, buffer, out, sizeof out);
  }
  return {};
}

// Letters, digits, '-' and '_' in labels of 1 to 63 characters (RFC 1035 §2.3.4), with '*' only
// as the complete left-most label (RFC 6125 §6.4.3); "a*.example.com" or "www.*.example.com"
// would be refused or misread by the peer that checks the name.
bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  for (bool first = true;; first = false) {
    const std::size_t dot = name.find('.', start);
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63) return false;
    const bool wildcard = first && label == "*" && dot != std::string_view::npos;
    if (!wildcard && !std::all_of(label.begin(), label.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
        })) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string asn1_string_text(const ASN1_STRING* value) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<std::size_t>(ASN1_STRING_length(value)));
}

}  // namespace

std::string_view to_string(SanType type) {
  for (const auto& entry : kSanTypes) {
    if (entry.type == type) return entry.name;
  }
  return "unknown";
}

Result<SubjectAltName> parse_subject_alt_name(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return fail(ErrorCode::InvalidArgument,
                "subject alternative name '" + std::string(text) + "' has no type",
                "write it as TYPE:VALUE with TYPE one of dns, ip, email, uri");
  }
  std::string type_name(text.substr(0, colon));
  std::transform(type_name.begin(), type_name.end(), type_name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string value(text.substr(colon + 1));
  auto entry = std::find_if(kSanTypes.begin(), kSanTypes.end(),
                            [&](const auto& e) { return e.name == type_name; });
  if (entry == kSanTypes.end()) {
    return fail(ErrorCode::InvalidArgument,
                "unknown subject alternative name type '" + type_name + "'",
                "use one of dns, ip, email, uri (e.g. dns:sbc1.example.com)");
  }
  if (value.empty()) {
    return fail(ErrorCode::InvalidArgument,
                "subject alternative name '" + std::string(text) + "' has an empty value");
  }
  switch (entry->type) {
    case SanType::Ip: {
      std::string canonical = canonical_ip(value);
      if (canonical.empty()) {
        return fail(ErrorCode::InvalidArgument, "'" + value + "' is not an IP address",
                    "give an IPv4 address such as 192.0.2.10 or an IPv6 address such as "
                    "2001:db8::10");
      }
      return SubjectAltName{SanType::Ip, canonical};
    }
    case SanType::Dns:
      if (!is_dns_name(value)) {
        return fail(ErrorCode::InvalidArgument, "'" + value + "' is not a DNS name",
                    "use letters, digits, '-' and '.', with '*' only as a wildcard label");
      }
      break;
    case SanType::Email:
      if (value.find('@') == std::string::npos) {
        return fail(ErrorCode::InvalidArgument, "'" + value + "' is not an email address",
                    "write it as user@domain");
      }
      break;
    case SanType::Uri:
      if (value.find(':') == std::string::npos) {
        return fail(ErrorCode::InvalidArgument, "'" + value + "' is not a URI",
                    "a URI starts with its scheme, e.g. uri:sip:sbc1.example.com");
      }
      break;
  }
  return SubjectAltName{entry->type, value};
}

std::string to_string(const SubjectAltName& san) {
  return std::string(to_string(san.type)) + ":" + san.value;
}

Result<Owned<X509_NAME>> build_x509_name(const DistinguishedName& name) {
  Owned<X509_NAME> result(X509_NAME_new());
  const std::array<std::pair<const char*, const std::string*>, 6> fields{{
      {"C", &name.country},
      {"ST", &name.state},
      {"L", &name.locality},
      {"O", &name.organization},
      {"OU", &name.organizational_unit},
      {"CN", &name.common_name},
  }};
  if (!name.country.empty() &&
      (name.country.size() != 2 || !std::isalpha(static_cast<unsigned char>(name.country[0])) ||
       !std::isalpha(static_cast<unsigned char>(name.country[1])))) {
    return fail(ErrorCode::InvalidArgument,
                "country '" + name.country + "' is not a two-letter code",
                "use the ISO 3166 code, e.g. US or DE");
  }
  for (const auto& [field, value] : fields) {
    if (value->empty()) continue;
    if (X509_NAME_add_entry_by_txt(result.get(), field, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value->data()),
                                   static_cast<int>(value->size()), -1, 0) != 1) {
      return std::unexpected(
          openssl_error(ErrorCode::InvalidArgument,
                        std::string("the ") + field + " value '" + *value + "' is not accepted",
                        "check its length (CN at most 64 characters)"));
    }
  }
  return result;
}

Result<Owned<GENERAL_NAMES>> build_general_names(const std::vector<SubjectAltName>& sans) {
  Owned<GENERAL_NAMES> names(GENERAL_NAMES_new());
  for (const auto& san : sans) {
    auto entry = std::find_if(kSanTypes.begin(), kSanTypes.end(),
                              [&](const auto& e) { return e.type == san.type; });
    Owned<GENERAL_NAME> name(
        a2i_GENERAL_NAME(nullptr, nullptr, nullptr, entry->gen_type, san.value.c_str(), 0));
    if (name == nullptr) {
      return std::unexpected(
          openssl_error(ErrorCode::InvalidArgument,
                        "subject alternative name '" + to_string(san) + "' cannot be encoded"));
    }
    sk_GENERAL_NAME_push(names.get(), name.release());
  }
  return names;
}

std::vector<SubjectAltName> read_general_names(const GENERAL_NAMES* names) {
  std::vector<SubjectAltName> result;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    switch (name->type) {
      case GEN_DNS:
        result.push_back({SanType::Dns, asn1_string_text(name->d.dNSName)});
        break;
      case GEN_EMAIL:
        result.push_back({SanType::Email, asn1_string_text(name->d.rfc822Name)});
        break;
      case GEN_URI:
        result.push_back({SanType::Uri, asn1_string_text(name->d.uniformResourceIdentifier)});
        break;
      case GEN_IPADD: {
        const ASN1_OCTET_STRING* ip = name->d.iPAddress;
        char out[INET6_ADDRSTRLEN] = {};
        int length = ASN1_STRING_length(ip);
        int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : 0;
        if (family != 0 && inet_ntop(family, ASN1_STRING_get0_data(ip), out, sizeof out)) {
          result.push_back({SanType::Ip, out});
        }
        break;
      }
      default:
        break;
    }
  }
  return result;
}

std::string name_to_string(const X509_NAME* name) {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  Bytes text = bio_contents(bio.get());
  return std::string(text.begin(), text.end());
}

std::string name_entry(const X509_NAME* name, int nid) {
  int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) {
    drain_openssl_errors();
    return {};
  }
  std::string result(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return result;
}

Result<SignatureDigest> parse_signature_digest(std::string_view text) {
  if (text == "sha256") return SignatureDigest::Sha256;
  if (text == "sha384") return SignatureDigest::Sha384;
  if (text == "sha512") return SignatureDigest::Sha512;
  if (text == "sha1") return SignatureDigest::Sha1;
  return fail(ErrorCode::InvalidArgument, "unknown signature algorithm '" + std::string(text) + "'",
              "use one of sha256, sha384, sha512");
}

std::string_view to_string(SignatureDigest digest) {
  switch (digest) {
    case SignatureDigest::Sha1:
      return "sha1";
    case SignatureDigest::Sha256:
      return "sha256";
    case SignatureDigest::Sha384:
      return "sha384";
    case SignatureDigest::Sha512:
      return "sha512";
  }
  return "sha256";
}

const EVP_MD* digest_for(SignatureDigest digest, const EVP_PKEY* signing_key) {
  if (EVP_PKEY_get_base_id(signing_key) == EVP_PKEY_ED25519) return nullptr;
  switch (digest) {
    case SignatureDigest::Sha1:
      return EVP_sha1();
    case SignatureDigest::Sha256:
      return EVP_sha256();
    case SignatureDigest::Sha384:
      return EVP_sha384();
    case SignatureDigest::Sha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

}  // namespace telecert::pki
