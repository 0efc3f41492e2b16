// CertificateService identity operations: self-signed, CSR, install, import, export, delete, and
// their rules (SAN count and syntax, validity, weak algorithms, the read-only factory identity,
// key/certificate match, chain order, upload size).
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "pki/chain.h"
#include "pki/file_decoder.h"
#include "unit/service/service_test_fixture.h"

namespace telecert::service::test {
namespace {

class IdentityOperationsTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    initialise();
  }

  // Expects exactly one event more than `before`, the newest being `action` on `object`.
  void expect_one_new_event(std::size_t before, std::string_view action, std::string_view object) {
    auto events = all_events();
    ASSERT_EQ(events.size(), before + 1);
    EXPECT_EQ(events[0].actor, kActor);
    EXPECT_EQ(events[0].action, action);
    EXPECT_EQ(events[0].object, object);
    EXPECT_EQ(events[0].outcome, "ok");
  }

  // Creates the CSR identity `name` and returns the certificate `issuer` issues for it.
  pki::Certificate csr_signed_by(const std::string& name, const Authority& issuer) {
    auto pending = expect_ok(service().create_csr(name, new_identity(name + ".example.com")));
    EXPECT_TRUE(pending.csr_pem);
    auto request = expect_ok(pki::Csr::parse(as_bytes(pending.csr_pem.value_or(""))));
    return issue_leaf(public_key_of(request), name + ".example.com", issuer);
  }

  static std::vector<std::string> fingerprints(const std::vector<CertificateView>& chain) {
    std::vector<std::string> out;
    for (const auto& certificate : chain) out.push_back(certificate.sha256_fingerprint);
    return out;
  }
  static std::vector<std::string> fingerprints(const std::vector<pki::Certificate>& chain) {
    std::vector<std::string> out;
    for (const auto& certificate : chain) out.push_back(certificate.sha256_fingerprint());
    return out;
  }
};

// A root, two intermediates and the order a leaf's chain must come out in.
struct Hierarchy {
  Authority root = make_root("Hierarchy Root");
  Authority intermediate1 = make_intermediate("Hierarchy Intermediate 1", root);
  Authority intermediate2 = make_intermediate("Hierarchy Intermediate 2", intermediate1);
  std::vector<pki::Certificate> ordered() const {
    return {intermediate2.certificate, intermediate1.certificate, root.certificate};
  }
  std::vector<pki::Certificate> shuffled() const {
    return {root.certificate, intermediate2.certificate, intermediate1.certificate};
  }
};

// --- self-signed ---

TEST_F(IdentityOperationsTest, CreateSelfSignedStoresIdentityWithSubjectSansAndValidity) {
  NewIdentityRequest request = new_identity("box.example.com");
  request.subject.organization = "Corporate";
  request.subject.country = "US";
  request.subject_alt_names = {"dns:box.example.com", "ip:192.0.2.10", "email:pki@example.com",
                               "uri:sip:box.example.com", "ip:2001:db8::1"};
  request.key_type = "rsa2048";
  request.validity_days = 825;
  const auto before = all_events().size();
  auto view = expect_ok(service().create_self_signed("web", request));

  EXPECT_EQ(view.name, "web");
  EXPECT_EQ(view.origin, "self-signed");
  EXPECT_EQ(view.status, ExpiryStatus::Ok);
  ASSERT_TRUE(view.certificate);
  EXPECT_EQ(view.certificate->common_name, "box.example.com");
  EXPECT_TRUE(view.certificate->self_signed);
  EXPECT_FALSE(view.certificate->is_ca);
  EXPECT_EQ(view.certificate->not_before, kStart);
  EXPECT_EQ(view.certificate->not_after, kStart + Days{825});
  EXPECT_EQ(view.certificate->days_left, 825);
  EXPECT_EQ(
      view.certificate->subject_alt_names,
      (std::vector<std::string>{"dns:box.example.com", "ip:192.0.2.10", "email:pki@example.com",
                                "uri:sip:box.example.com", "ip:2001:db8::1"}));
  EXPECT_EQ(view.key, "RSA 2048");
  EXPECT_EQ(view.certificate->extended_key_usage,
            (std::vector<std::string>{"serverAuth", "clientAuth"}));
  EXPECT_EQ(view.created_at, kStart);
  expect_one_new_event(before, "identity.self-signed", "identity:web");

  auto shown = expect_ok(service().show_identity("web"));
  EXPECT_EQ(shown.certificate->sha256_fingerprint, view.certificate->sha256_fingerprint);
}

