// Certificate fields against what `openssl x509` prints for the same file: openssl is the
// independent reading, our parser must agree with it field by field.
#include "pki/certificate.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <openssl/err.h>

#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace telecert::pki {
namespace {

using telecert::testing::openssl;
using telecert::testing::read_file;
using telecert::testing::run_command;
using telecert::testing::TempDir;
using telecert::testing::write_file;

std::string trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

std::vector<std::string> split(std::string_view text, std::string_view separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto at = text.find(separator, start);
    parts.push_back(trim(text.substr(start, at - start)));
    if (at == std::string_view::npos) break;
    start = at + separator.size();
  }
  return parts;
}

// The value after "key=" on the line of `output` that starts with it.
std::string field(const std::string& output, std::string_view key) {
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(std::string(key) + "=")) return trim(line.substr(key.size() + 1));
  }
  ADD_FAILURE() << "no " << key << " in " << output;
  return {};
}

// The line after the header line `title` in `openssl x509 -text` output ("" when absent).
std::string text_section(const std::string& text, std::string_view title) {
  auto at = text.find(title);
  if (at == std::string::npos) return {};
  auto line_start = text.find('\n', at) + 1;
  auto line_end = text.find('\n', line_start);
  return trim(std::string_view(text).substr(line_start, line_end - line_start));
}

// The rest of the first line of `text` that contains `label`, after the label.
std::string rest_of_line(const std::string& text, std::string_view label) {
  auto at = text.find(label);
  if (at == std::string::npos) return {};
  at += label.size();
  return trim(std::string_view(text).substr(at, text.find('\n', at) - at));
}

// "2026-11-23 09:18:55Z" (openssl -dateopt iso_8601).
TimePoint parse_iso_time(const std::string& text) {
  std::tm parts{};
  std::istringstream stream(text);
  stream >> std::get_time(&parts, "%Y-%m-%d %H:%M:%S");
  EXPECT_FALSE(stream.fail()) << text;
  return TimePoint{std::chrono::seconds{timegm(&parts)}};
}

std::string canonical_ip(const std::string& text) {
  unsigned char buffer[16];
  char out[INET6_ADDRSTRLEN] = {};
  int family = text.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (inet_pton(family, text.c_str(), buffer) != 1) return "bad:" + text;
  return inet_ntop(family, buffer, out, sizeof out);
}

// What openssl reads from a certificate, in our vocabulary.
struct OpensslReading {
  std::string subject;
  std::string issuer;
  std::string serial;
  TimePoint not_before;
  TimePoint not_after;
  std::vector<SubjectAltName> sans;
  bool is_ca = false;
  std::optional<long> path_length;
  std::vector<std::string> key_usage;
  std::vector<std::string> extended_key_usage;
  std::string sha256;
  std::string sha1;
  std::string public_key_algorithm;
  int public_key_bits = 0;
  std::string signature_algorithm;
};

