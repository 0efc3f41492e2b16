// The file decoder on every shape of file openssl (and the tools admins use) writes: PEM bundles,
// pkcs12 -nodes dumps, CRLF, BOM, DER, p7b, PKCS#12, and the damaged copies of them.
#include "pki/file_decoder.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

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

std::string to_crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// A root, an intermediate and a leaf (with key) made by openssl.
class FileDecoderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = new TempDir();
    write_file(*directory_ / "ext.cnf",
               "[req]\ndistinguished_name = dn\n[dn]\n"
               "[ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign\n"
               "subjectKeyIdentifier = hash\n"
               "[leaf]\nbasicConstraints = critical,CA:FALSE\n"
               "subjectAltName = DNS:sbc1.example.com\n");
    for (auto name : {"root", "intermediate", "leaf"}) {
      openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
               path(std::string(name) + ".key")});
    }
    openssl({"req", "-x509", "-new", "-key", path("root.key"), "-subj", "/CN=Test Root", "-days",
             "30", "-config", path("ext.cnf"), "-extensions", "ca", "-out", path("root.pem")});
    issue("intermediate", "/CN=Test Intermediate", "root", "ca");
    issue("leaf", "/CN=sbc1.example.com", "intermediate", "leaf");
    write_file(*directory_ / "chain.pem", read_file(path("leaf.pem")) +
                                              read_file(path("intermediate.pem")) +
                                              read_file(path("root.pem")));
  }
  static void TearDownTestSuite() {
    delete directory_;
    directory_ = nullptr;
  }
  static void issue(const std::string& name, const std::string& subject, const std::string& issuer,
                    const std::string& extensions) {
    openssl({"req", "-new", "-key", path(name + ".key"), "-subj", subject, "-config",
             path("ext.cnf"), "-out", path(name + ".csr")});
    openssl({"x509", "-req", "-in", path(name + ".csr"), "-CA", path(issuer + ".pem"), "-CAkey",
             path(issuer + ".key"), "-days", "20", "-extfile", path("ext.cnf"), "-extensions",
             extensions, "-out", path(name + ".pem")});
  }
  static std::string path(std::string_view name) { return (*directory_ / name).string(); }
  static std::string file(std::string_view name) { return read_file(path(name)); }
  static std::string der_of(std::string_view name) {
    return openssl({"x509", "-in", path(name), "-outform", "DER"});
  }

  // The common names of `certificates`, in order.
  static std::vector<std::string> names(const std::vector<Certificate>& certificates) {
    std::vector<std::string> result;
    for (const auto& certificate : certificates) result.push_back(certificate.common_name());
    return result;
  }
  static const std::vector<std::string>& chain_names() {
    static const std::vector<std::string> kNames{"sbc1.example.com", "Test Intermediate",
                                                 "Test Root"};
    return kNames;
  }

  static void expect_malformed(const Result<DecodedFile>& decoded, const std::string& words) {
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, ErrorCode::MalformedInput) << decoded.error().message;
    EXPECT_NE(decoded.error().message.find(words), std::string::npos) << decoded.error().message;
    EXPECT_FALSE(decoded.error().hint.empty());
    EXPECT_EQ(ERR_peek_error(), 0u);
  }

  static TempDir* directory_;
};
TempDir* FileDecoderTest::directory_ = nullptr;

TEST_F(FileDecoderTest, ReadsPemWithSeveralCertificatesInFileOrder) {
  auto decoded = decode_file(as_bytes(file("chain.pem")));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->format, FileFormat::Pem);
  EXPECT_EQ(names(decoded->certificates), chain_names());
  EXPECT_TRUE(decoded->keys.empty());
  auto certificates = read_certificates(as_bytes(file("chain.pem")));
  ASSERT_TRUE(certificates);
  EXPECT_EQ(names(*certificates), chain_names());
}

