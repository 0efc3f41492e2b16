// Keys against the openssl CLI: every format `openssl genpkey/pkcs8/rsa/ec` writes must read, and
// what we write must open with `openssl pkey`.
#include "pki/key.h"

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

Bytes file_bytes(const std::filesystem::path& path) { return to_bytes(read_file(path)); }

// One openssl-generated key per algorithm, written once for the whole suite (RSA generation under
// the sanitizers is slow).
class OpensslKeys : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = new TempDir();
    openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
             path("rsa.pem")});
    openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out",
             path("ec.pem")});
    openssl({"genpkey", "-algorithm", "ED25519", "-out", path("ed25519.pem")});
  }
  static void TearDownTestSuite() {
    delete directory_;
    directory_ = nullptr;
  }
  static std::string path(std::string_view name) { return (*directory_ / name).string(); }

  // The modulus/public point as openssl prints it, to compare two keys independently of us.
  static std::string openssl_public_pem(const std::string& private_key_file) {
    return openssl({"pkey", "-in", private_key_file, "-pubout"});
  }

  static TempDir* directory_;
};
TempDir* OpensslKeys::directory_ = nullptr;

TEST(KeyTypeTest, ParsesCliNamesAndRoundTrips) {
  for (auto type : {KeyType::Rsa1024, KeyType::Rsa2048, KeyType::Rsa3072, KeyType::Rsa4096,
                    KeyType::EcP256, KeyType::EcP384, KeyType::Ed25519}) {
    auto parsed = parse_key_type(to_string(type));
    ASSERT_TRUE(parsed) << to_string(type);
    EXPECT_EQ(*parsed, type);
  }
  EXPECT_EQ(*parse_key_type("p256"), KeyType::EcP256);
  EXPECT_EQ(*parse_key_type("ed25519"), KeyType::Ed25519);
}

TEST(KeyTypeTest, UnknownKeyTypeIsInvalidArgument) {
  for (std::string_view text : {"", "rsa", "RSA2048", "p521", "ed448", "dsa2048"}) {
    auto parsed = parse_key_type(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::InvalidArgument);
    EXPECT_FALSE(parsed.error().hint.empty());
  }
}

struct GeneratedKeyCase {
  KeyType type;
  std::string algorithm;
  int bits;
  std::string description;
  std::string openssl_text;  // what `openssl pkey -text` prints first
};

class GenerateKeyTest : public ::testing::TestWithParam<GeneratedKeyCase> {};

TEST_P(GenerateKeyTest, GeneratesKeyOfRequestedTypeThatOpensslAccepts) {
  const auto& expected = GetParam();
  auto key = Key::generate(expected.type);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), expected.type);
  EXPECT_EQ(key->algorithm(), expected.algorithm);
  EXPECT_EQ(key->bits(), expected.bits);
  EXPECT_EQ(key->description(), expected.description);
  EXPECT_EQ(ERR_peek_error(), 0u) << "OpenSSL error queue left non-empty";

  // The key must be a consistent key pair to openssl, not only to us.
  TempDir directory;
  Secret passphrase("generate-test");
  auto pem = key->to_encrypted_pkcs8_pem(passphrase);
  ASSERT_TRUE(pem) << pem.error().message;
  write_file(directory / "key.pem", *pem);
  std::string text = openssl({"pkey", "-in", (directory / "key.pem").string(), "-passin",
                              "pass:generate-test", "-check", "-noout", "-text"});
  EXPECT_NE(text.find(expected.openssl_text), std::string::npos) << text;
  std::string public_pem = openssl({"pkey", "-in", (directory / "key.pem").string(), "-passin",
                                    "pass:generate-test", "-pubout"});
  EXPECT_EQ(key->public_key_pem(), public_pem);
}

