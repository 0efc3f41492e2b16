// The library path a firmware engineer takes: a ContextRegistry loading from the service, refreshed
// by the service's change listener. A change to a context, to the identity it presents, or to
// the roots of its trust scope publishes a new snapshot; a change elsewhere does not.
#include <gtest/gtest.h>

#include "service/certificate_service.h"
#include "tls/context_registry.h"
#include "unit/service/service_test_fixture.h"

namespace telecert::service::test {
namespace {

// The fingerprint of the certificate the snapshot's server side presents.
std::string presented_fingerprint(const tls::ContextSnapshot& snapshot) {
  X509* leaf = SSL_CTX_get0_certificate(snapshot.server_context());
  if (leaf == nullptr) return "";
  return pki::Certificate::adopt(pki::Owned<X509>(X509_dup(leaf))).sha256_fingerprint();
}

class ContextRegistryWiringTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    initialise();
    registry_ = std::make_unique<tls::ContextRegistry>(
        [this] { return service().registry_material(); },
        tls::ContextSnapshot::Dependencies{clock_, std::make_shared<verify::RevocationChecker>()});
    service().set_change_listener([this] {
      ++notifications_;
      auto refreshed = registry_->refresh();
      ASSERT_TRUE(refreshed) << refreshed.error().message;
      rebuilt_ = *refreshed;
    });
    ASSERT_TRUE(registry_->refresh());
  }

  std::shared_ptr<const tls::ContextSnapshot> sip() const {
    return registry_->for_service("sip-tls");
  }

  std::unique_ptr<tls::ContextRegistry> registry_;
  int notifications_ = 0;             // how often the service told the listener
  std::vector<std::string> rebuilt_;  // what the last refresh rebuilt
};

TEST_F(ContextRegistryWiringTest, UnboundServiceUsesTheDefaultContextOnTheFactoryIdentity) {
  const auto snapshot = sip();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->definition().name, "default");
  const auto factory = expect_ok(service().show_identity("factory"));
  EXPECT_EQ(presented_fingerprint(*snapshot), factory.certificate->sha256_fingerprint);
}

TEST_F(ContextRegistryWiringTest,
       BindingAndIdentityChangesPublishNewSnapshotsAndOldOnesStayUsable) {
  const auto sbc1 = create_self_signed("sbc1");
  const auto sbc2 = create_self_signed("sbc2");
  expect_ok(service().create_context("sip", {{"identity", "sbc1"}}));
  expect_ok(service().bind_service("sip-tls", "sip"));
  const auto before = sip();
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(presented_fingerprint(*before), sbc1.certificate->sha256_fingerprint);

  const int notified = notifications_;
  expect_ok(service().set_context("sip", {{"identity", "sbc2"}}));
  EXPECT_EQ(notifications_, notified + 1);
  EXPECT_EQ(rebuilt_, std::vector<std::string>{"sip"});
  const auto after = sip();
  ASSERT_NE(after, nullptr);
  EXPECT_NE(after, before);
  EXPECT_EQ(presented_fingerprint(*after), sbc2.certificate->sha256_fingerprint);
  // A holder of the old snapshot (a handshake in flight) still has a working SSL_CTX.
  EXPECT_EQ(presented_fingerprint(*before), sbc1.certificate->sha256_fingerprint);
  EXPECT_TRUE(before->new_server());
}

TEST_F(ContextRegistryWiringTest, RenewingTheCertificateOfAnIdentityInUsePublishesTheNewLeaf) {
  const Authority ca = make_root("Wiring CA");
  const pki::Key key = new_key();
  import_pem("sbc1", key, issue_leaf(key, "sbc1.example.com", ca), {ca.certificate});
  expect_ok(service().create_context("sip", {{"identity", "sbc1"}}));
  expect_ok(service().bind_service("sip-tls", "sip"));
  const auto before = sip();
  ASSERT_NE(before, nullptr);

  // The CA re-issues the certificate for the same key, as a renewal does.
  advance(std::chrono::hours(24));
  const pki::Certificate renewed =
      issue_leaf(key, "sbc1.example.com", ca, kStart + std::chrono::days{1});
  const int notified = notifications_;
  expect_ok(service().install_certificate(
      "sbc1", InstallRequest{pem_bytes({renewed, ca.certificate}), std::nullopt}));
  EXPECT_EQ(notifications_, notified + 1);
  EXPECT_EQ(rebuilt_, std::vector<std::string>{"sip"});
  const auto after = sip();
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(presented_fingerprint(*after), renewed.sha256_fingerprint());
  EXPECT_NE(presented_fingerprint(*before), renewed.sha256_fingerprint());
}

TEST_F(ContextRegistryWiringTest, TrustChangesRebuildOnlyTheContextsWhoseScopeHoldsThem) {
  expect_ok(service().create_context("custom-only", {{"trust", "custom"}, {"verify", "none"}}));
  expect_ok(service().create_context("builtin-only", {{"trust", "builtin"}}));
  const auto builtin_before = registry_->for_context("builtin-only");
  const auto custom_before = registry_->for_context("custom-only");
  ASSERT_NE(custom_before, nullptr);
  EXPECT_TRUE(custom_before->trust().anchors().empty());

  const int notified = notifications_;
  add_custom_roots({make_root("Wiring Custom Root").certificate});
  EXPECT_EQ(notifications_, notified + 1);
  // "default" trusts all roots, so the custom root is in its scope too.
  EXPECT_EQ(rebuilt_, (std::vector<std::string>{"custom-only", "default"}));
  const auto custom_after = registry_->for_context("custom-only");
  ASSERT_NE(custom_after, nullptr);
  EXPECT_EQ(custom_after->trust().anchors().size(), 1U);
  EXPECT_EQ(registry_->for_context("builtin-only"), builtin_before);
}

TEST_F(ContextRegistryWiringTest, AChangeOutsideEveryContextRebuildsNothing) {
  const auto before = sip();
  rebuilt_ = {"not refreshed"};
  const int notified = notifications_;
  expect_ok(service().set_setting("expiry_warning_days", "90"));
  // The service tells the listener of every change; the registry finds nothing to rebuild.
  EXPECT_EQ(notifications_, notified + 1);
  EXPECT_TRUE(rebuilt_.empty());
  EXPECT_EQ(sip(), before);
}

}  // namespace
}  // namespace telecert::service::test