OpensslReading read_with_openssl(const std::string& file) {
  OpensslReading reading;
  const std::string names = openssl({"x509", "-in", file, "-noout", "-subject", "-issuer",
                                     "-serial", "-nameopt", "RFC2253,-esc_msb"});
  reading.subject = field(names, "subject");
  reading.issuer = field(names, "issuer");
  reading.serial = field(names, "serial");
  const std::string dates =
      openssl({"x509", "-in", file, "-noout", "-dates", "-dateopt", "iso_8601"});
  reading.not_before = parse_iso_time(field(dates, "notBefore"));
  reading.not_after = parse_iso_time(field(dates, "notAfter"));
  reading.sha256 = field(openssl({"x509", "-in", file, "-noout", "-fingerprint", "-sha256"}),
                         "sha256 Fingerprint");
  reading.sha1 =
      field(openssl({"x509", "-in", file, "-noout", "-fingerprint", "-sha1"}), "sha1 Fingerprint");

  const std::string text = openssl({"x509", "-in", file, "-noout", "-text"});
  reading.signature_algorithm = rest_of_line(text, "Signature Algorithm:");
  const std::string algorithm = rest_of_line(text, "Public Key Algorithm:");
  reading.public_key_algorithm = algorithm == "rsaEncryption"    ? "RSA"
                                 : algorithm == "id-ecPublicKey" ? "EC"
                                 : algorithm == "ED25519"        ? "Ed25519"
                                                                 : algorithm;
  if (auto at = text.find("Public-Key: ("); at != std::string::npos) {
    reading.public_key_bits = std::stoi(text.substr(at + 13));
  } else if (reading.public_key_algorithm == "Ed25519") {
    reading.public_key_bits = 256;  // openssl prints no size for Ed25519; OpenSSL's bits are 256
  }

  const std::string constraints = text_section(text, "X509v3 Basic Constraints");
  reading.is_ca = constraints.starts_with("CA:TRUE");
  if (auto at = constraints.find("pathlen:"); at != std::string::npos) {
    reading.path_length = std::stol(constraints.substr(at + 8));
  }
  static const std::map<std::string, std::string> kKeyUsageNames{
      {"Digital Signature", "digitalSignature"},
      {"Non Repudiation", "nonRepudiation"},
      {"Key Encipherment", "keyEncipherment"},
      {"Data Encipherment", "dataEncipherment"},
      {"Key Agreement", "keyAgreement"},
      {"Certificate Sign", "keyCertSign"},
      {"CRL Sign", "cRLSign"},
      {"Encipher Only", "encipherOnly"},
      {"Decipher Only", "decipherOnly"}};
  if (auto usage = text_section(text, "X509v3 Key Usage"); !usage.empty()) {
    for (const auto& name : split(usage, ", "))
      reading.key_usage.push_back(kKeyUsageNames.at(name));
  }
  static const std::map<std::string, std::string> kExtendedKeyUsageNames{
      {"TLS Web Server Authentication", "serverAuth"},
      {"TLS Web Client Authentication", "clientAuth"},
      {"Code Signing", "codeSigning"},
      {"E-mail Protection", "emailProtection"},
      {"Time Stamping", "timeStamping"},
      {"OCSP Signing", "OCSPSigning"}};
  if (auto usage = text_section(text, "X509v3 Extended Key Usage"); !usage.empty()) {
    for (const auto& name : split(usage, ", ")) {
      auto known = kExtendedKeyUsageNames.find(name);
      reading.extended_key_usage.push_back(known != kExtendedKeyUsageNames.end() ? known->second
                                                                                 : name);
    }
  }
  if (auto names_line = text_section(text, "X509v3 Subject Alternative Name");
      !names_line.empty()) {
    for (const auto& entry : split(names_line, ", ")) {
      if (entry.starts_with("DNS:")) {
        reading.sans.push_back({SanType::Dns, entry.substr(4)});
      } else if (entry.starts_with("IP Address:")) {
        reading.sans.push_back({SanType::Ip, canonical_ip(entry.substr(11))});
      } else if (entry.starts_with("email:")) {
        reading.sans.push_back({SanType::Email, entry.substr(6)});
      } else if (entry.starts_with("URI:")) {
        reading.sans.push_back({SanType::Uri, entry.substr(4)});
      }
    }
  }
  return reading;
}

Result<Certificate> load_pem_file(const std::string& file) {
  std::string der = openssl({"x509", "-in", file, "-outform", "DER"});
  return Certificate::from_der(as_bytes(der));
}

