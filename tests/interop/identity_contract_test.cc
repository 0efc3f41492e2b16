// The identity forms of the CLI contract (issue 2), each checked with the openssl CLI as the peer:
// init, status, csr create, identity install / self-signed / import / export / list / show /
// delete.
#include <algorithm>
#include <regex>

#include "interop/interop_fixture.h"

namespace telecert::interop {
namespace {

// Days left are whole days rounded down, so a certificate valid for `days` days shows days - 1
// once a second has passed since it was made.
bool days_left_is(const nlohmann::json& value, int days) {
  return value == days || value == days - 1;
}

int count_of(const std::string& text, std::string_view needle) {
  int count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

// "SHA256 Fingerprint=AB:CD:..." (openssl) -> "AB:CD:..."
std::string openssl_fingerprint(const std::string& output) {
  auto equals = output.find('=');
  auto text = output.substr(equals + 1);
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '\n'; }),
             text.end());
  return text;
}

TEST_F(InteropTest, InitWithDeviceIdCreatesSelfSignedFactoryIdentityWithThatCn) {
  init();
  auto factory = telecert_json({"identity", "show", "factory"});
  EXPECT_EQ(factory["name"], "factory");
  EXPECT_EQ(factory["origin"], "factory");
  EXPECT_EQ(factory["subject"], "CN=" + std::string(kDeviceId));
  EXPECT_EQ(factory["status"], "ok");
  EXPECT_EQ(factory["certificate"]["self_signed"], true);

  telecert_ok({"identity", "export", "factory", "--format", "pem", "--out", path("factory.pem")});
  auto subject = openssl_ok({"x509", "-in", path("factory.pem"), "-noout", "-subject"});
  EXPECT_TRUE(Contains(subject.output, "CN = " + std::string(kDeviceId)));
  openssl_ok({"verify", "-CAfile", path("factory.pem"), path("factory.pem")});
}

TEST_F(InteropTest, InitWithFactoryCaIssuesFactoryCertificateToDeviceIdThatOpensslVerifies) {
  auto ca = make_root_ca("factory-ca", "Manufacturer Device CA");
  ASSERT_EQ(ca.certificate, path("factory-ca.pem"));
  const std::string pass = passphrase_file();
  openssl_ok({"pkcs12", "-export", "-inkey", ca.key, "-in", ca.certificate, "-passout",
              "file:" + pass, "-out", path("factory-ca.p12")});

  auto init_result = telecert_ok({"init", "--device-id", std::string(kDeviceId), "--factory-ca",
                                  path("factory-ca.p12"), "--factory-ca-passphrase-file", pass});
  EXPECT_TRUE(Lacks(init_result.output + init_result.error, kPassphrase));

  auto factory = telecert_json({"identity", "show", "factory"});
  EXPECT_EQ(factory["origin"], "factory");
  EXPECT_EQ(factory["subject"], "CN=" + std::string(kDeviceId));
  EXPECT_TRUE(Contains(factory["issuer"].get<std::string>(), "CN=Manufacturer Device CA"));
  EXPECT_EQ(factory["certificate"]["self_signed"], false);

  telecert_ok({"identity", "export", "factory", "--format", "der", "--out", path("factory.der")});
  openssl_ok({"x509", "-inform", "DER", "-in", path("factory.der"), "-out", path("factory.pem")});
  auto subject = openssl_ok({"x509", "-in", path("factory.pem"), "-noout", "-subject"});
  EXPECT_EQ(subject.output, "subject=CN = " + std::string(kDeviceId) + "\n");
  auto verified = openssl_ok({"verify", "-CAfile", path("factory-ca.pem"), path("factory.pem")});
  EXPECT_TRUE(Contains(verified.output, ": OK"));
}

