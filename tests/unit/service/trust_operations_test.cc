// CertificateService trusted-root operations: add (every certificate of a file), the custom limit,
// duplicates, remove (custom only), export by source, list with expiry status.
#include <gtest/gtest.h>

#include "pki/file_decoder.h"
#include "unit/service/service_test_fixture.h"

namespace telecert::service::test {
namespace {

using namespace std::chrono_literals;

class TrustOperationsTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    initialise();
  }

  static std::vector<pki::Certificate> new_roots(int count,
                                                 const std::string& prefix = "Custom Root") {
    std::vector<pki::Certificate> roots;
    for (int i = 0; i < count; ++i) {
      roots.push_back(make_root(prefix + " " + std::to_string(i)).certificate);
    }
    return roots;
  }

  std::vector<TrustAnchorView> anchors_of(std::string_view source) {
    std::vector<TrustAnchorView> out;
    for (auto& anchor : expect_ok(service().list_trust())) {
      if (anchor.source == source) out.push_back(anchor);
    }
    return out;
  }
};

TEST_F(TrustOperationsTest, AddTrustAddsEveryCertificateOfABundleAsCustomRoot) {
  const auto roots = new_roots(3);
  auto view = add_custom_roots(roots);
  ASSERT_EQ(view.added.size(), 3u);
  EXPECT_TRUE(view.duplicates.empty());
  auto custom = anchors_of("custom");
  ASSERT_EQ(custom.size(), 3u);
  for (std::size_t i = 0; i < roots.size(); ++i) {
    EXPECT_EQ(custom[i].certificate.sha256_fingerprint, roots[i].sha256_fingerprint());
    EXPECT_EQ(custom[i].certificate.subject, roots[i].subject());
    EXPECT_EQ(custom[i].certificate.issuer, roots[i].issuer());
    EXPECT_EQ(custom[i].id, view.added[i].id);
    EXPECT_TRUE(custom[i].enabled);
  }
  EXPECT_EQ(anchors_of("builtin").size(), builtin_roots().size());
}

TEST_F(TrustOperationsTest, AddTrustAcceptsDerAndPkcs7Files) {
  const auto root = make_root("DER Root").certificate;
  ASSERT_EQ(expect_ok(service().add_trust(root.der())).added.size(), 1u);

  const auto a = make_root("P7 Root A").certificate;
  const auto b = make_root("P7 Root B").certificate;
  pki::Owned<STACK_OF(X509)> stack(sk_X509_new_null());
  for (const auto* certificate : {&a, &b}) {
    X509_up_ref(certificate->get());
    sk_X509_push(stack.get(), certificate->get());
  }
  pki::Owned<PKCS7> bundle(PKCS7_new());
  PKCS7_set_type(bundle.get(), NID_pkcs7_signed);
  PKCS7_content_new(bundle.get(), NID_pkcs7_data);
  for (const auto* certificate : {&a, &b}) PKCS7_add_certificate(bundle.get(), certificate->get());
  unsigned char* der = nullptr;
  const int length = i2d_PKCS7(bundle.get(), &der);
  ASSERT_GT(length, 0);
  Bytes p7b(der, der + length);
  OPENSSL_free(der);
  EXPECT_EQ(expect_ok(service().add_trust(p7b)).added.size(), 2u);
  EXPECT_EQ(anchors_of("custom").size(), 3u);
}

// The issue: "each operation that changes the store writes one event". A bundle of N roots is one
// operation: one trust.add event whose object names every added root ("trust:4,5,6").
TEST_F(TrustOperationsTest, AddTrustOfABundleWritesOneEventNamingEveryAddedRoot) {
  const auto before = all_events().size();
  auto view = add_custom_roots(new_roots(3));
  auto events = all_events();
  ASSERT_EQ(events.size(), before + 1);
  EXPECT_EQ(events[0].action, "trust.add");
  EXPECT_EQ(events[0].actor, kActor);
  EXPECT_EQ(events[0].outcome, "ok");
  std::string expected = "trust:";
  for (std::size_t i = 0; i < view.added.size(); ++i) {
    expected += (i == 0 ? "" : ",") + std::to_string(view.added[i].id);
  }
  EXPECT_EQ(events[0].object, expected);
}

TEST_F(TrustOperationsTest, AddingADuplicateRootIsAlreadyExistsAndLeavesStoreUnchanged) {
  const auto roots = new_roots(2);
  add_custom_roots(roots);
  EXPECT_REFUSED_AND_UNCHANGED(service().add_trust(pem_bytes(roots)), ErrorCode::AlreadyExists);
  EXPECT_REFUSED_AND_UNCHANGED(service().add_trust(pem_bytes({roots[1]})),
                               ErrorCode::AlreadyExists);
}

