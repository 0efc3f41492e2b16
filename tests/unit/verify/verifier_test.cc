// verify(): chains made in-process (test_chain.h); every verdict and its explanation.
#include "verify/verifier.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "unit/verify/test_chain.h"
#include "verify/problem_text.h"

namespace telecert::verify {
namespace {

using testing::LeafSpec;
using testing::make_certificate;
using testing::now;

pki::Key ec_key() { return *pki::Key::generate(pki::KeyType::EcP256); }

pki::CertificateSpec ca_spec(std::string name) {
  pki::CertificateSpec spec;
  spec.subject.common_name = std::move(name);
  spec.not_before = now() - std::chrono::hours{2};
  spec.validity = std::chrono::days{3650};
  spec.is_ca = true;
  return spec;
}

const Problem* find(const Report& report, ProblemCode code) {
  auto it =
      std::ranges::find_if(report.problems, [code](const Problem& p) { return p.code == code; });
  return it == report.problems.end() ? nullptr : &*it;
}

std::string problems_of(const Report& report) { return format_report(report); }

class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_key_ = ec_key();
    intermediate_key_ = ec_key();
    leaf_key_ = ec_key();
    root_ = *pki::build_certificate(*root_key_, ca_spec("Test Root CA"));
    pki::Issuer by_root{*root_, *root_key_};
    intermediate_ =
        *pki::build_certificate(*intermediate_key_, ca_spec("Test Issuing CA"), &by_root);
    trust_ = TrustStore::create({*root_});
    options_.time = now();
  }

  // A leaf issued by the intermediate.
  pki::Certificate leaf(const LeafSpec& spec = {}, EVP_PKEY* key = nullptr) {
    return make_certificate(spec, key != nullptr ? key : leaf_key_->get(), &*intermediate_,
                            intermediate_key_->get());
  }

  Report run(std::vector<pki::Certificate> presented, RevocationChecker* checker = nullptr) {
    return verify(presented, *trust_, options_, checker);
  }

  std::optional<pki::Key> root_key_, intermediate_key_, leaf_key_;
  std::optional<pki::Certificate> root_, intermediate_;
  std::shared_ptr<const TrustStore> trust_;
  VerifyOptions options_;
};

TEST_F(VerifierTest, TrustsGoodChainAndReportsItAsBuiltWithTheAnchorLast) {
  options_.expected_name = DnsName{"sbc1.example.com"};
  const Report report = run({leaf(), *intermediate_});
  EXPECT_TRUE(report.trusted) << problems_of(report);
  EXPECT_TRUE(report.problems.empty()) << problems_of(report);
  ASSERT_EQ(report.chain.size(), 3u);
  EXPECT_EQ(report.chain[0].certificate.common_name(), "sbc1.example.com");
  EXPECT_EQ(report.chain[2].certificate.common_name(), "Test Root CA");
  EXPECT_TRUE(report.chain[2].trust_anchor);
  EXPECT_FALSE(report.chain[1].trust_anchor);
}

TEST_F(VerifierTest, ReportsMissingIntermediateNamingTheIssuerWhenPeerSendsLeafOnly) {
  const Report report = run({leaf()});
  EXPECT_FALSE(report.trusted);
  const Problem* problem = find(report, ProblemCode::MissingIntermediate);
  ASSERT_NE(problem, nullptr) << problems_of(report);
  EXPECT_NE(problem->message.find("sent only its own certificate"), std::string::npos);
  EXPECT_NE(problem->message.find("'CN=Test Issuing CA'"), std::string::npos) << problem->message;
  EXPECT_NE(problem->remedy.find("trusted certificates"), std::string::npos);
  ASSERT_EQ(report.chain.size(), 1u);
  EXPECT_FALSE(report.chain[0].trust_anchor);
  // One fact, one problem: not also "unable to verify the first certificate".
  EXPECT_EQ(report.problems.size(), 1u) << problems_of(report);
}

TEST_F(VerifierTest, ReportsUntrustedRootWithItsSubject) {
  const pki::Key other_key = ec_key();
  const pki::Certificate other_root = *pki::build_certificate(other_key, ca_spec("Other Root"));
  const auto other_trust = TrustStore::create({other_root});
  const std::vector<pki::Certificate> presented{leaf(), *intermediate_, *root_};
  const Report report = verify(presented, *other_trust, options_);
  EXPECT_FALSE(report.trusted);
  const Problem* problem = find(report, ProblemCode::UntrustedRoot);
  ASSERT_NE(problem, nullptr) << problems_of(report);
  EXPECT_NE(problem->message.find("CN=Test Root CA"), std::string::npos) << problem->message;
  EXPECT_EQ(report.chain.size(), 3u);
}

