// CertificateService: open, init (the factory identity and the built-in roots), status, events,
// factory reset, uploads, and keys at rest.
#include "service/certificate_service.h"

#include <gtest/gtest.h>

#include "store/master_key.h"
#include "store/sqlite_store.h"
#include "unit/service/service_test_fixture.h"

namespace telecert::service::test {
namespace {

using namespace std::chrono_literals;
using telecert::testing::read_file;
using telecert::testing::write_file;

// --- open ---

TEST(CertificateServiceOpenTest, OpenExistingRefusesDataDirectoryThatWasNeverInitialised) {
  TempDir dir;
  auto clock = std::make_shared<FixedClock>(kStart);
  auto opened =
      CertificateService::open(dir / "data", clock, "test", CertificateService::OpenMode::Existing);
  EXPECT_TRUE(refused_with(opened, ErrorCode::NotFound));
  EXPECT_FALSE(std::filesystem::exists(dir / "data" / "telecert.db"));
}

class CertificateServiceTest : public ServiceTest {};

TEST_F(CertificateServiceTest, OpenKeepsMasterKeyAndDatabaseReadableByOwnerOnly) {
  EXPECT_EQ(mode_of(data_dir() / "master.key"), 0600);
  EXPECT_EQ(mode_of(database()), 0600);
  EXPECT_EQ(mode_of(data_dir()), 0700);
}

TEST_F(CertificateServiceTest, ReopenedDataDirectoryKeepsIdentitiesAndKeys) {
  initialise();
  create_self_signed("web");
  service_.reset();
  service_ = open_service(CertificateService::OpenMode::Existing);
  ASSERT_NE(service_, nullptr);
  auto identities = expect_ok(service().list_identities());
  ASSERT_EQ(identities.size(), 2u);
  ExportRequest request{ExportFormat::Pkcs12, true, Secret("export-pass")};
  auto pkcs12 = expect_ok(service().export_identity("web", request));
  auto contents = expect_ok(pki::read_pkcs12(pkcs12, Secret("export-pass")));
  ASSERT_TRUE(contents.key && contents.certificate);
  EXPECT_TRUE(contents.key->matches(X509_get0_pubkey(contents.certificate->get())));
}

TEST_F(CertificateServiceTest, OpenRefusesDatabaseWhoseMasterKeyFileIsMissing) {
  initialise();
  create_self_signed("web");
  service_.reset();
  std::filesystem::remove(data_dir() / "master.key");
  for (auto mode :
       {CertificateService::OpenMode::Existing, CertificateService::OpenMode::CreateIfMissing}) {
    auto opened = CertificateService::open(data_dir(), clock_, std::string(kActor), mode);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::NotFound) << opened.error().message;
    EXPECT_NE(opened.error().hint.find("backup"), std::string::npos) << opened.error().hint;
  }
  // A new master key would leave every stored private key undecryptable: none was made.
  EXPECT_FALSE(std::filesystem::exists(data_dir() / "master.key"));
}

// --- init ---

TEST_F(CertificateServiceTest, InitCreatesSelfSignedFactoryIdentityNamedAfterTheDeviceId) {
  const IdentityView factory = initialise();
  EXPECT_EQ(factory.name, "factory");
  EXPECT_EQ(factory.origin, "factory");
  EXPECT_EQ(factory.status, ExpiryStatus::Ok);
  ASSERT_TRUE(factory.certificate);
  EXPECT_EQ(factory.certificate->common_name, kDeviceId);
  EXPECT_TRUE(factory.certificate->self_signed);
  EXPECT_TRUE(factory.chain.empty());
  EXPECT_EQ(factory.certificate->not_before, kStart);
  EXPECT_EQ(factory.certificate->not_after, kStart + kFactoryValidity);

  auto status = expect_ok(service().status());
  EXPECT_EQ(status.device_id, kDeviceId);
  ASSERT_EQ(status.identities.size(), 1u);
  EXPECT_EQ(status.identities[0].name, "factory");
}

TEST_F(CertificateServiceTest, InitLoadsEveryCertificateOfTheSystemBundleAsBuiltinRoots) {
  initialise();
  auto anchors = expect_ok(service().list_trust());
  ASSERT_EQ(anchors.size(), builtin_roots().size());
  for (std::size_t i = 0; i < anchors.size(); ++i) {
    EXPECT_EQ(anchors[i].source, "builtin");
    EXPECT_TRUE(anchors[i].enabled);
    EXPECT_EQ(anchors[i].certificate.sha256_fingerprint,
              builtin_roots()[i].certificate.sha256_fingerprint());
  }
}

TEST_F(CertificateServiceTest, InitWritesOneEvent) {
  initialise();
  auto events = all_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor, kActor);
  EXPECT_EQ(events[0].action, "init");
  EXPECT_EQ(events[0].object, "identity:factory");
  EXPECT_EQ(events[0].outcome, "ok");
  EXPECT_EQ(events[0].time, kStart);
}