TEST_F(TrustOperationsTest, AddingABuiltinRootAsCustomIsAlreadyExistsAndLeavesStoreUnchanged) {
  EXPECT_REFUSED_AND_UNCHANGED(service().add_trust(pem_bytes({builtin_roots()[0].certificate})),
                               ErrorCode::AlreadyExists);
}

TEST_F(TrustOperationsTest, AddTrustWithSomeDuplicatesAddsTheNewOnesAndNamesTheDuplicates) {
  const auto roots = new_roots(2);
  add_custom_roots({roots[0]});
  auto view = add_custom_roots(roots);
  ASSERT_EQ(view.added.size(), 1u);
  EXPECT_EQ(view.added[0].certificate.sha256_fingerprint, roots[1].sha256_fingerprint());
  EXPECT_EQ(view.duplicates, std::vector<std::string>{roots[0].subject()});
  EXPECT_EQ(anchors_of("custom").size(), 2u);
}

TEST_F(TrustOperationsTest, TheDefaultLimitAllows25CustomRootsAndRefusesThe26th) {
  add_custom_roots(new_roots(25));
  EXPECT_REFUSED_AND_UNCHANGED(service().add_trust(pem_bytes(new_roots(1, "One Too Many"))),
                               ErrorCode::LimitExceeded);
  EXPECT_EQ(anchors_of("custom").size(), 25u);
}

TEST_F(TrustOperationsTest, ABundleThatWouldCrossTheLimitAddsNothing) {
  expect_ok(service().set_setting("max_custom_trusted", "3"));
  add_custom_roots(new_roots(2, "First"));
  EXPECT_REFUSED_AND_UNCHANGED(service().add_trust(pem_bytes(new_roots(2, "Second"))),
                               ErrorCode::LimitExceeded);
  EXPECT_EQ(anchors_of("custom").size(), 2u);
  // Exactly reaching the limit is fine.
  add_custom_roots(new_roots(1, "Third"));
  EXPECT_EQ(anchors_of("custom").size(), 3u);
}

TEST_F(TrustOperationsTest, BuiltinRootsDoNotCountTowardsTheCustomLimit) {
  expect_ok(service().set_setting("max_custom_trusted", "1"));
  add_custom_roots(new_roots(1));
  EXPECT_EQ(anchors_of("custom").size(), 1u);
}

TEST_F(TrustOperationsTest, AddTrustRefusesFileOverMaxUploadBytesAndLeavesStoreUnchanged) {
  expect_ok(service().set_setting("max_upload_bytes", "1024"));
  const std::string padded = pem_of(new_roots(1)) + std::string(1100, '\n');
  EXPECT_REFUSED_AND_UNCHANGED(service().add_trust(as_bytes(padded)), ErrorCode::LimitExceeded);
}

TEST_F(TrustOperationsTest, AddTrustRefusesJunkEmptyAndTruncatedFilesAndLeavesStoreUnchanged) {
  const std::string pem = pem_of(new_roots(1));
  EXPECT_REFUSED_AND_UNCHANGED(service().add_trust(as_bytes("")), ErrorCode::MalformedInput);
  EXPECT_REFUSED_AND_UNCHANGED(service().add_trust(as_bytes("\x01\x02junk\xff")),
                               ErrorCode::MalformedInput);
  EXPECT_REFUSED_AND_UNCHANGED(service().add_trust(as_bytes(pem.substr(0, pem.size() / 2))),
                               ErrorCode::MalformedInput);
}

TEST_F(TrustOperationsTest, RemoveTrustRemovesACustomRootAndWritesOneEvent) {
  auto added = add_custom_roots(new_roots(2));
  const auto id = added.added[0].id;
  const auto before = all_events().size();
  expect_ok(service().remove_trust(id));
  auto custom = anchors_of("custom");
  ASSERT_EQ(custom.size(), 1u);
  EXPECT_EQ(custom[0].id, added.added[1].id);
  auto events = all_events();
  ASSERT_EQ(events.size(), before + 1);
  EXPECT_EQ(events[0].action, "trust.remove");
  EXPECT_EQ(events[0].object, "trust:" + std::to_string(id));
  EXPECT_EQ(events[0].actor, kActor);
}

TEST_F(TrustOperationsTest, RemovingABuiltinRootIsForbiddenAndLeavesStoreUnchanged) {
  const auto builtin = anchors_of("builtin");
  ASSERT_FALSE(builtin.empty());
  EXPECT_REFUSED_AND_UNCHANGED(service().remove_trust(builtin[0].id), ErrorCode::Forbidden);
}