TEST_F(InteropTest, InitRefusedForWrongFactoryCaPassphraseLeavesNoDataDirectoryBehind) {
  auto ca = make_root_ca("factory-ca", "Manufacturer Device CA");
  write("ca-pass.txt", "the-manufacturer-secret\n");
  openssl_ok({"pkcs12", "-export", "-inkey", ca.key, "-in", ca.certificate, "-passout",
              "file:" + path("ca-pass.txt"), "-out", path("factory-ca.p12")});
  auto refused =
      telecert({"init", "--device-id", std::string(kDeviceId), "--factory-ca",
                path("factory-ca.p12"), "--factory-ca-passphrase-file", passphrase_file()});
  expect_refused(refused, {"factory CA", "passphrase"});
  EXPECT_FALSE(std::filesystem::exists(data_dir())) << "a refused init left a store behind";
  // So the next command still says to run init, and init then works.
  expect_refused(telecert({"status"}), {"no telecert data"});
  telecert_ok({"init", "--device-id", std::string(kDeviceId), "--factory-ca",
               path("factory-ca.p12"), "--factory-ca-passphrase-file", path("ca-pass.txt")});
}

TEST_F(InteropTest, InitRefusedForFactoryCaThatIsNotACaLeavesAnEmptyDataDirectoryEmpty) {
  auto not_ca = make_root_ca("ca", "Issuing Root");
  auto leaf = make_leaf_signed_by("device", "device.example.com", not_ca);
  const std::string pass = passphrase_file();
  openssl_ok({"pkcs12", "-export", "-inkey", leaf.key, "-in", leaf.certificate, "-passout",
              "file:" + pass, "-out", path("leaf.p12")});
  std::filesystem::create_directory(data_dir());
  auto refused = telecert({"init", "--device-id", std::string(kDeviceId), "--factory-ca",
                           path("leaf.p12"), "--factory-ca-passphrase-file", pass});
  expect_refused(refused, {"not a CA"});
  EXPECT_TRUE(std::filesystem::is_directory(data_dir()));
  EXPECT_TRUE(std::filesystem::is_empty(data_dir()));
}

TEST_F(InteropTest, InitTwiceIsRefusedAndKeepsTheFirstFactoryIdentity) {
  init();
  const std::string before = dump_store();
  auto again = telecert({"init", "--device-id", "00:11:22:33:44:55"});
  expect_refused(again, {"already initialised"});
  EXPECT_EQ(dump_store(), before);
}

TEST_F(InitialisedTest, StatusJsonListsDeviceIdIdentitiesAndTrustedRootsWithDaysLeft) {
  telecert_ok({"identity", "self-signed", "web", "--cn", "box.example.com", "--days", "40"});
  auto status = telecert_json({"status"});
  EXPECT_EQ(status["device_id"], kDeviceId);
  EXPECT_EQ(status["expiry_warning_days"], 60);
  ASSERT_EQ(status["identities"].size(), 2u);
  for (const auto& identity : status["identities"]) {
    for (const char* field :
         {"name", "origin", "subject", "issuer", "not_after", "days_left", "status"}) {
      EXPECT_TRUE(identity.contains(field)) << field << " missing in " << identity.dump();
    }
    if (identity["name"] == "web") {
      // 40 days left is inside the 60-day warning window.
      EXPECT_EQ(identity["status"], "warning");
      EXPECT_TRUE(days_left_is(identity["days_left"], 40)) << identity["days_left"];
    } else {
      EXPECT_EQ(identity["name"], "factory");
      EXPECT_EQ(identity["status"], "ok");
    }
  }
  ASSERT_GT(status["trust"].size(), 100u) << "the system bundle should be loaded at init";
  for (const auto& anchor : status["trust"]) {
    EXPECT_EQ(anchor["source"], "builtin");
    EXPECT_TRUE(anchor["days_left"].is_number_integer());
    EXPECT_TRUE(anchor["status"] == "ok" || anchor["status"] == "warning" ||
                anchor["status"] == "expired");
  }
}