TEST_F(CertificateServiceTest, InitTwiceIsAlreadyExistsAndLeavesStoreUnchanged) {
  initialise();
  InitRequest again = init_request();
  again.device_id = "00:90:8f:ab:cd:ef";
  EXPECT_REFUSED_AND_UNCHANGED(service().init(again), ErrorCode::AlreadyExists);
}

TEST_F(CertificateServiceTest, InitRefusesDeviceIdLongerThan64CharactersAndLeavesStoreEmpty) {
  InitRequest request = init_request();
  request.device_id = std::string(65, 'a');
  EXPECT_REFUSED_AND_UNCHANGED(service().init(request), ErrorCode::InvalidArgument);
}

TEST_F(CertificateServiceTest, InitRefusesMissingSystemBundleAndLeavesStoreEmpty) {
  InitRequest request = init_request();
  request.system_ca_bundle = dir_ / "no-such-bundle.pem";
  EXPECT_REFUSED_AND_UNCHANGED(service().init(request), ErrorCode::Io);
  EXPECT_TRUE(expect_ok(service().list_identities()).empty());
}

TEST_F(CertificateServiceTest, RefusedFirstInitialiseLeavesNoDataDirectoryBehind) {
  const auto fresh = dir_ / "fresh";
  InitRequest request = init_request();
  request.system_ca_bundle = dir_ / "no-such-bundle.pem";
  auto refused = CertificateService::initialise(fresh, clock_, std::string(kActor), request);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Io);
  EXPECT_FALSE(std::filesystem::exists(fresh));
  // The next command is told to run init, not handed an empty store.
  auto reopened = CertificateService::open(fresh, clock_, std::string(kActor));
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error().code, ErrorCode::NotFound);
}

TEST_F(CertificateServiceTest, RefusedInitialiseEmptiesAnEmptyDirectoryButKeepsIt) {
  const auto empty = dir_ / "empty";
  std::filesystem::create_directory(empty);
  InitRequest request = init_request();
  request.device_id = std::string(65, 'a');
  ASSERT_FALSE(CertificateService::initialise(empty, clock_, std::string(kActor), request));
  EXPECT_TRUE(std::filesystem::is_directory(empty));
  EXPECT_TRUE(std::filesystem::is_empty(empty));
}

TEST_F(CertificateServiceTest, RefusedInitialiseOfAnInitialisedDirectoryKeepsItsStore) {
  initialise();
  auto again =
      CertificateService::initialise(data_dir(), clock_, std::string(kActor), init_request());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);
  EXPECT_TRUE(std::filesystem::exists(database()));
  EXPECT_EQ(expect_ok(service().show_identity("factory")).origin, "factory");
}

TEST_F(CertificateServiceTest, InitialiseCreatesTheStoreAndTheFactoryIdentity) {
  const auto fresh = dir_ / "fresh";
  auto identity =
      CertificateService::initialise(fresh, clock_, std::string(kActor), init_request());
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->origin, "factory");
  EXPECT_TRUE(std::filesystem::exists(fresh / "telecert.db"));
}

// Verifies `leaf` up to `root` with OpenSSL's own verifier at `when`.
bool openssl_verifies(const pki::Certificate& leaf, const std::vector<pki::Certificate>& chain,
                      const pki::Certificate& root, pki::TimePoint when) {
  pki::Owned<X509_STORE> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), root.get());
  pki::Owned<STACK_OF(X509)> untrusted(sk_X509_new_null());
  for (const auto& certificate : chain) {
    X509_up_ref(certificate.get());
    sk_X509_push(untrusted.get(), certificate.get());
  }
  pki::Owned<X509_STORE_CTX> context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), leaf.get(), untrusted.get());
  X509_STORE_CTX_set_time(context.get(), 0, when.time_since_epoch().count());
  const bool verified = X509_verify_cert(context.get()) == 1;
  if (!verified) {
    ADD_FAILURE() << X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get()));
  }
  return verified;
}