INSTANTIATE_TEST_SUITE_P(
    EveryKeyType, GenerateKeyTest,
    ::testing::Values(
        GeneratedKeyCase{KeyType::Rsa1024, "RSA", 1024, "RSA 1024", "Private-Key: (1024 bit"},
        GeneratedKeyCase{KeyType::Rsa2048, "RSA", 2048, "RSA 2048", "Private-Key: (2048 bit"},
        GeneratedKeyCase{KeyType::Rsa3072, "RSA", 3072, "RSA 3072", "Private-Key: (3072 bit"},
        GeneratedKeyCase{KeyType::Rsa4096, "RSA", 4096, "RSA 4096", "Private-Key: (4096 bit"},
        GeneratedKeyCase{KeyType::EcP256, "EC", 256, "EC P-256", "NIST CURVE: P-256"},
        GeneratedKeyCase{KeyType::EcP384, "EC", 384, "EC P-384", "NIST CURVE: P-384"},
        GeneratedKeyCase{KeyType::Ed25519, "Ed25519", 256, "Ed25519", "ED25519 Private-Key"}),
    [](const auto& info) { return std::string(to_string(info.param.type)); });

TEST_F(OpensslKeys, ReadsPlainPkcs8PemOfEveryAlgorithm) {
  for (auto [file, description] :
       {std::pair{"rsa.pem", "RSA 2048"}, {"ec.pem", "EC P-384"}, {"ed25519.pem", "Ed25519"}}) {
    auto key = Key::parse(file_bytes(path(file)));
    ASSERT_TRUE(key) << file << ": " << key.error().message;
    EXPECT_EQ(key->description(), description);
    EXPECT_EQ(key->public_key_pem(), openssl_public_pem(path(file)));
  }
}

TEST_F(OpensslKeys, ReadsPlainPkcs8Der) {
  for (auto file : {"rsa.pem", "ec.pem", "ed25519.pem"}) {
    std::string der_file = path(std::string(file) + ".p8.der");
    openssl(
        {"pkcs8", "-topk8", "-nocrypt", "-in", path(file), "-outform", "DER", "-out", der_file});
    auto key = Key::parse(file_bytes(der_file));
    ASSERT_TRUE(key) << file << ": " << key.error().message;
    EXPECT_EQ(key->public_key_pem(), openssl_public_pem(path(file)));
  }
}

TEST_F(OpensslKeys, ReadsEncryptedPkcs8PemWithPassphrase) {
  for (auto file : {"rsa.pem", "ec.pem", "ed25519.pem"}) {
    std::string encrypted = path(std::string(file) + ".enc.pem");
    openssl({"pkcs8", "-topk8", "-v2", "aes256", "-in", path(file), "-passout", "pass:s3cret",
             "-out", encrypted});
    ASSERT_NE(read_file(encrypted).find("BEGIN ENCRYPTED PRIVATE KEY"), std::string::npos);
    auto key = Key::parse(file_bytes(encrypted), Secret("s3cret"));
    ASSERT_TRUE(key) << file << ": " << key.error().message;
    EXPECT_EQ(key->public_key_pem(), openssl_public_pem(path(file)));
  }
}

TEST_F(OpensslKeys, ReadsEncryptedPkcs8DerWithPassphrase) {
  for (auto file : {"rsa.pem", "ec.pem", "ed25519.pem"}) {
    std::string encrypted = path(std::string(file) + ".enc.der");
    openssl({"pkcs8", "-topk8", "-v2", "aes256", "-in", path(file), "-passout", "pass:s3cret",
             "-outform", "DER", "-out", encrypted});
    auto key = Key::parse(file_bytes(encrypted), Secret("s3cret"));
    ASSERT_TRUE(key) << file << ": " << key.error().message;
    EXPECT_EQ(key->public_key_pem(), openssl_public_pem(path(file)));
  }
}

TEST_F(OpensslKeys, ReadsEncryptedTraditionalRsaPemWithPassphrase) {
  std::string encrypted = path("rsa.trad.enc.pem");
  openssl({"rsa", "-in", path("rsa.pem"), "-aes256", "-traditional", "-passout", "pass:s3cret",
           "-out", encrypted});
  std::string text = read_file(encrypted);
  ASSERT_NE(text.find("BEGIN RSA PRIVATE KEY"), std::string::npos);
  ASSERT_NE(text.find("Proc-Type: 4,ENCRYPTED"), std::string::npos);
  auto key = Key::parse(to_bytes(text), Secret("s3cret"));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), KeyType::Rsa2048);
  EXPECT_EQ(key->public_key_pem(), openssl_public_pem(path("rsa.pem")));
}