// A CA certificate with every field we read, a leaf issued by it, an Ed25519 certificate and a
// v1 certificate without extensions; all made by openssl.
class OpensslCertificates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = new TempDir();
    write_file(*directory_ / "ext.cnf",
               "[req]\n"
               "distinguished_name = dn\n"
               "[dn]\n"
               "[ca]\n"
               "basicConstraints = critical,CA:TRUE,pathlen:2\n"
               "keyUsage = critical,digitalSignature,keyCertSign,cRLSign\n"
               "extendedKeyUsage = serverAuth,clientAuth,codeSigning,1.2.3.4.5.6\n"
               "subjectAltName = DNS:sbc1.example.com,DNS:*.example.net,IP:192.0.2.10,"
               "IP:2001:db8::1,email:admin@example.com,URI:sip:sbc1.example.com\n"
               "subjectKeyIdentifier = hash\n"
               "[leaf]\n"
               "basicConstraints = critical,CA:FALSE\n"
               "keyUsage = critical,digitalSignature,keyAgreement,nonRepudiation\n"
               "extendedKeyUsage = clientAuth\n"
               "subjectAltName = URI:sip:phone@example.com,IP:fe80::1:2\n"
               "authorityKeyIdentifier = keyid\n"
               "[zero_path]\n"
               "basicConstraints = critical,CA:TRUE,pathlen:0\n"
               "keyUsage = critical,keyCertSign\n");
    openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072", "-out",
             path("ca.key")});
    openssl({"req", "-x509", "-new", "-key", path("ca.key"), "-sha384", "-utf8", "-subj",
             "/C=DE/ST=Bayern/L=München/O=Acme\\, Inc./OU=Voice/CN=sbc1.example.com", "-set_serial",
             "0x00A1B2C3D4E5F60718293A4B5C6D7E8F90", "-days", "30", "-config", path("ext.cnf"),
             "-extensions", "ca", "-out", path("ca.pem")});
    openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
             path("leaf.key")});
    openssl({"req", "-new", "-key", path("leaf.key"), "-subj", "/CN=phone 42/O=Acme", "-config",
             path("ext.cnf"), "-out", path("leaf.csr")});
    openssl({"x509", "-req", "-in", path("leaf.csr"), "-CA", path("ca.pem"), "-CAkey",
             path("ca.key"), "-set_serial", "7", "-days", "400", "-sha256", "-extfile",
             path("ext.cnf"), "-extensions", "leaf", "-out", path("leaf.pem")});
    openssl({"genpkey", "-algorithm", "ED25519", "-out", path("ed.key")});
    openssl({"req", "-x509", "-new", "-key", path("ed.key"), "-subj", "/CN=ed25519 device", "-days",
             "10", "-config", path("ext.cnf"), "-extensions", "zero_path", "-out", path("ed.pem")});
    // No extensions at all: a version 1 certificate, signed by the CA.
    openssl({"x509", "-req", "-in", path("leaf.csr"), "-CA", path("ca.pem"), "-CAkey",
             path("ca.key"), "-set_serial", "0x0100", "-days", "1", "-sha512", "-out",
             path("v1.pem")});
  }
  static void TearDownTestSuite() {
    delete directory_;
    directory_ = nullptr;
  }
  static std::string path(std::string_view name) { return (*directory_ / name).string(); }

  static Certificate load(std::string_view name) {
    auto certificate = load_pem_file(path(name));
    EXPECT_TRUE(certificate) << certificate.error().message;
    return *certificate;
  }

  static TempDir* directory_;
};
TempDir* OpensslCertificates::directory_ = nullptr;

void expect_agrees_with_openssl(const Certificate& certificate, const OpensslReading& openssl) {
  EXPECT_EQ(certificate.subject(), openssl.subject);
  EXPECT_EQ(certificate.issuer(), openssl.issuer);
  EXPECT_EQ(certificate.serial_hex(), openssl.serial);
  EXPECT_EQ(certificate.not_before(), openssl.not_before);
  EXPECT_EQ(certificate.not_after(), openssl.not_after);
  EXPECT_EQ(certificate.subject_alt_names(), openssl.sans);
  EXPECT_EQ(certificate.is_ca(), openssl.is_ca);
  EXPECT_EQ(certificate.path_length(), openssl.path_length);
  auto sorted = [](std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    return values;
  };
  EXPECT_EQ(sorted(certificate.key_usage()), sorted(openssl.key_usage));
  EXPECT_EQ(certificate.extended_key_usage(), openssl.extended_key_usage);
  EXPECT_EQ(certificate.sha256_fingerprint(), openssl.sha256);
  EXPECT_EQ(certificate.sha1_fingerprint(), openssl.sha1);
  EXPECT_EQ(certificate.public_key_algorithm(), openssl.public_key_algorithm);
  EXPECT_EQ(certificate.public_key_bits(), openssl.public_key_bits);
  EXPECT_EQ(certificate.signature_algorithm(), openssl.signature_algorithm);
  EXPECT_EQ(ERR_peek_error(), 0u) << "OpenSSL error queue left non-empty";
}