TEST_F(CertificateServiceTest, InitWithFactoryCaIssuesFactoryIdentityWithDeviceIdAsCommonName) {
  const Authority manufacturer = make_root("Manufacturer Device CA");
  InitRequest request = init_request();
  request.factory_ca_pkcs12 = expect_ok(pki::write_pkcs12(
      manufacturer.key, manufacturer.certificate, {}, Secret("ca-pass"), "manufacturer"));
  request.factory_ca_passphrase = Secret("ca-pass");
  const IdentityView factory = expect_ok(service().init(request));

  ASSERT_TRUE(factory.certificate);
  EXPECT_EQ(factory.origin, "factory");
  EXPECT_EQ(factory.certificate->common_name, kDeviceId);
  EXPECT_EQ(factory.certificate->issuer, manufacturer.certificate.subject());
  EXPECT_FALSE(factory.certificate->self_signed);
  EXPECT_FALSE(factory.certificate->is_ca);
  ASSERT_EQ(factory.chain.size(), 1u);
  EXPECT_EQ(factory.chain[0].sha256_fingerprint, manufacturer.certificate.sha256_fingerprint());
  // Capped by the manufacturer CA's own expiry.
  EXPECT_LE(factory.certificate->not_after, manufacturer.certificate.not_after());

  ExportRequest pem{ExportFormat::Pem, false, {}};
  auto exported = expect_ok(service().export_identity("factory", pem));
  auto certificates = expect_ok(pki::read_certificates(exported));
  ASSERT_EQ(certificates.size(), 2u);
  EXPECT_TRUE(certificates[0].is_issued_by(manufacturer.certificate));
  EXPECT_TRUE(openssl_verifies(certificates[0], {certificates.begin() + 1, certificates.end()},
                               manufacturer.certificate, kStart + 1h));
}

TEST_F(CertificateServiceTest, InitWithIntermediateFactoryCaChainsToTheManufacturerRoot) {
  const Authority root = make_root("Manufacturer Root");
  const Authority device_ca = make_intermediate("Manufacturer Device CA", root);
  InitRequest request = init_request();
  request.factory_ca_pkcs12 =
      expect_ok(pki::write_pkcs12(device_ca.key, device_ca.certificate,
                                  std::vector{root.certificate}, Secret("ca-pass"), "ca"));
  request.factory_ca_passphrase = Secret("ca-pass");
  const IdentityView factory = expect_ok(service().init(request));
  ASSERT_TRUE(factory.certificate);
  EXPECT_EQ(factory.certificate->issuer, device_ca.certificate.subject());
  // The intermediate is sent; the manufacturer root is the peer's to trust.
  ASSERT_EQ(factory.chain.size(), 1u);
  EXPECT_EQ(factory.chain[0].sha256_fingerprint, device_ca.certificate.sha256_fingerprint());
  EXPECT_LE(factory.certificate->not_after, device_ca.certificate.not_after());
  auto exported =
      expect_ok(service().export_identity("factory", ExportRequest{ExportFormat::Pem, false, {}}));
  auto certificates = expect_ok(pki::read_certificates(exported));
  ASSERT_EQ(certificates.size(), 2u);
  EXPECT_TRUE(openssl_verifies(certificates[0], {certificates[1]}, root.certificate, kStart + 1h));
}

TEST_F(CertificateServiceTest, InitWithoutDeviceIdUsesAHardwareMacAddressOrAsksForOne) {
  InitRequest request = init_request();
  request.device_id.clear();
  const auto before = snapshot();
  auto result = service().init(request);
  if (result) {
    const std::string cn = result->certificate->common_name;
    EXPECT_EQ(cn.size(), 17u) << cn;
    EXPECT_EQ(std::count(cn.begin(), cn.end(), ':'), 5) << cn;
    EXPECT_EQ(expect_ok(service().status()).device_id, cn);
  } else {
    EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(result.error().hint.find("--device-id"), std::string::npos);
    EXPECT_EQ(snapshot().dump(1), before.dump(1));
  }
}