TEST_F(IdentityOperationsTest, CreateSelfSignedWithEveryKeyTypeDescribesTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"p256", "EC P-256"}, {"p384", "EC P-384"}, {"ed25519", "Ed25519"}};
  for (const auto& [key_type, description] : cases) {
    NewIdentityRequest request = new_identity("k.example.com");
    request.key_type = key_type;
    auto view = expect_ok(service().create_self_signed("key-" + key_type, request));
    EXPECT_EQ(view.key, description) << key_type;
  }
}

TEST_F(IdentityOperationsTest, CreateSelfSignedRefusesSixthSanAndLeavesStoreUnchanged) {
  NewIdentityRequest request = new_identity("box.example.com");
  request.subject_alt_names = {"dns:a.example.com", "dns:b.example.com", "dns:c.example.com",
                               "dns:d.example.com", "dns:e.example.com", "dns:f.example.com"};
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("web", request),
                               ErrorCode::LimitExceeded);
  EXPECT_REFUSED_AND_UNCHANGED(service().create_csr("sbc1", request), ErrorCode::LimitExceeded);
  request.subject_alt_names.pop_back();
  expect_ok(service().create_self_signed("web", request));
}

TEST_F(IdentityOperationsTest, CreateRefusesUnknownSanTypeAndLeavesStoreUnchanged) {
  NewIdentityRequest request = new_identity("box.example.com");
  request.subject_alt_names = {"dns:box.example.com", "rid:1.2.3.4"};
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("web", request),
                               ErrorCode::InvalidArgument);
  EXPECT_REFUSED_AND_UNCHANGED(service().create_csr("sbc1", request), ErrorCode::InvalidArgument);
}

TEST_F(IdentityOperationsTest, CreateRefusesIpSanThatIsNotAnAddressAndLeavesStoreUnchanged) {
  for (const char* bad : {"ip:192.0.2.300", "ip:sbc1.example.com", "ip:", "ip:2001:db8:::1"}) {
    NewIdentityRequest request = new_identity("box.example.com");
    request.subject_alt_names = {bad};
    EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("web", request),
                                 ErrorCode::InvalidArgument);
    EXPECT_REFUSED_AND_UNCHANGED(service().create_csr("sbc1", request), ErrorCode::InvalidArgument);
  }
}

TEST_F(IdentityOperationsTest,
       CreateSelfSignedRefusesValidityOverMaxValidityDaysAndLeavesStoreUnchanged) {
  NewIdentityRequest request = new_identity("box.example.com");
  request.validity_days = 826;
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("web", request), ErrorCode::OutOfRange);
  request.validity_days = 0;
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("web", request), ErrorCode::OutOfRange);
  request.validity_days = -1;
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("web", request), ErrorCode::OutOfRange);

  expect_ok(service().set_setting("max_validity_days", "90"));
  request.validity_days = 91;
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("web", request), ErrorCode::OutOfRange);
  request.validity_days = 90;
  EXPECT_EQ(expect_ok(service().create_self_signed("web", request)).certificate->days_left, 90);
}

TEST_F(IdentityOperationsTest, CreateRefusesSha1WithoutLegacyAndLeavesStoreUnchanged) {
  NewIdentityRequest request = new_identity("ipo.example.com");
  request.signature = "sha1";
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("ipo", request),
                               ErrorCode::WeakAlgorithm);
  EXPECT_REFUSED_AND_UNCHANGED(service().create_csr("ipo", request), ErrorCode::WeakAlgorithm);
}

TEST_F(IdentityOperationsTest, CreateRefusesRsa1024WithoutLegacyAndLeavesStoreUnchanged) {
  NewIdentityRequest request = new_identity("ipo.example.com");
  request.key_type = "rsa1024";
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("ipo", request),
                               ErrorCode::WeakAlgorithm);
  EXPECT_REFUSED_AND_UNCHANGED(service().create_csr("ipo", request), ErrorCode::WeakAlgorithm);
}

TEST_F(IdentityOperationsTest, CreateAllowsSha1AndRsa1024WithLegacy) {
  NewIdentityRequest request = new_identity("ipo.example.com");
  request.key_type = "rsa1024";
  request.signature = "sha1";
  request.legacy = true;
  auto self_signed_view = expect_ok(service().create_self_signed("ipo", request));
  EXPECT_EQ(self_signed_view.key, "RSA 1024");
  EXPECT_EQ(self_signed_view.certificate->signature_algorithm, "sha1WithRSAEncryption");

  auto pending = expect_ok(service().create_csr("ipo-csr", request));
  auto csr = expect_ok(pki::Csr::parse(as_bytes(pending.csr_pem.value_or(""))));
  EXPECT_EQ(csr.public_key_bits(), 1024);
  EXPECT_EQ(X509_REQ_get_signature_nid(csr.get()), NID_sha1WithRSAEncryption);
}