TEST_F(OpensslKeys, ReadsEncryptedTraditionalEcPemWithPassphrase) {
  std::string encrypted = path("ec.trad.enc.pem");
  openssl({"ec", "-in", path("ec.pem"), "-aes256", "-passout", "pass:s3cret", "-out", encrypted});
  std::string text = read_file(encrypted);
  ASSERT_NE(text.find("BEGIN EC PRIVATE KEY"), std::string::npos);
  ASSERT_NE(text.find("Proc-Type: 4,ENCRYPTED"), std::string::npos);
  auto key = Key::parse(to_bytes(text), Secret("s3cret"));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), KeyType::EcP384);
  EXPECT_EQ(key->public_key_pem(), openssl_public_pem(path("ec.pem")));
}

TEST_F(OpensslKeys, ReadsPlainTraditionalPem) {
  std::string rsa = path("rsa.trad.pem");
  std::string ec = path("ec.trad.pem");
  openssl({"rsa", "-in", path("rsa.pem"), "-traditional", "-out", rsa});
  openssl({"ec", "-in", path("ec.pem"), "-out", ec});
  ASSERT_NE(read_file(rsa).find("BEGIN RSA PRIVATE KEY"), std::string::npos);
  ASSERT_NE(read_file(ec).find("BEGIN EC PRIVATE KEY"), std::string::npos);
  auto rsa_key = Key::parse(file_bytes(rsa));
  ASSERT_TRUE(rsa_key) << rsa_key.error().message;
  EXPECT_EQ(rsa_key->public_key_pem(), openssl_public_pem(path("rsa.pem")));
  auto ec_key = Key::parse(file_bytes(ec));
  ASSERT_TRUE(ec_key) << ec_key.error().message;
  EXPECT_EQ(ec_key->public_key_pem(), openssl_public_pem(path("ec.pem")));
}

TEST_F(OpensslKeys, ReadsTraditionalDer) {
  std::string rsa = path("rsa.trad.der");
  std::string ec = path("ec.trad.der");
  openssl({"rsa", "-in", path("rsa.pem"), "-traditional", "-outform", "DER", "-out", rsa});
  openssl({"ec", "-in", path("ec.pem"), "-outform", "DER", "-out", ec});
  auto rsa_key = Key::parse(file_bytes(rsa));
  ASSERT_TRUE(rsa_key) << rsa_key.error().message;
  EXPECT_EQ(rsa_key->public_key_pem(), openssl_public_pem(path("rsa.pem")));
  auto ec_key = Key::parse(file_bytes(ec));
  ASSERT_TRUE(ec_key) << ec_key.error().message;
  EXPECT_EQ(ec_key->public_key_pem(), openssl_public_pem(path("ec.pem")));
}

TEST_F(OpensslKeys, PassphraseIsIgnoredForUnencryptedKey) {
  auto key = Key::parse(file_bytes(path("ec.pem")), Secret("not-needed"));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), KeyType::EcP384);
}