TEST_F(CertificateServiceTest, InitWithFactoryCaRefusesCertificateThatIsNotACaAndLeavesStoreEmpty) {
  const pki::Key key = new_key();
  const pki::Certificate not_a_ca = self_signed(key, "Just A Device");
  InitRequest request = init_request();
  request.factory_ca_pkcs12 =
      expect_ok(pki::write_pkcs12(key, not_a_ca, {}, Secret("ca-pass"), "device"));
  request.factory_ca_passphrase = Secret("ca-pass");
  EXPECT_REFUSED_AND_UNCHANGED(service().init(request), ErrorCode::InvalidArgument);
  EXPECT_TRUE(expect_ok(service().list_trust()).empty());
}

TEST_F(CertificateServiceTest, InitWithFactoryCaRefusesWrongPassphraseAndLeavesStoreEmpty) {
  const Authority manufacturer = make_root("Manufacturer Device CA");
  InitRequest request = init_request();
  request.factory_ca_pkcs12 = expect_ok(pki::write_pkcs12(
      manufacturer.key, manufacturer.certificate, {}, Secret("ca-pass"), "manufacturer"));
  request.factory_ca_passphrase = Secret("not-the-pass");
  EXPECT_REFUSED_AND_UNCHANGED(service().init(request), ErrorCode::WrongPassphrase);
}

TEST_F(CertificateServiceTest, InitWithFactoryCaRefusesExpiredCaAndLeavesStoreEmpty) {
  const Authority expired = make_root("Old Manufacturer CA", kStart - Days{400}, Days{365});
  InitRequest request = init_request();
  request.factory_ca_pkcs12 = expect_ok(
      pki::write_pkcs12(expired.key, expired.certificate, {}, Secret("ca-pass"), "manufacturer"));
  request.factory_ca_passphrase = Secret("ca-pass");
  EXPECT_REFUSED_AND_UNCHANGED(service().init(request), ErrorCode::InvalidArgument);
}

// --- status ---

TEST_F(CertificateServiceTest, StatusListsEveryIdentityAndTrustedRootWithDaysLeft) {
  initialise();
  create_self_signed("web", 100);
  add_custom_roots({make_root("Custom Root", kStart, Days{30}).certificate});
  auto status = expect_ok(service().status());
  EXPECT_EQ(status.expiry_warning_days, 60);
  ASSERT_EQ(status.identities.size(), 2u);
  auto web = std::find_if(status.identities.begin(), status.identities.end(),
                          [](const IdentityView& v) { return v.name == "web"; });
  ASSERT_NE(web, status.identities.end());
  EXPECT_EQ(web->certificate->days_left, 100);
  EXPECT_EQ(web->status, ExpiryStatus::Ok);
  ASSERT_EQ(status.trust_anchors.size(), 4u);
  EXPECT_EQ(status.trust_anchors.back().source, "custom");
  EXPECT_EQ(status.trust_anchors.back().certificate.days_left, 30);
  EXPECT_EQ(status.trust_anchors.back().certificate.status, ExpiryStatus::Warning);
}

// A self-signed identity of 365 days, seen as the clock moves through its life.
class StatusFlagTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    create_self_signed("web", 365);
  }
  ExpiryStatus web_status() {
    for (const auto& identity : expect_ok(service().status()).identities) {
      if (identity.name == "web") return identity.status;
    }
    ADD_FAILURE() << "no identity web";
    return ExpiryStatus::Pending;
  }
  std::int64_t web_days_left() {
    return expect_ok(service().show_identity("web")).certificate->days_left;
  }
};

TEST_F(StatusFlagTest, IdentityIsOkOneSecondBeforeTheWarningWindow) {
  advance(Days{365 - 60} - 1s);
  EXPECT_EQ(web_status(), ExpiryStatus::Ok);
  EXPECT_EQ(web_days_left(), 60);
}

TEST_F(StatusFlagTest, IdentityIsWarningExactlyAtExpiryWarningDays) {
  advance(Days{365 - 60});
  EXPECT_EQ(web_status(), ExpiryStatus::Warning);
  EXPECT_EQ(web_days_left(), 60);
}

TEST_F(StatusFlagTest, IdentityIsWarningInsideTheWarningWindow) {
  advance(Days{365 - 10});
  EXPECT_EQ(web_status(), ExpiryStatus::Warning);
  EXPECT_EQ(web_days_left(), 10);
  advance(Days{10} - 1s);
  EXPECT_EQ(web_status(), ExpiryStatus::Warning);
  EXPECT_EQ(web_days_left(), 0);
}

