// Bad input (issue 2): each is refused with exit status 1, a one-line `error:` that says what is
// wrong, a `hint:` line, and the store exactly as it was (compared as `sqlite3 telecert.db .dump`).
#include <random>

#include "interop/interop_fixture.h"

namespace telecert::interop {
namespace {

class BadInputTest : public InitialisedTest {
 protected:
  void SetUp() override {
    InitialisedTest::SetUp();
    root_ = make_root_ca("root", "Bad Input Root");
    leaf_ = make_leaf_signed_by("leaf", "leaf.example.com", root_);
    pass_ = passphrase_file();
  }

  // Runs telecert with `args`, expects the refusal shape with `words` in the error line, and the
  // store unchanged.
  void expect_refused_and_unchanged(const std::vector<std::string>& args,
                                    std::initializer_list<std::string_view> words) {
    std::string command_line = "telecert";
    for (const auto& arg : args) command_line += " " + arg;
    SCOPED_TRACE(command_line);
    const std::string before = dump_store();
    auto result = telecert(args);
    expect_refused(result, words);
    EXPECT_EQ(dump_store(), before) << "the store changed after: " << result.error;
  }

  OpensslCa root_;
  OpensslLeaf leaf_;
  std::string pass_;
};

TEST_F(BadInputTest, FileOverDefaultUploadLimitIsRefusedByEveryCommandAndLeavesStoreUnchanged) {
  const std::string big = write("big.pem", std::string(6 * 1024 * 1024, 'A'));
  telecert_ok({"csr", "create", "sbc1", "--cn", "sbc1.example.com", "--out", path("sbc1.csr")});
  expect_refused_and_unchanged({"trust", "add", big}, {"big.pem", "over the limit", "5242880"});
  expect_refused_and_unchanged({"identity", "import", "phone", "--file", big}, {"over the limit"});
  expect_refused_and_unchanged({"identity", "import", "phone", "--file", leaf_.certificate, "--key",
                                leaf_.key, "--chain", big},
                               {"over the limit"});
  expect_refused_and_unchanged({"identity", "install", "sbc1", "--cert", big}, {"over the limit"});
  auto inspected = run({TELECERT_CLI, "cert", "inspect", big});
  expect_refused(inspected, {"over the limit"});
}

TEST_F(BadInputTest, FileOverLoweredUploadLimitIsRefusedAndLeavesStoreUnchanged) {
  telecert_ok({"settings", "set", "max_upload_bytes", "1024"});
  auto other = make_root_ca("other", "Another Root");
  const std::string bundle = write("bundle.pem", read("root.pem") + read("other.pem"));
  ASSERT_GT(std::filesystem::file_size(bundle), 1024u);
  expect_refused_and_unchanged({"trust", "add", bundle}, {"over the limit", "1024"});
  // Under the limit, the same kind of file goes in.
  ASSERT_LT(std::filesystem::file_size(other.certificate), 1024u);
  telecert_ok({"trust", "add", other.certificate});
}

TEST_F(BadInputTest, EmptyFileIsRefusedAndLeavesStoreUnchanged) {
  const std::string empty = write("empty.pem", "");
  expect_refused_and_unchanged({"trust", "add", empty}, {"empty"});
  expect_refused_and_unchanged({"identity", "import", "phone", "--file", empty}, {"empty"});
  expect_refused_and_unchanged(
      {"identity", "import", "phone", "--file", leaf_.certificate, "--key", empty},
      {"key file", "empty"});
}

TEST_F(BadInputTest, BinaryJunkIsRefusedAndLeavesStoreUnchanged) {
  std::mt19937 random(20260101);
  std::string junk(4096, '\0');
  for (auto& byte : junk) byte = static_cast<char>(random() & 0xff);
  junk[0] = '\xff';  // not a DER SEQUENCE
  const std::string file = write("junk.bin", junk);
  expect_refused_and_unchanged({"trust", "add", file}, {"not PEM"});
  expect_refused_and_unchanged({"identity", "import", "phone", "--file", file}, {"not PEM"});
  expect_refused_and_unchanged(
      {"identity", "import", "phone", "--file", leaf_.certificate, "--key", file}, {"key file"});
}

TEST_F(BadInputTest, TruncatedPemIsRefusedAndLeavesStoreUnchanged) {
  const std::string pem = read("root.pem");
  const std::string truncated = write("truncated.pem", pem.substr(0, pem.size() / 2));
  expect_refused_and_unchanged({"trust", "add", truncated}, {"truncated"});
  const std::string key = read("leaf.key");
  const std::string truncated_key = write("truncated.key", key.substr(0, key.size() / 2));
  expect_refused_and_unchanged(
      {"identity", "import", "phone", "--file", leaf_.certificate, "--key", truncated_key},
      {"truncated"});
}

TEST_F(BadInputTest, TruncatedDerIsRefusedAndLeavesStoreUnchanged) {
  openssl_ok({"x509", "-in", root_.certificate, "-outform", "DER", "-out", path("root.der")});
  const std::string der = read("root.der");
  const std::string truncated = write("truncated.der", der.substr(0, der.size() - 40));
  expect_refused_and_unchanged({"trust", "add", truncated}, {"truncated"});
  expect_refused_and_unchanged(
      {"identity", "import", "phone", "--file", truncated, "--key", leaf_.key}, {"truncated"});
}

TEST_F(BadInputTest, ImportRejectsPkcs12WithWrongPassphraseAndLeavesStoreUnchanged) {
  write("right-pass.txt", "the-right-one\n");
  openssl_ok({"pkcs12", "-export", "-inkey", leaf_.key, "-in", leaf_.certificate, "-passout",
              "file:" + path("right-pass.txt"), "-out", path("phone.p12")});
  expect_refused_and_unchanged(
      {"identity", "import", "phone", "--file", path("phone.p12"), "--passphrase-file", pass_},
      {"passphrase"});
  // No passphrase at all and no terminal to ask on: refused the same way.
  expect_refused_and_unchanged({"identity", "import", "phone", "--file", path("phone.p12")},
                               {"passphrase"});
  telecert_ok({"identity", "import", "phone", "--file", path("phone.p12"), "--passphrase-file",
               path("right-pass.txt")});
}

TEST_F(BadInputTest, ImportRejectsEncryptedKeyWithWrongPassphraseAndLeavesStoreUnchanged) {
  write("right-pass.txt", "the-right-one\n");
  openssl_ok({"pkcs8", "-topk8", "-in", leaf_.key, "-v2", "aes-256-cbc", "-passout",
              "file:" + path("right-pass.txt"), "-out", path("encrypted.key")});
  expect_refused_and_unchanged({"identity", "import", "phone", "--file", leaf_.certificate, "--key",
                                path("encrypted.key"), "--passphrase-file", pass_},
                               {"passphrase", "private key"});
  expect_refused_and_unchanged(
      {"identity", "import", "phone", "--file", leaf_.certificate, "--key", path("encrypted.key")},
      {"encrypted", "no passphrase"});
}

TEST_F(BadInputTest, ImportRejectsTruncatedPkcs12AndLeavesStoreUnchanged) {
  openssl_ok({"pkcs12", "-export", "-inkey", leaf_.key, "-in", leaf_.certificate, "-passout",
              "file:" + pass_, "-out", path("phone.p12")});
  const std::string p12 = read("phone.p12");
  const std::string truncated = write("truncated.p12", p12.substr(0, p12.size() / 2));
  expect_refused_and_unchanged(
      {"identity", "import", "phone", "--file", truncated, "--passphrase-file", pass_},
      {"truncated"});
}

TEST_F(BadInputTest, ImportRejectsKeyThatDoesNotMatchTheCertificateAndLeavesStoreUnchanged) {
  openssl_ok({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
              path("other.key")});
  expect_refused_and_unchanged(
      {"identity", "import", "phone", "--file", leaf_.certificate, "--key", path("other.key")},
      {"does not match"});
}

TEST_F(BadInputTest, InstallRejectsCertificateOfAnotherPendingCsrAndLeavesStoreUnchanged) {
  telecert_ok({"csr", "create", "alpha", "--cn", "alpha.example.com", "--out", path("alpha.csr")});
  telecert_ok({"csr", "create", "bravo", "--cn", "bravo.example.com", "--out", path("bravo.csr")});
  const std::string alpha_certificate = sign_leaf(path("alpha.csr"), root_, "alpha.crt");
  expect_refused_and_unchanged({"identity", "install", "bravo", "--cert", alpha_certificate},
                               {"bravo", "key"});
  EXPECT_EQ(telecert_json({"identity", "show", "bravo"})["status"], "pending");
  // The certificate belongs on alpha, and goes there.
  telecert_ok({"identity", "install", "alpha", "--cert", alpha_certificate});
  EXPECT_EQ(telecert_json({"identity", "show", "alpha"})["status"], "ok");
}

TEST_F(BadInputTest, InstallRejectsChainCertificateOutsideTheIssuingChainAndLeavesStoreUnchanged) {
  telecert_ok({"csr", "create", "sbc1", "--cn", "sbc1.example.com", "--out", path("sbc1.csr")});
  const std::string certificate = sign_leaf(path("sbc1.csr"), root_, "sbc1.crt");
  auto stranger = make_root_ca("stranger", "Stranger Root");
  expect_refused_and_unchanged(
      {"identity", "install", "sbc1", "--cert", certificate, "--chain", stranger.certificate},
      {"Stranger Root", "not in the issuing chain"});
  telecert_ok({"identity", "install", "sbc1", "--cert", certificate, "--chain", root_.certificate});
}

TEST_F(BadInputTest, SixthSubjectAltNameIsRefusedAndLeavesStoreUnchanged) {
  std::vector<std::string> sans;
  for (int i = 1; i <= 6; ++i) {
    sans.push_back("--san");
    sans.push_back("dns:host" + std::to_string(i) + ".example.com");
  }
  for (std::string command : {"csr", "identity"}) {
    std::vector<std::string> args =
        command == "csr"
            ? std::vector<std::string>{"csr",   "create",        "many", "--cn", "many.example.com",
                                       "--out", path("many.csr")}
            : std::vector<std::string>{"identity", "self-signed", "many", "--cn",
                                       "many.example.com"};
    args.insert(args.end(), sans.begin(), sans.end());
    expect_refused_and_unchanged(args, {"6 subject alternative names", "at most 5"});
  }
  EXPECT_FALSE(std::filesystem::exists(path("many.csr")));
  // Five are fine.
  std::vector<std::string> five{"csr",   "create",        "five", "--cn", "five.example.com",
                                "--out", path("five.csr")};
  five.insert(five.end(), sans.begin(), sans.end() - 2);
  telecert_ok(five);
}

TEST_F(BadInputTest, UnknownSubjectAltNameTypeIsRefusedAndLeavesStoreUnchanged) {
  expect_refused_and_unchanged({"csr", "create", "sbc1", "--cn", "sbc1.example.com", "--san",
                                "upn:admin@example.com", "--out", path("sbc1.csr")},
                               {"upn"});
  expect_refused_and_unchanged(
      {"identity", "self-signed", "web", "--cn", "box.example.com", "--san", "box.example.com"},
      {"box.example.com"});
  EXPECT_FALSE(std::filesystem::exists(path("sbc1.csr")));
}

TEST_F(BadInputTest, IpSubjectAltNameThatIsNotAnAddressIsRefusedAndLeavesStoreUnchanged) {
  expect_refused_and_unchanged({"csr", "create", "sbc1", "--cn", "sbc1.example.com", "--san",
                                "ip:192.0.2.300", "--out", path("sbc1.csr")},
                               {"192.0.2.300", "not an IP address"});
  expect_refused_and_unchanged(
      {"identity", "self-signed", "web", "--cn", "box.example.com", "--san", "ip:box.example.com"},
      {"not an IP address"});
}

TEST_F(BadInputTest, ValidityOverMaxValidityDaysIsRefusedAndLeavesStoreUnchanged) {
  expect_refused_and_unchanged(
      {"identity", "self-signed", "web", "--cn", "box.example.com", "--days", "826"},
      {"826", "825"});
  telecert_ok({"settings", "set", "max_validity_days", "90"});
  expect_refused_and_unchanged(
      {"identity", "self-signed", "web", "--cn", "box.example.com", "--days", "91"}, {"91", "90"});
  telecert_ok({"identity", "self-signed", "web", "--cn", "box.example.com", "--days", "90"});
}

TEST_F(BadInputTest, OneCustomRootOverTheLimitIsRefusedAndLeavesStoreUnchanged) {
  telecert_ok({"settings", "set", "max_custom_trusted", "2"});
  auto second = make_root_ca("second", "Second Root");
  auto third = make_root_ca("third", "Third Root");
  auto fourth = make_root_ca("fourth", "Fourth Root");
  telecert_ok({"trust", "add", root_.certificate});
  telecert_ok({"trust", "add", second.certificate});
  expect_refused_and_unchanged({"trust", "add", third.certificate}, {"limit is 2"});
  // A bundle that would go over is refused whole: not even the first of it goes in.
  telecert_ok({"trust", "remove",
               std::to_string(telecert_json({"trust", "list"}).back()["id"].get<std::int64_t>())});
  const std::string bundle = write("bundle.pem", read("third.pem") + read("fourth.pem"));
  expect_refused_and_unchanged({"trust", "add", bundle}, {"limit is 2"});
}

TEST_F(BadInputTest, DeletingTheFactoryIdentityIsRefusedAndLeavesStoreUnchanged) {
  expect_refused_and_unchanged({"identity", "delete", "factory"}, {"factory identity"});
  // Nor can it be replaced under its name.
  expect_refused_and_unchanged({"identity", "self-signed", "factory", "--cn", "evil.example.com"},
                               {"factory identity"});
  expect_refused_and_unchanged(
      {"identity", "import", "factory", "--file", leaf_.certificate, "--key", leaf_.key},
      {"factory identity"});
  expect_refused_and_unchanged({"identity", "install", "factory", "--cert", leaf_.certificate},
                               {"factory identity"});
}

TEST_F(BadInputTest, SettingsValueOutOfItsRangeIsRefusedAndLeavesStoreUnchanged) {
  expect_refused_and_unchanged({"settings", "set", "expiry_warning_days", "29"},
                               {"between 30 and 180"});
  expect_refused_and_unchanged({"settings", "set", "expiry_warning_days", "181"},
                               {"between 30 and 180"});
  expect_refused_and_unchanged({"settings", "set", "max_validity_days", "826"},
                               {"max_validity_days"});
  expect_refused_and_unchanged({"settings", "set", "max_custom_trusted", "0"},
                               {"max_custom_trusted"});
  expect_refused_and_unchanged({"settings", "set", "max_upload_bytes", "-1"}, {"max_upload_bytes"});
  expect_refused_and_unchanged({"settings", "set", "expiry_warning_days", "sixty"},
                               {"whole number"});
  expect_refused_and_unchanged({"settings", "set", "keep_certificates_on_factory_reset", "maybe"},
                               {"true or false"});
  expect_refused_and_unchanged({"settings", "set", "no_such_setting", "1"}, {"no_such_setting"});
}

TEST_F(BadInputTest, Sha1AndRsa1024AreRefusedWithoutLegacyAndLeaveStoreUnchanged) {
  expect_refused_and_unchanged(
      {"identity", "self-signed", "old", "--cn", "ipo.example.com", "--sig", "sha1"}, {"SHA-1"});
  expect_refused_and_unchanged(
      {"identity", "self-signed", "old", "--cn", "ipo.example.com", "--key", "rsa1024"},
      {"RSA-1024"});
  expect_refused_and_unchanged({"csr", "create", "old", "--cn", "ipo.example.com", "--key",
                                "rsa1024", "--sig", "sha1", "--out", path("old.csr")},
                               {"RSA-1024"});
  EXPECT_FALSE(std::filesystem::exists(path("old.csr")));
}

TEST_F(BadInputTest, Sha1AndRsa1024AreAcceptedWithLegacy) {
  telecert_ok({"identity", "self-signed", "old", "--cn", "ipo.example.com", "--key", "rsa1024",
               "--sig", "sha1", "--legacy"});
  telecert_ok({"identity", "export", "old", "--out", path("old.pem")});
  auto text = openssl_ok({"x509", "-in", path("old.pem"), "-noout", "-text"});
  EXPECT_TRUE(Contains(text.output, "sha1WithRSAEncryption"));
  EXPECT_TRUE(Contains(text.output, "Public-Key: (1024 bit)"));

  telecert_ok({"csr", "create", "old-csr", "--cn", "ipo.example.com", "--key", "rsa1024", "--sig",
               "sha1", "--legacy", "--out", path("old.csr")});
  auto request = openssl_ok({"req", "-in", path("old.csr"), "-verify", "-noout", "-text"});
  EXPECT_TRUE(Contains(request.output + request.error, "verify OK"));
  EXPECT_TRUE(Contains(request.output, "sha1WithRSAEncryption"));
  EXPECT_TRUE(Contains(request.output, "Public-Key: (1024 bit)"));
}

TEST_F(BadInputTest, AddingADuplicateRootSaysSoAndChangesNothing) {
  telecert_ok({"trust", "add", root_.certificate});
  expect_refused_and_unchanged({"trust", "add", root_.certificate}, {"already trusted"});
  // A built-in root is a duplicate too.
  telecert_ok({"trust", "export", "--source", "builtin", "--out", path("builtin.pem")});
  const std::string builtin = read("builtin.pem");
  const std::string first_builtin =
      write("first-builtin.pem", builtin.substr(0, builtin.find("-----END CERTIFICATE-----") + 26));
  expect_refused_and_unchanged({"trust", "add", first_builtin}, {"already trusted"});
}

TEST_F(BadInputTest, BundleWithOneDuplicateAddsTheNewRootAndNamesTheDuplicate) {
  telecert_ok({"trust", "add", root_.certificate});
  auto other = make_root_ca("other", "Other Root");
  const std::string bundle = write("bundle.pem", read("root.pem") + read("other.pem"));
  auto added = telecert_ok({"trust", "add", bundle});
  EXPECT_TRUE(Contains(added.output, "already trusted"));
  EXPECT_TRUE(Contains(added.output, "Bad Input Root"));
  EXPECT_TRUE(Contains(added.output, "added"));
  auto list = telecert_json({"trust", "list"});
  EXPECT_EQ(std::count_if(list.begin(), list.end(),
                          [](const auto& a) { return a["source"] == "custom"; }),
            2);
}

}  // namespace
}  // namespace telecert::interop
