// `telecert verify FILE --purpose server|client [--name N] [--context C] [--json]` on chain files
// made by the `openssl` command line (support/test_pki.h): the --json fields, the verdicts, the
// exit statuses (0 trusted, 1 a report was made and says not trusted, 2 no report: a usage error,
// a missing or junk file, an unknown or broken context; see verify_exit_status_test.cc).
#include <optional>

#include "interop_fixture.h"
#include "support/test_pki.h"

namespace telecert::interop {
namespace {

using nlohmann::json;
using telecert::testing::LeafOptions;
using telecert::testing::TestCertificate;
using telecert::testing::TestPki;

class VerifyContractTest : public InitialisedTest {
 protected:
  void SetUp() override {
    InitialisedTest::SetUp();
    pki_.emplace(dir_ / "pki");
    telecert_ok({"trust", "add", pki_->root().certificate.string()});
    leaf_ = pki_->issue(
        {.name = "sbc1", .common_name = "sbc1.example.com", .dns_names = {"sbc1.example.com"}});
  }

  // `telecert verify FILE --purpose server --name sbc1.example.com [extra] --json`.
  json verify(const std::filesystem::path& file, int exit_status,
              std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"verify", file.string(), "--purpose", "server"};
    if (std::ranges::find(extra, "--name") == extra.end()) {
      args.insert(args.end(), {"--name", "sbc1.example.com"});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("--json");
    auto result = telecert(args);
    EXPECT_EQ(result.exit_status, exit_status) << describe(last_argv_, result);
    auto parsed = json::parse(result.output, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << describe(last_argv_, result);
    return parsed.is_discarded() ? json::object() : parsed;
  }

  static const json* problem(const json& report, std::string_view code) {
    if (!report.contains("problems") || !report["problems"].is_array()) return nullptr;
    for (const auto& entry : report["problems"]) {
      if (entry.value("code", "") == code) return &entry;
    }
    return nullptr;
  }

  std::optional<TestPki> pki_;
  TestCertificate leaf_;
};

TEST_F(VerifyContractTest, VerifyTrustsAGoodChainFileAndExitsZero) {
  const json report = verify(leaf_.chain, 0);
  EXPECT_EQ(report.value("trusted", false), true) << report.dump(2);
  ASSERT_EQ(report["chain"].size(), 3u) << report.dump(2);
  // The contract: `chain` is the subjects as built; `chain_details` has the rest.
  EXPECT_TRUE(Contains(report["chain"][0].get<std::string>(), "CN=sbc1"));
  EXPECT_TRUE(Contains(report["chain"][1].get<std::string>(), "Telecert Test Intermediate CA"));
  EXPECT_TRUE(Contains(report["chain"][2].get<std::string>(), "Telecert Test Root CA"));
  EXPECT_EQ(report["chain_details"][2].value("trust_anchor", false), true);
  EXPECT_TRUE(report["problems"].is_array() && report["problems"].empty()) << report.dump(2);
  EXPECT_TRUE(report["revocation"].is_array());
}

TEST_F(VerifyContractTest, VerifyOfALeafAloneNamesTheMissingIntermediateAndExitsOne) {
  const json report = verify(leaf_.certificate, 1);
  EXPECT_EQ(report.value("trusted", true), false);
  const json* missing = problem(report, "missing_intermediate");
  ASSERT_NE(missing, nullptr) << report.dump(2);
  EXPECT_TRUE(Contains(missing->value("message", ""), "Telecert Test Intermediate CA"));
}

TEST_F(VerifyContractTest, VerifyWithTheWrongNameListsTheNamesTheCertificateCarries) {
  const json report = verify(leaf_.chain, 1, {"--name", "pbx.example.org"});
  const json* mismatch = problem(report, "name_mismatch");
  ASSERT_NE(mismatch, nullptr) << report.dump(2);
  EXPECT_TRUE(Contains(mismatch->value("message", ""), "sbc1.example.com"));
  EXPECT_TRUE(Contains(mismatch->value("message", ""), "pbx.example.org"));
}

TEST_F(VerifyContractTest, VerifyOfAnExpiredCertificateGivesTheDateItExpired) {
  const auto old = pki_->issue({.name = "old",
                                .dns_names = {"sbc1.example.com"},
                                .valid_from_days = -30,
                                .valid_until_days = -2});
  const json report = verify(old.chain, 1);
  const json* expired = problem(report, "expired");
  ASSERT_NE(expired, nullptr) << report.dump(2);
  const std::string not_after = report["chain_details"][0].value("not_after", "");
  ASSERT_GE(not_after.size(), 10u);
  EXPECT_TRUE(Contains(expired->value("message", ""), not_after.substr(0, 10)));
}

TEST_F(VerifyContractTest, EveryProblemCarriesCodeSeverityMessageAndRemedy) {
  const auto old = pki_->issue({.name = "old", .valid_from_days = -30, .valid_until_days = -2});
  const json report = verify(old.certificate, 1, {"--name", "pbx.example.org"});
  ASSERT_GE(report["problems"].size(), 2u) << report.dump(2);
  for (const auto& entry : report["problems"]) {
    for (const char* field : {"code", "severity", "message", "remedy"}) {
      ASSERT_TRUE(entry.contains(field) && entry[field].is_string()) << entry.dump(2);
      EXPECT_FALSE(entry[field].get<std::string>().empty()) << field << " in " << entry.dump();
    }
  }
}

TEST_F(VerifyContractTest, VerifyJudgesWithTheTrustScopeOfTheContextGiven) {
  // A context that trusts only the built-in (system) roots does not know the test root.
  telecert_ok({"context", "create", "builtin-only", "--role", "client", "--trust", "builtin"});
  const json report = verify(leaf_.full_chain, 1, {"--context", "builtin-only"});
  EXPECT_NE(problem(report, "untrusted_root"), nullptr) << report.dump(2);
  EXPECT_EQ(verify(leaf_.full_chain, 0).value("trusted", false), true);  // default: all roots
}

TEST_F(VerifyContractTest, VerifyTextOutputSaysTheVerdictAndTheRemedy) {
  auto result = telecert({"verify", leaf_.certificate.string(), "--name", "sbc1.example.com"});
  EXPECT_EQ(result.exit_status, 1) << describe(last_argv_, result);
  EXPECT_TRUE(Contains(result.output, "missing_intermediate"));
  EXPECT_TRUE(Contains(result.output, "Telecert Test Intermediate CA"));
}

TEST_F(VerifyContractTest, VerifyRefusesAFileWithoutACertificate) {
  const std::string junk = write("junk.pem", "not a certificate\n");
  auto result = telecert({"verify", junk, "--purpose", "server"});
  EXPECT_EQ(result.exit_status, 2) << describe(last_argv_, result);
  EXPECT_TRUE(Contains(result.error, "certificate"));
}

TEST_F(VerifyContractTest, VerifyRefusesAnUnknownContext) {
  auto result = telecert({"verify", leaf_.chain.string(), "--context", "no-such-context"});
  EXPECT_EQ(result.exit_status, 2) << describe(last_argv_, result);
  EXPECT_TRUE(Contains(result.error, "no-such-context"));
}

TEST_F(VerifyContractTest, VerifyWithABadPurposeOrNameIsAUsageError) {
  auto purpose = telecert({"verify", leaf_.chain.string(), "--purpose", "both"});
  EXPECT_EQ(purpose.exit_status, 2) << describe(last_argv_, purpose);
  EXPECT_TRUE(Contains(purpose.error, "error: "));
  auto name = telecert({"verify", leaf_.chain.string(), "--name", "not a name"});
  EXPECT_EQ(name.exit_status, 2) << describe(last_argv_, name);
  EXPECT_TRUE(Contains(name.error, "not a name"));
}

}  // namespace
}  // namespace telecert::interop