TEST_F(StatusFlagTest, IdentityIsExpiredAfterNotAfter) {
  advance(Days{365} + 1s);
  EXPECT_EQ(web_status(), ExpiryStatus::Expired);
  EXPECT_LT(web_days_left(), 0);
  advance(Days{30});
  EXPECT_EQ(web_status(), ExpiryStatus::Expired);
  EXPECT_EQ(web_days_left(), -31);
}

TEST_F(StatusFlagTest, WarningWindowFollowsTheExpiryWarningDaysSetting) {
  advance(Days{365 - 90});
  EXPECT_EQ(web_status(), ExpiryStatus::Ok);
  expect_ok(service().set_setting("expiry_warning_days", "90"));
  EXPECT_EQ(web_status(), ExpiryStatus::Warning);
  expect_ok(service().set_setting("expiry_warning_days", "30"));
  EXPECT_EQ(web_status(), ExpiryStatus::Ok);
}

TEST_F(StatusFlagTest, PendingCsrIdentityIsPendingWhateverTheClock) {
  expect_ok(service().create_csr("sbc1", new_identity("sbc1.example.com")));
  advance(Days{1000});
  auto status = expect_ok(service().status());
  auto sbc1 = std::find_if(status.identities.begin(), status.identities.end(),
                           [](const IdentityView& v) { return v.name == "sbc1"; });
  ASSERT_NE(sbc1, status.identities.end());
  EXPECT_EQ(sbc1->status, ExpiryStatus::Pending);
  EXPECT_FALSE(sbc1->certificate);
}

TEST_F(CertificateServiceTest, TrustAnchorStatusIsOkThenWarningThenExpired) {
  initialise();
  add_custom_roots({make_root("Short Lived Root", kStart, Days{100}).certificate});
  auto custom_status = [&] {
    for (const auto& anchor : expect_ok(service().status()).trust_anchors) {
      if (anchor.source == "custom") return anchor.certificate.status;
    }
    ADD_FAILURE() << "no custom anchor";
    return ExpiryStatus::Pending;
  };
  EXPECT_EQ(custom_status(), ExpiryStatus::Ok);
  advance(Days{40} - 1s);
  EXPECT_EQ(custom_status(), ExpiryStatus::Ok);
  advance(1s);
  EXPECT_EQ(custom_status(), ExpiryStatus::Warning);
  advance(Days{60} + 1s);
  EXPECT_EQ(custom_status(), ExpiryStatus::Expired);
  // The built-in roots (ten years) are still fine.
  for (const auto& anchor : expect_ok(service().status()).trust_anchors) {
    if (anchor.source == "builtin") EXPECT_EQ(anchor.certificate.status, ExpiryStatus::Ok);
  }
}

// --- events ---

TEST_F(CertificateServiceTest, EventsAreNewestFirstAndLimited) {
  initialise();
  advance(1min);
  create_self_signed("a");
  advance(1min);
  create_self_signed("b");
  auto events = all_events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].object, "identity:b");
  EXPECT_EQ(events[0].time, kStart + 2min);
  EXPECT_EQ(events[1].object, "identity:a");
  EXPECT_EQ(events[2].action, "init");
  auto newest = expect_ok(service().events(1));
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(newest[0].object, "identity:b");
}

// --- factory reset ---

class FactoryResetTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    factory_ = initialise();
    create_self_signed("web");
    expect_ok(service().create_csr("sbc1", new_identity("sbc1.example.com")));
    const pki::Key key = new_key();
    import_pem("phone", key, self_signed(key, "phone.example.com"));
    add_custom_roots(
        {make_root("Custom Root 1").certificate, make_root("Custom Root 2").certificate});
    expect_ok(service().set_setting("expiry_warning_days", "90"));
    expect_ok(service().set_setting("max_custom_trusted", "10"));
  }

  std::vector<std::string> identity_names() {
    std::vector<std::string> names;
    for (const auto& identity : expect_ok(service().list_identities()))
      names.push_back(identity.name);
    std::sort(names.begin(), names.end());
    return names;
  }
  std::size_t count_trust(std::string_view source) {
    auto anchors = expect_ok(service().list_trust());
    return static_cast<std::size_t>(
        std::count_if(anchors.begin(), anchors.end(),
                      [&](const TrustAnchorView& a) { return a.source == source; }));
  }
  void expect_factory_identity_unchanged() {
    auto factory = expect_ok(service().show_identity("factory"));
    ASSERT_TRUE(factory.certificate);
    EXPECT_EQ(factory.certificate->sha256_fingerprint, factory_.certificate->sha256_fingerprint);
    EXPECT_EQ(factory.origin, "factory");
    // Its key row is still there (the key itself never leaves the device through export).
    EXPECT_EQ(RawDatabase(database())
                  .rows("SELECT keys.id FROM keys JOIN identities ON identities.key_id = keys.id "
                        "WHERE identities.name = 'factory'")
                  .size(),
              1u);
  }

  IdentityView factory_;
};