TEST_F(TrustOperationsTest, RemovingAnUnknownRootIsNotFoundAndLeavesStoreUnchanged) {
  EXPECT_REFUSED_AND_UNCHANGED(service().remove_trust(987654), ErrorCode::NotFound);
}

TEST_F(TrustOperationsTest, RemovingARootKeepsItInTheChainOfAnIdentityThatCarriesIt) {
  const Authority ca = make_root("Corporate CA");
  add_custom_roots({ca.certificate});
  const pki::Key key = new_key();
  import_pem("phone", key, issue_leaf(key, "phone.example.com", ca), {ca.certificate});
  expect_ok(service().remove_trust(anchors_of("custom").at(0).id));
  auto phone = expect_ok(service().show_identity("phone"));
  ASSERT_EQ(phone.chain.size(), 1u);
  EXPECT_EQ(phone.chain[0].sha256_fingerprint, ca.certificate.sha256_fingerprint());
}

TEST_F(TrustOperationsTest, AddTrustAcceptsACertificateAlreadyStoredInAnIdentityChain) {
  const Authority ca = make_root("Corporate CA");
  const pki::Key key = new_key();
  import_pem("phone", key, issue_leaf(key, "phone.example.com", ca), {ca.certificate});
  auto view = add_custom_roots({ca.certificate});
  ASSERT_EQ(view.added.size(), 1u);
  EXPECT_EQ(anchors_of("custom").size(), 1u);
}

TEST_F(TrustOperationsTest, ExportTrustWritesTheAnchorsOfTheChosenSource) {
  const auto roots = new_roots(2);
  add_custom_roots(roots);
  auto count = [&](TrustFilter filter) {
    auto pem = expect_ok(service().export_trust(filter));
    return expect_ok(pki::read_certificates(as_bytes(pem))).size();
  };
  EXPECT_EQ(count(TrustFilter::Custom), 2u);
  EXPECT_EQ(count(TrustFilter::Builtin), builtin_roots().size());
  EXPECT_EQ(count(TrustFilter::All), builtin_roots().size() + 2);
  auto custom = expect_ok(
      pki::read_certificates(as_bytes(expect_ok(service().export_trust(TrustFilter::Custom)))));
  EXPECT_EQ(custom[0].sha256_fingerprint(), roots[0].sha256_fingerprint());
  EXPECT_EQ(custom[1].sha256_fingerprint(), roots[1].sha256_fingerprint());
}

TEST_F(TrustOperationsTest, ExportTrustOfNoCustomRootsIsEmpty) {
  EXPECT_EQ(expect_ok(service().export_trust(TrustFilter::Custom)), "");
}

TEST(TrustFilterTest, ParsesAllBuiltinAndCustom) {
  EXPECT_EQ(parse_trust_filter("all").value(), TrustFilter::All);
  EXPECT_EQ(parse_trust_filter("builtin").value(), TrustFilter::Builtin);
  EXPECT_EQ(parse_trust_filter("custom").value(), TrustFilter::Custom);
  EXPECT_TRUE(refused_with(parse_trust_filter("system"), ErrorCode::InvalidArgument));
}

TEST_F(TrustOperationsTest, ListTrustFlagsRootsOkWarningAndExpiredAsTheClockMoves) {
  add_custom_roots({make_root("Long Root", kStart, Days{3650}).certificate,
                    make_root("Warning Root", kStart, Days{60}).certificate,
                    make_root("Soon Root", kStart, Days{61}).certificate});
  auto status_of = [&](std::string_view common_name) {
    for (const auto& anchor : anchors_of("custom")) {
      if (anchor.certificate.common_name == common_name) return anchor.certificate.status;
    }
    ADD_FAILURE() << "no root " << common_name;
    return ExpiryStatus::Pending;
  };
  EXPECT_EQ(status_of("Long Root"), ExpiryStatus::Ok);
  EXPECT_EQ(status_of("Warning Root"), ExpiryStatus::Warning);
  EXPECT_EQ(status_of("Soon Root"), ExpiryStatus::Ok);
  advance(Days{1} - 1s);
  EXPECT_EQ(status_of("Soon Root"), ExpiryStatus::Ok);
  advance(1s);
  EXPECT_EQ(status_of("Soon Root"), ExpiryStatus::Warning);
  advance(Days{59} + 1s);
  EXPECT_EQ(status_of("Warning Root"), ExpiryStatus::Expired);
  EXPECT_EQ(status_of("Soon Root"), ExpiryStatus::Warning);
  advance(Days{1});
  EXPECT_EQ(status_of("Soon Root"), ExpiryStatus::Expired);
  EXPECT_EQ(status_of("Long Root"), ExpiryStatus::Ok);
}

}  // namespace
}  // namespace telecert::service::test
