// The parts of a certificate's or CSR's subject that the builders take: a distinguished name and
// typed subject alternative names, as on the AudioCodes CSR form (CN, five typed SANs, OU, O, L,
// ST, C).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "pki/ossl.h"

namespace telecert::pki {

enum class SanType { Dns, Ip, Email, Uri };

struct SubjectAltName {
  SanType type;
  std::string value;  // IP addresses in canonical text form ("192.0.2.10", "2001:db8::1")
  bool operator==(const SubjectAltName&) const = default;
};

// Parses "dns:NAME", "ip:ADDRESS", "email:ADDR", "uri:URI". An unknown type or an IP value that is
// not an IPv4/IPv6 address is ErrorCode::InvalidArgument.
Result<SubjectAltName> parse_subject_alt_name(std::string_view text);
// "dns:NAME" etc.; the inverse of parse_subject_alt_name.
std::string to_string(const SubjectAltName& san);
std::string_view to_string(SanType type);

struct DistinguishedName {
  std::string common_name;          // CN
  std::string organizational_unit;  // OU
  std::string organization;         // O
  std::string locality;             // L
  std::string state;                // ST
  std::string country;              // C: two letters (ISO 3166)
};

// Builds an X509_NAME from the non-empty fields (UTF-8). A country that is not two letters is
// ErrorCode::InvalidArgument.
Result<Owned<X509_NAME>> build_x509_name(const DistinguishedName& name);

// Builds the GENERAL_NAMES of a subjectAltName extension.
Result<Owned<GENERAL_NAMES>> build_general_names(const std::vector<SubjectAltName>& sans);
// Reads GENERAL_NAMES back into typed names; types we do not model (otherName, dirName) are
// skipped.
std::vector<SubjectAltName> read_general_names(const GENERAL_NAMES* names);

// One-line RFC 2253 text of a name ("CN=a,O=b"), UTF-8.
std::string name_to_string(const X509_NAME* name);
// The first entry of `nid` in `name`, UTF-8, or "".
std::string name_entry(const X509_NAME* name, int nid);

enum class SignatureDigest { Sha1, Sha256, Sha384, Sha512 };
// "sha256", "sha384", "sha512" ("sha1" exists for --legacy only).
Result<SignatureDigest> parse_signature_digest(std::string_view text);
std::string_view to_string(SignatureDigest digest);
// The EVP_MD for `digest`; nullptr for Ed25519 keys, which sign without a separate digest.
const EVP_MD* digest_for(SignatureDigest digest, const EVP_PKEY* signing_key);

}  // namespace telecert::pki
