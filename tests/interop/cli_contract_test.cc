// The rest of the CLI contract (issue 2): trusted roots, settings, factory reset, cert inspect,
// exit statuses, --help, TELECERT_DATA_DIR, and passphrases that never show.
#include <algorithm>

#include "interop/interop_fixture.h"

namespace telecert::interop {
namespace {

// How many certificates openssl finds in a PEM file.
int openssl_certificate_count(const std::string& file) {
  auto result = telecert::testing::run_command({"openssl", "storeutl", "-noout", "-certs", file});
  EXPECT_EQ(result.exit_status, 0) << result.error;
  auto at = result.output.find("Total found: ");
  if (at == std::string::npos) return -1;
  return std::stoi(result.output.substr(at + 13));
}

std::size_t count_source(const nlohmann::json& anchors, std::string_view source) {
  return static_cast<std::size_t>(
      std::count_if(anchors.begin(), anchors.end(),
                    [&](const auto& anchor) { return anchor["source"] == source; }));
}

class TrustTest : public InitialisedTest {
 protected:
  void SetUp() override {
    InitialisedTest::SetUp();
    first_ = make_root_ca("first-root", "Customer Root One");
    second_ = make_root_ca("second-root", "Customer Root Two");
    bundle_ = write("bundle.pem", read("first-root.pem") + read("second-root.pem"));
    builtin_count_ = count_source(telecert_json({"trust", "list"}), "builtin");
  }