TEST_F(VerifierTest, ReportsSelfSignedPeerCertificate) {
  const pki::Certificate self = make_certificate({}, leaf_key_->get(), nullptr, nullptr);
  const Report report = run({self});
  EXPECT_FALSE(report.trusted);
  EXPECT_TRUE(report.has(ProblemCode::SelfSigned)) << problems_of(report);
}

TEST_F(VerifierTest, ReportsExpiredWithTheDateAndHowLongAgo) {
  LeafSpec spec;
  spec.not_before = now() - std::chrono::days{60};
  spec.not_after = now() - std::chrono::days{30};
  options_.time = spec.not_after + std::chrono::days{23} + std::chrono::hours{2};
  const Report report = run({leaf(spec), *intermediate_});
  EXPECT_FALSE(report.trusted);
  const Problem* problem = find(report, ProblemCode::Expired);
  ASSERT_NE(problem, nullptr) << problems_of(report);
  EXPECT_EQ(problem->depth, 0);
  EXPECT_NE(problem->message.find("expired on " + problem_text::format_time(spec.not_after)),
            std::string::npos)
      << problem->message;
  EXPECT_NE(problem->message.find("23 days ago"), std::string::npos) << problem->message;
}

TEST_F(VerifierTest, ReportsNotYetValidAtAnEarlierTime) {
  options_.time = now() - std::chrono::days{3};
  const Report report = run({leaf(), *intermediate_});
  EXPECT_FALSE(report.trusted);
  const Problem* problem = find(report, ProblemCode::NotYetValid);
  ASSERT_NE(problem, nullptr) << problems_of(report);
  EXPECT_NE(problem->message.find("not valid before"), std::string::npos);
}

TEST_F(VerifierTest, NameMismatchListsTheNamesTheCertificateCarries) {
  LeafSpec spec;
  spec.sans = "DNS:a.example.com,DNS:b.example.com";
  options_.expected_name = DnsName{"sbc1.example.com"};
  const Report report = run({leaf(spec), *intermediate_});
  EXPECT_FALSE(report.trusted);
  const Problem* problem = find(report, ProblemCode::NameMismatch);
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->message,
            "the certificate is for dns:a.example.com, dns:b.example.com, not sbc1.example.com");
}

TEST_F(VerifierTest, WildcardSanMatchesExactlyOneLeftMostLabel) {
  LeafSpec spec;
  spec.sans = "DNS:*.example.com";
  const pki::Certificate wildcard = leaf(spec);
  options_.expected_name = DnsName{"sbc1.example.com"};
  EXPECT_TRUE(run({wildcard, *intermediate_}).trusted);
  options_.expected_name = DnsName{"a.sbc1.example.com"};
  EXPECT_TRUE(run({wildcard, *intermediate_}).has(ProblemCode::NameMismatch));
  options_.expected_name = DnsName{"example.com"};
  EXPECT_TRUE(run({wildcard, *intermediate_}).has(ProblemCode::NameMismatch));
}

TEST_F(VerifierTest, IpAddressMatchesOnlyAnIpSan) {
  LeafSpec spec;
  spec.common_name = "192.0.2.10";
  spec.sans = "DNS:sbc1.example.com,IP:2001:db8::1";
  const pki::Certificate certificate = leaf(spec);
  options_.expected_name = *parse_reference_identity("[2001:DB8:0::1]");
  EXPECT_TRUE(run({certificate, *intermediate_}).trusted);
  options_.expected_name = *parse_reference_identity("192.0.2.10");
  options_.names.common_name_fallback = true;
  EXPECT_TRUE(run({certificate, *intermediate_}).has(ProblemCode::NameMismatch));
}

TEST_F(VerifierTest, SipDomainMatchesSipUriSanOrEqualDnsSanButNoWildcard) {
  LeafSpec by_uri;
  by_uri.sans = "URI:sip:example.com";
  options_.expected_name = *parse_reference_identity("sips:example.com:5061");
  EXPECT_TRUE(run({leaf(by_uri), *intermediate_}).trusted);
  LeafSpec by_dns;
  by_dns.sans = "DNS:example.com";
  EXPECT_TRUE(run({leaf(by_dns), *intermediate_}).trusted);
  LeafSpec wildcard;
  wildcard.sans = "DNS:*.example.com";
  options_.expected_name = *parse_reference_identity("sip:pbx.example.com");
  EXPECT_TRUE(run({leaf(wildcard), *intermediate_}).has(ProblemCode::NameMismatch));
}