TEST_F(FileDecoderTest, ReadsPkcs12NodesDumpWithBagAttributes) {
  openssl({"pkcs12", "-export", "-inkey", path("leaf.key"), "-in", path("leaf.pem"), "-certfile",
           path("intermediate.pem"), "-name", "sbc identity", "-passout", "pass:pw", "-out",
           path("dump.p12")});
  const std::string dump =
      openssl({"pkcs12", "-in", path("dump.p12"), "-nodes", "-passin", "pass:pw"});
  ASSERT_NE(dump.find("Bag Attributes"), std::string::npos) << dump;
  ASSERT_NE(dump.find("friendlyName: sbc identity"), std::string::npos) << dump;

  auto decoded = decode_file(as_bytes(dump));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->format, FileFormat::Pem);
  EXPECT_EQ(names(decoded->certificates),
            (std::vector<std::string>{"sbc1.example.com", "Test Intermediate"}));
  ASSERT_EQ(decoded->keys.size(), 1u);
  EXPECT_TRUE(decoded->keys[0].matches(X509_get0_pubkey(decoded->certificates[0].get())));
  auto certificates = read_certificates(as_bytes(dump));
  ASSERT_TRUE(certificates) << certificates.error().message;
  EXPECT_EQ(certificates->size(), 2u);
}

TEST_F(FileDecoderTest, ReadsCrlfLineEndsAndUtf8ByteOrderMark) {
  const std::string chain = file("chain.pem");
  for (const std::string& variant :
       {to_crlf(chain), "\xEF\xBB\xBF" + chain, "\xEF\xBB\xBF" + to_crlf(chain)}) {
    auto decoded = decode_file(as_bytes(variant));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(names(decoded->certificates), chain_names());
  }
}

TEST_F(FileDecoderTest, ReadsDerCertificate) {
  auto decoded = decode_file(as_bytes(der_of("leaf.pem")));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->format, FileFormat::DerCertificate);
  ASSERT_EQ(decoded->certificates.size(), 1u);
  EXPECT_EQ(as_text(decoded->certificates[0].der()), der_of("leaf.pem"));
}

TEST_F(FileDecoderTest, CrtFileIsDecodedByContentWhetherDerOrPem) {
  write_file(*directory_ / "der.crt", der_of("root.pem"));
  write_file(*directory_ / "pem.crt", file("root.pem"));
  auto from_der = read_certificates(as_bytes(file("der.crt")));
  auto from_pem = read_certificates(as_bytes(file("pem.crt")));
  ASSERT_TRUE(from_der && from_pem);
  ASSERT_EQ(from_der->size(), 1u);
  ASSERT_EQ(from_pem->size(), 1u);
  EXPECT_EQ((*from_der)[0].der(), (*from_pem)[0].der());
}

TEST_F(FileDecoderTest, ReadsP7bInPemAndDer) {
  openssl({"crl2pkcs7", "-nocrl", "-certfile", path("chain.pem"), "-out", path("chain.p7b")});
  openssl({"crl2pkcs7", "-nocrl", "-certfile", path("chain.pem"), "-outform", "DER", "-out",
           path("chain.p7b.der")});
  ASSERT_NE(file("chain.p7b").find("BEGIN PKCS7"), std::string::npos);

  auto pem = decode_file(as_bytes(file("chain.p7b")));
  ASSERT_TRUE(pem) << pem.error().message;
  EXPECT_EQ(pem->format, FileFormat::Pem);
  EXPECT_EQ(names(pem->certificates), chain_names());

  auto der = decode_file(as_bytes(file("chain.p7b.der")));
  ASSERT_TRUE(der) << der.error().message;
  EXPECT_EQ(der->format, FileFormat::Pkcs7);
  EXPECT_EQ(names(der->certificates), chain_names());

  auto certificates = read_certificates(as_bytes(file("chain.p7b.der")));
  ASSERT_TRUE(certificates);
  EXPECT_EQ(certificates->size(), 3u);
}

TEST_F(FileDecoderTest, EmptyP7bHoldsNoCertificate) {
  openssl({"crl2pkcs7", "-nocrl", "-outform", "DER", "-out", path("empty.p7b")});
  auto decoded = decode_file(as_bytes(file("empty.p7b")));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_TRUE(decoded->certificates.empty());
  auto certificates = read_certificates(as_bytes(file("empty.p7b")));
  ASSERT_FALSE(certificates);
  EXPECT_EQ(certificates.error().code, ErrorCode::MalformedInput);
  EXPECT_NE(certificates.error().message.find("no certificate"), std::string::npos);
}