  OpensslCa first_, second_;
  std::string bundle_;
  std::size_t builtin_count_ = 0;
};

TEST_F(TrustTest, TrustAddOfABundleAddsEachCertificateAsACustomRoot) {
  auto added = telecert_ok({"trust", "add", bundle_});
  EXPECT_TRUE(Contains(added.output, "Customer Root One"));
  EXPECT_TRUE(Contains(added.output, "Customer Root Two"));

  auto list = telecert_json({"trust", "list"});
  ASSERT_TRUE(list.is_array());
  EXPECT_GT(builtin_count_, 100u);
  EXPECT_EQ(count_source(list, "builtin"), builtin_count_);
  ASSERT_EQ(count_source(list, "custom"), 2u);
  std::vector<std::string> subjects;
  for (const auto& anchor : list) {
    for (const char* field : {"id", "subject", "issuer", "not_after", "source"}) {
      EXPECT_TRUE(anchor.contains(field)) << field << " missing in " << anchor.dump();
    }
    EXPECT_TRUE(anchor["id"].is_number_integer());
    if (anchor["source"] == "custom") {
      subjects.push_back(anchor["subject"]);
      EXPECT_EQ(anchor["issuer"], anchor["subject"]);
    }
  }
  std::sort(subjects.begin(), subjects.end());
  EXPECT_EQ(subjects, (std::vector<std::string>{"CN=Customer Root One,O=Interop Test",
                                                "CN=Customer Root Two,O=Interop Test"}));
}

TEST_F(TrustTest, TrustAddAcceptsDerAndPkcs7Files) {
  openssl_ok({"x509", "-in", first_.certificate, "-outform", "DER", "-out", path("first.cer")});
  telecert_ok({"trust", "add", path("first.cer")});
  openssl_ok({"crl2pkcs7", "-nocrl", "-certfile", second_.certificate, "-out", path("second.p7b")});
  telecert_ok({"trust", "add", path("second.p7b")});
  EXPECT_EQ(count_source(telecert_json({"trust", "list"}), "custom"), 2u);
}

TEST_F(TrustTest, TrustAddAcceptsAWindowsStylePemWithBomAndCrlfLineEnds) {
  std::string windows = "\xEF\xBB\xBF";
  for (char c : read("bundle.pem")) {
    if (c == '\n') windows += '\r';
    windows += c;
  }
  telecert_ok({"trust", "add", write("windows.crt", windows)});
  EXPECT_EQ(count_source(telecert_json({"trust", "list"}), "custom"), 2u);
}

TEST_F(TrustTest, TrustRemoveDeletesOnlyThatCustomRoot) {
  auto added = telecert_json({"trust", "add", bundle_});
  ASSERT_EQ(added["added"].size(), 2u) << added.dump(2);
  const std::int64_t removed_id = added["added"][0]["id"];
  const std::string kept_subject = added["added"][1]["subject"];

  telecert_ok({"trust", "remove", std::to_string(removed_id)});
  auto list = telecert_json({"trust", "list"});
  EXPECT_EQ(count_source(list, "builtin"), builtin_count_);
  ASSERT_EQ(count_source(list, "custom"), 1u);
  for (const auto& anchor : list) {
    EXPECT_NE(anchor["id"], removed_id);
    if (anchor["source"] == "custom") EXPECT_EQ(anchor["subject"], kept_subject);
  }
}

TEST_F(TrustTest, TrustRemoveRefusesABuiltinRootAndLeavesStoreUnchanged) {
  auto list = telecert_json({"trust", "list"});
  auto builtin = std::find_if(list.begin(), list.end(),
                              [](const auto& a) { return a["source"] == "builtin"; });
  ASSERT_NE(builtin, list.end());
  const std::string before = dump_store();
  expect_refused(
      telecert({"trust", "remove", std::to_string((*builtin)["id"].get<std::int64_t>())}),
      {"built in"});
  EXPECT_EQ(dump_store(), before);
}

TEST_F(TrustTest, TrustExportWritesTheRootsOfTheChosenSource) {
  telecert_ok({"trust", "add", bundle_});
  telecert_ok({"trust", "export", "--out", path("custom.pem"), "--source", "custom"});
  EXPECT_EQ(openssl_certificate_count(path("custom.pem")), 2);
  const std::string custom = read("custom.pem");
  EXPECT_TRUE(Contains(custom, read("first-root.pem")));
  EXPECT_TRUE(Contains(custom, read("second-root.pem")));

  telecert_ok({"trust", "export", "--out", path("builtin.pem"), "--source", "builtin"});
  EXPECT_EQ(openssl_certificate_count(path("builtin.pem")), static_cast<int>(builtin_count_));
  EXPECT_TRUE(Lacks(read("builtin.pem"), read("first-root.pem")));

  telecert_ok({"trust", "export", "--out", path("all.pem")});
  EXPECT_EQ(openssl_certificate_count(path("all.pem")), static_cast<int>(builtin_count_) + 2);
}

TEST_F(TrustTest, TrustedCustomRootVerifiesAnOpensslLeafItIssued) {
  // The exported custom bundle is a CA file openssl accepts.
  auto leaf = make_leaf_signed_by("peer", "peer.example.com", first_);
  telecert_ok({"trust", "add", first_.certificate});
  telecert_ok({"trust", "export", "--out", path("custom.pem"), "--source", "custom"});
  openssl_ok({"verify", "-CAfile", path("custom.pem"), leaf.certificate});
}

TEST_F(InitialisedTest, SettingsGetShowsDefaultsAndSetChangesOneValue) {
  auto defaults = telecert_json({"settings", "get"});
  EXPECT_EQ(defaults, nlohmann::json::parse(R"({
    "expiry_warning_days": 60, "max_custom_trusted": 25, "max_upload_bytes": 5242880,
    "max_validity_days": 825, "keep_certificates_on_factory_reset": false})"));

  telecert_ok({"settings", "set", "expiry_warning_days", "90"});
  telecert_ok({"settings", "set", "keep_certificates_on_factory_reset", "true"});
  EXPECT_EQ(telecert_json({"settings", "get", "expiry_warning_days"}),
            nlohmann::json({{"expiry_warning_days", 90}}));
  EXPECT_EQ(telecert_json({"settings", "get", "keep_certificates_on_factory_reset"}),
            nlohmann::json({{"keep_certificates_on_factory_reset", true}}));
  auto plain = telecert_ok({"settings", "get", "expiry_warning_days"});
  EXPECT_EQ(plain.output, "90\n");
  // The warning window follows the setting.
  EXPECT_EQ(telecert_json({"status"})["expiry_warning_days"], 90);
}

TEST_F(InitialisedTest, SettingsGetOfUnknownKeyIsRefused) {
  expect_refused(telecert({"settings", "get", "no_such_setting"}), {"no_such_setting"});
}

class FactoryResetTest : public TrustTest {
 protected:
  void SetUp() override {
    TrustTest::SetUp();
    factory_fingerprint_ =
        telecert_json({"identity", "show", "factory"})["certificate"]["sha256_fingerprint"];
    telecert_ok({"identity", "self-signed", "web", "--cn", "box.example.com"});
    telecert_ok({"csr", "create", "sbc1", "--cn", "sbc1.example.com", "--out", path("sbc1.csr")});
    telecert_ok({"trust", "add", bundle_});
  }