TEST_F(VerifierTest, CommonNameCountsOnlyInFallbackModeAndOnlyWithoutDnsSan) {
  LeafSpec no_san;
  no_san.sans = "";
  options_.expected_name = DnsName{"sbc1.example.com"};
  EXPECT_TRUE(run({leaf(no_san), *intermediate_}).has(ProblemCode::NameMismatch));
  options_.names.common_name_fallback = true;
  EXPECT_TRUE(run({leaf(no_san), *intermediate_}).trusted);
  LeafSpec other_san;
  other_san.sans = "DNS:other.example.com";
  EXPECT_TRUE(run({leaf(other_san), *intermediate_}).has(ProblemCode::NameMismatch));
}

TEST_F(VerifierTest, ServerPurposeRefusesACertificateForClientsOnly) {
  LeafSpec spec;
  spec.eku = "clientAuth";
  const Report report = run({leaf(spec), *intermediate_});
  EXPECT_FALSE(report.trusted);
  const Problem* problem = find(report, ProblemCode::BadKeyUsage);
  ASSERT_NE(problem, nullptr);
  EXPECT_NE(problem->remedy.find("serverAuth"), std::string::npos);
}

TEST_F(VerifierTest, LeafWithoutEkuIsAcceptedForEitherPurpose) {
  LeafSpec spec;
  spec.eku = "";
  EXPECT_TRUE(run({leaf(spec), *intermediate_}).trusted);
  options_.purpose = Purpose::Client;
  EXPECT_TRUE(run({leaf(spec), *intermediate_}).trusted);
}

TEST_F(VerifierTest, ClientCertificateWithServerAuthOnlyIsAcceptedWithAWarningWhenNotStrict) {
  LeafSpec spec;
  spec.eku = "serverAuth";
  options_.purpose = Purpose::Client;
  const Report report = run({leaf(spec), *intermediate_});
  EXPECT_TRUE(report.trusted) << problems_of(report);
  const Problem* problem = find(report, ProblemCode::BadKeyUsage);
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->severity, Severity::Warning);
  EXPECT_NE(problem->message.find("2026"), std::string::npos);
  EXPECT_NE(problem->remedy.find("private CA"), std::string::npos);
}

TEST_F(VerifierTest, ClientCertificateWithServerAuthOnlyIsRefusedWhenStrict) {
  LeafSpec spec;
  spec.eku = "serverAuth";
  options_.purpose = Purpose::Client;
  options_.strict = true;
  const Report report = run({leaf(spec), *intermediate_});
  EXPECT_FALSE(report.trusted);
  const Problem* problem = find(report, ProblemCode::BadKeyUsage);
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->severity, Severity::Error);
  EXPECT_NE(problem->message.find("strict validation refuses it"), std::string::npos);
}

TEST_F(VerifierTest, KeyUsageForRoleRefusesLeafWhoseKeyUsageCannotSign) {
  LeafSpec spec;
  spec.key_usage = "critical,keyAgreement";
  options_.purpose = Purpose::Client;
  options_.strict = true;
  EXPECT_TRUE(run({leaf(spec), *intermediate_}).trusted);
  options_.key_usage_for_role = true;
  EXPECT_TRUE(run({leaf(spec), *intermediate_}).has(ProblemCode::BadKeyUsage));
}

TEST_F(VerifierTest, Rsa1024KeyIsAnErrorUnlessLegacyMakesItAWarning) {
  const pki::Certificate weak = leaf({}, testing::rsa_key(1024));
  const Report report = run({weak, *intermediate_});
  EXPECT_FALSE(report.trusted);
  const Problem* problem = find(report, ProblemCode::WeakKey);
  ASSERT_NE(problem, nullptr) << problems_of(report);
  EXPECT_NE(problem->message.find("1024-bit RSA"), std::string::npos) << problem->message;
  options_.legacy = true;
  const Report legacy = run({weak, *intermediate_});
  EXPECT_TRUE(legacy.trusted) << problems_of(legacy);
  EXPECT_EQ(find(legacy, ProblemCode::WeakKey)->severity, Severity::Warning);
}

TEST_F(VerifierTest, Sha1SignatureIsAWeakSignature) {
  LeafSpec spec;
  spec.digest = EVP_sha1();
  const Report report = run({leaf(spec), *intermediate_});
  EXPECT_FALSE(report.trusted);
  const Problem* problem = find(report, ProblemCode::WeakSignature);
  ASSERT_NE(problem, nullptr) << problems_of(report);
  EXPECT_NE(problem->message.find("SHA1"), std::string::npos) << problem->message;
}

TEST_F(VerifierTest, MoreIntermediatesThanMaxDepthIsPathLength) {
  options_.max_depth = 1;
  EXPECT_TRUE(run({leaf(), *intermediate_}).trusted);
  options_.max_depth = 0;
  const Report report = run({leaf(), *intermediate_});
  EXPECT_FALSE(report.trusted);
  EXPECT_TRUE(report.has(ProblemCode::PathLength)) << problems_of(report);
}