TEST_F(IdentityOperationsTest, CreateRefusesUnknownKeyTypeAndDigestAndLeavesStoreUnchanged) {
  NewIdentityRequest request = new_identity("box.example.com");
  request.key_type = "dsa1024";
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("web", request),
                               ErrorCode::InvalidArgument);
  request = new_identity("box.example.com");
  request.signature = "md5";
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("web", request),
                               ErrorCode::InvalidArgument);
}

TEST_F(IdentityOperationsTest, CreateRefusesEmptyCommonNameAndBadNamesAndLeavesStoreUnchanged) {
  NewIdentityRequest request = new_identity("box.example.com");
  request.subject.common_name.clear();
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("web", request),
                               ErrorCode::InvalidArgument);
  request = new_identity("box.example.com");
  for (const std::string& bad :
       std::vector<std::string>{"", "has space", "slash/name", std::string(65, 'n')}) {
    EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed(bad, request),
                                 ErrorCode::InvalidArgument);
  }
}

TEST_F(IdentityOperationsTest, CreateRefusesTakenNameAndLeavesStoreUnchanged) {
  create_self_signed("web");
  EXPECT_REFUSED_AND_UNCHANGED(service().create_self_signed("web", new_identity("x.example.com")),
                               ErrorCode::AlreadyExists);
  EXPECT_REFUSED_AND_UNCHANGED(service().create_csr("web", new_identity("x.example.com")),
                               ErrorCode::AlreadyExists);
}

// --- the factory identity ---

TEST_F(IdentityOperationsTest, FactoryIdentityCannotBeDeletedAndStoreIsUnchanged) {
  EXPECT_REFUSED_AND_UNCHANGED(service().delete_identity("factory"), ErrorCode::Forbidden);
}

TEST_F(IdentityOperationsTest, FactoryIdentityCannotBeReplacedByAnyOperation) {
  EXPECT_REFUSED_AND_UNCHANGED(
      service().create_self_signed("factory", new_identity("x.example.com")), ErrorCode::Forbidden);
  EXPECT_REFUSED_AND_UNCHANGED(service().create_csr("factory", new_identity("x.example.com")),
                               ErrorCode::Forbidden);
  const pki::Key key = new_key();
  ImportRequest import;
  import.file = to_bytes(self_signed(key, "x.example.com").pem() + plain_pkcs8_pem(key));
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("factory", import), ErrorCode::Forbidden);
  InstallRequest install{pem_bytes({self_signed(key, "x.example.com")}), std::nullopt};
  EXPECT_REFUSED_AND_UNCHANGED(service().install_certificate("factory", install),
                               ErrorCode::Forbidden);
}

// --- CSR and install ---

TEST_F(IdentityOperationsTest, CreateCsrKeepsPendingIdentityWithItsSignedRequest) {
  NewIdentityRequest request = new_identity("sbc1.example.com");
  request.subject.organizational_unit = "Headquarters";
  request.subject.organization = "Corporate";
  request.subject.locality = "Poughkeepsie";
  request.subject.state = "New York";
  request.subject.country = "US";
  request.subject_alt_names = {"dns:sbc1.example.com", "ip:192.0.2.10", "email:pki@example.com",
                               "uri:sip:sbc1.example.com"};
  request.key_type = "p384";
  request.signature = "sha384";
  const auto before = all_events().size();
  auto view = expect_ok(service().create_csr("sbc1", request));
  EXPECT_EQ(view.status, ExpiryStatus::Pending);
  EXPECT_EQ(view.origin, "csr");
  EXPECT_FALSE(view.certificate);
  EXPECT_EQ(view.key, "EC P-384");
  ASSERT_TRUE(view.csr_pem);
  auto csr = expect_ok(pki::Csr::parse(as_bytes(*view.csr_pem)));
  EXPECT_TRUE(csr.signature_is_valid());
  EXPECT_TRUE(contains(csr.subject(), "CN=sbc1.example.com"));
  EXPECT_TRUE(contains(csr.subject(), "OU=Headquarters"));
  EXPECT_TRUE(contains(csr.subject(), "C=US"));
  EXPECT_EQ(csr.subject_alt_names().size(), 4u);
  EXPECT_EQ(X509_REQ_get_signature_nid(csr.get()), NID_ecdsa_with_SHA384);
  expect_one_new_event(before, "identity.csr", "identity:sbc1");

  auto listed = expect_ok(service().list_identities());
  auto sbc1 = std::find_if(listed.begin(), listed.end(),
                           [](const IdentityView& v) { return v.name == "sbc1"; });
  ASSERT_NE(sbc1, listed.end());
  EXPECT_EQ(sbc1->status, ExpiryStatus::Pending);
}