  void expect_factory_identity_and_builtin_roots_kept(const nlohmann::json& trust) {
    auto factory = telecert_json({"identity", "show", "factory"});
    EXPECT_EQ(factory["origin"], "factory");
    EXPECT_EQ(factory["certificate"]["sha256_fingerprint"], factory_fingerprint_);
    EXPECT_EQ(count_source(trust, "builtin"), builtin_count_);
    EXPECT_EQ(telecert_json({"status"})["device_id"], kDeviceId);
  }

  std::string factory_fingerprint_;
};

TEST_F(FactoryResetTest,
       FactoryResetRemovesUserIdentitiesAndCustomRootsButKeepsFactoryAndBuiltins) {
  telecert_ok({"factory-reset", "--yes"});
  auto identities = telecert_json({"identity", "list"});
  ASSERT_EQ(identities.size(), 1u) << identities.dump(2);
  EXPECT_EQ(identities[0]["name"], "factory");
  auto trust = telecert_json({"trust", "list"});
  EXPECT_EQ(count_source(trust, "custom"), 0u);
  expect_factory_identity_and_builtin_roots_kept(trust);
}

TEST_F(FactoryResetTest, FactoryResetKeepsUserIdentitiesAndCustomRootsWhenTheSettingSaysSo) {
  telecert_ok({"settings", "set", "keep_certificates_on_factory_reset", "true"});
  telecert_ok({"factory-reset", "--yes"});
  auto identities = telecert_json({"identity", "list"});
  std::vector<std::string> names;
  for (const auto& identity : identities) names.push_back(identity["name"]);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"factory", "sbc1", "web"}));
  auto trust = telecert_json({"trust", "list"});
  EXPECT_EQ(count_source(trust, "custom"), 2u);
  expect_factory_identity_and_builtin_roots_kept(trust);
}

TEST_F(FactoryResetTest, FactoryResetWithoutYesIsRefusedAndChangesNothing) {
  const std::string before = dump_store();
  expect_refused(telecert({"factory-reset"}), {"confirm"});
  EXPECT_EQ(dump_store(), before);
}

// Files for cert inspect, all made by openssl: root -> intermediate -> leaf.
class InspectTest : public InteropTest {
 protected:
  void SetUp() override {
    root_ = make_root_ca("root", "Inspect Root");
    intermediate_ = make_intermediate_ca("intermediate", "Inspect Intermediate", root_);
    leaf_ = make_leaf_signed_by("leaf", "leaf.example.com", intermediate_);
  }