TEST_F(OpensslCertificates, CaCertificateFieldsAgreeWithOpenssl) {
  Certificate certificate = load("ca.pem");
  OpensslReading reading = read_with_openssl(path("ca.pem"));
  expect_agrees_with_openssl(certificate, reading);
  // And the concrete values, so a shared misreading cannot pass.
  EXPECT_EQ(certificate.subject(),
            "CN=sbc1.example.com,OU=Voice,O=Acme\\, Inc.,L=München,ST=Bayern,C=DE");
  EXPECT_EQ(certificate.common_name(), "sbc1.example.com");
  EXPECT_EQ(certificate.serial_hex(), "A1B2C3D4E5F60718293A4B5C6D7E8F90");
  EXPECT_TRUE(certificate.is_ca());
  EXPECT_EQ(certificate.path_length(), 2);
  EXPECT_EQ(certificate.key_usage(),
            (std::vector<std::string>{"digitalSignature", "keyCertSign", "cRLSign"}));
  EXPECT_EQ(certificate.extended_key_usage(),
            (std::vector<std::string>{"serverAuth", "clientAuth", "codeSigning", "1.2.3.4.5.6"}));
  EXPECT_EQ(certificate.subject_alt_names(),
            (std::vector<SubjectAltName>{{SanType::Dns, "sbc1.example.com"},
                                         {SanType::Dns, "*.example.net"},
                                         {SanType::Ip, "192.0.2.10"},
                                         {SanType::Ip, "2001:db8::1"},
                                         {SanType::Email, "admin@example.com"},
                                         {SanType::Uri, "sip:sbc1.example.com"}}));
  EXPECT_EQ(certificate.public_key_algorithm(), "RSA");
  EXPECT_EQ(certificate.public_key_bits(), 3072);
  EXPECT_EQ(certificate.signature_algorithm(), "sha384WithRSAEncryption");
  EXPECT_EQ(certificate.not_after() - certificate.not_before(), std::chrono::days{30});
}

TEST_F(OpensslCertificates, IssuedEcCertificateFieldsAgreeWithOpenssl) {
  Certificate certificate = load("leaf.pem");
  expect_agrees_with_openssl(certificate, read_with_openssl(path("leaf.pem")));
  EXPECT_EQ(certificate.subject(), "O=Acme,CN=phone 42");
  EXPECT_EQ(certificate.common_name(), "phone 42");
  EXPECT_EQ(certificate.issuer(), load("ca.pem").subject());
  EXPECT_EQ(certificate.serial_hex(), "07");
  EXPECT_FALSE(certificate.is_ca());
  EXPECT_EQ(certificate.path_length(), std::nullopt);
  EXPECT_EQ(certificate.extended_key_usage(), std::vector<std::string>{"clientAuth"});
  EXPECT_EQ(certificate.subject_alt_names(),
            (std::vector<SubjectAltName>{{SanType::Uri, "sip:phone@example.com"},
                                         {SanType::Ip, "fe80::1:2"}}));
  EXPECT_EQ(certificate.public_key_algorithm(), "EC");
  EXPECT_EQ(certificate.public_key_bits(), 256);
  EXPECT_EQ(certificate.signature_algorithm(), "sha256WithRSAEncryption");
}