TEST_F(IdentityOperationsTest, InstallPutsTheCaSignedCertificateOnThePendingIdentity) {
  const Authority ca = make_root("Corporate CA");
  const pki::Certificate leaf = csr_signed_by("sbc1", ca);
  const auto before = all_events().size();
  auto view = expect_ok(service().install_certificate(
      "sbc1", InstallRequest{pem_bytes({leaf, ca.certificate}), std::nullopt}));
  EXPECT_EQ(view.status, ExpiryStatus::Ok);
  ASSERT_TRUE(view.certificate);
  EXPECT_EQ(view.certificate->sha256_fingerprint, leaf.sha256_fingerprint());
  EXPECT_FALSE(view.csr_pem);
  EXPECT_EQ(fingerprints(view.chain), fingerprints({ca.certificate}));
  expect_one_new_event(before, "identity.install", "identity:sbc1");
  EXPECT_EQ(expect_ok(service().show_identity("sbc1")).status, ExpiryStatus::Ok);
}

TEST_F(IdentityOperationsTest,
       InstallOntoTheWrongPendingIdentityIsKeyMismatchAndLeavesStoreUnchanged) {
  const Authority ca = make_root("Corporate CA");
  const pki::Certificate for_sbc1 = csr_signed_by("sbc1", ca);
  expect_ok(service().create_csr("sbc2", new_identity("sbc2.example.com")));
  EXPECT_REFUSED_AND_UNCHANGED(
      service().install_certificate("sbc2", InstallRequest{pem_bytes({for_sbc1}), std::nullopt}),
      ErrorCode::KeyMismatch);
  expect_ok(
      service().install_certificate("sbc1", InstallRequest{pem_bytes({for_sbc1}), std::nullopt}));
}

TEST_F(IdentityOperationsTest, InstallOntoUnknownIdentityIsNotFoundAndLeavesStoreUnchanged) {
  const Authority ca = make_root("Corporate CA");
  const pki::Certificate leaf = issue_leaf(new_key(), "x.example.com", ca);
  EXPECT_REFUSED_AND_UNCHANGED(
      service().install_certificate("nobody", InstallRequest{pem_bytes({leaf}), std::nullopt}),
      ErrorCode::NotFound);
}

TEST_F(IdentityOperationsTest, InstallOrdersShuffledIntermediatesIntoChainOrder) {
  const Hierarchy pki_tree;
  const pki::Certificate leaf = csr_signed_by("sbc1", pki_tree.intermediate2);
  auto view = expect_ok(service().install_certificate(
      "sbc1", InstallRequest{pem_bytes({leaf}), pem_bytes(pki_tree.shuffled())}));
  EXPECT_EQ(fingerprints(view.chain), fingerprints(pki_tree.ordered()));
}

TEST_F(IdentityOperationsTest, InstallTakesIntermediatesMissingFromTheFileFromTheTrustedStore) {
  const Hierarchy pki_tree;
  add_custom_roots({pki_tree.root.certificate, pki_tree.intermediate1.certificate});
  const pki::Certificate leaf = csr_signed_by("sbc1", pki_tree.intermediate2);
  auto view = expect_ok(service().install_certificate(
      "sbc1", InstallRequest{pem_bytes({leaf, pki_tree.intermediate2.certificate}), std::nullopt}));
  // The trusted intermediate is added; the trusted root is not (the peer has it).
  EXPECT_EQ(fingerprints(view.chain),
            fingerprints({pki_tree.intermediate2.certificate, pki_tree.intermediate1.certificate}));
}

TEST_F(IdentityOperationsTest, InstallRefusesUnrelatedCertificatesAndLeavesStoreUnchanged) {
  const Authority ca = make_root("Corporate CA");
  const pki::Certificate leaf = csr_signed_by("sbc1", ca);
  const Authority stranger = make_root("Somebody Else's CA");
  EXPECT_REFUSED_AND_UNCHANGED(
      service().install_certificate(
          "sbc1",
          InstallRequest{pem_bytes({leaf}), pem_bytes({ca.certificate, stranger.certificate})}),
      ErrorCode::InvalidArgument);
}

TEST_F(IdentityOperationsTest, InstallRefusesFileOverMaxUploadBytesAndLeavesStoreUnchanged) {
  const Authority ca = make_root("Corporate CA");
  const pki::Certificate leaf = csr_signed_by("sbc1", ca);
  expect_ok(service().set_setting("max_upload_bytes", "1024"));
  std::string padded = leaf.pem() + std::string(1100, '\n');
  EXPECT_REFUSED_AND_UNCHANGED(
      service().install_certificate("sbc1", InstallRequest{to_bytes(padded), std::nullopt}),
      ErrorCode::LimitExceeded);
  EXPECT_REFUSED_AND_UNCHANGED(
      service().install_certificate("sbc1", InstallRequest{pem_bytes({leaf}), to_bytes(padded)}),
      ErrorCode::LimitExceeded);
}