TEST_F(InitialisedTest, CsrCreateWithEveryFieldPassesOpensslReqVerifyAndShowsEachFieldAndSanType) {
  telecert_ok({"csr",
               "create",
               "sbc1",
               "--cn",
               "sbc1.example.com",
               "--san",
               "dns:sbc1.example.com",
               "--san",
               "ip:192.0.2.10",
               "--san",
               "email:pki@example.com",
               "--san",
               "uri:sip:sbc1.example.com",
               "--ou",
               "Headquarters",
               "--o",
               "Corporate",
               "--l",
               "Poughkeepsie",
               "--st",
               "New York",
               "--c",
               "US",
               "--key",
               "p256",
               "--sig",
               "sha256",
               "--out",
               path("sbc1.csr")});
  auto text = openssl_ok({"req", "-in", path("sbc1.csr"), "-verify", "-noout", "-text"});
  const std::string all = text.output + text.error;
  EXPECT_TRUE(Contains(all, "verify OK"));
  EXPECT_TRUE(Contains(text.output,
                       "C = US, ST = New York, L = Poughkeepsie, O = Corporate, "
                       "OU = Headquarters, CN = sbc1.example.com"));
  EXPECT_TRUE(Contains(text.output, "DNS:sbc1.example.com"));
  EXPECT_TRUE(Contains(text.output, "IP Address:192.0.2.10"));
  EXPECT_TRUE(Contains(text.output, "email:pki@example.com"));
  EXPECT_TRUE(Contains(text.output, "URI:sip:sbc1.example.com"));
  EXPECT_TRUE(Contains(text.output, "ecdsa-with-SHA256"));
  EXPECT_TRUE(Contains(text.output, "P-256"));

  auto pending = telecert_json({"identity", "show", "sbc1"});
  EXPECT_EQ(pending["origin"], "csr");
  EXPECT_EQ(pending["status"], "pending");
  EXPECT_TRUE(pending["certificate"].is_null());
  EXPECT_EQ(pending["csr"], read("sbc1.csr"));
}

TEST_F(InitialisedTest, CsrCreateHonoursKeyAndSignatureChoices) {
  telecert_ok({"csr", "create", "edge", "--cn", "edge.example.com", "--key", "p384", "--sig",
               "sha384", "--out", path("edge.csr")});
  auto text = openssl_ok({"req", "-in", path("edge.csr"), "-verify", "-noout", "-text"});
  EXPECT_TRUE(Contains(text.output, "ecdsa-with-SHA384"));
  EXPECT_TRUE(Contains(text.output, "P-384"));

  telecert_ok({"csr", "create", "rsa", "--cn", "rsa.example.com", "--key", "rsa3072", "--sig",
               "sha512", "--out", path("rsa.csr")});
  text = openssl_ok({"req", "-in", path("rsa.csr"), "-verify", "-noout", "-text"});
  EXPECT_TRUE(Contains(text.output, "sha512WithRSAEncryption"));
  EXPECT_TRUE(Contains(text.output, "3072 bit"));
}

TEST_F(InitialisedTest, IdentityInstallOrdersShuffledIntermediatesIntoIssuingOrder) {
  auto root = make_root_ca("root", "Interop Root");
  auto policy = make_intermediate_ca("policy", "Interop Policy CA", root);
  auto issuing = make_intermediate_ca("issuing", "Interop Issuing CA", policy);
  telecert_ok({"csr", "create", "sbc1", "--cn", "sbc1.example.com", "--san", "dns:sbc1.example.com",
               "--out", path("sbc1.csr")});
  const std::string certificate = sign_leaf(path("sbc1.csr"), issuing, "sbc1.crt");
  // Root first, then the leaf's direct issuer, then the middle one: every order is wrong.
  write("intermediates.pem", read("root.pem") + read("issuing.pem") + read("policy.pem"));

  auto installed = telecert_json(
      {"identity", "install", "sbc1", "--cert", certificate, "--chain", path("intermediates.pem")});
  EXPECT_EQ(installed["status"], "ok");

  auto shown = telecert_json({"identity", "show", "sbc1"});
  EXPECT_EQ(shown["origin"], "csr");
  EXPECT_EQ(shown["subject"], "CN=sbc1.example.com");
  EXPECT_TRUE(shown["csr"].is_null());
  ASSERT_EQ(shown["chain"].size(), 3u) << shown.dump(2);
  EXPECT_TRUE(Contains(shown["chain"][0]["subject"].get<std::string>(), "CN=Interop Issuing CA"));
  EXPECT_TRUE(Contains(shown["chain"][1]["subject"].get<std::string>(), "CN=Interop Policy CA"));
  EXPECT_TRUE(Contains(shown["chain"][2]["subject"].get<std::string>(), "CN=Interop Root"));

  // The exported PEM is leaf first, then the chain in order: openssl builds the path from it.
  telecert_ok({"identity", "export", "sbc1", "--format", "pem", "--out", path("sbc1-chain.pem")});
  auto inspected = telecert_json({"cert", "inspect", path("sbc1-chain.pem")});
  EXPECT_TRUE(inspected["chain_problems"].empty()) << inspected["chain_problems"].dump();
  openssl_ok({"verify", "-CAfile", root.certificate, "-untrusted", path("sbc1-chain.pem"),
              path("sbc1-chain.pem")});
}

