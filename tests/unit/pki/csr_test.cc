// CSRs against the openssl CLI: what we build must verify and read back in `openssl req`, and
// what `openssl req` writes must parse.
#include "pki/csr.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

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

const Key& p256_key() {
  static const Key key = *Key::generate(KeyType::EcP256);
  return key;
}

const Key& rsa_key() {
  static const Key key = *Key::generate(KeyType::Rsa2048);
  return key;
}

CsrSpec full_spec() {
  CsrSpec spec;
  spec.subject = {.common_name = "sbc1.example.com",
                  .organizational_unit = "Voice Engineering",
                  .organization = "Acme Telecom",
                  .locality = "Springfield",
                  .state = "Illinois",
                  .country = "US"};
  spec.subject_alt_names = {{SanType::Dns, "sbc1.example.com"},
                            {SanType::Dns, "sip.example.com"},
                            {SanType::Ip, "192.0.2.10"},
                            {SanType::Ip, "2001:db8::10"},
                            {SanType::Email, "voip-admin@example.com"},
                            {SanType::Uri, "sip:sbc1.example.com"}};
  return spec;
}

// Writes the CSR and returns `openssl req -text` of it, after checking its self-signature.
std::string openssl_reading(const TempDir& directory, const Csr& csr) {
  write_file(directory / "request.pem", csr.pem());
  std::string verified = openssl_with_stderr(
      {"req", "-in", (directory / "request.pem").string(), "-noout", "-verify"});
  EXPECT_NE(verified.find("verify OK"), std::string::npos) << verified;
  return openssl_with_stderr(
      {"req", "-in", (directory / "request.pem").string(), "-noout", "-text"});
}