TEST_F(IdentityOperationsTest, InstallRefusesJunkAndLeavesStoreUnchanged) {
  expect_ok(service().create_csr("sbc1", new_identity("sbc1.example.com")));
  EXPECT_REFUSED_AND_UNCHANGED(
      service().install_certificate("sbc1",
                                    InstallRequest{to_bytes("not a certificate"), std::nullopt}),
      ErrorCode::MalformedInput);
}

// --- import ---

TEST_F(IdentityOperationsTest, ImportFromPkcs12TakesKeyCertificateAndChain) {
  const Hierarchy pki_tree;
  const pki::Key key = new_key();
  const pki::Certificate leaf = issue_leaf(key, "phone.example.com", pki_tree.intermediate2);
  ImportRequest request;
  request.file =
      expect_ok(pki::write_pkcs12(key, leaf, pki_tree.shuffled(), Secret("p12-pass"), "phone"));
  request.passphrase = Secret("p12-pass");
  const auto before = all_events().size();
  auto view = expect_ok(service().import_identity("phone", request));
  EXPECT_EQ(view.origin, "imported");
  EXPECT_EQ(view.certificate->sha256_fingerprint, leaf.sha256_fingerprint());
  EXPECT_EQ(fingerprints(view.chain), fingerprints(pki_tree.ordered()));
  expect_one_new_event(before, "identity.import", "identity:phone");
}

TEST_F(IdentityOperationsTest, ImportRejectsPkcs12WithWrongPassphraseAndLeavesStoreUnchanged) {
  const pki::Key key = new_key();
  ImportRequest request;
  request.file = expect_ok(pki::write_pkcs12(key, self_signed(key, "phone.example.com"), {},
                                             Secret("p12-pass"), "phone"));
  request.passphrase = Secret("wrong-pass");
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", request),
                               ErrorCode::WrongPassphrase);
}

TEST_F(IdentityOperationsTest,
       ImportRejectsEncryptedKeyWithWrongPassphraseAndLeavesStoreUnchanged) {
  const pki::Key key = new_key();
  ImportRequest request;
  request.file = pem_bytes({self_signed(key, "phone.example.com")});
  request.key_file = to_bytes(expect_ok(key.to_encrypted_pkcs8_pem(Secret("key-pass"))));
  request.passphrase = Secret("wrong-pass");
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", request),
                               ErrorCode::WrongPassphrase);
  request.passphrase = Secret();
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", request),
                               ErrorCode::WrongPassphrase);
}

TEST_F(IdentityOperationsTest, ImportFromOnePemHoldingKeyCertificateAndShuffledChain) {
  const Hierarchy pki_tree;
  const pki::Key key = new_key();
  const pki::Certificate leaf = issue_leaf(key, "phone.example.com", pki_tree.intermediate2);
  // As `openssl pkcs12 -nodes` writes it, but with the chain first and out of order.
  ImportRequest request;
  request.file = to_bytes("Bag Attributes\n    friendlyName: phone\n" +
                          pem_of(pki_tree.shuffled()) + plain_pkcs8_pem(key) + leaf.pem());
  auto view = expect_ok(service().import_identity("phone", request));
  EXPECT_EQ(view.certificate->sha256_fingerprint, leaf.sha256_fingerprint());
  EXPECT_EQ(fingerprints(view.chain), fingerprints(pki_tree.ordered()));
}

TEST_F(IdentityOperationsTest, ImportFromSeparateCertificateEncryptedKeyAndChainFiles) {
  const Hierarchy pki_tree;
  const pki::Key key = new_key(pki::KeyType::Rsa2048);
  const pki::Certificate leaf = issue_leaf(key, "phone.example.com", pki_tree.intermediate2);
  ImportRequest request;
  request.file = leaf.der();
  request.key_file = to_bytes(expect_ok(key.to_encrypted_pkcs8_pem(Secret("key-pass"))));
  request.chain_file = pem_bytes(pki_tree.shuffled());
  request.passphrase = Secret("key-pass");
  auto view = expect_ok(service().import_identity("phone", request));
  EXPECT_EQ(view.key, "RSA 2048");
  EXPECT_EQ(fingerprints(view.chain), fingerprints(pki_tree.ordered()));
}

