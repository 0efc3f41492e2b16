// The exit statuses of `telecert verify` and `telecert probe`: 1 only when a report was made and
// it says "not trusted"; anything that stops a report from being made (a missing or junk file, an
// unknown context, a file over the upload limit, an uninitialised data directory, a context that
// cannot be built) prints error:/hint: and exits 2. Also what the CLI says for the context rules
// that go with them: contexts that cannot be built are refused, binding twice changes nothing,
// factory reset counts the contexts and bindings.
#include "interop_fixture.h"
#include "support/test_pki.h"

namespace telecert::interop {
namespace {

using telecert::testing::TestCertificate;
using telecert::testing::TestPki;

// No report was made: status 2, an error line and a hint line naming `words`, nothing on stdout.
void expect_no_report(const CommandResult& result, std::initializer_list<std::string_view> words) {
  EXPECT_EQ(result.exit_status, 2) << "stdout: " << result.output << "\nstderr: " << result.error;
  EXPECT_TRUE(result.error.starts_with("error: ")) << result.error;
  EXPECT_TRUE(Contains(result.error, "\nhint: ")) << result.error;
  EXPECT_TRUE(result.output.empty()) << result.output;
  for (auto word : words)
    EXPECT_TRUE(Contains(result.error, word)) << word << " in " << result.error;
}

class VerifyExitStatusTest : public InitialisedTest {
 protected:
  void SetUp() override {
    InitialisedTest::SetUp();
    pki_.emplace(dir_ / "pki");
    telecert_ok({"trust", "add", pki_->root().certificate.string()});
    leaf_ = pki_->issue(
        {.name = "sbc1", .common_name = "sbc1.example.com", .dns_names = {"sbc1.example.com"}});
  }

  std::optional<TestPki> pki_;
  TestCertificate leaf_;
};

TEST_F(VerifyExitStatusTest, AReportSayingNotTrustedExitsOne) {
  auto result = telecert({"verify", leaf_.certificate.string(), "--name", "sbc1.example.com"});
  EXPECT_EQ(result.exit_status, 1) << describe(last_argv_, result);
  EXPECT_TRUE(Contains(result.output, "missing_intermediate"));
}

TEST_F(VerifyExitStatusTest, VerifyOfAMissingOrJunkFileExitsTwo) {
  expect_no_report(telecert({"verify", path("no-such-file.pem")}), {"no-such-file.pem"});
  const std::string junk = write("junk.pem", "not a certificate\n");
  expect_no_report(telecert({"verify", junk}), {"certificate"});
}

TEST_F(VerifyExitStatusTest, VerifyWithAnUnknownContextExitsTwo) {
  expect_no_report(telecert({"verify", leaf_.chain.string(), "--context", "no-such-context"}),
                   {"no-such-context"});
  expect_no_report(telecert({"probe", "tls://127.0.0.1:9", "--context", "no-such-context"}),
                   {"no-such-context"});
}

TEST_F(VerifyExitStatusTest, VerifyOfAFileOverTheUploadLimitExitsTwo) {
  telecert_ok({"settings", "set", "max_upload_bytes", "1024"});
  ASSERT_GT(std::filesystem::file_size(leaf_.full_chain), 1024u);
  expect_no_report(telecert({"verify", leaf_.full_chain.string()}), {"1024"});
}

TEST_F(VerifyExitStatusTest, VerifyWithAContextThatCannotBeBuiltExitsTwoNamingItOnce) {
  const std::string crl = write("gone.crl", "read when a peer is checked\n");
  telecert_ok({"context", "create", "c2", "--crl", "on", "--crl-file", crl});
  std::filesystem::remove(crl);
  auto result = telecert({"verify", leaf_.chain.string(), "--context", "c2"});
  expect_no_report(result, {"could not be read", "context 'c2'"});
  EXPECT_EQ(result.error.find("context 'c2'"), result.error.rfind("context 'c2'")) << result.error;
}

class VerifyUninitialisedTest : public InteropTest {};

TEST_F(VerifyUninitialisedTest, VerifyAndProbeOnAnUninitialisedDataDirectoryExitTwo) {
  const std::string file = write("chain.pem", "not read\n");
  expect_no_report(telecert({"verify", file}), {"no telecert data", "init"});
  expect_no_report(telecert({"probe", "tls://127.0.0.1:9"}), {"no telecert data", "init"});
}

TEST_F(VerifyExitStatusTest, ContextCreateRefusesAnUnreadableCrlFileAndAStrictRoleTheCertLacks) {
  auto crl = telecert({"context", "create", "c2", "--crl", "on", "--crl-file", "/nonexistent.crl"});
  EXPECT_EQ(crl.exit_status, 1) << describe(last_argv_, crl);
  EXPECT_TRUE(Contains(crl.error, "could not be read")) << crl.error;
  const auto web = pki_->issue({.name = "web",
                                .common_name = "web.example.com",
                                .dns_names = {"web.example.com"},
                                .extended_key_usage = "serverAuth"});
  telecert_ok(
      {"identity", "import", "web", "--file", web.chain.string(), "--key", web.key.string()});
  auto strict = telecert(
      {"context", "create", "c3", "--identity", "web", "--strict", "on", "--role", "both"});
  EXPECT_EQ(strict.exit_status, 1) << describe(last_argv_, strict);
  auto list = telecert_json({"context", "list"});
  EXPECT_EQ(list.dump().find("\"c2\""), std::string::npos) << list.dump(2);
  EXPECT_EQ(list.dump().find("\"c3\""), std::string::npos) << list.dump(2);
}

TEST_F(VerifyExitStatusTest, ServiceBindToTheSameContextAgainSaysSoAndWritesNoEvent) {
  telecert_ok({"context", "create", "sip"});
  telecert_ok({"service", "bind", "sip-tls", "sip"});
  const auto events = telecert_json({"events"}).size();
  auto again = telecert_ok({"service", "bind", "sip-tls", "sip"});
  EXPECT_TRUE(Contains(again.output, "already bound")) << again.output;
  EXPECT_EQ(telecert_json({"events"}).size(), events);
}

TEST_F(VerifyExitStatusTest, FactoryResetSaysHowManyContextsAndBindingsWentAway) {
  telecert_ok({"context", "create", "sip"});
  telecert_ok({"service", "bind", "sip-tls", "sip"});
  auto text = telecert_ok({"factory-reset", "--yes"});
  EXPECT_TRUE(Contains(text.output, "1 TLS contexts removed")) << text.output;
  EXPECT_TRUE(Contains(text.output, "1 services unbound")) << text.output;
  auto json = telecert_json({"factory-reset", "--yes"});
  EXPECT_EQ(json.value("contexts_removed", -1), 0) << json.dump(2);
  EXPECT_EQ(json.value("services_unbound", -1), 0) << json.dump(2);
}

}  // namespace
}  // namespace telecert::interop