TEST_F(FileDecoderTest, ReadsPkcs12WithPassphrase) {
  openssl({"pkcs12", "-export", "-inkey", path("leaf.key"), "-in", path("leaf.pem"), "-certfile",
           path("intermediate.pem"), "-passout", "pass:pw", "-out", path("identity.p12")});
  const Bytes p12 = to_bytes(file("identity.p12"));
  auto decoded = decode_file(p12, Secret("pw"));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->format, FileFormat::Pkcs12);
  EXPECT_EQ(names(decoded->certificates),
            (std::vector<std::string>{"sbc1.example.com", "Test Intermediate"}));
  ASSERT_EQ(decoded->keys.size(), 1u);

  auto wrong = decode_file(p12, Secret("nope"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::WrongPassphrase);
}

TEST_F(FileDecoderTest, ReadsKeysAndCsrsInPemAndDer) {
  openssl({"pkcs8", "-topk8", "-v2", "aes256", "-in", path("leaf.key"), "-passout", "pass:pw",
           "-out", path("leaf.enc.pem")});
  openssl({"pkey", "-in", path("leaf.key"), "-outform", "DER", "-out", path("leaf.key.der")});
  openssl({"req", "-in", path("leaf.csr"), "-outform", "DER", "-out", path("leaf.csr.der")});

  auto encrypted = decode_file(as_bytes(file("leaf.enc.pem") + file("leaf.pem")), Secret("pw"));
  ASSERT_TRUE(encrypted) << encrypted.error().message;
  ASSERT_EQ(encrypted->keys.size(), 1u);
  ASSERT_EQ(encrypted->certificates.size(), 1u);
  EXPECT_TRUE(encrypted->keys[0].matches(X509_get0_pubkey(encrypted->certificates[0].get())));

  auto wrong = decode_file(as_bytes(file("leaf.enc.pem")), Secret("nope"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::WrongPassphrase);

  auto der_key = decode_file(as_bytes(file("leaf.key.der")));
  ASSERT_TRUE(der_key) << der_key.error().message;
  EXPECT_EQ(der_key->format, FileFormat::DerKey);
  EXPECT_EQ(der_key->keys.size(), 1u);

  auto der_csr = decode_file(as_bytes(file("leaf.csr.der")));
  ASSERT_TRUE(der_csr) << der_csr.error().message;
  EXPECT_EQ(der_csr->format, FileFormat::DerCsr);
  ASSERT_EQ(der_csr->requests.size(), 1u);
  EXPECT_EQ(der_csr->requests[0].subject(), "CN=sbc1.example.com");

  auto pem_csr = decode_file(as_bytes(file("leaf.csr")));
  ASSERT_TRUE(pem_csr) << pem_csr.error().message;
  EXPECT_EQ(pem_csr->requests.size(), 1u);
}

TEST_F(FileDecoderTest, ReadingCertificatesSkipsKeysWithoutNeedingTheirPassphrase) {
  openssl({"pkcs8", "-topk8", "-v2", "aes256", "-in", path("leaf.key"), "-passout", "pass:pw",
           "-out", path("skip.enc.pem")});
  auto certificates = read_certificates(as_bytes(file("skip.enc.pem") + file("leaf.pem")));
  ASSERT_TRUE(certificates) << certificates.error().message;
  EXPECT_EQ(certificates->size(), 1u);

  auto keys_only = read_certificates(as_bytes(file("skip.enc.pem")));
  ASSERT_FALSE(keys_only);
  EXPECT_EQ(keys_only.error().code, ErrorCode::MalformedInput);
  EXPECT_NE(keys_only.error().message.find("no certificate"), std::string::npos);
}

TEST_F(FileDecoderTest, ReadsTrustedCertificateAndSkipsOtherBlocks) {
  const std::string trusted =
      openssl({"x509", "-in", path("root.pem"), "-trustout", "-addtrust", "serverAuth"});
  ASSERT_NE(trusted.find("BEGIN TRUSTED CERTIFICATE"), std::string::npos);
  const std::string public_key = openssl({"pkey", "-in", path("leaf.key"), "-pubout"});
  auto decoded = decode_file(as_bytes(public_key + trusted));
  ASSERT_TRUE(decoded) << decoded.error().message;
  ASSERT_EQ(decoded->certificates.size(), 1u);
  EXPECT_EQ(decoded->certificates[0].common_name(), "Test Root");
  EXPECT_TRUE(decoded->keys.empty());
}

TEST_F(FileDecoderTest, EmptyFileIsMalformedInput) {
  expect_malformed(decode_file({}), "empty");
  expect_malformed(decode_file(as_bytes("\xEF\xBB\xBF")), "empty");
  auto certificates = read_certificates({});
  ASSERT_FALSE(certificates);
  EXPECT_EQ(certificates.error().code, ErrorCode::MalformedInput);
}

TEST_F(FileDecoderTest, BinaryJunkIsMalformedInput) {
  std::string junk;
  for (int i = 0; i < 512; ++i) junk += static_cast<char>((i * 73 + 11) & 0xFF);
  expect_malformed(decode_file(as_bytes(junk)), "not");
  expect_malformed(decode_file(as_bytes("just some text\n")), "not");
}

TEST_F(FileDecoderTest, TruncatedPemIsMalformedInputNamingTheBlock) {
  const std::string chain = file("chain.pem");
  // Cut in the middle of the base64 of the second certificate.
  const auto second = chain.find("-----BEGIN CERTIFICATE-----", 10);
  const std::string cut = chain.substr(0, second + 200);
  expect_malformed(decode_file(as_bytes(cut)), "PEM block 2 is truncated");
  // And in the first one.
  expect_malformed(decode_file(as_bytes(chain.substr(0, 100))), "PEM block 1 is truncated");
  // A BEGIN line alone.
  expect_malformed(decode_file(as_bytes("-----BEGIN CERTIFICATE-----\n")), "truncated");
}

TEST_F(FileDecoderTest, PemBlockWithDamagedContentIsMalformedInput) {
  std::string pem = file("leaf.pem");
  // Keep the armour, drop a base64 line in the middle: the DER inside is cut short.
  auto line = pem.find('\n', pem.find('\n') + 1);
  pem.erase(line + 1, 65);
  auto decoded = decode_file(as_bytes(pem));
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code, ErrorCode::MalformedInput) << decoded.error().message;
  EXPECT_NE(decoded.error().message.find("PEM block 1"), std::string::npos)
      << decoded.error().message;
}