TEST_F(IdentityOperationsTest, ImportTakesIntermediatesFromTheTrustedStore) {
  const Hierarchy pki_tree;
  add_custom_roots({pki_tree.root.certificate, pki_tree.intermediate1.certificate});
  const pki::Key key = new_key();
  const pki::Certificate leaf = issue_leaf(key, "phone.example.com", pki_tree.intermediate2);
  auto view = import_pem("phone", key, leaf, {pki_tree.intermediate2.certificate});
  EXPECT_EQ(fingerprints(view.chain),
            fingerprints({pki_tree.intermediate2.certificate, pki_tree.intermediate1.certificate}));
}

TEST_F(IdentityOperationsTest, ImportRefusesUnrelatedCertificatesAndLeavesStoreUnchanged) {
  const Authority ca = make_root("Corporate CA");
  const pki::Key key = new_key();
  const pki::Certificate leaf = issue_leaf(key, "phone.example.com", ca);
  ImportRequest request;
  request.file = to_bytes(leaf.pem() + plain_pkcs8_pem(key));
  request.chain_file = pem_bytes({ca.certificate, make_root("Unrelated Root").certificate});
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", request),
                               ErrorCode::InvalidArgument);
}

TEST_F(IdentityOperationsTest,
       ImportRefusesKeyThatDoesNotMatchTheCertificateAndLeavesStoreUnchanged) {
  const pki::Key key = new_key();
  const pki::Key other = new_key();
  ImportRequest request;
  request.file = pem_bytes({self_signed(key, "phone.example.com")});
  request.key_file = to_bytes(plain_pkcs8_pem(other));
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", request), ErrorCode::KeyMismatch);
}

TEST_F(IdentityOperationsTest,
       ImportRefusesMissingKeyOrCertificateOrTwoKeysAndLeavesStoreUnchanged) {
  const pki::Key key = new_key();
  const pki::Certificate certificate = self_signed(key, "phone.example.com");
  ImportRequest no_key;
  no_key.file = pem_bytes({certificate});
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", no_key),
                               ErrorCode::InvalidArgument);
  ImportRequest no_certificate;
  no_certificate.file = to_bytes(plain_pkcs8_pem(key));
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", no_certificate),
                               ErrorCode::InvalidArgument);
  ImportRequest two_keys;
  two_keys.file = to_bytes(certificate.pem() + plain_pkcs8_pem(key) + plain_pkcs8_pem(new_key()));
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", two_keys),
                               ErrorCode::InvalidArgument);
}

TEST_F(IdentityOperationsTest, ImportRefusesJunkEmptyAndTruncatedFilesAndLeavesStoreUnchanged) {
  const pki::Key key = new_key();
  const std::string pem = self_signed(key, "phone.example.com").pem() + plain_pkcs8_pem(key);
  Bytes junk(512);
  std::mt19937 random(7);
  for (auto& byte : junk) byte = static_cast<std::uint8_t>(random());
  for (const Bytes& bad : {Bytes{}, junk, to_bytes(pem.substr(0, pem.size() / 3))}) {
    ImportRequest request;
    request.file = bad;
    EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", request),
                                 ErrorCode::MalformedInput);
  }
}

TEST_F(IdentityOperationsTest, ImportRefusesFilesOverMaxUploadBytesAndLeavesStoreUnchanged) {
  expect_ok(service().set_setting("max_upload_bytes", "1024"));
  const pki::Key key = new_key();
  const std::string certificate = self_signed(key, "phone.example.com").pem();
  const std::string padding(1100, '\n');
  ImportRequest big_file;
  big_file.file = to_bytes(certificate + plain_pkcs8_pem(key) + padding);
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", big_file),
                               ErrorCode::LimitExceeded);
  ImportRequest big_key;
  big_key.file = to_bytes(certificate);
  big_key.key_file = to_bytes(plain_pkcs8_pem(key) + padding);
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", big_key),
                               ErrorCode::LimitExceeded);
  ImportRequest big_chain;
  big_chain.file = to_bytes(certificate + plain_pkcs8_pem(key));
  big_chain.chain_file = to_bytes(padding);
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", big_chain),
                               ErrorCode::LimitExceeded);
}

TEST_F(IdentityOperationsTest, ImportRefusesTakenNameAndLeavesStoreUnchanged) {
  create_self_signed("phone");
  const pki::Key key = new_key();
  ImportRequest request;
  request.file = to_bytes(self_signed(key, "phone.example.com").pem() + plain_pkcs8_pem(key));
  EXPECT_REFUSED_AND_UNCHANGED(service().import_identity("phone", request),
                               ErrorCode::AlreadyExists);
}

// --- export ---

class ExportTest : public IdentityOperationsTest {
 protected:
  void SetUp() override {
    IdentityOperationsTest::SetUp();
    leaf_ = issue_leaf(key_, "phone.example.com", hierarchy_.intermediate2);
    import_pem("phone", key_, *leaf_, hierarchy_.shuffled());
  }