TEST_F(OpensslCertificates, Ed25519CertificateFieldsAgreeWithOpenssl) {
  Certificate certificate = load("ed.pem");
  expect_agrees_with_openssl(certificate, read_with_openssl(path("ed.pem")));
  EXPECT_EQ(certificate.public_key_algorithm(), "Ed25519");
  EXPECT_EQ(certificate.signature_algorithm(), "ED25519");
  EXPECT_TRUE(certificate.is_ca());
  EXPECT_EQ(certificate.path_length(), 0) << "pathlen:0 is a constraint, not its absence";
  EXPECT_EQ(certificate.key_usage(), std::vector<std::string>{"keyCertSign"});
  EXPECT_TRUE(certificate.extended_key_usage().empty());
  EXPECT_TRUE(certificate.subject_alt_names().empty());
}

TEST_F(OpensslCertificates, CertificateWithoutExtensionsHasNoneOfTheirFields) {
  Certificate certificate = load("v1.pem");
  expect_agrees_with_openssl(certificate, read_with_openssl(path("v1.pem")));
  EXPECT_EQ(X509_get_version(certificate.get()), 0) << "openssl x509 -req without -extfile";
  EXPECT_FALSE(certificate.is_ca());
  EXPECT_EQ(certificate.path_length(), std::nullopt);
  EXPECT_TRUE(certificate.key_usage().empty());
  EXPECT_TRUE(certificate.extended_key_usage().empty());
  EXPECT_TRUE(certificate.subject_alt_names().empty());
  EXPECT_EQ(certificate.serial_hex(), "0100");
  EXPECT_EQ(certificate.signature_algorithm(), "sha512WithRSAEncryption");
}

TEST_F(OpensslCertificates, SerialTextMatchesOpensslForZeroNegativeAndHighBitSerials) {
  // Zero and negative serials are not allowed by RFC 5280 but exist on deployed devices.
  for (std::string serial :
       {"0", "-5", "0x80", "0x0F", "0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"}) {
    std::string file = path("serial.pem");
    openssl({"req", "-x509", "-new", "-key", path("leaf.key"), "-subj", "/CN=serial", "-set_serial",
             serial, "-days", "1", "-config", path("ext.cnf"), "-out", file});
    auto certificate = load_pem_file(file);
    ASSERT_TRUE(certificate) << serial;
    EXPECT_EQ(certificate->serial_hex(),
              field(openssl({"x509", "-in", file, "-noout", "-serial"}), "serial"))
        << serial;
  }
}

TEST_F(OpensslCertificates, DerAndPemRoundTripByteForByte) {
  Certificate certificate = load("ca.pem");
  EXPECT_EQ(as_text(certificate.der()),
            openssl({"x509", "-in", path("ca.pem"), "-outform", "DER"}));
  EXPECT_EQ(certificate.pem(), read_file(path("ca.pem")));
}

TEST_F(OpensslCertificates, IssuerRelationsFollowSignatures) {
  Certificate ca = load("ca.pem");
  Certificate leaf = load("leaf.pem");
  Certificate ed = load("ed.pem");
  EXPECT_TRUE(ca.is_self_issued());
  EXPECT_FALSE(leaf.is_self_issued());
  EXPECT_TRUE(ca.is_issued_by(ca));
  EXPECT_TRUE(leaf.is_issued_by(ca));
  EXPECT_TRUE(load("v1.pem").is_issued_by(ca));
  EXPECT_FALSE(ca.is_issued_by(leaf));
  EXPECT_FALSE(leaf.is_issued_by(ed));
  EXPECT_FALSE(leaf.is_issued_by(leaf));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(OpensslCertificates, SameNameButOtherKeyIsNotTheIssuer) {
  // A second CA with the same subject but its own key must not be taken for the issuer.
  openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
           path("impostor.key")});
  openssl({"req", "-x509", "-new", "-key", path("impostor.key"), "-utf8", "-subj",
           "/C=DE/ST=Bayern/L=München/O=Acme\\, Inc./OU=Voice/CN=sbc1.example.com", "-days", "30",
           "-config", path("ext.cnf"), "-extensions", "zero_path", "-out", path("impostor.pem")});
  Certificate impostor = load("impostor.pem");
  Certificate leaf = load("leaf.pem");
  EXPECT_EQ(impostor.subject(), leaf.issuer());
  EXPECT_FALSE(leaf.is_issued_by(impostor));
}

