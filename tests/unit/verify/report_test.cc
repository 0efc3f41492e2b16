// The report's JSON shape (the CLI contract) and its human-readable form.
#include "verify/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "unit/verify/test_chain.h"
#include "verify/verifier.h"

namespace telecert::verify {
namespace {

Report mismatched_report() {
  static const pki::Key key = *pki::Key::generate(pki::KeyType::EcP256);
  const pki::Certificate self =
      testing::make_certificate({}, key.get(), nullptr, nullptr);  // sbc1.example.com
  const auto trust = TrustStore::create({self});
  VerifyOptions options;
  options.time = testing::now();
  options.expected_name = DnsName{"other.example.com"};
  const std::vector<pki::Certificate> presented{self};
  return verify(presented, *trust, options);
}

TEST(ReportTest, JsonHoldsTrustedChainProblemsAndRevocation) {
  const Report report = mismatched_report();
  const nlohmann::json json = report;
  EXPECT_EQ(json["trusted"], false);
  ASSERT_EQ(json["chain"].size(), 1u);
  EXPECT_EQ(json["chain"][0], "CN=sbc1.example.com");
  ASSERT_EQ(json["chain_details"].size(), 1u);
  EXPECT_EQ(json["chain_details"][0]["subject"], "CN=sbc1.example.com");
  EXPECT_EQ(json["chain_details"][0]["issuer"], "CN=sbc1.example.com");
  EXPECT_EQ(json["chain_details"][0]["trust_anchor"], true);
  EXPECT_TRUE(json["chain_details"][0]["not_after"].is_string());
  EXPECT_EQ(json["chain_details"][0]["sha256_fingerprint"].get<std::string>().size(), 95u);
  ASSERT_EQ(json["problems"].size(), 1u);
  const auto& problem = json["problems"][0];
  EXPECT_EQ(problem["code"], "name_mismatch");
  EXPECT_EQ(problem["severity"], "error");
  EXPECT_EQ(problem["depth"], 0);
  EXPECT_EQ(problem["subject"], "CN=sbc1.example.com");
  EXPECT_EQ(problem["message"],
            "the certificate is for dns:sbc1.example.com, not other.example.com");
  EXPECT_FALSE(problem["remedy"].get<std::string>().empty());
  EXPECT_TRUE(json["revocation"].is_array());
}

TEST(ReportTest, RevocationEntriesCarryStatusSourceAndTime) {
  Report report;
  report.revocation.push_back({"CN=a", RevocationCheck::Status::Revoked, "OCSP http://127.0.0.1:1",
                               pki::TimePoint{std::chrono::seconds{1769860800}}, "keyCompromise"});
  report.revocation.push_back({"CN=b", RevocationCheck::Status::Unknown, "", std::nullopt, "down"});
  const nlohmann::json json = report;
  EXPECT_EQ(json["revocation"][0]["status"], "revoked");
  EXPECT_EQ(json["revocation"][0]["revoked_at"], "2026-01-31 12:00 UTC");
  EXPECT_TRUE(json["revocation"][1]["revoked_at"].is_null());
  EXPECT_EQ(json["revocation"][1]["detail"], "down");
}

TEST(ReportTest, FormatReportSaysTrustedChainAndEachProblemWithRemedy) {
  const std::string text = format_report(mismatched_report());
  EXPECT_EQ(text.rfind("trusted: no\n", 0), 0u) << text;
  EXPECT_NE(text.find("0: CN=sbc1.example.com  [trust anchor]"), std::string::npos) << text;
  EXPECT_NE(text.find("error name_mismatch (certificate 0): the certificate is for"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("what to do: "), std::string::npos) << text;
}

TEST(ReportTest, CodesHaveStableNames) {
  EXPECT_EQ(to_string(ProblemCode::MissingIntermediate), "missing_intermediate");
  EXPECT_EQ(to_string(ProblemCode::WeakSignature), "weak_signature");
  EXPECT_EQ(to_string(Severity::Warning), "warning");
}

}  // namespace
}  // namespace telecert::verify