TEST_F(VerifierTest, HandedInCrlRevokingTheLeafReportsRevokedWithSourceAndDate) {
  const pki::Certificate revoked = leaf();
  const pki::TimePoint when = now() - std::chrono::hours{1};
  const std::string leaf_crl =
      testing::make_crl(*intermediate_, intermediate_key_->get(), {&revoked}, when);
  const std::string root_crl = testing::make_crl(*root_, root_key_->get(), {}, when);
  options_.revocation.crl = true;
  options_.revocation.fetch_distribution_points = false;
  options_.revocation.crls = {Bytes(leaf_crl.begin(), leaf_crl.end()),
                              Bytes(root_crl.begin(), root_crl.end())};
  RevocationChecker checker;
  const Report report = run({revoked, *intermediate_}, &checker);
  EXPECT_FALSE(report.trusted);
  const Problem* problem = find(report, ProblemCode::Revoked);
  ASSERT_NE(problem, nullptr) << problems_of(report);
  EXPECT_NE(problem->message.find("CN=Test Issuing CA"), std::string::npos) << problem->message;
  EXPECT_NE(problem->message.find(problem_text::format_time(when)), std::string::npos);
  ASSERT_EQ(report.revocation.size(), 2u);
  EXPECT_EQ(report.revocation[0].status, RevocationCheck::Status::Revoked);
  EXPECT_EQ(report.revocation[0].revoked_at, when);
  const Report good = run({leaf(), *intermediate_}, &checker);
  EXPECT_TRUE(good.trusted) << problems_of(good);
  ASSERT_EQ(good.revocation.size(), 2u);
  EXPECT_EQ(good.revocation[0].status, RevocationCheck::Status::Good);
  EXPECT_EQ(good.revocation[0].source, "the CRL issued by 'CN=Test Issuing CA'");
}

TEST_F(VerifierTest, CrlCheckWithoutAnyCrlFollowsTheDefaultResponse) {
  options_.revocation.crl = true;
  options_.revocation.fetch_distribution_points = false;
  RevocationChecker checker;
  const Report rejected = run({leaf(), *intermediate_}, &checker);
  EXPECT_FALSE(rejected.trusted);
  EXPECT_TRUE(rejected.has(ProblemCode::RevocationUnknown));
  options_.revocation.when_unknown = WhenUnknown::Accept;
  const Report accepted = run({leaf(), *intermediate_}, &checker);
  EXPECT_TRUE(accepted.trusted) << problems_of(accepted);
  EXPECT_EQ(find(accepted, ProblemCode::RevocationUnknown)->severity, Severity::Warning);
}

// OpenSSL can stop without consulting the verify callback (out of memory, a failed store
// lookup, an internal error); X509_STORE_set_verify stands in for such a stop here: it runs
// after the CRL check, so the callback has already recorded (and the policy accepted) the
// missing CRLs, and before the signatures and dates would have been checked.
int stop_keeping_the_last_error(X509_STORE_CTX*) { return 0; }
int stop_with_an_internal_error(X509_STORE_CTX* context) {
  X509_STORE_CTX_set_error(context, X509_V_ERR_UNSPECIFIED);
  return 0;
}

TEST_F(VerifierTest, ChainOpenSslStoppedCheckingIsNotTrustedEvenWithOnlyAcceptedWarnings) {
  options_.revocation.crl = true;
  options_.revocation.fetch_distribution_points = false;
  options_.revocation.when_unknown = WhenUnknown::Accept;
  RevocationChecker checker;
  ASSERT_TRUE(run({leaf(), *intermediate_}, &checker).trusted);
  for (auto* stop : {stop_keeping_the_last_error, stop_with_an_internal_error}) {
    const auto trust = TrustStore::create({*root_});
    X509_STORE_set_verify(trust->get(), stop);
    const std::vector<pki::Certificate> presented{leaf(), *intermediate_};
    const Report report = verify(presented, *trust, options_, &checker);
    EXPECT_FALSE(report.trusted) << problems_of(report);
    EXPECT_TRUE(std::ranges::any_of(report.problems, [](const Problem& p) {
      return p.severity == Severity::Error;
    })) << problems_of(report);
  }
}

TEST_F(VerifierTest, NoCertificateIsReportedAsSuch) {
  const Report report = run({});
  EXPECT_FALSE(report.trusted);
  EXPECT_TRUE(report.has(ProblemCode::NoCertificate));
}

TEST(PurposeTest, ParsesServerAndClientAndRefusesOthers) {
  EXPECT_EQ(parse_purpose("server"), Purpose::Server);
  EXPECT_EQ(parse_purpose("client"), Purpose::Client);
  EXPECT_FALSE(parse_purpose("both"));
}

}  // namespace
}  // namespace telecert::verify