TEST_F(OpensslCertificates, CopiesShareTheCertificate) {
  Certificate certificate = load("ca.pem");
  Certificate copy = certificate;
  EXPECT_EQ(copy.get(), certificate.get());
  Certificate other = load("leaf.pem");
  copy = other;
  EXPECT_EQ(copy.get(), other.get());
  copy = copy;
  EXPECT_EQ(copy.common_name(), "phone 42");
}

TEST_F(OpensslCertificates, TrailingBytesAfterDerAreMalformedInput) {
  std::string der = openssl({"x509", "-in", path("leaf.pem"), "-outform", "DER"});
  auto certificate = Certificate::from_der(as_bytes(der + std::string("\0\0", 2)));
  ASSERT_FALSE(certificate);
  EXPECT_EQ(certificate.error().code, ErrorCode::MalformedInput);
  EXPECT_FALSE(certificate.error().hint.empty());
}

TEST_F(OpensslCertificates, TruncatedDerIsMalformedInput) {
  std::string der = openssl({"x509", "-in", path("leaf.pem"), "-outform", "DER"});
  for (std::size_t length : {std::size_t{0}, std::size_t{1}, der.size() / 2, der.size() - 1}) {
    auto certificate = Certificate::from_der(as_bytes(std::string_view(der).substr(0, length)));
    ASSERT_FALSE(certificate) << length;
    EXPECT_EQ(certificate.error().code, ErrorCode::MalformedInput);
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

TEST_F(OpensslCertificates, DaysLeftRoundsDownAndGoesNegativeWhenExpired) {
  Certificate certificate = load("ca.pem");
  const TimePoint end = certificate.not_after();
  EXPECT_EQ(days_left(certificate, end - std::chrono::days{3}), 3);
  EXPECT_EQ(days_left(certificate, end - std::chrono::days{3} + std::chrono::seconds{1}), 2);
  EXPECT_EQ(days_left(certificate, end), 0);
  EXPECT_EQ(days_left(certificate, end + std::chrono::seconds{1}), -1);
  EXPECT_EQ(days_left(certificate, end + std::chrono::days{2}), -2);
}

// Found by fuzz_pem_der_certificates: a certificate whose extensions do not decode. Accepting it
// would leave errors in OpenSSL's queue on every later accessor call.
TEST(CertificateCreate, DamagedExtensionIsMalformedInputAndLeavesNoOpensslError) {
  const std::string hex =
      "308201b130820158a00302010202140f29c49a31af85dee9d89b9e7960bff0d48f3569300a06082a8648ce3d"
      "04030230253110300e06035504030c0746757a7a2043413111300f060355040a0c0874656c6563657274301e"
      "170d3236313132333039313133355a170d3336313132303039313133355a30253110300e06035504030c0746"
      "757a7a2043413111300f060355040a0c0874656c65636572743059301306072a8648ce3d020106082a8648ce"
      "3d030107034200040e6f15a2a33a0566c5095d6347d1374f7234d92da15d25955376e38cf4afa75a324d87b2"
      "de1915f05dd3785a2898cb5e8ad55a5071d3c3c8a024396a2e6a207ca3663064301d0603551d0e04160414f8"
      "55ae851ae39a5aa78aac93ff80bc459ebb19f2301f0603551d23041830168014f855ae851ae39a5aa78aac93"
      "ff80bc459ebb19f230120603551d130101ff040834060101ff020100300e0603551d0f0101ff040403020106"
      "300a06082a8648ce3d040302034700304402202755e0a4b28541beb7eeffb7fd2ad24521192d553ff004932b"
      "7d6185301fa29902205f34ca7449e57fdcabdcc002687dd84b97311ca389f9f1c72b15f3249ab8afc9";
  Bytes der;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    der.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  auto certificate = Certificate::from_der(der);
  ASSERT_FALSE(certificate);
  EXPECT_EQ(certificate.error().code, ErrorCode::MalformedInput);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace telecert::pki