  static std::string key_block(const std::string& pem) {
    const std::string begin = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
    const std::string end = "-----END ENCRYPTED PRIVATE KEY-----";
    const auto from = pem.find(begin);
    const auto to = pem.find(end);
    if (from == std::string::npos || to == std::string::npos) return {};
    return pem.substr(from, to + end.size() - from) + "\n";
  }

  Hierarchy hierarchy_;
  pki::Key key_ = new_key();
  std::optional<pki::Certificate> leaf_;
};

TEST_F(ExportTest, PemWithoutKeyHoldsCertificateAndChainInOrderAndNoKey) {
  const auto before = all_events().size();
  auto pem =
      expect_ok(service().export_identity("phone", ExportRequest{ExportFormat::Pem, false, {}}));
  const std::string text(as_text(pem));
  EXPECT_FALSE(contains(text, "PRIVATE KEY"));
  auto certificates = expect_ok(pki::read_certificates(pem));
  std::vector<pki::Certificate> expected{*leaf_};
  for (const auto& c : hierarchy_.ordered()) expected.push_back(c);
  EXPECT_EQ(fingerprints(certificates), fingerprints(expected));
  EXPECT_EQ(all_events().size(), before) << "exporting certificates changes nothing";
}

TEST_F(ExportTest, DerIsTheLeafCertificate) {
  auto der =
      expect_ok(service().export_identity("phone", ExportRequest{ExportFormat::Der, false, {}}));
  EXPECT_EQ(der, leaf_->der());
}

TEST_F(ExportTest, PemWithKeyIsEncryptedPkcs8ThatOpensOnlyWithThePassphrase) {
  auto pem = expect_ok(service().export_identity(
      "phone", ExportRequest{ExportFormat::Pem, true, Secret("export-pass")}));
  const std::string text(as_text(pem));
  EXPECT_FALSE(contains(text, "BEGIN PRIVATE KEY"));
  EXPECT_FALSE(contains(text, "BEGIN EC PRIVATE KEY"));
  const std::string block = key_block(text);
  ASSERT_FALSE(block.empty()) << text;
  auto opened = expect_ok(pki::Key::parse(as_bytes(block), Secret("export-pass")));
  EXPECT_TRUE(opened.matches(X509_get0_pubkey(leaf_->get())));
  EXPECT_TRUE(refused_with(pki::Key::parse(as_bytes(block), Secret("wrong-pass")),
                           ErrorCode::WrongPassphrase));
  EXPECT_TRUE(refused_with(pki::Key::parse(as_bytes(block)), ErrorCode::WrongPassphrase));
  EXPECT_FALSE(contains(ByteView(pem), ByteView(plain_pkcs8_der(key_))));
}