  // `telecert cert inspect FILE --json`, without any data directory.
  nlohmann::json inspect(const std::string& file, std::vector<std::string> more = {}) const {
    std::vector<std::string> argv{TELECERT_CLI, "cert", "inspect", file};
    argv.insert(argv.end(), more.begin(), more.end());
    argv.push_back("--json");
    auto result = run(argv);
    EXPECT_EQ(result.exit_status, 0) << describe(argv, result);
    auto parsed = nlohmann::json::parse(result.output, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << result.output;
    return parsed;
  }

  OpensslCa root_, intermediate_;
  OpensslLeaf leaf_;
};

TEST_F(InspectTest, CertInspectJsonOfACertificateShowsSubjectSansValidityFingerprintsAndUsages) {
  auto view = inspect(leaf_.certificate);
  ASSERT_EQ(view["certificates"].size(), 1u) << view.dump(2);
  const auto& certificate = view["certificates"][0];
  EXPECT_EQ(certificate["subject"], "CN=leaf.example.com");
  EXPECT_EQ(certificate["issuer"], "CN=Inspect Intermediate,O=Interop Test");
  EXPECT_EQ(certificate["subject_alt_names"], nlohmann::json::array({"dns:leaf.example.com"}));
  EXPECT_TRUE(certificate["days_left"] == 364 || certificate["days_left"] == 365)
      << certificate["days_left"];
  EXPECT_EQ(certificate["status"], "ok");
  EXPECT_EQ(certificate["key_usage"], nlohmann::json::array({"digitalSignature"}));
  EXPECT_EQ(certificate["extended_key_usage"], nlohmann::json::array({"serverAuth", "clientAuth"}));
  EXPECT_EQ(certificate["is_ca"], false);
  auto sha256 = openssl_ok({"x509", "-in", leaf_.certificate, "-noout", "-fingerprint", "-sha256"});
  EXPECT_EQ("sha256 Fingerprint=" + certificate["sha256_fingerprint"].get<std::string>() + "\n",
            sha256.output);
  auto sha1 = openssl_ok({"x509", "-in", leaf_.certificate, "-noout", "-fingerprint", "-sha1"});
  EXPECT_EQ("sha1 Fingerprint=" + certificate["sha1_fingerprint"].get<std::string>() + "\n",
            sha1.output);
  EXPECT_TRUE(view["chain_problems"].empty());
}

TEST_F(InspectTest, CertInspectJsonReportsChainProblemsForAChainInWrongOrder) {
  write("wrong-order.pem", read("root.pem") + read("intermediate.pem") + read("leaf.pem"));
  auto wrong = inspect(path("wrong-order.pem"));
  EXPECT_EQ(wrong["certificates"].size(), 3u);
  ASSERT_FALSE(wrong["chain_problems"].empty()) << wrong.dump(2);
  EXPECT_TRUE(Contains(wrong["chain_problems"].dump(), "leaf.example.com"));

  write("right-order.pem", read("leaf.pem") + read("intermediate.pem") + read("root.pem"));
  auto right = inspect(path("right-order.pem"));
  EXPECT_TRUE(right["chain_problems"].empty()) << right["chain_problems"].dump(2);
}

TEST_F(InspectTest, CertInspectJsonOfACsrShowsTheRequestAndItsValidSignature) {
  auto view = inspect(path("leaf.csr"));
  ASSERT_EQ(view["requests"].size(), 1u) << view.dump(2);
  EXPECT_EQ(view["requests"][0]["subject"], "CN=leaf.example.com");
  EXPECT_EQ(view["requests"][0]["subject_alt_names"],
            nlohmann::json::array({"dns:leaf.example.com"}));
  EXPECT_EQ(view["requests"][0]["public_key"], "EC P-256");
  EXPECT_EQ(view["requests"][0]["signature_valid"], true);
}

TEST_F(InspectTest, CertInspectJsonOfAPkcs12ShowsItsCertificatesAndKey) {
  const std::string pass = passphrase_file();
  openssl_ok({"pkcs12", "-export", "-inkey", leaf_.key, "-in", leaf_.certificate, "-certfile",
              intermediate_.certificate, "-passout", "file:" + pass, "-out", path("leaf.p12")});
  auto view = inspect(path("leaf.p12"), {"--passphrase-file", pass});
  EXPECT_EQ(view["format"], "PKCS#12");
  EXPECT_EQ(view["keys"], nlohmann::json::array({"EC P-256"}));
  ASSERT_EQ(view["certificates"].size(), 2u) << view.dump(2);
  EXPECT_EQ(view["certificates"][0]["subject"], "CN=leaf.example.com");
  EXPECT_TRUE(view["chain_problems"].empty()) << view["chain_problems"].dump();
}

TEST_F(InitialisedTest, UnknownSubcommandsExitWithUsageStatus2) {
  for (std::vector<std::string> args : {std::vector<std::string>{"frobnicate"},
                                        {"identity", "frobnicate"},
                                        {"trust", "frobnicate"},
                                        {"identity"},
                                        {}}) {
    auto result = telecert(args);
    EXPECT_EQ(result.exit_status, 2) << describe(last_argv_, result);
    EXPECT_FALSE(result.error.empty()) << describe(last_argv_, result);
  }
}

TEST_F(InitialisedTest, MissingRequiredOptionsExitWithUsageStatus2) {
  const std::string before = dump_store();
  for (std::vector<std::string> args : {std::vector<std::string>{"identity", "self-signed", "web"},
                                        {"csr", "create", "sbc1", "--san", "dns:sbc1.example.com"},
                                        {"identity", "import", "phone"},
                                        {"identity", "install", "sbc1"},
                                        {"identity", "show"},
                                        {"trust", "add"},
                                        {"trust", "remove"},
                                        {"trust", "remove", "not-a-number"},
                                        {"settings", "set", "expiry_warning_days"},
                                        {"cert", "inspect"}}) {
    auto result = telecert(args);
    EXPECT_EQ(result.exit_status, 2) << describe(last_argv_, result);
    EXPECT_FALSE(result.error.empty()) << describe(last_argv_, result);
  }
  EXPECT_EQ(dump_store(), before);
}

TEST_F(InteropTest, HelpExitsZeroAndDescribesTheCommands) {
  auto top = run({TELECERT_CLI, "--help"});
  EXPECT_EQ(top.exit_status, 0) << top.error;
  for (const char* command :
       {"init", "status", "identity", "csr", "trust", "settings", "factory-reset", "cert"}) {
    EXPECT_TRUE(Contains(top.output, command));
  }
  auto identity = run({TELECERT_CLI, "identity", "--help"});
  EXPECT_EQ(identity.exit_status, 0) << identity.error;
  EXPECT_TRUE(Contains(identity.output, "self-signed"));
  auto csr = run({TELECERT_CLI, "csr", "create", "--help"});
  EXPECT_EQ(csr.exit_status, 0) << csr.error;
  EXPECT_TRUE(Contains(csr.output, "--san"));
  EXPECT_FALSE(std::filesystem::exists(data_dir()));
}

TEST_F(InteropTest, CommandsOnAnUninitialisedDataDirectoryAreRefusedWithAnInitHint) {
  auto result = telecert({"status"});
  expect_refused(result, {"no telecert data"});
  EXPECT_TRUE(Contains(result.error, "init"));
  EXPECT_FALSE(std::filesystem::exists(database()));
}

TEST_F(InteropTest, TelecertDataDirEnvironmentVariableSelectsTheDataDirectory) {
  const std::string env_dir = path("from-env");
  auto initialised = run({"env", "TELECERT_DATA_DIR=" + env_dir, TELECERT_CLI, "init",
                          "--device-id", "00:90:8f:ab:cd:ef"});
  ASSERT_EQ(initialised.exit_status, 0) << initialised.error;
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(env_dir) / "telecert.db"));

  auto status = run({"env", "TELECERT_DATA_DIR=" + env_dir, TELECERT_CLI, "status", "--json"});
  ASSERT_EQ(status.exit_status, 0) << status.error;
  EXPECT_EQ(nlohmann::json::parse(status.output)["device_id"], "00:90:8f:ab:cd:ef");

  // --data-dir wins over the variable.
  init();
  auto overridden = run({"env", "TELECERT_DATA_DIR=" + env_dir, TELECERT_CLI, "--data-dir",
                         data_dir().string(), "status", "--json"});
  ASSERT_EQ(overridden.exit_status, 0) << overridden.error;
  EXPECT_EQ(nlohmann::json::parse(overridden.output)["device_id"], kDeviceId);
}