TEST_F(InitialisedTest, IdentityInstallCompletesChainFromATrustedCustomRoot) {
  auto root = make_root_ca("root", "Interop Root");
  auto issuing = make_intermediate_ca("issuing", "Interop Issuing CA", root);
  telecert_ok({"trust", "add", root.certificate});
  telecert_ok({"csr", "create", "sbc1", "--cn", "sbc1.example.com", "--out", path("sbc1.csr")});
  const std::string certificate = sign_leaf(path("sbc1.csr"), issuing, "sbc1.crt");

  telecert_ok(
      {"identity", "install", "sbc1", "--cert", certificate, "--chain", issuing.certificate});
  auto shown = telecert_json({"identity", "show", "sbc1"});
  // The root the peer already trusts is not part of the chain that is sent.
  ASSERT_EQ(shown["chain"].size(), 1u) << shown.dump(2);
  EXPECT_TRUE(Contains(shown["chain"][0]["subject"].get<std::string>(), "CN=Interop Issuing CA"));
}

TEST_F(InitialisedTest, SelfSignedCertificateVerifiesAgainstItselfWithSpecifiedKeyUsages) {
  auto created =
      telecert_json({"identity", "self-signed", "web", "--cn", "box.example.com", "--san",
                     "dns:box.example.com", "--key", "rsa2048", "--days", "825"});
  EXPECT_EQ(created["origin"], "self-signed");
  EXPECT_TRUE(days_left_is(created["certificate"]["days_left"], 825))
      << created["certificate"]["days_left"];
  EXPECT_EQ(created["certificate"]["self_signed"], true);

  telecert_ok({"identity", "export", "web", "--format", "pem", "--out", path("x.pem")});
  auto verified = openssl_ok({"verify", "-CAfile", path("x.pem"), path("x.pem")});
  EXPECT_TRUE(Contains(verified.output, ": OK"));

  auto text = openssl_ok({"x509", "-in", path("x.pem"), "-noout", "-text"});
  EXPECT_TRUE(Contains(text.output, "CA:FALSE"));
  EXPECT_TRUE(Contains(text.output, "Digital Signature, Key Encipherment"));
  EXPECT_TRUE(
      Contains(text.output, "TLS Web Server Authentication, TLS Web Client Authentication"));
  EXPECT_TRUE(Contains(text.output, "DNS:box.example.com"));
  EXPECT_TRUE(Contains(text.output, "Public-Key: (2048 bit)"));
  EXPECT_TRUE(Contains(text.output, "sha256WithRSAEncryption"));
  // Valid for 825 days: still valid 824 days from now, no longer 826 days from now.
  openssl_ok({"x509", "-in", path("x.pem"), "-noout", "-checkend", std::to_string(824 * 86400)});
  auto beyond =
      openssl({"x509", "-in", path("x.pem"), "-noout", "-checkend", std::to_string(826 * 86400)});
  EXPECT_EQ(beyond.exit_status, 1) << beyond.output;
}

TEST_F(InitialisedTest, SelfSignedCertificatesOfEachEcAndEdwardsKeyTypeVerifyWithOpenssl) {
  for (std::string key : {"p256", "p384", "ed25519"}) {
    SCOPED_TRACE(key);
    telecert_ok(
        {"identity", "self-signed", "id-" + key, "--cn", key + ".example.com", "--key", key});
    telecert_ok({"identity", "export", "id-" + key, "--out", path(key + ".pem")});
    openssl_ok({"verify", "-CAfile", path(key + ".pem"), path(key + ".pem")});
    auto text = openssl_ok({"x509", "-in", path(key + ".pem"), "-noout", "-text"});
    EXPECT_TRUE(Contains(text.output, "CA:FALSE"));
    // No key encipherment for keys that cannot encrypt.
    EXPECT_TRUE(Lacks(text.output, "Key Encipherment"));
    EXPECT_TRUE(
        Contains(text.output, "TLS Web Server Authentication, TLS Web Client Authentication"));
  }
}

