// PKCS#12 against `openssl pkcs12`: files it exports (modern and -legacy) must open, and files we
// write must open in it with the algorithms the header promises.
#include "pki/pkcs12.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include <string>
#include <thread>
#include <vector>

#include "pki/certificate_builder.h"
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

Certificate load_certificate(const std::string& pem_file) {
  std::string der = openssl_with_stderr({"x509", "-in", pem_file, "-outform", "DER"});
  auto certificate = Certificate::from_der(as_bytes(der));
  EXPECT_TRUE(certificate);
  return *certificate;
}

// A CA, and a leaf with its key issued by the CA, made by openssl; exported by the tests in the
// PKCS#12 variants they need.
class OpensslPkcs12 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = new TempDir();
    openssl_with_stderr({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384",
                         "-out", path("ca.key")});
    openssl_with_stderr({"req", "-x509", "-new", "-key", path("ca.key"), "-subj",
                         "/CN=Acme Device CA", "-days", "100", "-out", path("ca.pem")});
    openssl_with_stderr({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                         path("leaf.key")});
    openssl_with_stderr({"req", "-new", "-key", path("leaf.key"), "-subj", "/CN=phone-0042", "-out",
                         path("leaf.csr")});
    openssl_with_stderr({"x509", "-req", "-in", path("leaf.csr"), "-CA", path("ca.pem"), "-CAkey",
                         path("ca.key"), "-days", "30", "-out", path("leaf.pem")});
  }
  static void TearDownTestSuite() {
    delete directory_;
    directory_ = nullptr;
  }
  static std::string path(std::string_view name) { return (*directory_ / name).string(); }

  // `openssl pkcs12 -export` of leaf key + leaf + CA with `extra` options.
  static Bytes export_pkcs12(std::string_view name, const std::string& passphrase,
                             std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"pkcs12", "-export",        "-inkey",    path("leaf.key"),
                                  "-in",    path("leaf.pem"), "-certfile", path("ca.pem"),
                                  "-name",  "phone identity", "-passout",  "pass:" + passphrase,
                                  "-out",   path(name)};
    args.insert(args.end(), extra.begin(), extra.end());
    openssl_with_stderr(args);
    return to_bytes(read_file(path(name)));
  }

  static void expect_leaf_key_and_chain(const Pkcs12Contents& contents) {
    ASSERT_TRUE(contents.key.has_value());
    ASSERT_TRUE(contents.certificate.has_value());
    Certificate leaf = load_certificate(path("leaf.pem"));
    Certificate ca = load_certificate(path("ca.pem"));
    EXPECT_EQ(contents.certificate->der(), leaf.der());
    EXPECT_TRUE(contents.key->matches(X509_get0_pubkey(leaf.get())));
    EXPECT_EQ(contents.key->type(), KeyType::Rsa2048);
    ASSERT_EQ(contents.other_certificates.size(), 1u);
    EXPECT_EQ(contents.other_certificates[0].der(), ca.der());
  }

  static TempDir* directory_;
};
TempDir* OpensslPkcs12::directory_ = nullptr;