TEST_F(InitialisedTest, EachChangingOperationWritesOneEventAndARefusedOneNone) {
  auto count_events = [&] { return telecert_json({"events", "--limit", "1000"}).size(); };
  const auto after_init = count_events();
  EXPECT_GE(after_init, 1u);
  telecert_ok({"identity", "self-signed", "web", "--cn", "box.example.com"});
  auto events = telecert_json({"events"});
  ASSERT_EQ(events.size(), after_init + 1);
  // Newest first.
  EXPECT_EQ(events[0]["action"], "identity.self-signed");
  EXPECT_EQ(events[0]["object"], "identity:web");
  EXPECT_EQ(events[0]["outcome"], "ok");
  EXPECT_TRUE(events[0]["actor"].get<std::string>().starts_with("cli:"));
  EXPECT_TRUE(events[0].contains("time"));

  telecert_ok({"settings", "set", "expiry_warning_days", "45"});
  EXPECT_EQ(count_events(), after_init + 2);
  telecert({"identity", "delete", "factory"});
  telecert({"settings", "set", "expiry_warning_days", "1"});
  EXPECT_EQ(count_events(), after_init + 2);
  // Reading changes nothing.
  telecert_ok({"identity", "list"});
  telecert_ok({"status"});
  EXPECT_EQ(count_events(), after_init + 2);
}