// An openssl-made root -> intermediate -> leaf, for the import tests.
class ImportTest : public InitialisedTest {
 protected:
  void SetUp() override {
    InitialisedTest::SetUp();
    root_ = make_root_ca("root", "Import Root");
    intermediate_ = make_intermediate_ca("intermediate", "Import Intermediate", root_);
    leaf_ = make_leaf_signed_by("phone", "phone.example.com", intermediate_);
    pass_ = passphrase_file();
  }

  void expect_imported_with_chain(const std::string& name, std::size_t chain_length) {
    auto shown = telecert_json({"identity", "show", name});
    EXPECT_EQ(shown["origin"], "imported");
    EXPECT_EQ(shown["subject"], "CN=phone.example.com");
    EXPECT_EQ(shown["status"], "ok");
    ASSERT_EQ(shown["chain"].size(), chain_length) << shown.dump(2);
    EXPECT_TRUE(
        Contains(shown["chain"][0]["subject"].get<std::string>(), "CN=Import Intermediate"));
    if (chain_length > 1) {
      EXPECT_TRUE(Contains(shown["chain"][1]["subject"].get<std::string>(), "CN=Import Root"));
    }
    // The key that came in is the key that goes out: openssl sees the same public key.
    telecert_ok({"identity", "export", name, "--format", "pem", "--with-key", "--passphrase-file",
                 pass_, "--out", path(name + "-out.pem")});
    auto exported_key =
        openssl_ok({"pkey", "-in", path(name + "-out.pem"), "-passin", "file:" + pass_, "-pubout"});
    auto original_key = openssl_ok({"pkey", "-in", leaf_.key, "-pubout"});
    EXPECT_EQ(exported_key.output, original_key.output);
  }

  OpensslCa root_, intermediate_;
  OpensslLeaf leaf_;
  std::string pass_;
};

TEST_F(ImportTest, ImportAcceptsPkcs12MadeByOpensslPkcs12Export) {
  openssl_ok({"pkcs12", "-export", "-inkey", leaf_.key, "-in", leaf_.certificate, "-certfile",
              intermediate_.certificate, "-passout", "file:" + pass_, "-out", path("phone.p12")});
  auto imported = telecert(
      {"identity", "import", "phone", "--file", path("phone.p12"), "--passphrase-file", pass_});
  ASSERT_EQ(imported.exit_status, 0) << imported.error;
  EXPECT_TRUE(Lacks(imported.output + imported.error, kPassphrase));
  expect_imported_with_chain("phone", 1);
}

TEST_F(ImportTest, ImportAcceptsLegacyRc2Pkcs12MadeByOpensslPkcs12ExportLegacy) {
  openssl_ok({"pkcs12", "-export", "-legacy", "-inkey", leaf_.key, "-in", leaf_.certificate,
              "-certfile", intermediate_.certificate, "-passout", "file:" + pass_, "-out",
              path("phone.p12")});
  // It really is the old format: openssl 3 itself needs -legacy to open it.
  auto info = openssl({"pkcs12", "-in", path("phone.p12"), "-info", "-noout", "-legacy", "-passin",
                       "file:" + pass_});
  EXPECT_TRUE(Contains(info.output + info.error, "RC2"));

  telecert_ok(
      {"identity", "import", "phone", "--file", path("phone.p12"), "--passphrase-file", pass_});
  expect_imported_with_chain("phone", 1);
}

TEST_F(ImportTest, ImportAcceptsPkcs12PassphraseFromEnvironmentVariable) {
  openssl_ok({"pkcs12", "-export", "-inkey", leaf_.key, "-in", leaf_.certificate, "-certfile",
              intermediate_.certificate, "-passout", "file:" + pass_, "-out", path("phone.p12")});
  auto imported =
      run({"env", "TELECERT_PASSPHRASE=" + std::string(kPassphrase), TELECERT_CLI, "--data-dir",
           data_dir().string(), "identity", "import", "phone", "--file", path("phone.p12")});
  ASSERT_EQ(imported.exit_status, 0) << imported.error;
  EXPECT_TRUE(Lacks(imported.output + imported.error, kPassphrase));
  EXPECT_EQ(telecert_json({"identity", "show", "phone"})["origin"], "imported");
}

