// Chain ordering: the order we build must be the order `openssl verify -show_chain` builds, and
// what is not on the leaf's path must be reported, not sent.
#include "pki/chain.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "pki/certificate_builder.h"
#include "support/test_support.h"

namespace telecert::pki {
namespace {

using telecert::testing::run_command;
using telecert::testing::TempDir;
using telecert::testing::write_file;

TimePoint now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

CertificateSpec spec_for(std::string common_name, bool is_ca) {
  CertificateSpec spec;
  spec.subject.common_name = std::move(common_name);
  spec.not_before = now() - std::chrono::hours{1};
  spec.is_ca = is_ca;
  return spec;
}

Certificate build(const Key& key, const CertificateSpec& spec, const Certificate* issuer = nullptr,
                  const Key* issuer_key = nullptr) {
  auto certificate = issuer == nullptr ? build_certificate(key, spec) : [&] {
    Issuer with{*issuer, *issuer_key};
    return build_certificate(key, spec, &with);
  }();
  EXPECT_TRUE(certificate) << certificate.error().message;
  return *certificate;
}

std::vector<std::string> names(const std::vector<Certificate>& certificates) {
  std::vector<std::string> result;
  for (const auto& certificate : certificates) result.push_back(certificate.common_name());
  return result;
}

// root -> intermediate -> issuing -> leaf, plus an unrelated self-signed root.
class ChainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (auto* key : {&root_key_, &intermediate_key_, &issuing_key_, &leaf_key_, &other_key_}) {
      *key = new Key(*Key::generate(KeyType::EcP256));
    }
    root_ = new Certificate(build(*root_key_, spec_for("Root CA", true)));
    intermediate_ = new Certificate(
        build(*intermediate_key_, spec_for("Intermediate CA", true), root_, root_key_));
    issuing_ = new Certificate(
        build(*issuing_key_, spec_for("Issuing CA", true), intermediate_, intermediate_key_));
    leaf_ = new Certificate(
        build(*leaf_key_, spec_for("sbc1.example.com", false), issuing_, issuing_key_));
    other_root_ = new Certificate(build(*other_key_, spec_for("Other Root", true)));
  }
  static void TearDownTestSuite() {
    for (auto* certificate : {root_, intermediate_, issuing_, leaf_, other_root_}) {
      delete certificate;
    }
    for (auto* key : {root_key_, intermediate_key_, issuing_key_, leaf_key_, other_key_}) {
      delete key;
    }
  }

  static Key *root_key_, *intermediate_key_, *issuing_key_, *leaf_key_, *other_key_;
  static Certificate *root_, *intermediate_, *issuing_, *leaf_, *other_root_;
};
Key *ChainTest::root_key_, *ChainTest::intermediate_key_, *ChainTest::issuing_key_,
    *ChainTest::leaf_key_, *ChainTest::other_key_;
Certificate *ChainTest::root_, *ChainTest::intermediate_, *ChainTest::issuing_, *ChainTest::leaf_,
    *ChainTest::other_root_;