TEST_F(InteropTest, DataDirectoryDatabaseAndMasterKeyAreOwnerOnly) {
  init();
  EXPECT_EQ(file_mode(data_dir()) & 0077, 0u);
  EXPECT_EQ(file_mode(database()) & 0077, 0u);
  EXPECT_EQ(file_mode(data_dir() / "master.key"), 0600u);
}

TEST_F(InteropTest, PassphraseNeverAppearsInOutputErrorsEventsOrTheStore) {
  const std::string pass = passphrase_file();
  auto root = make_root_ca("root", "Secret Root");
  auto leaf = make_leaf_signed_by("leaf", "leaf.example.com", root);
  write("other-pass.txt", "a-different-passphrase\n");
  openssl_ok({"pkcs12", "-export", "-inkey", leaf.key, "-in", leaf.certificate, "-passout",
              "file:" + pass, "-out", path("right.p12")});
  openssl_ok({"pkcs12", "-export", "-inkey", leaf.key, "-in", leaf.certificate, "-passout",
              "file:" + path("other-pass.txt"), "-out", path("other.p12")});
  openssl_ok({"pkcs12", "-export", "-inkey", root.key, "-in", root.certificate, "-passout",
              "file:" + path("other-pass.txt"), "-out", path("factory-ca.p12")});

  std::vector<CommandResult> results;
  auto keep = [&](CommandResult result) { results.push_back(std::move(result)); };
  // A factory CA whose passphrase is not the one given: refused.
  keep(telecert({"init", "--device-id", std::string(kDeviceId), "--factory-ca",
                 path("factory-ca.p12"), "--factory-ca-passphrase-file", pass}));
  EXPECT_EQ(results.back().exit_status, 1);
  init();
  keep(telecert(
      {"identity", "import", "wrong", "--file", path("other.p12"), "--passphrase-file", pass}));
  EXPECT_EQ(results.back().exit_status, 1);
  keep(run({"env", "TELECERT_PASSPHRASE=" + std::string(kPassphrase), TELECERT_CLI, "--data-dir",
            data_dir().string(), "identity", "import", "wrong", "--file", path("other.p12")}));
  EXPECT_EQ(results.back().exit_status, 1);
  keep(telecert({"identity", "import", "phone", "--file", path("right.p12"), "--passphrase-file",
                 pass, "--json"}));
  EXPECT_EQ(results.back().exit_status, 0);
  keep(telecert(
      {"identity", "import", "phone", "--file", path("right.p12"), "--passphrase-file", pass}));
  EXPECT_EQ(results.back().exit_status, 1) << "the name is taken";
  keep(telecert({"identity", "export", "phone", "--format", "p12", "--passphrase-file", pass,
                 "--out", path("out.p12")}));
  EXPECT_EQ(results.back().exit_status, 0);
  keep(telecert(
      {"identity", "export", "phone", "--format", "pem", "--with-key", "--passphrase-file", pass}));
  EXPECT_EQ(results.back().exit_status, 0);
  keep(telecert({"identity", "export", "nobody", "--format", "p12", "--passphrase-file", pass,
                 "--out", path("nobody.p12")}));
  EXPECT_EQ(results.back().exit_status, 1);
  keep(run(
      {TELECERT_CLI, "cert", "inspect", path("right.p12"), "--passphrase-file", pass, "--json"}));
  EXPECT_EQ(results.back().exit_status, 0);
  keep(run({TELECERT_CLI, "cert", "inspect", path("other.p12"), "--passphrase-file", pass}));
  EXPECT_EQ(results.back().exit_status, 1);
  keep(telecert({"events", "--json"}));
  keep(telecert({"status", "--json"}));

  for (const auto& result : results) {
    EXPECT_TRUE(Lacks(result.output, kPassphrase));
    EXPECT_TRUE(Lacks(result.error, kPassphrase));
  }
  EXPECT_TRUE(Lacks(dump_store(), kPassphrase));
}

}  // namespace
}  // namespace telecert::interop