TEST_F(ImportTest, ImportAcceptsPkcs12WithAnEmptyPassphrase) {
  openssl_ok({"pkcs12", "-export", "-inkey", leaf_.key, "-in", leaf_.certificate, "-certfile",
              intermediate_.certificate, "-passout", "pass:", "-out", path("phone.p12")});
  telecert_ok({"identity", "import", "phone", "--file", path("phone.p12")});
  expect_imported_with_chain("phone", 1);
}

TEST_F(ImportTest, ImportAcceptsSeparateCertificateKeyAndShuffledChainFiles) {
  write("chain.pem", read("root.pem") + read("intermediate.pem"));
  telecert_ok({"identity", "import", "phone2", "--file", leaf_.certificate, "--key", leaf_.key,
               "--chain", path("chain.pem")});
  expect_imported_with_chain("phone2", 2);
}

TEST_F(ImportTest, ImportAcceptsCertificateAndKeyWithoutChain) {
  telecert_ok({"identity", "import", "phone2", "--file", leaf_.certificate, "--key", leaf_.key});
  auto shown = telecert_json({"identity", "show", "phone2"});
  EXPECT_EQ(shown["origin"], "imported");
  EXPECT_TRUE(shown["chain"].empty());
}

TEST_F(ImportTest, ImportAcceptsDerCertificateAndEncryptedPkcs8Key) {
  openssl_ok({"x509", "-in", leaf_.certificate, "-outform", "DER", "-out", path("phone.cer")});
  openssl_ok({"pkcs8", "-topk8", "-in", leaf_.key, "-v2", "aes-256-cbc", "-passout",
              "file:" + pass_, "-out", path("phone-encrypted.key")});
  telecert_ok({"identity", "import", "phone", "--file", path("phone.cer"), "--key",
               path("phone-encrypted.key"), "--chain", intermediate_.certificate,
               "--passphrase-file", pass_});
  expect_imported_with_chain("phone", 1);
}

TEST_F(ImportTest, ImportAcceptsOnePemWithBagAttributesAsOpensslPkcs12NodesWritesIt) {
  openssl_ok({"pkcs12", "-export", "-inkey", leaf_.key, "-in", leaf_.certificate, "-certfile",
              intermediate_.certificate, "-name", "phone", "-passout", "file:" + pass_, "-out",
              path("phone.p12")});
  openssl_ok({"pkcs12", "-in", path("phone.p12"), "-nodes", "-passin", "file:" + pass_, "-out",
              path("everything.pem")});
  const std::string everything = read("everything.pem");
  ASSERT_TRUE(Contains(everything, "Bag Attributes"));
  ASSERT_TRUE(Contains(everything, "PRIVATE KEY"));

  telecert_ok({"identity", "import", "phone", "--file", path("everything.pem")});
  expect_imported_with_chain("phone", 1);
}

// An identity with a chain (openssl CA) to export in every form.
class ExportTest : public ImportTest {
 protected:
  void SetUp() override {
    ImportTest::SetUp();
    telecert_ok({"identity", "import", "phone", "--file", leaf_.certificate, "--key", leaf_.key,
                 "--chain", intermediate_.certificate});
  }
};

TEST_F(ExportTest, ExportPemWithoutKeyHoldsLeafThenChainAndNoKey) {
  telecert_ok({"identity", "export", "phone", "--format", "pem", "--out", path("out.pem")});
  const std::string pem = read("out.pem");
  EXPECT_EQ(count_of(pem, "-----BEGIN CERTIFICATE-----"), 2);
  EXPECT_TRUE(Lacks(pem, "PRIVATE KEY"));
  EXPECT_EQ(file_mode(path("out.pem")) & 0077, 0044u) << "a certificate is public";
  openssl_ok(
      {"verify", "-CAfile", root_.certificate, "-untrusted", path("out.pem"), path("out.pem")});
  // Standard output when no --out is given.
  auto to_stdout = telecert_ok({"identity", "export", "phone", "--format", "pem"});
  EXPECT_EQ(to_stdout.output, pem);
}

