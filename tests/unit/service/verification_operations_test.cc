// CertificateService::verify_chain and probe: a chain file judged by a context, the refusals of
// bad input, and that neither writes anything to the store.
#include "service_test_fixture.h"
#include "support/test_support.h"

namespace telecert::service::test {
namespace {

class VerificationOperationsTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    initialise();
    add_custom_roots({root_.certificate});
  }

  VerifyRequest request_for(const std::vector<pki::Certificate>& chain,
                            std::optional<std::string> name = "sbc1.example.com") const {
    VerifyRequest request;
    request.chain_file = pem_bytes(chain);
    request.purpose = verify::Purpose::Server;
    request.name = std::move(name);
    return request;
  }

  Authority root_ = make_root("Verification Test Root");
  Authority intermediate_ = make_intermediate("Verification Test Intermediate", root_);
  pki::Key leaf_key_ = new_key();
  pki::Certificate leaf_ = issue_leaf(leaf_key_, "sbc1.example.com", intermediate_);
};

TEST_F(VerificationOperationsTest, VerifyChainTrustsAChainUpToACustomRoot) {
  const auto report =
      expect_ok(service().verify_chain(request_for({leaf_, intermediate_.certificate})));
  EXPECT_TRUE(report.trusted);
  ASSERT_EQ(report.chain.size(), 3u);
  EXPECT_EQ(report.chain.front().certificate.subject(), leaf_.subject());
  EXPECT_TRUE(report.chain.back().trust_anchor);
  EXPECT_TRUE(report.problems.empty());
}

TEST_F(VerificationOperationsTest, VerifyChainReportsTheMissingIntermediateOfALeafAlone) {
  const auto report = expect_ok(service().verify_chain(request_for({leaf_})));
  EXPECT_FALSE(report.trusted);
  EXPECT_TRUE(report.has(verify::ProblemCode::MissingIntermediate));
}

TEST_F(VerificationOperationsTest, VerifyChainReportsANameTheCertificateDoesNotCarry) {
  const auto report = expect_ok(
      service().verify_chain(request_for({leaf_, intermediate_.certificate}, "other.example.com")));
  EXPECT_FALSE(report.trusted);
  EXPECT_TRUE(report.has(verify::ProblemCode::NameMismatch));
}

TEST_F(VerificationOperationsTest, VerifyChainWithoutANameDoesNotCheckIt) {
  const auto report = expect_ok(
      service().verify_chain(request_for({leaf_, intermediate_.certificate}, std::nullopt)));
  EXPECT_TRUE(report.trusted);
}

TEST_F(VerificationOperationsTest, VerifyChainJudgesAtTheServiceClock) {
  advance(std::chrono::days{400});  // the leaf is valid for 365 days from kStart
  const auto report =
      expect_ok(service().verify_chain(request_for({leaf_, intermediate_.certificate})));
  EXPECT_FALSE(report.trusted);
  EXPECT_TRUE(report.has(verify::ProblemCode::Expired));
}

TEST_F(VerificationOperationsTest, VerifyChainWritesNothingToTheStore) {
  const auto before = snapshot();
  ASSERT_TRUE(service().verify_chain(request_for({leaf_})));
  EXPECT_EQ(snapshot().dump(1), before.dump(1));
}

TEST_F(VerificationOperationsTest, VerifyChainRefusesAFileWithoutACertificate) {
  VerifyRequest request = request_for({});
  request.chain_file = to_bytes("this is not a certificate\n");
  EXPECT_REFUSED_AND_UNCHANGED(service().verify_chain(request), ErrorCode::MalformedInput);
  request.chain_file = to_bytes(plain_pkcs8_pem(leaf_key_));  // a key is not a chain either
  EXPECT_REFUSED_AND_UNCHANGED(service().verify_chain(request), ErrorCode::MalformedInput);
}

TEST_F(VerificationOperationsTest, VerifyChainRefusesAnUnknownContext) {
  VerifyRequest request = request_for({leaf_, intermediate_.certificate});
  request.context = "no-such-context";
  EXPECT_REFUSED_AND_UNCHANGED(service().verify_chain(request), ErrorCode::NotFound);
}

TEST_F(VerificationOperationsTest, VerifyChainRefusesAMalformedName) {
  for (const std::string name : {"", "sbc1 example com", "exa$mple.com"}) {
    EXPECT_REFUSED_AND_UNCHANGED(
        service().verify_chain(request_for({leaf_, intermediate_.certificate}, name)),
        ErrorCode::InvalidArgument);
  }
}

TEST_F(VerificationOperationsTest, VerifyChainRefusesAFileOverTheUploadLimit) {
  expect_ok(service().set_setting("max_upload_bytes", "1024"));
  VerifyRequest request = request_for({leaf_, intermediate_.certificate});
  request.chain_file.resize(2048, '\n');
  EXPECT_REFUSED_AND_UNCHANGED(service().verify_chain(request), ErrorCode::LimitExceeded);
}

TEST_F(VerificationOperationsTest, ProbeRefusesATargetThatIsNotAUrl) {
  ProbeRequest request;
  request.url = "sbc1.example.com:5061";
  EXPECT_REFUSED_AND_UNCHANGED(service().probe(request), ErrorCode::InvalidArgument);
}

TEST_F(VerificationOperationsTest, ProbeRefusesAnUnknownContextAndAMalformedName) {
  ProbeRequest request;
  request.url = "tls://127.0.0.1:" + std::to_string(telecert::testing::free_port());
  request.context = "no-such-context";
  EXPECT_REFUSED_AND_UNCHANGED(service().probe(request), ErrorCode::NotFound);
  request.context = std::string(tls::kDefaultContextName);
  request.name = "not a name";
  EXPECT_REFUSED_AND_UNCHANGED(service().probe(request), ErrorCode::InvalidArgument);
}

TEST_F(VerificationOperationsTest, ProbeOfAClosedPortIsUnreachable) {
  ProbeRequest request;
  request.url = "tls://127.0.0.1:" + std::to_string(telecert::testing::free_port());
  request.timeout = std::chrono::seconds(2);
  const auto result = service().probe(request);
  ASSERT_TRUE(refused_with(result, ErrorCode::Unreachable));
  EXPECT_TRUE(contains(result.error().message, "connection refused")) << result.error().message;
}

}  // namespace
}  // namespace telecert::service::test