TEST_F(FileDecoderTest, TruncatedDerIsMalformedInputThatSaysTruncated) {
  const std::string der = der_of("leaf.pem");
  for (std::size_t length : {der.size() / 2, der.size() - 1, std::size_t{10}}) {
    expect_malformed(decode_file(as_bytes(std::string_view(der).substr(0, length))),
                     "the DER data is truncated: it announces " + std::to_string(der.size()) +
                         " bytes but the file has " + std::to_string(length));
  }
  openssl({"pkcs12", "-export", "-inkey", path("leaf.key"), "-in", path("leaf.pem"), "-passout",
           "pass:pw", "-out", path("truncated.p12")});
  const std::string p12 = file("truncated.p12");
  expect_malformed(
      decode_file(as_bytes(std::string_view(p12).substr(0, p12.size() / 2)), Secret("pw")),
      "the DER data is truncated");
}

TEST(FileFormatTest, NamesEveryFormat) {
  EXPECT_EQ(to_string(FileFormat::Pem), "PEM");
  EXPECT_EQ(to_string(FileFormat::DerCertificate), "DER certificate");
  EXPECT_EQ(to_string(FileFormat::Pkcs7), "PKCS#7");
  EXPECT_EQ(to_string(FileFormat::DerKey), "DER key");
  EXPECT_EQ(to_string(FileFormat::DerCsr), "DER CSR");
  EXPECT_EQ(to_string(FileFormat::Pkcs12), "PKCS#12");
}

}  // namespace
}  // namespace telecert::pki