TEST_F(ExportTest, Pkcs12RoundTripsKeyCertificateAndChain) {
  auto pkcs12 = expect_ok(service().export_identity(
      "phone", ExportRequest{ExportFormat::Pkcs12, false, Secret("export-pass")}));
  auto contents = expect_ok(pki::read_pkcs12(pkcs12, Secret("export-pass")));
  ASSERT_TRUE(contents.key && contents.certificate);
  EXPECT_EQ(contents.certificate->der(), leaf_->der());
  EXPECT_TRUE(contents.key->matches(X509_get0_pubkey(leaf_->get())));
  auto others = fingerprints(contents.other_certificates);
  auto expected = fingerprints(hierarchy_.ordered());
  std::sort(others.begin(), others.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(others, expected);
  EXPECT_TRUE(
      refused_with(pki::read_pkcs12(pkcs12, Secret("wrong-pass")), ErrorCode::WrongPassphrase));
}

TEST_F(ExportTest, DerWithKeyIsRefused) {
  EXPECT_REFUSED_AND_UNCHANGED(
      service().export_identity("phone", ExportRequest{ExportFormat::Der, true, Secret("pass")}),
      ErrorCode::InvalidArgument);
}

TEST_F(ExportTest, KeyWithoutPassphraseIsRefused) {
  EXPECT_REFUSED_AND_UNCHANGED(
      service().export_identity("phone", ExportRequest{ExportFormat::Pem, true, {}}),
      ErrorCode::InvalidArgument);
  EXPECT_REFUSED_AND_UNCHANGED(
      service().export_identity("phone", ExportRequest{ExportFormat::Pkcs12, false, {}}),
      ErrorCode::InvalidArgument);
}

TEST_F(ExportTest, ExportingTheKeyWritesOneEvent) {
  auto before = all_events().size();
  expect_ok(
      service().export_identity("phone", ExportRequest{ExportFormat::Pkcs12, false, Secret("p")}));
  expect_one_new_event(before, "identity.export-key", "identity:phone");
  before = all_events().size();
  expect_ok(
      service().export_identity("phone", ExportRequest{ExportFormat::Pem, true, Secret("p")}));
  expect_one_new_event(before, "identity.export-key", "identity:phone");
}

TEST_F(ExportTest, FactoryKeyNeverLeavesTheDeviceButItsCertificateDoes) {
  EXPECT_REFUSED_AND_UNCHANGED(
      service().export_identity("factory", ExportRequest{ExportFormat::Pkcs12, false, Secret("p")}),
      ErrorCode::Forbidden);
  EXPECT_REFUSED_AND_UNCHANGED(
      service().export_identity("factory", ExportRequest{ExportFormat::Pem, true, Secret("p")}),
      ErrorCode::Forbidden);
  auto pem =
      expect_ok(service().export_identity("factory", ExportRequest{ExportFormat::Pem, false, {}}));
  EXPECT_NE(as_text(pem).find("BEGIN CERTIFICATE"), std::string_view::npos);
}

TEST_F(ExportTest, UnknownOrPendingIdentityIsRefused) {
  EXPECT_REFUSED_AND_UNCHANGED(
      service().export_identity("nobody", ExportRequest{ExportFormat::Pem, false, {}}),
      ErrorCode::NotFound);
  expect_ok(service().create_csr("sbc1", new_identity("sbc1.example.com")));
  EXPECT_REFUSED_AND_UNCHANGED(
      service().export_identity("sbc1", ExportRequest{ExportFormat::Pkcs12, false, Secret("p")}),
      ErrorCode::InvalidArgument);
}

TEST(ExportFormatTest, ParsesPemDerAndPkcs12Names) {
  EXPECT_EQ(parse_export_format("pem").value(), ExportFormat::Pem);
  EXPECT_EQ(parse_export_format("der").value(), ExportFormat::Der);
  EXPECT_EQ(parse_export_format("p12").value(), ExportFormat::Pkcs12);
  EXPECT_EQ(parse_export_format("pfx").value(), ExportFormat::Pkcs12);
  EXPECT_TRUE(refused_with(parse_export_format("jks"), ErrorCode::InvalidArgument));
}

// --- delete ---

TEST_F(IdentityOperationsTest, DeleteRemovesIdentityAndItsKeyAndWritesOneEvent) {
  create_self_signed("web");
  const auto keys_before = RawDatabase(database()).rows("SELECT id FROM keys").size();
  const auto before = all_events().size();
  expect_ok(service().delete_identity("web"));
  EXPECT_TRUE(refused_with(service().show_identity("web"), ErrorCode::NotFound));
  EXPECT_EQ(RawDatabase(database()).rows("SELECT id FROM keys").size(), keys_before - 1);
  expect_one_new_event(before, "identity.delete", "identity:web");
}

TEST_F(IdentityOperationsTest, DeletePendingIdentityRemovesIt) {
  expect_ok(service().create_csr("sbc1", new_identity("sbc1.example.com")));
  expect_ok(service().delete_identity("sbc1"));
  EXPECT_EQ(expect_ok(service().list_identities()).size(), 1u);
}

TEST_F(IdentityOperationsTest, DeleteUnknownIdentityIsNotFoundAndLeavesStoreUnchanged) {
  EXPECT_REFUSED_AND_UNCHANGED(service().delete_identity("nobody"), ErrorCode::NotFound);
}

TEST_F(IdentityOperationsTest, DeleteKeepsCertificatesAnotherIdentitySharesInItsChain) {
  const Authority ca = make_root("Corporate CA");
  const pki::Key a = new_key();
  const pki::Key b = new_key();
  import_pem("a", a, issue_leaf(a, "a.example.com", ca), {ca.certificate});
  import_pem("b", b, issue_leaf(b, "b.example.com", ca), {ca.certificate});
  expect_ok(service().delete_identity("a"));
  auto view = expect_ok(service().show_identity("b"));
  EXPECT_EQ(fingerprints(view.chain), fingerprints({ca.certificate}));
}

// The class comment: a CertificateService may be used from several threads.
TEST_F(IdentityOperationsTest, ConcurrentCreationsFromSeveralThreadsAllLand) {
  const auto events_before = all_events().size();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!service().create_self_signed(name, new_identity(name + ".example.com"))) ++failures;
        if (!service().list_identities()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(expect_ok(service().list_identities()).size(), 1u + kThreads * kPerThread);
  EXPECT_EQ(all_events().size(), events_before + kThreads * kPerThread);
}

}  // namespace
}  // namespace telecert::service::test
