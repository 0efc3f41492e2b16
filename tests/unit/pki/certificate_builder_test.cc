// The certificate builder against `openssl verify` and `openssl x509 -text`: the profile in
// certificate_builder.h, checked by the tool a peer would use.
#include "pki/certificate_builder.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <set>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace telecert::pki {
namespace {

using telecert::testing::openssl_with_stderr;
using telecert::testing::read_file;
using telecert::testing::run_command;
using telecert::testing::TempDir;
using telecert::testing::write_file;

TimePoint now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

const Key& p256_key() {
  static const Key key = *Key::generate(KeyType::EcP256);
  return key;
}

const Key& rsa_key() {
  static const Key key = *Key::generate(KeyType::Rsa2048);
  return key;
}

CertificateSpec leaf_spec(std::string common_name = "sbc1.example.com") {
  CertificateSpec spec;
  spec.subject = {
      .common_name = std::move(common_name), .organization = "Acme Telecom", .country = "US"};
  spec.subject_alt_names = {{SanType::Dns, "sbc1.example.com"},
                            {SanType::Ip, "192.0.2.10"},
                            {SanType::Ip, "2001:db8::10"},
                            {SanType::Email, "admin@example.com"},
                            {SanType::Uri, "sip:sbc1.example.com"}};
  spec.not_before = now() - std::chrono::hours{1};
  spec.validity = std::chrono::days{90};
  return spec;
}

CertificateSpec ca_spec(std::string common_name) {
  CertificateSpec spec;
  spec.subject = {.common_name = std::move(common_name), .organization = "Acme Telecom"};
  spec.not_before = now() - std::chrono::hours{1};
  spec.validity = std::chrono::days{3650};
  spec.is_ca = true;
  return spec;
}

// `openssl verify` of `certificate` against `trusted` (and `untrusted` intermediates).
telecert::testing::CommandResult openssl_verify(const TempDir& directory,
                                                const Certificate& certificate,
                                                const std::vector<Certificate>& trusted,
                                                const std::vector<Certificate>& untrusted = {},
                                                std::vector<std::string> options = {}) {
  std::string trusted_pem;
  for (const auto& c : trusted) trusted_pem += c.pem();
  write_file(directory / "trusted.pem", trusted_pem);
  write_file(directory / "subject.pem", certificate.pem());
  std::vector<std::string> argv{"openssl", "verify", "-CAfile",
                                (directory / "trusted.pem").string()};
  if (!untrusted.empty()) {
    std::string untrusted_pem;
    for (const auto& c : untrusted) untrusted_pem += c.pem();
    write_file(directory / "untrusted.pem", untrusted_pem);
    argv.insert(argv.end(), {"-untrusted", (directory / "untrusted.pem").string()});
  }
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back((directory / "subject.pem").string());
  return run_command(argv);
}

std::string openssl_text(const TempDir& directory, const Certificate& certificate) {
  write_file(directory / "text.pem", certificate.pem());
  return openssl_with_stderr({"x509", "-in", (directory / "text.pem").string(), "-noout", "-text"});
}

// The line after `title` in `openssl x509 -text` output.
std::string line_after(const std::string& text, std::string_view title) {
  auto at = text.find(title);
  if (at == std::string::npos) return "<no " + std::string(title) + ">";
  auto start = text.find_first_not_of(' ', text.find('\n', at) + 1);
  return text.substr(start, text.find('\n', start) - start);
}

// The header line of `title` ("X509v3 Key Usage: critical").
std::string header_line(const std::string& text, std::string_view title) {
  auto at = text.find(title);
  if (at == std::string::npos) return "<no " + std::string(title) + ">";
  std::string line = text.substr(at, text.find('\n', at) - at);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

TEST(CertificateBuilderTest, SelfSignedCertificateVerifiesInOpenssl) {
  TempDir directory;
  for (const Key* key : {&p256_key(), &rsa_key()}) {
    auto certificate = build_certificate(*key, leaf_spec());
    ASSERT_TRUE(certificate) << certificate.error().message;
    auto verified = openssl_verify(directory, *certificate, {*certificate});
    EXPECT_EQ(verified.exit_status, 0) << verified.output << verified.error;
    auto strict = openssl_verify(directory, *certificate, {*certificate}, {}, {"-x509_strict"});
    EXPECT_EQ(strict.exit_status, 0) << strict.output << strict.error;
    for (std::string purpose : {"sslserver", "sslclient"}) {
      auto with_purpose =
          openssl_verify(directory, *certificate, {*certificate}, {}, {"-purpose", purpose});
      EXPECT_EQ(with_purpose.exit_status, 0) << purpose << ": " << with_purpose.error;
    }
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

TEST(CertificateBuilderTest, Ed25519SelfSignedCertificateVerifiesInOpenssl) {
  TempDir directory;
  auto key = Key::generate(KeyType::Ed25519);
  ASSERT_TRUE(key);
  auto certificate = build_certificate(*key, leaf_spec());
  ASSERT_TRUE(certificate) << certificate.error().message;
  EXPECT_EQ(certificate->signature_algorithm(), "ED25519");
  auto strict = openssl_verify(directory, *certificate, {*certificate}, {}, {"-x509_strict"});
  EXPECT_EQ(strict.exit_status, 0) << strict.output << strict.error;
}

TEST(CertificateBuilderTest, EndEntityProfileForEcKey) {
  TempDir directory;
  auto certificate = build_certificate(p256_key(), leaf_spec());
  ASSERT_TRUE(certificate);
  std::string text = openssl_text(directory, *certificate);
  EXPECT_EQ(header_line(text, "X509v3 Basic Constraints"), "X509v3 Basic Constraints: critical");
  EXPECT_EQ(line_after(text, "X509v3 Basic Constraints"), "CA:FALSE");
  EXPECT_EQ(header_line(text, "X509v3 Key Usage"), "X509v3 Key Usage: critical");
  EXPECT_EQ(line_after(text, "X509v3 Key Usage"), "Digital Signature");
  EXPECT_EQ(line_after(text, "X509v3 Extended Key Usage"),
            "TLS Web Server Authentication, TLS Web Client Authentication");
  EXPECT_EQ(line_after(text, "X509v3 Subject Alternative Name"),
            "DNS:sbc1.example.com, IP Address:192.0.2.10, IP Address:2001:DB8:0:0:0:0:0:10, "
            "email:admin@example.com, URI:sip:sbc1.example.com");
  EXPECT_NE(text.find("X509v3 Subject Key Identifier"), std::string::npos);
  EXPECT_EQ(text.find("X509v3 Authority Key Identifier"), std::string::npos)
      << "self-signed: no authorityKeyIdentifier";
  EXPECT_NE(text.find("Version: 3 (0x2)"), std::string::npos);
  EXPECT_NE(text.find("Signature Algorithm: ecdsa-with-SHA256"), std::string::npos);

  EXPECT_FALSE(certificate->is_ca());
  EXPECT_EQ(certificate->key_usage(), std::vector<std::string>{"digitalSignature"});
  EXPECT_EQ(certificate->extended_key_usage(),
            (std::vector<std::string>{"serverAuth", "clientAuth"}));
  EXPECT_EQ(certificate->subject_alt_names(), leaf_spec().subject_alt_names);
  EXPECT_EQ(certificate->subject(), "CN=sbc1.example.com,O=Acme Telecom,C=US");
  EXPECT_EQ(certificate->issuer(), certificate->subject());
}

TEST(CertificateBuilderTest, RsaEndEntityAlsoGetsKeyEncipherment) {
  TempDir directory;
  auto certificate = build_certificate(rsa_key(), leaf_spec());
  ASSERT_TRUE(certificate);
  std::string text = openssl_text(directory, *certificate);
  EXPECT_EQ(line_after(text, "X509v3 Key Usage"), "Digital Signature, Key Encipherment");
  EXPECT_NE(text.find("Signature Algorithm: sha256WithRSAEncryption"), std::string::npos);
}

TEST(CertificateBuilderTest, CaProfile) {
  TempDir directory;
  auto certificate = build_certificate(p256_key(), ca_spec("Acme Root"));
  ASSERT_TRUE(certificate);
  std::string text = openssl_text(directory, *certificate);
  EXPECT_EQ(header_line(text, "X509v3 Basic Constraints"), "X509v3 Basic Constraints: critical");
  EXPECT_EQ(line_after(text, "X509v3 Basic Constraints"), "CA:TRUE");
  EXPECT_EQ(header_line(text, "X509v3 Key Usage"), "X509v3 Key Usage: critical");
  EXPECT_EQ(line_after(text, "X509v3 Key Usage"), "Digital Signature, Certificate Sign, CRL Sign");
  EXPECT_EQ(text.find("X509v3 Extended Key Usage"), std::string::npos);
  EXPECT_NE(text.find("X509v3 Subject Key Identifier"), std::string::npos);
  EXPECT_TRUE(certificate->is_ca());
  EXPECT_EQ(certificate->path_length(), std::nullopt);
  auto strict = openssl_verify(directory, *certificate, {*certificate}, {}, {"-x509_strict"});
  EXPECT_EQ(strict.exit_status, 0) << strict.output << strict.error;
}

TEST(CertificateBuilderTest, ChosenDigestSignsTheCertificate) {
  for (auto [digest, name] : {std::pair{SignatureDigest::Sha384, "ecdsa-with-SHA384"},
                              {SignatureDigest::Sha512, "ecdsa-with-SHA512"}}) {
    CertificateSpec spec = leaf_spec();
    spec.digest = digest;
    auto certificate = build_certificate(p256_key(), spec);
    ASSERT_TRUE(certificate);
    EXPECT_EQ(certificate->signature_algorithm(), name);
  }
}

TEST(CertificateBuilderTest, ValidityStartsAtNotBeforeAndLastsTheGivenDays) {
  CertificateSpec spec = leaf_spec();
  spec.not_before = TimePoint{std::chrono::sys_days{std::chrono::year{2025} / 3 / 1}} +
                    std::chrono::hours{13} + std::chrono::seconds{7};
  spec.validity = std::chrono::days{825};
  auto certificate = build_certificate(p256_key(), spec);
  ASSERT_TRUE(certificate);
  EXPECT_EQ(certificate->not_before(), spec.not_before);
  EXPECT_EQ(certificate->not_after(), spec.not_before + std::chrono::days{825});
  TempDir directory;
  write_file(directory / "c.pem", certificate->pem());
  std::string dates = openssl_with_stderr(
      {"x509", "-in", (directory / "c.pem").string(), "-noout", "-dates", "-dateopt", "iso_8601"});
  EXPECT_NE(dates.find("notBefore=2025-03-01 13:00:07Z"), std::string::npos) << dates;
  EXPECT_NE(dates.find("notAfter=2027-06-04 13:00:07Z"), std::string::npos) << dates;
}

TEST(CertificateBuilderTest, ValidityBeyond2049UsesGeneralizedTime) {
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  CertificateSpec spec = leaf_spec();
  spec.not_before = TimePoint{std::chrono::sys_days{std::chrono::year{2040} / 1 / 1}};
  spec.validity = std::chrono::days{365 * 20};
  auto certificate = build_certificate(p256_key(), spec);
  ASSERT_TRUE(certificate);
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notBefore(certificate->get())), V_ASN1_UTCTIME);
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notAfter(certificate->get())), V_ASN1_GENERALIZEDTIME);
  EXPECT_EQ(certificate->not_after(), spec.not_before + std::chrono::days{365 * 20});
}