TEST(CsrBuildTest, BuiltCsrVerifiesAndShowsEveryFieldInOpenssl) {
  TempDir directory;
  auto csr = Csr::build(p256_key(), full_spec());
  ASSERT_TRUE(csr) << csr.error().message;
  std::string text = openssl_reading(directory, *csr);
  EXPECT_NE(text.find("Version: 1 (0x0)"), std::string::npos) << text;
  EXPECT_NE(text.find("Subject: C = US, ST = Illinois, L = Springfield, O = Acme Telecom, "
                      "OU = Voice Engineering, CN = sbc1.example.com"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("DNS:sbc1.example.com, DNS:sip.example.com, IP Address:192.0.2.10, "
                      "IP Address:2001:DB8:0:0:0:0:0:10, email:voip-admin@example.com, "
                      "URI:sip:sbc1.example.com"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Signature Algorithm: ecdsa-with-SHA256"), std::string::npos) << text;
  EXPECT_NE(text.find("NIST CURVE: P-256"), std::string::npos) << text;
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(CsrBuildTest, ChosenDigestIsTheSignatureAlgorithm) {
  TempDir directory;
  for (auto [digest, rsa_name, ec_name] :
       {std::tuple{SignatureDigest::Sha256, "sha256WithRSAEncryption", "ecdsa-with-SHA256"},
        {SignatureDigest::Sha384, "sha384WithRSAEncryption", "ecdsa-with-SHA384"},
        {SignatureDigest::Sha512, "sha512WithRSAEncryption", "ecdsa-with-SHA512"}}) {
    CsrSpec spec = full_spec();
    spec.digest = digest;
    auto rsa = Csr::build(rsa_key(), spec);
    auto ec = Csr::build(p256_key(), spec);
    ASSERT_TRUE(rsa && ec);
    EXPECT_NE(
        openssl_reading(directory, *rsa).find(std::string("Signature Algorithm: ") + rsa_name),
        std::string::npos)
        << rsa_name;
    EXPECT_NE(openssl_reading(directory, *ec).find(std::string("Signature Algorithm: ") + ec_name),
              std::string::npos)
        << ec_name;
  }
}

TEST(CsrBuildTest, Ed25519CsrVerifiesInOpenssl) {
  TempDir directory;
  auto key = Key::generate(KeyType::Ed25519);
  ASSERT_TRUE(key);
  CsrSpec spec = full_spec();
  spec.digest = SignatureDigest::Sha384;  // ignored: Ed25519 has its own hash
  auto csr = Csr::build(*key, spec);
  ASSERT_TRUE(csr) << csr.error().message;
  std::string text = openssl_reading(directory, *csr);
  EXPECT_NE(text.find("Signature Algorithm: ED25519"), std::string::npos) << text;
  EXPECT_TRUE(csr->signature_is_valid());
  EXPECT_EQ(csr->public_key_algorithm(), "Ed25519");
}

TEST(CsrBuildTest, CsrWithoutSansHasNoExtensionRequest) {
  TempDir directory;
  CsrSpec spec;
  spec.subject.common_name = "phone-0042";
  auto csr = Csr::build(p256_key(), spec);
  ASSERT_TRUE(csr) << csr.error().message;
  std::string text = openssl_reading(directory, *csr);
  EXPECT_EQ(text.find("Subject Alternative Name"), std::string::npos) << text;
  EXPECT_EQ(X509_REQ_get_attr_count(csr->get()), 0);
  EXPECT_TRUE(csr->subject_alt_names().empty());
  EXPECT_EQ(csr->subject(), "CN=phone-0042");
}

TEST(CsrBuildTest, ReadsBackItsOwnFields) {
  auto csr = Csr::build(rsa_key(), full_spec());
  ASSERT_TRUE(csr);
  EXPECT_EQ(
      csr->subject(),
      "CN=sbc1.example.com,OU=Voice Engineering,O=Acme Telecom,L=Springfield,ST=Illinois,C=US");
  EXPECT_EQ(csr->subject_alt_names(), full_spec().subject_alt_names);
  EXPECT_EQ(csr->public_key_algorithm(), "RSA");
  EXPECT_EQ(csr->public_key_bits(), 2048);
  EXPECT_TRUE(csr->signature_is_valid());
  EXPECT_TRUE(rsa_key().matches(csr->public_key()));
}

TEST(CsrBuildTest, BadCountryIsInvalidArgument) {
  CsrSpec spec = full_spec();
  spec.subject.country = "USA";
  auto csr = Csr::build(p256_key(), spec);
  ASSERT_FALSE(csr);
  EXPECT_EQ(csr.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(csr.error().message.find("USA"), std::string::npos);
}

TEST(CsrBuildTest, OverlongCommonNameIsInvalidArgument) {
  CsrSpec spec;
  spec.subject.common_name = std::string(80, 'x');
  auto csr = Csr::build(p256_key(), spec);
  ASSERT_FALSE(csr);
  EXPECT_EQ(csr.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(CsrParseTest, ReadsOpensslCsrInPemAndDer) {
  TempDir directory;
  const std::string key = (directory / "key.pem").string();
  openssl_with_stderr(
      {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", key});
  openssl_with_stderr({"req", "-new", "-key", key, "-subj", "/C=DE/O=Acme/CN=gw.example.com",
                       "-addext",
                       "subjectAltName=DNS:gw.example.com,IP:2001:db8::5,URI:sip:gw.example.com",
                       "-out", (directory / "req.pem").string()});
  openssl_with_stderr({"req", "-in", (directory / "req.pem").string(), "-outform", "DER", "-out",
                       (directory / "req.der").string()});
  for (auto name : {"req.pem", "req.der"}) {
    auto csr = Csr::parse(to_bytes(read_file(directory / name)));
    ASSERT_TRUE(csr) << name << ": " << csr.error().message;
    EXPECT_EQ(csr->subject(), "CN=gw.example.com,O=Acme,C=DE");
    EXPECT_EQ(csr->subject_alt_names(),
              (std::vector<SubjectAltName>{{SanType::Dns, "gw.example.com"},
                                           {SanType::Ip, "2001:db8::5"},
                                           {SanType::Uri, "sip:gw.example.com"}}));
    EXPECT_EQ(csr->public_key_algorithm(), "EC");
    EXPECT_EQ(csr->public_key_bits(), 384);
    EXPECT_TRUE(csr->signature_is_valid());
  }
  // Our re-encoding is openssl's bytes.
  auto csr = Csr::parse(to_bytes(read_file(directory / "req.pem")));
  ASSERT_TRUE(csr);
  EXPECT_EQ(csr->pem(), read_file(directory / "req.pem"));
  EXPECT_EQ(as_text(csr->der()), read_file(directory / "req.der"));
}

TEST(CsrParseTest, ReadsOldNewCertificateRequestLabel) {
  auto built = Csr::build(p256_key(), full_spec());
  ASSERT_TRUE(built);
  std::string pem = built->pem();
  for (auto [from, to] : {std::pair{"BEGIN CERTIFICATE REQUEST", "BEGIN NEW CERTIFICATE REQUEST"},
                          {"END CERTIFICATE REQUEST", "END NEW CERTIFICATE REQUEST"}}) {
    pem.replace(pem.find(from), std::string_view(from).size(), to);
  }
  auto csr = Csr::parse(as_bytes(pem));
  ASSERT_TRUE(csr) << csr.error().message;
  EXPECT_EQ(csr->subject(), built->subject());
}

TEST(CsrParseTest, TamperedCsrHasInvalidSignature) {
  auto built = Csr::build(p256_key(), full_spec());
  ASSERT_TRUE(built);
  Bytes der = built->der();
  auto at = as_text(der).find("Acme Telecom");
  ASSERT_NE(at, std::string_view::npos);
  der[at] = 'a';
  auto csr = Csr::parse(der);
  ASSERT_TRUE(csr) << csr.error().message;
  EXPECT_FALSE(csr->signature_is_valid());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(CsrParseTest, JunkEmptyAndTruncatedInputAreMalformedInput) {
  auto built = Csr::build(p256_key(), full_spec());
  ASSERT_TRUE(built);
  const std::string pem = built->pem();
  const Bytes der = built->der();
  for (const std::string& input :
       {std::string(), std::string("not a csr"), pem.substr(0, pem.size() / 2),
        std::string(as_text(der).substr(0, der.size() / 2)),
        std::string(as_text(der)) + "trailing"}) {
    auto csr = Csr::parse(as_bytes(input));
    ASSERT_FALSE(csr) << input.size();
    EXPECT_EQ(csr.error().code, ErrorCode::MalformedInput);
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

// Found by fuzz_file_decoder: a DER CSR whose requested extensions do not decode.
TEST(CsrCreate, DamagedRequestedExtensionIsMalformedInputAndLeavesNoOpensslError) {
  const std::string hex =
      "308201913082013702010030683118301606035504030c0f7362632e6578616d706c652e636f6d310e300c06"
      "0355040b0c05566f6963653111300f060355040a0c0874656c6563657274310e300c06035504070c05506172"
      "6973310c300a06035504080c03494446310b30090603550406130246523059301306072a8648ce3d02010608"
      "2a8648ce3d03010703420004df36b4fa5dbccb0b734644fa1bc7126e2425163410289c9c520bb15a39e692c2"
      "ba2954a044d3ea9284fc6ff9275a29a1610a13f0c38c7dd688b1c9f5640ac262a06d306b06092a864886f70d"
      "01090e315e305c105a0603551d1104533051820f7362632e6578616d706c652e636f6d8704c000020a871020"
      "010db8000000000000000000000001811161646d696e406578616d706c652e636f6d86137369703a7362632e"
      "6578616d706c652e636f6d300a06082a8648ce3d040302034800304502210088ba2d64768303d9e6600ef262"
      "a920b142dd0c126c63fd532dcebb1ea0c43e6a022003d334246ae912964c2a7944beac6797b1c43258e0b981"
      "648360ecd594e45179";
  Bytes der;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    der.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  auto request = Csr::parse(der);
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().code, ErrorCode::MalformedInput);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace telecert::pki