TEST_F(OpensslKeys, WrongPassphraseOnEncryptedPkcs8IsWrongPassphraseError) {
  std::string pem = path("wrong.p8.pem");
  std::string der = path("wrong.p8.der");
  openssl({"pkcs8", "-topk8", "-v2", "aes256", "-in", path("ec.pem"), "-passout", "pass:right",
           "-out", pem});
  openssl({"pkcs8", "-topk8", "-v2", "aes256", "-in", path("ec.pem"), "-passout", "pass:right",
           "-outform", "DER", "-out", der});
  for (const auto& file : {pem, der}) {
    auto key = Key::parse(file_bytes(file), Secret("wrong"));
    ASSERT_FALSE(key) << file;
    EXPECT_EQ(key.error().code, ErrorCode::WrongPassphrase) << key.error().message;
    EXPECT_EQ(key.error().message.find("wrong"), std::string::npos)
        << "the passphrase must not appear in the message";
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

TEST_F(OpensslKeys, MissingPassphraseOnEncryptedKeyIsWrongPassphraseError) {
  std::string pkcs8 = path("missing.p8.pem");
  std::string traditional = path("missing.trad.pem");
  openssl({"pkcs8", "-topk8", "-v2", "aes256", "-in", path("rsa.pem"), "-passout", "pass:right",
           "-out", pkcs8});
  openssl({"rsa", "-in", path("rsa.pem"), "-aes256", "-traditional", "-passout", "pass:right",
           "-out", traditional});
  for (const auto& file : {pkcs8, traditional}) {
    auto key = Key::parse(file_bytes(file));
    ASSERT_FALSE(key) << file;
    EXPECT_EQ(key.error().code, ErrorCode::WrongPassphrase) << key.error().message;
    EXPECT_NE(key.error().message.find("no passphrase"), std::string::npos) << key.error().message;
  }
}

TEST_F(OpensslKeys, WrongPassphraseOnTraditionalPemIsWrongPassphraseError) {
  std::string rsa = path("wrong.trad.rsa.pem");
  std::string ec = path("wrong.trad.ec.pem");
  openssl({"rsa", "-in", path("rsa.pem"), "-aes256", "-traditional", "-passout", "pass:right",
           "-out", rsa});
  openssl({"ec", "-in", path("ec.pem"), "-aes256", "-passout", "pass:right", "-out", ec});
  for (const auto& file : {rsa, ec}) {
    auto key = Key::parse(file_bytes(file), Secret("wrong"));
    ASSERT_FALSE(key) << file;
    EXPECT_EQ(key.error().code, ErrorCode::WrongPassphrase) << key.error().message;
  }
}

TEST(KeyParseTest, EmptyInputIsMalformedInput) {
  auto key = Key::parse({});
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::MalformedInput);
}

TEST(KeyParseTest, JunkIsMalformedInput) {
  for (std::string junk :
       {std::string("hello, this is not a key\n"), std::string("\x30\x03\x02\x01\x00", 5),
        std::string(300, '\xA5'),
        std::string("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n")}) {
    auto key = Key::parse(to_bytes(junk));
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, ErrorCode::MalformedInput) << key.error().message;
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

TEST_F(OpensslKeys, TruncatedKeysAreMalformedInput) {
  std::string pem = read_file(path("rsa.pem"));
  std::string der_file = path("truncated.der");
  openssl(
      {"pkcs8", "-topk8", "-nocrypt", "-in", path("rsa.pem"), "-outform", "DER", "-out", der_file});
  std::string der = read_file(der_file);
  for (const auto& cut : {pem.substr(0, pem.size() / 2), der.substr(0, der.size() / 2),
                          der.substr(0, der.size() - 1)}) {
    auto key = Key::parse(to_bytes(cut));
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, ErrorCode::MalformedInput) << key.error().message;
  }
}

TEST_F(OpensslKeys, TruncatedEncryptedKeyIsMalformedInputNotWrongPassphrase) {
  // A cut copy of an encrypted key must not send the admin hunting for another passphrase.
  std::string pem_file = path("truncated.enc.pem");
  std::string der_file = path("truncated.enc.der");
  std::string traditional_file = path("truncated.trad.enc.pem");
  openssl({"pkcs8", "-topk8", "-v2", "aes256", "-in", path("rsa.pem"), "-passout", "pass:right",
           "-out", pem_file});
  openssl({"pkcs8", "-topk8", "-v2", "aes256", "-in", path("rsa.pem"), "-passout", "pass:right",
           "-outform", "DER", "-out", der_file});
  openssl({"rsa", "-in", path("rsa.pem"), "-aes256", "-traditional", "-passout", "pass:right",
           "-out", traditional_file});
  for (const auto& file : {pem_file, der_file, traditional_file}) {
    std::string content = read_file(file);
    auto key = Key::parse(to_bytes(content.substr(0, content.size() / 2)), Secret("right"));
    ASSERT_FALSE(key) << file;
    EXPECT_EQ(key.error().code, ErrorCode::MalformedInput) << file << ": " << key.error().message;
  }
}

TEST(KeyEncryptionTest, OurEncryptedPkcs8PemOpensWithOpensslPkey) {
  TempDir directory;
  auto key = Key::generate(KeyType::EcP256);
  ASSERT_TRUE(key);
  auto pem = key->to_encrypted_pkcs8_pem(Secret("pass phrase with spaces"));
  ASSERT_TRUE(pem) << pem.error().message;
  EXPECT_TRUE(pem->starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")) << *pem;
  write_file(directory / "key.pem", *pem);
  std::string public_pem = openssl({"pkey", "-in", (directory / "key.pem").string(), "-passin",
                                    "pass:pass phrase with spaces", "-pubout"});
  EXPECT_EQ(public_pem, key->public_key_pem());

  // The header promises PBES2 with AES-256-CBC and PBKDF2-HMAC-SHA256.
  std::string structure = openssl({"asn1parse", "-in", (directory / "key.pem").string()});
  EXPECT_NE(structure.find(":PBES2"), std::string::npos) << structure;
  EXPECT_NE(structure.find(":PBKDF2"), std::string::npos) << structure;
  EXPECT_NE(structure.find(":hmacWithSHA256"), std::string::npos) << structure;
  EXPECT_NE(structure.find(":aes-256-cbc"), std::string::npos) << structure;

  auto wrong = run_command({"openssl", "pkey", "-in", (directory / "key.pem").string(), "-passin",
                            "pass:other", "-noout"});
  EXPECT_NE(wrong.exit_status, 0);
}

TEST(KeyEncryptionTest, OurEncryptedPkcs8DerOpensWithOpensslPkey) {
  TempDir directory;
  auto key = Key::generate(KeyType::Ed25519);
  ASSERT_TRUE(key);
  auto der = key->to_encrypted_pkcs8_der(Secret("s3cret"));
  ASSERT_TRUE(der) << der.error().message;
  write_file(directory / "key.der", as_text(*der));
  std::string public_pem = openssl({"pkey", "-in", (directory / "key.der").string(), "-inform",
                                    "DER", "-passin", "pass:s3cret", "-pubout"});
  EXPECT_EQ(public_pem, key->public_key_pem());
}

TEST(KeyEncryptionTest, EncryptedPkcs8RoundTripsThroughParse) {
  auto key = Key::generate(KeyType::EcP384);
  ASSERT_TRUE(key);
  auto pem = key->to_encrypted_pkcs8_pem(Secret("pw"));
  auto der = key->to_encrypted_pkcs8_der(Secret("pw"));
  ASSERT_TRUE(pem && der);
  auto from_pem = Key::parse(as_bytes(*pem), Secret("pw"));
  auto from_der = Key::parse(*der, Secret("pw"));
  ASSERT_TRUE(from_pem) << from_pem.error().message;
  ASSERT_TRUE(from_der) << from_der.error().message;
  EXPECT_TRUE(from_pem->matches(key->get()));
  EXPECT_TRUE(from_der->matches(key->get()));
  EXPECT_EQ(Key::parse(*der, Secret("other")).error().code, ErrorCode::WrongPassphrase);
}

TEST(KeyTest, MatchesOnlyItsOwnPublicKey) {
  auto a = Key::generate(KeyType::EcP256);
  auto b = Key::generate(KeyType::EcP256);
  auto c = Key::generate(KeyType::Ed25519);
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE(a->matches(a->get()));
  EXPECT_FALSE(a->matches(b->get()));
  EXPECT_FALSE(a->matches(c->get()));
  EXPECT_FALSE(a->matches(nullptr));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(KeyTest, CopiesShareTheSameKey) {
  auto key = Key::generate(KeyType::EcP256);
  ASSERT_TRUE(key);
  Key copy = *key;
  EXPECT_EQ(copy.get(), key->get());
  auto other = Key::generate(KeyType::Ed25519);
  ASSERT_TRUE(other);
  copy = *other;
  EXPECT_EQ(copy.get(), other->get());
  copy = copy;  // self-assignment keeps the key alive
  EXPECT_EQ(copy.description(), "Ed25519");
  Key moved = std::move(copy);
  EXPECT_EQ(moved.get(), other->get());
}

TEST(KeyTest, AdoptedKeyReportsItsType) {
  Owned<EVP_PKEY> pkey(EVP_EC_gen("P-256"));
  ASSERT_NE(pkey, nullptr);
  Key key = Key::adopt(std::move(pkey));
  EXPECT_EQ(key.type(), KeyType::EcP256);
  EXPECT_EQ(key.algorithm(), "EC");
}

TEST(KeyTest, UnmodelledKeySizeHasNoKeyType) {
  Owned<EVP_PKEY> pkey(EVP_RSA_gen(1536));
  ASSERT_NE(pkey, nullptr);
  Key key = Key::adopt(std::move(pkey));
  EXPECT_EQ(key.type(), std::nullopt);
  EXPECT_EQ(key.description(), "RSA 1536");
}

}  // namespace
}  // namespace telecert::pki