TEST(CertificateBuilderTest, SerialsArePositiveRandomAndAtMostTwentyOctets) {
  std::set<std::string> serials;
  for (int i = 0; i < 20; ++i) {
    auto certificate = build_certificate(p256_key(), leaf_spec());
    ASSERT_TRUE(certificate);
    const ASN1_INTEGER* serial = X509_get0_serialNumber(certificate->get());
    EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER) << "not negative";
    EXPECT_LE(ASN1_STRING_length(serial), 20);
    EXPECT_GE(certificate->serial_hex().size(), 16u) << "at least 64 random bits";
    serials.insert(certificate->serial_hex());
  }
  EXPECT_EQ(serials.size(), 20u);
}

TEST(CertificateBuilderTest, IssuedCertificateVerifiesAgainstCa) {
  TempDir directory;
  auto ca_key = Key::generate(KeyType::EcP384);
  ASSERT_TRUE(ca_key);
  auto ca = build_certificate(*ca_key, ca_spec("Acme Manufacturer CA"));
  ASSERT_TRUE(ca) << ca.error().message;
  Issuer issuer{*ca, *ca_key};
  for (const Key* key : {&p256_key(), &rsa_key()}) {
    CertificateSpec spec = leaf_spec();
    spec.digest = SignatureDigest::Sha384;
    auto leaf = build_certificate(*key, spec, &issuer);
    ASSERT_TRUE(leaf) << leaf.error().message;
    EXPECT_EQ(leaf->issuer(), ca->subject());
    EXPECT_EQ(leaf->signature_algorithm(), "ecdsa-with-SHA384") << "signed by the CA's EC key";
    EXPECT_TRUE(leaf->is_issued_by(*ca));
    EXPECT_FALSE(leaf->is_issued_by(*leaf));
    auto verified = openssl_verify(directory, *leaf, {*ca}, {}, {"-x509_strict"});
    EXPECT_EQ(verified.exit_status, 0) << verified.output << verified.error;
    auto as_server =
        openssl_verify(directory, *leaf, {*ca}, {}, {"-purpose", "sslserver", "-x509_strict"});
    EXPECT_EQ(as_server.exit_status, 0) << as_server.output << as_server.error;

    // authorityKeyIdentifier is the CA's subjectKeyIdentifier.
    std::string leaf_text = openssl_text(directory, *leaf);
    std::string ca_text = openssl_text(directory, *ca);
    EXPECT_EQ(line_after(leaf_text, "X509v3 Authority Key Identifier"),
              line_after(ca_text, "X509v3 Subject Key Identifier"));
  }
}