TEST_F(FactoryResetTest,
       RemovesUserIdentitiesAndCustomRootsAndKeepsFactoryIdentityAndBuiltinRoots) {
  auto view = expect_ok(service().factory_reset());
  EXPECT_FALSE(view.certificates_kept);
  EXPECT_EQ(view.identities_removed, 3);
  EXPECT_EQ(view.trust_anchors_removed, 2);
  EXPECT_EQ(identity_names(), std::vector<std::string>{"factory"});
  EXPECT_EQ(count_trust("custom"), 0u);
  EXPECT_EQ(count_trust("builtin"), builtin_roots().size());
  expect_factory_identity_unchanged();
  // The removed identities' keys are gone from the database too: only the factory key is left.
  EXPECT_EQ(RawDatabase(database()).rows("SELECT id FROM keys").size(), 1u);
}

TEST_F(FactoryResetTest, KeepsUserIdentitiesAndCustomRootsWhenConfiguredTo) {
  expect_ok(service().set_setting("keep_certificates_on_factory_reset", "true"));
  auto view = expect_ok(service().factory_reset());
  EXPECT_TRUE(view.certificates_kept);
  EXPECT_EQ(view.identities_removed, 0);
  EXPECT_EQ(view.trust_anchors_removed, 0);
  EXPECT_EQ(identity_names(), (std::vector<std::string>{"factory", "phone", "sbc1", "web"}));
  EXPECT_EQ(count_trust("custom"), 2u);
  EXPECT_EQ(count_trust("builtin"), builtin_roots().size());
  expect_factory_identity_unchanged();
  // The setting that governs resets survives them, so the next reset keeps certificates too.
  EXPECT_TRUE(expect_ok(service().settings()).keep_certificates_on_factory_reset);
  EXPECT_TRUE(expect_ok(service().factory_reset()).certificates_kept);
}

TEST_F(FactoryResetTest, RestoresDefaultSettingsAndKeepsTheDeviceId) {
  expect_ok(service().factory_reset());
  auto settings = expect_ok(service().settings());
  EXPECT_EQ(settings.expiry_warning_days, 60);
  EXPECT_EQ(settings.max_custom_trusted, 25);
  EXPECT_FALSE(settings.keep_certificates_on_factory_reset);
  EXPECT_EQ(expect_ok(service().status()).device_id, kDeviceId);
}

TEST_F(FactoryResetTest, WritesExactlyOneEvent) {
  const auto before = all_events().size();
  expect_ok(service().factory_reset());
  auto events = all_events();
  ASSERT_EQ(events.size(), before + 1);
  EXPECT_EQ(events[0].action, "factory-reset");
  EXPECT_EQ(events[0].actor, kActor);
  EXPECT_EQ(events[0].outcome, "ok");
}

TEST_F(FactoryResetTest, FactoryIdentityCannotBeReplacedAfterReset) {
  expect_ok(service().factory_reset());
  EXPECT_REFUSED_AND_UNCHANGED(service().init(init_request()), ErrorCode::AlreadyExists);
}

// --- uploads ---

TEST_F(CertificateServiceTest, ReadUploadRefusesFileOverDefaultFiveMebibytes) {
  initialise();
  const auto big = dir_ / "big.pem";
  write_file(big, std::string(5 * 1024 * 1024 + 1, 'A'));
  EXPECT_TRUE(refused_with(service().read_upload(big), ErrorCode::LimitExceeded));
  const auto at_limit = dir_ / "at-limit.pem";
  write_file(at_limit, std::string(5 * 1024 * 1024, 'A'));
  EXPECT_EQ(expect_ok(service().read_upload(at_limit)).size(), 5u * 1024 * 1024);
}