TEST_F(ExportTest, ExportDerIsTheLeafCertificateWithTheShownFingerprint) {
  telecert_ok({"identity", "export", "phone", "--format", "der", "--out", path("out.der")});
  auto fingerprint = openssl_ok(
      {"x509", "-inform", "DER", "-in", path("out.der"), "-noout", "-fingerprint", "-sha256"});
  auto shown = telecert_json({"identity", "show", "phone"});
  EXPECT_EQ(openssl_fingerprint(fingerprint.output), shown["certificate"]["sha256_fingerprint"]);
  auto original =
      openssl_ok({"x509", "-in", leaf_.certificate, "-noout", "-fingerprint", "-sha256"});
  EXPECT_EQ(fingerprint.output, original.output);
}

TEST_F(ExportTest, ExportDerWithKeyIsRefused) {
  auto result = telecert({"identity", "export", "phone", "--format", "der", "--with-key",
                          "--passphrase-file", pass_, "--out", path("out.der")});
  expect_refused(result, {"DER"});
  EXPECT_FALSE(std::filesystem::exists(path("out.der")));
}

TEST_F(ExportTest, ExportPemWithKeyWritesEncryptedKeyThatOpensslPkeyOpensInMode0600File) {
  auto result = telecert_ok({"identity", "export", "phone", "--format", "pem", "--with-key",
                             "--passphrase-file", pass_, "--out", path("out.pem")});
  EXPECT_TRUE(Lacks(result.output + result.error, kPassphrase));
  EXPECT_EQ(file_mode(path("out.pem")), 0600u);
  const std::string pem = read("out.pem");
  EXPECT_TRUE(Contains(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  EXPECT_EQ(count_of(pem, "-----BEGIN CERTIFICATE-----"), 2);

  // Encrypted PKCS#8 with AES-256 (PBES2).
  const std::string key_block = pem.substr(pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  write("key-only.pem", key_block);
  auto structure = openssl_ok({"asn1parse", "-in", path("key-only.pem")});
  EXPECT_TRUE(Contains(structure.output, "PBES2"));
  EXPECT_TRUE(Contains(structure.output, "aes-256-cbc"));

  auto opened = openssl_ok({"pkey", "-in", path("out.pem"), "-passin", "file:" + pass_, "-pubout"});
  auto original = openssl_ok({"pkey", "-in", leaf_.key, "-pubout"});
  EXPECT_EQ(opened.output, original.output);
  write("wrong.txt", "not the passphrase\n");
  auto wrong =
      openssl({"pkey", "-in", path("out.pem"), "-passin", "file:" + path("wrong.txt"), "-noout"});
  EXPECT_NE(wrong.exit_status, 0) << "the exported key must be encrypted";
}

TEST_F(ExportTest, ExportPkcs12WithKeyOpensWithOpensslPkcs12AndIsMode0600) {
  telecert_ok({"identity", "export", "phone", "--format", "p12", "--with-key", "--passphrase-file",
               pass_, "--out", path("out.p12")});
  EXPECT_EQ(file_mode(path("out.p12")), 0600u);
  auto info =
      openssl_ok({"pkcs12", "-in", path("out.p12"), "-info", "-noout", "-passin", "file:" + pass_});
  EXPECT_TRUE(Contains(info.output + info.error, "AES-256-CBC"));
  openssl_ok({"pkcs12", "-in", path("out.p12"), "-nodes", "-passin", "file:" + pass_, "-out",
              path("opened.pem")});
  const std::string opened = read("opened.pem");
  EXPECT_TRUE(Contains(opened, "PRIVATE KEY"));
  EXPECT_EQ(count_of(opened, "-----BEGIN CERTIFICATE-----"), 2);
  auto key = openssl_ok({"pkey", "-in", path("opened.pem"), "-pubout"});
  auto original = openssl_ok({"pkey", "-in", leaf_.key, "-pubout"});
  EXPECT_EQ(key.output, original.output);
}

TEST_F(ExportTest, ExportPkcs12WithoutWithKeyStillHoldsTheKeyAndNeedsThePassphrase) {
  telecert_ok({"identity", "export", "phone", "--format", "p12", "--passphrase-file", pass_,
               "--out", path("out.p12")});
  EXPECT_EQ(file_mode(path("out.p12")), 0600u);
  openssl_ok({"pkcs12", "-in", path("out.p12"), "-nodes", "-passin", "file:" + pass_, "-out",
              path("opened.pem")});
  EXPECT_TRUE(Contains(read("opened.pem"), "PRIVATE KEY"));

  // Without any passphrase the key does not leave.
  auto refused =
      telecert({"identity", "export", "phone", "--format", "p12", "--out", path("no.p12")});
  expect_refused(refused, {"passphrase"});
  EXPECT_FALSE(std::filesystem::exists(path("no.p12")));
}

TEST_F(ExportTest, ExportedPkcs12ImportsBackUnderAnotherName) {
  telecert_ok({"identity", "export", "phone", "--format", "p12", "--passphrase-file", pass_,
               "--out", path("out.p12")});
  telecert_ok(
      {"identity", "import", "phone-copy", "--file", path("out.p12"), "--passphrase-file", pass_});
  auto original = telecert_json({"identity", "show", "phone"});
  auto copy = telecert_json({"identity", "show", "phone-copy"});
  EXPECT_EQ(copy["certificate"]["sha256_fingerprint"],
            original["certificate"]["sha256_fingerprint"]);
  EXPECT_EQ(copy["chain"].size(), original["chain"].size());
}

TEST_F(InitialisedTest, IdentityListAndShowJsonCarryTheContractFields) {
  telecert_ok({"identity", "self-signed", "web", "--cn", "box.example.com", "--days", "100"});
  telecert_ok({"csr", "create", "sbc1", "--cn", "sbc1.example.com", "--out", path("sbc1.csr")});
  auto list = telecert_json({"identity", "list"});
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 3u) << list.dump(2);
  std::vector<std::string> names;
  const std::regex iso_time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  for (const auto& identity : list) {
    names.push_back(identity["name"]);
    for (const char* field :
         {"name", "origin", "subject", "issuer", "not_after", "days_left", "status"}) {
      EXPECT_TRUE(identity.contains(field)) << field << " missing in " << identity.dump();
    }
    if (identity["name"] == "web") {
      EXPECT_EQ(identity["origin"], "self-signed");
      EXPECT_EQ(identity["subject"], "CN=box.example.com");
      EXPECT_EQ(identity["issuer"], "CN=box.example.com");
      EXPECT_TRUE(days_left_is(identity["days_left"], 100)) << identity["days_left"];
      EXPECT_EQ(identity["status"], "ok");
      EXPECT_TRUE(std::regex_match(identity["not_after"].get<std::string>(), iso_time))
          << identity["not_after"];
    }
    if (identity["name"] == "sbc1") {
      EXPECT_EQ(identity["origin"], "csr");
      EXPECT_EQ(identity["status"], "pending");
    }
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"factory", "sbc1", "web"}));

  auto shown = telecert_json({"identity", "show", "web"});
  auto in_list =
      *std::find_if(list.begin(), list.end(), [](const auto& i) { return i["name"] == "web"; });
  for (const char* field : {"name", "origin", "subject", "issuer", "not_after", "status"}) {
    EXPECT_EQ(shown[field], in_list[field]) << field;
  }
  EXPECT_TRUE(days_left_is(shown["days_left"], 100)) << shown["days_left"];
}

TEST_F(InitialisedTest, IdentityShowOfUnknownNameIsRefused) {
  expect_refused(telecert({"identity", "show", "nobody"}), {"nobody"});
}

TEST_F(InitialisedTest, IdentityDeleteRemovesTheIdentityAndItsKey) {
  telecert_ok({"identity", "self-signed", "web", "--cn", "box.example.com"});
  const std::string with_web = dump_store();
  telecert_ok({"identity", "delete", "web"});
  auto list = telecert_json({"identity", "list"});
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "factory");
  expect_refused(telecert({"identity", "show", "web"}), {"web"});
  EXPECT_NE(dump_store(), with_web);
  // The name is free again.
  telecert_ok({"identity", "self-signed", "web", "--cn", "box2.example.com"});
}

}  // namespace
}  // namespace telecert::interop