TEST(CertificateBuilderTest, SelfSignedEndEntityAndCaAreSelfSignedButIssuedLeafIsNot) {
  auto self_signed = build_certificate(p256_key(), leaf_spec());
  ASSERT_TRUE(self_signed) << self_signed.error().message;
  EXPECT_TRUE(self_signed->is_self_signed()) << "CA:FALSE without keyCertSign still counts";
  EXPECT_FALSE(self_signed->is_issued_by(*self_signed)) << "an issuer needs keyCertSign";

  auto ca_key = Key::generate(KeyType::EcP256);
  ASSERT_TRUE(ca_key);
  auto ca = build_certificate(*ca_key, ca_spec("Acme Device CA"));
  ASSERT_TRUE(ca) << ca.error().message;
  EXPECT_TRUE(ca->is_self_signed());
  Issuer issuer{*ca, *ca_key};
  auto leaf = build_certificate(rsa_key(), leaf_spec(), &issuer);
  ASSERT_TRUE(leaf) << leaf.error().message;
  EXPECT_FALSE(leaf->is_self_signed());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(CertificateBuilderTest, IntermediateCaChainVerifiesInOpenssl) {
  TempDir directory;
  auto root_key = Key::generate(KeyType::EcP384);
  auto intermediate_key = Key::generate(KeyType::EcP256);
  ASSERT_TRUE(root_key && intermediate_key);
  auto root = build_certificate(*root_key, ca_spec("Acme Root"));
  ASSERT_TRUE(root);
  Issuer root_issuer{*root, *root_key};
  auto intermediate =
      build_certificate(*intermediate_key, ca_spec("Acme Issuing CA"), &root_issuer);
  ASSERT_TRUE(intermediate);
  Issuer intermediate_issuer{*intermediate, *intermediate_key};
  auto leaf = build_certificate(p256_key(), leaf_spec(), &intermediate_issuer);
  ASSERT_TRUE(leaf);
  auto verified = openssl_verify(directory, *leaf, {*root}, {*intermediate}, {"-x509_strict"});
  EXPECT_EQ(verified.exit_status, 0) << verified.output << verified.error;
  auto without_intermediate = openssl_verify(directory, *leaf, {*root});
  EXPECT_NE(without_intermediate.exit_status, 0);
}

TEST(CertificateBuilderTest, IssuesFromOpensslMadeCaWithoutSubjectKeyIdentifier) {
  // Older manufacturer CAs carry no subjectKeyIdentifier; issuing from them must still work.
  TempDir directory;
  write_file(directory / "ca.cnf",
             "[req]\ndistinguished_name = dn\n[dn]\n[ca]\n"
             "basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n"
             "subjectKeyIdentifier = none\nauthorityKeyIdentifier = none\n");
  const std::string key_file = (directory / "ca.key").string();
  openssl_with_stderr(
      {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key_file});
  openssl_with_stderr({"req", "-x509", "-new", "-key", key_file, "-subj", "/CN=Old Manufacturer CA",
                       "-days", "100", "-config", (directory / "ca.cnf").string(), "-extensions",
                       "ca", "-out", (directory / "ca.pem").string()});
  auto ca_key = Key::parse(to_bytes(read_file(key_file)));
  std::string ca_der =
      openssl_with_stderr({"x509", "-in", (directory / "ca.pem").string(), "-outform", "DER"});
  auto ca = Certificate::from_der(as_bytes(ca_der));
  ASSERT_TRUE(ca_key && ca);
  Issuer issuer{*ca, *ca_key};
  auto leaf = build_certificate(p256_key(), leaf_spec(), &issuer);
  ASSERT_TRUE(leaf) << leaf.error().message;
  auto verified = openssl_verify(directory, *leaf, {*ca});
  EXPECT_EQ(verified.exit_status, 0) << verified.output << verified.error;
}

TEST(CertificateBuilderTest, IssuerKeyThatDoesNotMatchIssuerCertificateIsKeyMismatch) {
  auto ca_key = Key::generate(KeyType::EcP256);
  auto other_key = Key::generate(KeyType::EcP256);
  ASSERT_TRUE(ca_key && other_key);
  auto ca = build_certificate(*ca_key, ca_spec("Acme CA"));
  ASSERT_TRUE(ca);
  Issuer wrong{*ca, *other_key};
  auto leaf = build_certificate(p256_key(), leaf_spec(), &wrong);
  ASSERT_FALSE(leaf);
  EXPECT_EQ(leaf.error().code, ErrorCode::KeyMismatch) << leaf.error().message;
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(CertificateBuilderTest, EmptySubjectMakesSubjectAltNameCritical) {
  // RFC 5280 §4.2.1.6: with an empty subject the subjectAltName extension must be critical.
  TempDir directory;
  auto ca_key = Key::generate(KeyType::EcP256);
  ASSERT_TRUE(ca_key);
  auto ca = build_certificate(*ca_key, ca_spec("Acme CA"));
  ASSERT_TRUE(ca);
  Issuer issuer{*ca, *ca_key};
  CertificateSpec spec = leaf_spec();
  spec.subject = {};
  spec.subject_alt_names = {{SanType::Uri, "sip:phone-42@example.com"}};
  auto leaf = build_certificate(p256_key(), spec, &issuer);
  ASSERT_TRUE(leaf) << leaf.error().message;
  std::string text = openssl_text(directory, *leaf);
  EXPECT_EQ(header_line(text, "X509v3 Subject Alternative Name"),
            "X509v3 Subject Alternative Name: critical");
  auto strict = openssl_verify(directory, *leaf, {*ca}, {}, {"-x509_strict"});
  EXPECT_EQ(strict.exit_status, 0) << strict.output << strict.error;
}

TEST(CertificateBuilderTest, InvalidSubjectIsInvalidArgument) {
  CertificateSpec spec = leaf_spec();
  spec.subject.country = "United States";
  auto certificate = build_certificate(p256_key(), spec);
  ASSERT_FALSE(certificate);
  EXPECT_EQ(certificate.error().code, ErrorCode::InvalidArgument);

  spec = leaf_spec();
  spec.subject_alt_names = {{SanType::Ip, "999.1.1.1"}};
  certificate = build_certificate(p256_key(), spec);
  ASSERT_FALSE(certificate);
  EXPECT_EQ(certificate.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace telecert::pki