TEST_F(CertificateServiceTest, ReadUploadFollowsTheMaxUploadBytesSetting) {
  initialise();
  expect_ok(service().set_setting("max_upload_bytes", "2048"));
  const auto file = dir_ / "root.pem";
  write_file(file, std::string(2049, 'A'));
  EXPECT_REFUSED_AND_UNCHANGED(service().read_upload(file), ErrorCode::LimitExceeded);
  write_file(file, std::string(2048, 'A'));
  EXPECT_EQ(expect_ok(service().read_upload(file)).size(), 2048u);
}

TEST_F(CertificateServiceTest, ReadUploadOfMissingFileIsIo) {
  EXPECT_TRUE(refused_with(service().read_upload(dir_ / "missing.pem"), ErrorCode::Io));
}

// --- keys at rest ---

TEST_F(CertificateServiceTest, RawDatabaseNeverHoldsAnUnencryptedPrivateKey) {
  initialise();
  create_self_signed("web");
  const pki::Key imported = new_key();
  import_pem("phone", imported, self_signed(imported, "phone.example.com"));
  expect_ok(service().create_csr("sbc1", new_identity("sbc1.example.com")));

  // The keys the service generated: "web" taken out the way keys leave (an encrypted export), the
  // factory key, which never leaves, read through the store with the master key.
  std::vector<pki::Key> keys{imported};
  {
    auto pkcs12 = expect_ok(
        service().export_identity("web", ExportRequest{ExportFormat::Pkcs12, true, Secret("p")}));
    auto contents = expect_ok(pki::read_pkcs12(pkcs12, Secret("p")));
    ASSERT_TRUE(contents.key);
    keys.push_back(*contents.key);
  }
  {
    auto master_key =
        expect_ok(store::load_or_create_master_key(database().parent_path() / "master.key"));
    auto store = expect_ok(store::open_sqlite_store(database(), std::move(master_key)));
    auto tx = expect_ok(store->begin_read());
    auto factory = expect_ok(tx->find_identity("factory"));
    ASSERT_TRUE(factory);
    keys.push_back(expect_ok(tx->load_key(factory->key_id)));
  }

  RawDatabase raw(database());
  EXPECT_EQ(raw.rows("SELECT id FROM keys").size(), 4u);
  const auto blobs = raw.all_blobs();
  ASSERT_FALSE(blobs.empty());
  // The database file and its write-ahead log, byte for byte.
  std::vector<Bytes> files;
  for (const auto& suffix : {"", "-wal"}) {
    const auto path = database().string() + suffix;
    if (std::filesystem::exists(path)) files.push_back(to_bytes(read_file(path)));
  }
  for (const auto& key : keys) {
    const Bytes pkcs8 = plain_pkcs8_der(key);
    const Bytes traditional = plain_traditional_der(key);
    const Bytes scalar = ec_private_scalar(key);
    for (const auto& blob : blobs) {
      EXPECT_FALSE(contains(blob, pkcs8));
      EXPECT_FALSE(contains(blob, traditional));
      EXPECT_FALSE(contains(blob, scalar));
    }
    for (const auto& file : files) {
      EXPECT_FALSE(contains(file, pkcs8));
      EXPECT_FALSE(contains(file, scalar));
    }
  }
}

TEST_F(CertificateServiceTest, StoredKeysDoNotOpenWithoutTheMasterKey) {
  initialise();
  RawDatabase raw(database());
  auto rows = raw.rows("SELECT encrypted_pkcs8 FROM keys");
  ASSERT_EQ(rows.size(), 1u);
  auto stored = RawDatabase(database()).all_blobs();
  // Every key BLOB is encrypted PKCS#8: it does not parse without a passphrase.
  int encrypted_keys = 0;
  for (const auto& blob : stored) {
    auto parsed = pki::Key::parse(blob);
    if (!parsed && parsed.error().code == ErrorCode::WrongPassphrase) ++encrypted_keys;
    EXPECT_FALSE(parsed) << "a BLOB in the database is a readable private key";
  }
  EXPECT_EQ(encrypted_keys, 1);
}

}  // namespace
}  // namespace telecert::service::test