TEST_F(ChainTest, OrdersShuffledCertificatesLeafToRoot) {
  std::vector<Certificate> given{*root_, *issuing_, *intermediate_};
  std::mt19937 random(42);
  for (int round = 0; round < 6; ++round) {
    std::shuffle(given.begin(), given.end(), random);
    OrderedChain ordered = order_chain(*leaf_, given);
    EXPECT_EQ(ordered.leaf.common_name(), "sbc1.example.com");
    EXPECT_EQ(names(ordered.chain),
              (std::vector<std::string>{"Issuing CA", "Intermediate CA", "Root CA"}));
    EXPECT_TRUE(ordered.unrelated.empty());
  }
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(ChainTest, LeafAndDuplicatesInGivenAreDropped) {
  std::vector<Certificate> given{*intermediate_, *leaf_, *issuing_, *intermediate_, *issuing_};
  OrderedChain ordered = order_chain(*leaf_, given);
  EXPECT_EQ(names(ordered.chain), (std::vector<std::string>{"Issuing CA", "Intermediate CA"}));
  EXPECT_TRUE(ordered.unrelated.empty());
}

TEST_F(ChainTest, UnrelatedCertificatesAreReported) {
  std::vector<Certificate> given{*other_root_, *issuing_, *intermediate_};
  OrderedChain ordered = order_chain(*leaf_, given);
  EXPECT_EQ(names(ordered.chain), (std::vector<std::string>{"Issuing CA", "Intermediate CA"}));
  EXPECT_EQ(names(ordered.unrelated), std::vector<std::string>{"Other Root"});
}

TEST_F(ChainTest, CertificateOffTheLeafsPathIsUnrelatedEvenIfItIsACa) {
  // The root alone, without the intermediates between it and the leaf, is not on the path.
  OrderedChain ordered = order_chain(*leaf_, std::vector<Certificate>{*root_});
  EXPECT_TRUE(ordered.chain.empty());
  EXPECT_EQ(names(ordered.unrelated), std::vector<std::string>{"Root CA"});
}

TEST_F(ChainTest, MissingIntermediatesComeFromExtraButItsRootIsNotAdded) {
  std::vector<Certificate> extra{*other_root_, *root_, *intermediate_, *issuing_};
  OrderedChain ordered = order_chain(*leaf_, {}, extra);
  EXPECT_EQ(names(ordered.chain), (std::vector<std::string>{"Issuing CA", "Intermediate CA"}));
  EXPECT_TRUE(ordered.unrelated.empty());

  // Given certificates are used first; extra fills the gap.
  OrderedChain mixed = order_chain(*leaf_, std::vector<Certificate>{*issuing_, *root_}, extra);
  EXPECT_EQ(names(mixed.chain),
            (std::vector<std::string>{"Issuing CA", "Intermediate CA", "Root CA"}));
  EXPECT_TRUE(mixed.unrelated.empty());
}

TEST_F(ChainTest, SelfSignedLeafHasEmptyChain) {
  Certificate self_signed = build(*leaf_key_, spec_for("standalone", false));
  OrderedChain ordered = order_chain(self_signed, std::vector<Certificate>{*root_});
  EXPECT_TRUE(ordered.chain.empty());
  EXPECT_EQ(names(ordered.unrelated), std::vector<std::string>{"Root CA"});
  OrderedChain root_as_leaf = order_chain(*root_, std::vector<Certificate>{*intermediate_});
  EXPECT_TRUE(root_as_leaf.chain.empty());
}

TEST_F(ChainTest, CrossSignedCertificatesInExtraDoNotRepeat) {
  // A and B cross-certify each other: each has a certificate issued by the other. Walking up from
  // a leaf issued by A must not go round A -> B -> A -> ...
  auto a_key = Key::generate(KeyType::EcP256);
  auto b_key = Key::generate(KeyType::EcP256);
  ASSERT_TRUE(a_key && b_key);
  Certificate a_self = build(*a_key, spec_for("CA A", true));
  Certificate b_self = build(*b_key, spec_for("CA B", true));
  Certificate a_by_b = build(*a_key, spec_for("CA A", true), &b_self, &*b_key);
  Certificate b_by_a = build(*b_key, spec_for("CA B", true), &a_self, &*a_key);
  Certificate leaf = build(*leaf_key_, spec_for("phone", false), &a_by_b, &*a_key);
  std::vector<Certificate> extra{a_by_b, b_by_a};
  OrderedChain ordered = order_chain(leaf, {}, extra);
  EXPECT_EQ(names(ordered.chain), (std::vector<std::string>{"CA A", "CA B"}));

  // Also when the given chain already holds one of them.
  OrderedChain mixed = order_chain(leaf, std::vector<Certificate>{a_by_b}, extra);
  EXPECT_EQ(names(mixed.chain), (std::vector<std::string>{"CA A", "CA B"}));
}

TEST_F(ChainTest, OrderMatchesOpensslVerifyShowChain) {
  TempDir directory;
  write_file(directory / "root.pem", root_->pem());
  write_file(directory / "untrusted.pem",
             intermediate_->pem() + other_root_->pem() + issuing_->pem());
  write_file(directory / "leaf.pem", leaf_->pem());
  auto verified = run_command(
      {"openssl", "verify", "-show_chain", "-CAfile", (directory / "root.pem").string(),
       "-untrusted", (directory / "untrusted.pem").string(), (directory / "leaf.pem").string()});
  ASSERT_EQ(verified.exit_status, 0) << verified.output << verified.error;
  // Lines such as "depth=1: CN = Issuing CA (untrusted)", leaf first.
  std::vector<std::string> openssl_order;
  std::istringstream lines(verified.output);
  for (std::string line; std::getline(lines, line);) {
    auto at = line.find("CN = ");
    if (!line.starts_with("depth=") || at == std::string::npos) continue;
    std::string name = line.substr(at + 5, line.find(" (", at) - at - 5);
    openssl_order.push_back(name);
  }
  std::vector<Certificate> given{*root_, *other_root_, *intermediate_, *issuing_};
  OrderedChain ordered = order_chain(*leaf_, given);
  std::vector<std::string> ours{leaf_->common_name()};
  for (const auto& name : names(ordered.chain)) ours.push_back(name);
  EXPECT_EQ(ours, openssl_order) << verified.output;
}

TEST_F(ChainTest, FindsLeafAmongShuffledCertificates) {
  std::vector<Certificate> certificates{*intermediate_, *root_, *leaf_, *issuing_};
  auto leaf = find_leaf(certificates);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(leaf->common_name(), "sbc1.example.com");
  EXPECT_EQ(find_leaf(std::vector<Certificate>{*root_})->common_name(), "Root CA");
  EXPECT_FALSE(find_leaf({}).has_value());
  // Without the leaf, the lowest CA is the end of the path.
  EXPECT_EQ(find_leaf(std::vector<Certificate>{*root_, *issuing_, *intermediate_})->common_name(),
            "Issuing CA");
}

TEST_F(ChainTest, FindsCertificateForKey) {
  std::vector<Certificate> certificates{*root_, *issuing_, *leaf_};
  auto found = find_certificate_for_key(certificates, *leaf_key_);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->common_name(), "sbc1.example.com");
  EXPECT_FALSE(find_certificate_for_key(certificates, *other_key_).has_value());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST_F(ChainTest, RightOrderHasNoProblems) {
  EXPECT_TRUE(
      chain_order_problems(std::vector<Certificate>{*leaf_, *issuing_, *intermediate_, *root_})
          .empty());
  EXPECT_TRUE(chain_order_problems(std::vector<Certificate>{*leaf_}).empty());
  EXPECT_TRUE(chain_order_problems({}).empty());
}

TEST_F(ChainTest, WrongOrderIsDescribed) {
  auto problems =
      chain_order_problems(std::vector<Certificate>{*root_, *intermediate_, *issuing_, *leaf_});
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("'CN=sbc1.example.com' is, and should come first"), std::string::npos)
      << problems[0];
  EXPECT_EQ(problems.size(), 4u);
}

TEST_F(ChainTest, GapInTheChainIsDescribed) {
  auto problems = chain_order_problems(std::vector<Certificate>{*leaf_, *intermediate_, *root_});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("certificate 2 'CN=Intermediate CA' did not issue certificate 1 "
                             "'CN=sbc1.example.com'"),
            std::string::npos)
      << problems[0];
}

}  // namespace
}  // namespace telecert::pki