TEST_F(OpensslPkcs12, ReadsModernOpensslExport) {
  Bytes file = export_pkcs12("modern.p12", "s3cret");
  std::string info = openssl_with_stderr(
      {"pkcs12", "-in", path("modern.p12"), "-info", "-noout", "-passin", "pass:s3cret"});
  ASSERT_NE(info.find("AES-256-CBC"), std::string::npos) << info;
  EXPECT_TRUE(looks_like_pkcs12(file));
  auto contents = read_pkcs12(file, Secret("s3cret"));
  ASSERT_TRUE(contents) << contents.error().message;
  expect_leaf_key_and_chain(*contents);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(OpensslPkcs12, ReadsLegacyRc2AndTripleDesExportThroughPrivateContext) {
  Bytes file = export_pkcs12("legacy.p12", "s3cret", {"-legacy"});
  std::string info = openssl_with_stderr({"pkcs12", "-in", path("legacy.p12"), "-info", "-noout",
                                          "-legacy", "-passin", "pass:s3cret"});
  ASSERT_NE(info.find("pbeWithSHA1And40BitRC2-CBC"), std::string::npos) << info;
  ASSERT_NE(info.find("pbeWithSHA1And3-KeyTripleDES-CBC"), std::string::npos) << info;

  auto contents = read_pkcs12(file, Secret("s3cret"));
  ASSERT_TRUE(contents) << contents.error().message;
  expect_leaf_key_and_chain(*contents);

  // The legacy provider stays confined to the private context: the process default context
  // still cannot use RC2.
  EXPECT_EQ(OSSL_PROVIDER_available(nullptr, "legacy"), 0);
  EVP_CIPHER* rc2 = EVP_CIPHER_fetch(nullptr, "RC2-40-CBC", nullptr);
  EXPECT_EQ(rc2, nullptr);
  EVP_CIPHER_free(rc2);
  ERR_clear_error();
  // What was read lives in the default context: it can be used and re-exported there.
  auto rewritten = write_pkcs12(*contents->key, *contents->certificate,
                                contents->other_certificates, Secret("new"), "rewritten");
  ASSERT_TRUE(rewritten) << rewritten.error().message;
}

TEST_F(OpensslPkcs12, ReadsTripleDesExportWithSha1Mac) {
  Bytes file =
      export_pkcs12("des.p12", "s3cret",
                    {"-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"});
  auto contents = read_pkcs12(file, Secret("s3cret"));
  ASSERT_TRUE(contents) << contents.error().message;
  expect_leaf_key_and_chain(*contents);
}

TEST_F(OpensslPkcs12, WrongPassphraseOnPkcs12IsWrongPassphraseError) {
  for (auto [name, extra] : {std::pair{"wrong-modern.p12", std::vector<std::string>{}},
                             {"wrong-legacy.p12", std::vector<std::string>{"-legacy"}}}) {
    Bytes file = export_pkcs12(name, "right", extra);
    for (const char* attempt : {"wrong", ""}) {
      auto contents = read_pkcs12(file, Secret(attempt));
      ASSERT_FALSE(contents) << name << " with '" << attempt << "'";
      EXPECT_EQ(contents.error().code, ErrorCode::WrongPassphrase)
          << name << ": " << contents.error().message;
      EXPECT_EQ(ERR_peek_error(), 0u);
    }
  }
}

TEST_F(OpensslPkcs12, ReadsPkcs12WithoutMacAndRejectsWrongPassphrase) {
  // OpenSSL 3.0's PKCS12_parse refuses these whenever a passphrase is given.
  for (auto [name, extra] : {std::pair{"nomac.p12", std::vector<std::string>{"-nomac"}},
                             {"nomac-legacy.p12", std::vector<std::string>{"-nomac", "-legacy"}}}) {
    Bytes file = export_pkcs12(name, "right", extra);
    auto good = read_pkcs12(file, Secret("right"));
    ASSERT_TRUE(good) << name << ": " << good.error().message;
    expect_leaf_key_and_chain(*good);
    auto contents = read_pkcs12(file, Secret("wrong"));
    ASSERT_FALSE(contents) << name;
    EXPECT_EQ(contents.error().code, ErrorCode::WrongPassphrase) << contents.error().message;
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
  EXPECT_EQ(OSSL_PROVIDER_available(nullptr, "legacy"), 0);
}

TEST_F(OpensslPkcs12, ReadsUnencryptedPkcs12WithoutMacLikeJavaTruststores) {
  Bytes file = export_pkcs12("plain.p12", "", {"-nomac", "-keypbe", "NONE", "-certpbe", "NONE"});
  auto contents = read_pkcs12(file, Secret{});
  ASSERT_TRUE(contents) << contents.error().message;
  expect_leaf_key_and_chain(*contents);
}

TEST_F(OpensslPkcs12, ReadsExportWithEmptyPassphrase) {
  Bytes file = export_pkcs12("empty.p12", "");
  auto contents = read_pkcs12(file, Secret{});
  ASSERT_TRUE(contents) << contents.error().message;
  expect_leaf_key_and_chain(*contents);
}

TEST_F(OpensslPkcs12, ReadsCertificateOnlyExport) {
  Bytes file = export_pkcs12("nokeys.p12", "s3cret", {"-nokeys"});
  auto contents = read_pkcs12(file, Secret("s3cret"));
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_FALSE(contents->key.has_value());
  // Without a key there is no "matching" certificate: both certificates are others.
  std::size_t total = contents->other_certificates.size() + (contents->certificate ? 1 : 0);
  EXPECT_EQ(total, 2u);
}

TEST_F(OpensslPkcs12, TruncatedOrJunkPkcs12IsMalformedInput) {
  Bytes file = export_pkcs12("cut.p12", "s3cret");
  for (const Bytes& input :
       {Bytes(file.begin(), file.begin() + static_cast<long>(file.size() / 2)),
        Bytes(file.begin(), file.end() - 1), to_bytes("not a pkcs12 file"), Bytes{}}) {
    EXPECT_FALSE(looks_like_pkcs12(input));
    auto contents = read_pkcs12(input, Secret("s3cret"));
    ASSERT_FALSE(contents);
    EXPECT_EQ(contents.error().code, ErrorCode::MalformedInput) << contents.error().message;
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

TEST_F(OpensslPkcs12, ConcurrentLegacyAndModernReadsDoNotInterfere) {
  // The private context is made this thread's default only for the duration of a legacy read.
  Bytes legacy = export_pkcs12("threads-legacy.p12", "pw", {"-legacy"});
  Bytes modern = export_pkcs12("threads-modern.p12", "pw");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto contents = read_pkcs12(t % 2 == 0 ? legacy : modern, Secret("pw"));
        if (!contents || !contents->key) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(OSSL_PROVIDER_available(nullptr, "legacy"), 0);
}

class WritePkcs12Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_key_ = Key::generate(KeyType::EcP256);
    key_ = Key::generate(KeyType::EcP256);
    ASSERT_TRUE(ca_key_ && key_);
    CertificateSpec ca_spec;
    ca_spec.subject.common_name = "Acme Device CA";
    ca_spec.not_before = now();
    ca_spec.is_ca = true;
    auto ca = build_certificate(*ca_key_, ca_spec);
    ASSERT_TRUE(ca);
    ca_ = *ca;
    CertificateSpec spec;
    spec.subject.common_name = "phone-0042";
    spec.not_before = now();
    Issuer issuer{*ca_, *ca_key_};
    auto leaf = build_certificate(*key_, spec, &issuer);
    ASSERT_TRUE(leaf);
    leaf_ = *leaf;
  }

  TempDir directory_;
  Result<Key> ca_key_ = fail(ErrorCode::Internal, "unset");
  Result<Key> key_ = fail(ErrorCode::Internal, "unset");
  std::optional<Certificate> ca_;
  std::optional<Certificate> leaf_;
};

TEST_F(WritePkcs12Test, OurPkcs12OpensInOpensslWithAes256AndSha256Mac) {
  std::vector<Certificate> chain{*ca_};
  auto file = write_pkcs12(*key_, *leaf_, chain, Secret("export pass"), "phone identity");
  ASSERT_TRUE(file) << file.error().message;
  write_file(directory_ / "out.p12", as_text(*file));
  const std::string p12 = (directory_ / "out.p12").string();
  std::string info =
      openssl_with_stderr({"pkcs12", "-in", p12, "-info", "-noout", "-passin", "pass:export pass"});
  EXPECT_NE(info.find("MAC: sha256"), std::string::npos) << info;
  EXPECT_NE(info.find("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC"), std::string::npos)
      << info;
  EXPECT_NE(info.find("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"), std::string::npos) << info;
  EXPECT_NE(info.find("PRF hmacWithSHA256"), std::string::npos) << info;
  EXPECT_EQ(info.find("RC2"), std::string::npos) << info;
  EXPECT_EQ(info.find("3DES"), std::string::npos) << info;

  // Contents as openssl sees them: the leaf with the friendly name and key, then the CA.
  std::string dump =
      openssl_with_stderr({"pkcs12", "-in", p12, "-nodes", "-passin", "pass:export pass"});
  EXPECT_NE(dump.find("friendlyName: phone identity"), std::string::npos) << dump;
  EXPECT_NE(dump.find("subject=CN = phone-0042"), std::string::npos) << dump;
  EXPECT_NE(dump.find("subject=CN = Acme Device CA"), std::string::npos) << dump;
  EXPECT_NE(dump.find("BEGIN PRIVATE KEY"), std::string::npos);

  auto wrong =
      run_command({"openssl", "pkcs12", "-in", p12, "-info", "-noout", "-passin", "pass:nope"});
  EXPECT_NE(wrong.exit_status, 0);
}

TEST_F(WritePkcs12Test, OurPkcs12RoundTripsThroughRead) {
  std::vector<Certificate> chain{*ca_};
  auto file = write_pkcs12(*key_, *leaf_, chain, Secret("pw"), "phone identity");
  ASSERT_TRUE(file);
  EXPECT_TRUE(looks_like_pkcs12(*file));
  auto contents = read_pkcs12(*file, Secret("pw"));
  ASSERT_TRUE(contents) << contents.error().message;
  ASSERT_TRUE(contents->key && contents->certificate);
  EXPECT_TRUE(contents->key->matches(key_->get()));
  EXPECT_EQ(contents->certificate->der(), leaf_->der());
  ASSERT_EQ(contents->other_certificates.size(), 1u);
  EXPECT_EQ(contents->other_certificates[0].der(), ca_->der());
  EXPECT_EQ(read_pkcs12(*file, Secret("other")).error().code, ErrorCode::WrongPassphrase);
}

TEST_F(WritePkcs12Test, EmptyPassphraseAndNoChainOpenInOpenssl) {
  auto file = write_pkcs12(*key_, *leaf_, {}, Secret{}, "");
  ASSERT_TRUE(file) << file.error().message;
  write_file(directory_ / "empty.p12", as_text(*file));
  std::string dump = openssl_with_stderr(
      {"pkcs12", "-in", (directory_ / "empty.p12").string(), "-nodes", "-passin", "pass:"});
  EXPECT_NE(dump.find("subject=CN = phone-0042"), std::string::npos) << dump;
  EXPECT_EQ(dump.find("friendlyName"), std::string::npos) << "no empty friendly name: " << dump;
  auto contents = read_pkcs12(*file, Secret{});
  ASSERT_TRUE(contents) << contents.error().message;
  EXPECT_TRUE(contents->other_certificates.empty());
}

TEST_F(WritePkcs12Test, KeyThatDoesNotMatchCertificateIsKeyMismatch) {
  auto file = write_pkcs12(*ca_key_, *leaf_, {}, Secret("pw"), "x");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::KeyMismatch) << file.error().message;
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace telecert::pki
