#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "pki/certificate_builder.h"
#include "store/sqlite_handle.h"
#include "support/test_support.h"

namespace telecert::store {
namespace {

using namespace std::chrono_literals;
using telecert::testing::TempDir;
using Days = std::chrono::days;

const Secret kMasterKey{"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"};
constexpr TimePoint kNow{std::chrono::sys_days{std::chrono::year{2026} / 3 / 1}};

const pki::Key& shared_key() {
  static const pki::Key key = pki::Key::generate(pki::KeyType::EcP256).value();
  return key;
}

// A fresh self-signed certificate (random serial, so a distinct fingerprint every call).
pki::Certificate make_certificate(const std::string& name, TimePoint not_before = kNow,
                                  std::chrono::days validity = Days{365}, bool is_ca = false) {
  pki::CertificateSpec spec;
  spec.subject.common_name = name;
  spec.not_before = not_before;
  spec.validity = validity;
  spec.is_ca = is_ca;
  return pki::build_certificate(shared_key(), spec).value();
}

template <class T>
T expect_ok(Result<T> result) {
  EXPECT_TRUE(result) << result.error().message;
  return std::move(result).value();
}

void expect_ok(Result<void> result) { EXPECT_TRUE(result) << result.error().message; }

mode_t mode_of(const std::filesystem::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open(kMasterKey); }

  std::unique_ptr<Store> open(const Secret& master_key) {
    auto store = open_sqlite_store(path_, master_key);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }

  std::unique_ptr<Transaction> write() { return expect_ok(store_->begin_write()); }
  std::unique_ptr<Transaction> read() { return expect_ok(store_->begin_read()); }

  KeyId store_key(const pki::Key& key = shared_key()) {
    auto transaction = write();
    const KeyId id = expect_ok(transaction->insert_key(key));
    expect_ok(transaction->commit());
    return id;
  }

  IdentityRecord identity(std::string name, KeyId key_id) {
    IdentityRecord record;
    record.name = std::move(name);
    record.origin = Origin::Imported;
    record.key_id = key_id;
    record.leaf = make_certificate(record.name);
    record.chain = {make_certificate("Intermediate CA", kNow, Days{3650}, true),
                    make_certificate("Root CA", kNow, Days{7300}, true)};
    record.created_at = kNow;
    record.updated_at = kNow;
    return record;
  }

  std::int64_t count_certificates() { return expect_ok(read()->count_certificates()); }

  TempDir directory_;
  std::filesystem::path path_ = directory_ / "telecert.db";
  std::unique_ptr<Store> store_;
};

// --- the database file ---

TEST_F(SqliteStoreTest, DatabaseUsesWriteAheadLogAndIsOwnerOnly) {
  auto database = sqlite::open_database(path_);
  ASSERT_TRUE(database);
  auto statement = sqlite::prepare(database->get(), "PRAGMA journal_mode");
  ASSERT_TRUE(statement);
  sqlite::Query query(database->get(), statement->get(), "test");
  ASSERT_TRUE(query.step().value_or(false));
  EXPECT_EQ(query.text(0), "wal");
  EXPECT_EQ(mode_of(path_), 0600);
}

TEST_F(SqliteStoreTest, EmptyMasterKeyIsRefused) {
  auto store = open_sqlite_store(directory_ / "other.db", Secret{});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::InvalidArgument);
}

TEST_F(SqliteStoreTest, UnwritableLocationIsAnErrorNotACrash) {
  auto store = open_sqlite_store(directory_ / "missing" / "dir" / "telecert.db", kMasterKey);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::Io);
  EXPECT_FALSE(store.error().hint.empty());
}

TEST_F(SqliteStoreTest, ReopenedStoreKeepsCommittedData) {
  auto transaction = write();
  expect_ok(transaction->set_setting("expiry_warning_days", "45"));
  expect_ok(transaction->commit());
  store_.reset();

  store_ = open(kMasterKey);
  EXPECT_EQ(expect_ok(read()->get_setting("expiry_warning_days")), "45");
}

// --- transactions ---

TEST_F(SqliteStoreTest, RolledBackTransactionLeavesNoTrace) {
  {
    auto transaction = write();
    expect_ok(transaction->insert_key(shared_key()));
    expect_ok(transaction->put_certificate(make_certificate("gone")));
    expect_ok(transaction->set_setting("k", "v"));
    expect_ok(transaction->append_event(
        {.time = kNow, .actor = "test", .action = "a", .object = "o", .outcome = "ok"}));
    // Destroyed without commit().
  }
  auto transaction = read();
  EXPECT_EQ(expect_ok(transaction->count_certificates()), 0);
  EXPECT_EQ(expect_ok(transaction->get_setting("k")), std::nullopt);
  EXPECT_TRUE(expect_ok(transaction->list_events(10, 0)).empty());
  auto key = transaction->load_key(1);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::NotFound);
}

TEST_F(SqliteStoreTest, CommittedChangesAreVisibleToLaterTransactions) {
  auto transaction = write();
  expect_ok(transaction->put_certificate(make_certificate("kept")));
  expect_ok(transaction->commit());
  EXPECT_EQ(count_certificates(), 1);
}

TEST_F(SqliteStoreTest, CommittedTransactionCannotBeUsedAgain) {
  auto transaction = write();
  expect_ok(transaction->commit());
  auto again = transaction->set_setting("k", "v");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::Internal);
  EXPECT_FALSE(transaction->commit());
  // The lock was released at commit: another transaction can start on this thread.
  EXPECT_TRUE(store_->begin_write());
}

TEST_F(SqliteStoreTest, ReadTransactionRefusesChanges) {
  auto transaction = read();
  auto changed = transaction->set_setting("k", "v");
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::Internal);
  EXPECT_FALSE(transaction->put_certificate(make_certificate("x")));
  EXPECT_FALSE(transaction->insert_trust_anchor(make_certificate("x"), TrustSource::Custom, kNow));
  EXPECT_TRUE(transaction->commit());
}

TEST_F(SqliteStoreTest, SecondTransactionOnTheSameThreadIsRefusedInsteadOfDeadlocking) {
  auto first = write();
  auto second = store_->begin_read();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::Internal);
}

TEST_F(SqliteStoreTest, TransactionsFromTwoThreadsAreSerialised) {
  constexpr int kIncrements = 50;
  auto increment = [this] {
    for (int round = 0; round < kIncrements; ++round) {
      auto transaction = store_->begin_write();
      ASSERT_TRUE(transaction);
      auto value = (*transaction)->get_setting("counter");
      ASSERT_TRUE(value);
      const int next = value->has_value() ? std::stoi(**value) + 1 : 1;
      ASSERT_TRUE((*transaction)->set_setting("counter", std::to_string(next)));
      ASSERT_TRUE((*transaction)->commit());
    }
  };
  std::thread other(increment);
  increment();
  other.join();
  EXPECT_EQ(expect_ok(read()->get_setting("counter")), std::to_string(2 * kIncrements));
}

TEST_F(SqliteStoreTest, TransactionOutlivingItsStoreStillCommits) {
  auto transaction = write();
  store_.reset();
  expect_ok(transaction->set_setting("k", "v"));
  expect_ok(transaction->commit());
  transaction.reset();
  store_ = open(kMasterKey);
  EXPECT_EQ(expect_ok(read()->get_setting("k")), "v");
}

TEST_F(SqliteStoreTest, SecondStoreOnTheSameFileSeesCommittedChanges) {
  auto other = open(kMasterKey);
  auto transaction = write();
  expect_ok(transaction->set_setting("k", "v"));
  expect_ok(transaction->commit());
  auto reader = expect_ok(other->begin_read());
  EXPECT_EQ(expect_ok(reader->get_setting("k")), "v");
}

// --- keys ---

TEST_F(SqliteStoreTest, KeyIsStoredEncryptedAndLoadsBack) {
  const auto key = expect_ok(pki::Key::generate(pki::KeyType::EcP256));
  const KeyId id = store_key(key);

  // The private scalar, as it would appear in any unencrypted encoding.
  BIGNUM* scalar_raw = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &scalar_raw), 1);
  pki::Owned<BIGNUM> scalar(scalar_raw);
  Bytes secret(32);
  ASSERT_EQ(BN_bn2binpad(scalar.get(), secret.data(), static_cast<int>(secret.size())), 32);

  // Read the row with SQLite directly, as an attacker holding the database file would.
  auto database = sqlite::open_database(path_);
  ASSERT_TRUE(database);
  auto statement =
      sqlite::prepare(database->get(), "SELECT algorithm, encrypted_pkcs8 FROM keys WHERE id = ?1");
  ASSERT_TRUE(statement);
  sqlite::Query query(database->get(), statement->get(), "test");
  query.bind(1, id);
  ASSERT_TRUE(query.step().value_or(false));
  EXPECT_EQ(query.text(0), "EC P-256");
  const Bytes stored = query.blob(1);
  EXPECT_EQ(std::search(stored.begin(), stored.end(), secret.begin(), secret.end()), stored.end());
  // It is an encrypted PKCS#8 structure that does not open without the master key.
  const unsigned char* cursor = stored.data();
  pki::Owned<X509_SIG> encrypted(d2i_X509_SIG(nullptr, &cursor, static_cast<long>(stored.size())));
  EXPECT_NE(encrypted, nullptr);
  EXPECT_EQ(pki::Key::parse(stored).error().code, ErrorCode::WrongPassphrase);

  // Nor does the scalar appear anywhere in the database files.
  for (const auto* suffix : {"", "-wal"}) {
    const auto file = path_.string() + suffix;
    if (!std::filesystem::exists(file)) continue;
    const std::string secret_text(secret.begin(), secret.end());
    EXPECT_EQ(testing::read_file(file).find(secret_text), std::string::npos) << file;
  }

  const auto loaded = expect_ok(read()->load_key(id));
  EXPECT_EQ(loaded.public_key_pem(), key.public_key_pem());
  EXPECT_TRUE(loaded.matches(key.get()));
}

TEST_F(SqliteStoreTest, KeyUnderAnotherMasterKeyIsAStorageErrorWithRestoreHint) {
  const KeyId id = store_key();
  store_.reset();
  store_ = open(Secret{std::string(64, 'f')});
  auto key = read()->load_key(id);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::Storage);
  EXPECT_NE(key.error().hint.find("master.key"), std::string::npos);
}

TEST_F(SqliteStoreTest, UnknownKeyIsNotFound) {
  auto key = read()->load_key(99);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::NotFound);
  auto deleted = write()->delete_key(99);
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, ErrorCode::NotFound);
}

TEST_F(SqliteStoreTest, KeyInUseByAnIdentityCannotBeDeleted) {
  const KeyId id = store_key();
  auto transaction = write();
  expect_ok(transaction->insert_identity(identity("sbc1", id)));
  auto deleted = transaction->delete_key(id);
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, ErrorCode::Forbidden);
  EXPECT_NE(deleted.error().message.find("sbc1"), std::string::npos);

  expect_ok(transaction->delete_identity("sbc1"));
  expect_ok(transaction->delete_key(id));
  EXPECT_EQ(transaction->load_key(id).error().code, ErrorCode::NotFound);
}

// --- certificates ---

TEST_F(SqliteStoreTest, DuplicateCertificateIsStoredOnce) {
  const auto certificate = make_certificate("twice");
  auto transaction = write();
  const auto first = expect_ok(transaction->put_certificate(certificate));
  const auto again = expect_ok(transaction->put_certificate(certificate));
  const auto parsed_copy = expect_ok(pki::Certificate::from_der(certificate.der()));
  const auto third = expect_ok(transaction->put_certificate(parsed_copy));
  EXPECT_EQ(first, again);
  EXPECT_EQ(first, third);
  EXPECT_EQ(expect_ok(transaction->count_certificates()), 1);
  expect_ok(transaction->commit());
}

TEST_F(SqliteStoreTest, ExpiringQueryReturnsSoonestFirst) {
  const auto in_30_days = make_certificate("thirty", kNow, Days{30});
  const auto in_10_days = make_certificate("ten", kNow, Days{10});
  const auto expired = make_certificate("expired", kNow - Days{100}, Days{50});
  const auto in_20_days = make_certificate("twenty", kNow, Days{20});
  const auto in_a_year = make_certificate("year", kNow, Days{365});
  auto transaction = write();
  for (const auto* certificate : {&in_30_days, &in_10_days, &expired, &in_20_days, &in_a_year}) {
    expect_ok(transaction->put_certificate(*certificate));
  }
  expect_ok(transaction->commit());

  const auto expiring = expect_ok(read()->certificates_expiring_before(kNow + 31 * 24h));
  ASSERT_EQ(expiring.size(), 4u);
  EXPECT_EQ(expiring[0].sha256_fingerprint, expired.sha256_fingerprint());
  EXPECT_EQ(expiring[1].sha256_fingerprint, in_10_days.sha256_fingerprint());
  EXPECT_EQ(expiring[2].sha256_fingerprint, in_20_days.sha256_fingerprint());
  EXPECT_EQ(expiring[3].sha256_fingerprint, in_30_days.sha256_fingerprint());
  EXPECT_EQ(expiring[1].subject, in_10_days.subject());
  EXPECT_EQ(expiring[1].not_after, in_10_days.not_after());
}

TEST_F(SqliteStoreTest, ExpiringQueryExcludesTheDeadlineItself) {
  const auto certificate = make_certificate("edge", kNow, Days{10});
  auto transaction = write();
  expect_ok(transaction->put_certificate(certificate));
  EXPECT_TRUE(
      expect_ok(transaction->certificates_expiring_before(certificate.not_after())).empty());
  EXPECT_EQ(
      expect_ok(transaction->certificates_expiring_before(certificate.not_after() + 1s)).size(),
      1u);
}

TEST_F(SqliteStoreTest, DeleteUnreferencedCertificatesKeepsThoseInUse) {
  const KeyId key_id = store_key();
  auto transaction = write();
  const auto sbc = identity("sbc1", key_id);
  expect_ok(transaction->insert_identity(sbc));
  const auto anchor = make_certificate("Custom Root", kNow, Days{3650}, true);
  expect_ok(transaction->insert_trust_anchor(anchor, TrustSource::Custom, kNow));
  expect_ok(transaction->put_certificate(make_certificate("orphan 1")));
  expect_ok(transaction->put_certificate(make_certificate("orphan 2")));
  ASSERT_EQ(expect_ok(transaction->count_certificates()), 6);

  EXPECT_EQ(expect_ok(transaction->delete_unreferenced_certificates()), 2);
  EXPECT_EQ(expect_ok(transaction->count_certificates()), 4);
  EXPECT_EQ(expect_ok(transaction->delete_unreferenced_certificates()), 0);

  const auto found = expect_ok(transaction->find_identity("sbc1"));
  ASSERT_TRUE(found && found->leaf);
  EXPECT_EQ(found->leaf->sha256_fingerprint(), sbc.leaf->sha256_fingerprint());
  EXPECT_EQ(found->chain.size(), 2u);
  EXPECT_EQ(expect_ok(transaction->list_trust_anchors()).size(), 1u);
}

// --- identities ---

TEST_F(SqliteStoreTest, IdentityRoundTripsWithLeafChainInOrderAndTimes) {
  const KeyId key_id = store_key();
  auto record = identity("sbc1", key_id);
  record.origin = Origin::Factory;
  record.updated_at = kNow + 5s;
  auto transaction = write();
  expect_ok(transaction->insert_identity(record));
  expect_ok(transaction->commit());

  const auto found = expect_ok(read()->find_identity("sbc1"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "sbc1");
  EXPECT_EQ(found->origin, Origin::Factory);
  EXPECT_EQ(found->key_id, key_id);
  ASSERT_TRUE(found->leaf);
  EXPECT_EQ(found->leaf->der(), record.leaf->der());
  ASSERT_EQ(found->chain.size(), 2u);
  EXPECT_EQ(found->chain[0].common_name(), "Intermediate CA");
  EXPECT_EQ(found->chain[1].common_name(), "Root CA");
  EXPECT_EQ(found->csr_pem, std::nullopt);
  EXPECT_EQ(found->created_at, kNow);
  EXPECT_EQ(found->updated_at, kNow + 5s);
}

TEST_F(SqliteStoreTest, PendingIdentityKeepsItsCsrAndHasNoLeaf) {
  const KeyId key_id = store_key();
  IdentityRecord pending{.name = "pending",
                         .origin = Origin::Csr,
                         .key_id = key_id,
                         .leaf = std::nullopt,
                         .chain = {},
                         .csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\n...\n",
                         .created_at = kNow,
                         .updated_at = kNow};
  auto transaction = write();
  expect_ok(transaction->insert_identity(pending));
  const auto found = expect_ok(transaction->find_identity("pending"));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->leaf);
  EXPECT_TRUE(found->chain.empty());
  EXPECT_EQ(found->csr_pem, pending.csr_pem);
  EXPECT_EQ(found->origin, Origin::Csr);
}

TEST_F(SqliteStoreTest, UnknownIdentityIsAbsentNotAnError) {
  EXPECT_EQ(expect_ok(read()->find_identity("nobody")), std::nullopt);
}

TEST_F(SqliteStoreTest, InsertingATakenNameIsAlreadyExistsAndChangesNothing) {
  const KeyId key_id = store_key();
  auto transaction = write();
  expect_ok(transaction->insert_identity(identity("sbc1", key_id)));
  const auto certificates_before = expect_ok(transaction->count_certificates());

  auto again = transaction->insert_identity(identity("sbc1", key_id));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);
  EXPECT_EQ(expect_ok(transaction->count_certificates()), certificates_before);
  // The transaction is still usable and commits the first identity.
  expect_ok(transaction->commit());
  EXPECT_EQ(expect_ok(read()->list_identities()).size(), 1u);
}

TEST_F(SqliteStoreTest, IdentityWithUnknownKeyIsNotFoundAndStoresNoCertificates) {
  auto transaction = write();
  auto inserted = transaction->insert_identity(identity("sbc1", 1234));
  ASSERT_FALSE(inserted);
  EXPECT_EQ(inserted.error().code, ErrorCode::NotFound);
  EXPECT_EQ(expect_ok(transaction->count_certificates()), 0);
}

TEST_F(SqliteStoreTest, UpdateReplacesLeafChainAndOriginButKeepsCreationTime) {
  const KeyId old_key = store_key();
  const KeyId new_key = store_key(expect_ok(pki::Key::generate(pki::KeyType::EcP256)));
  auto transaction = write();
  expect_ok(transaction->insert_identity(identity("sbc1", old_key)));

  auto renewed = identity("sbc1", new_key);
  renewed.origin = Origin::Acme;
  renewed.chain = {make_certificate("Other Intermediate", kNow, Days{3650}, true)};
  renewed.created_at = kNow + 999s;
  renewed.updated_at = kNow + 60s;
  expect_ok(transaction->update_identity(renewed));

  const auto found = expect_ok(transaction->find_identity("sbc1"));
  ASSERT_TRUE(found && found->leaf);
  EXPECT_EQ(found->origin, Origin::Acme);
  EXPECT_EQ(found->key_id, new_key);
  EXPECT_EQ(found->leaf->der(), renewed.leaf->der());
  ASSERT_EQ(found->chain.size(), 1u);
  EXPECT_EQ(found->chain[0].common_name(), "Other Intermediate");
  EXPECT_EQ(found->created_at, kNow);
  EXPECT_EQ(found->updated_at, kNow + 60s);
  // The replaced leaf and chain are now unreferenced.
  EXPECT_EQ(expect_ok(transaction->delete_unreferenced_certificates()), 3);
}

TEST_F(SqliteStoreTest, UpdatingAnUnknownIdentityIsNotFound) {
  const KeyId key_id = store_key();
  auto updated = write()->update_identity(identity("nobody", key_id));
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, ErrorCode::NotFound);
}

TEST_F(SqliteStoreTest, DeletingAnIdentityRemovesItsChainLinksButNotItsCertificates) {
  const KeyId key_id = store_key();
  auto transaction = write();
  expect_ok(transaction->insert_identity(identity("sbc1", key_id)));
  expect_ok(transaction->delete_identity("sbc1"));
  EXPECT_EQ(expect_ok(transaction->find_identity("sbc1")), std::nullopt);
  EXPECT_EQ(expect_ok(transaction->count_certificates()), 3);
  EXPECT_EQ(expect_ok(transaction->delete_unreferenced_certificates()), 3);
  // The key stays: the identity no longer uses it.
  EXPECT_TRUE(transaction->load_key(key_id));

  auto again = transaction->delete_identity("sbc1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::NotFound);
}

TEST_F(SqliteStoreTest, IdentitiesAreListedByName) {
  const KeyId key_id = store_key();
  auto transaction = write();
  for (const auto* name : {"web", "factory", "sip"}) {
    expect_ok(transaction->insert_identity(identity(name, key_id)));
  }
  const auto identities = expect_ok(transaction->list_identities());
  ASSERT_EQ(identities.size(), 3u);
  EXPECT_EQ(identities[0].name, "factory");
  EXPECT_EQ(identities[1].name, "sip");
  EXPECT_EQ(identities[2].name, "web");
  EXPECT_EQ(identities[2].chain.size(), 2u);
}

TEST_F(SqliteStoreTest, IdentitiesMayShareChainCertificates) {
  const KeyId key_id = store_key();
  const auto intermediate = make_certificate("Shared Intermediate", kNow, Days{3650}, true);
  auto first = identity("one", key_id);
  auto second = identity("two", key_id);
  first.chain = {intermediate};
  second.chain = {intermediate};
  auto transaction = write();
  expect_ok(transaction->insert_identity(first));
  expect_ok(transaction->insert_identity(second));
  EXPECT_EQ(expect_ok(transaction->count_certificates()), 3);
  expect_ok(transaction->delete_identity("one"));
  EXPECT_EQ(expect_ok(transaction->delete_unreferenced_certificates()), 1);
  EXPECT_EQ(expect_ok(transaction->find_identity("two"))->chain.size(), 1u);
}

// --- trust anchors ---

TEST_F(SqliteStoreTest, TrustAnchorForTheSameCertificateIsAddedOnce) {
  const auto root = make_certificate("Root", kNow, Days{3650}, true);
  auto transaction = write();
  const auto first = expect_ok(transaction->insert_trust_anchor(root, TrustSource::Custom, kNow));
  ASSERT_TRUE(first);
  const auto again =
      expect_ok(transaction->insert_trust_anchor(root, TrustSource::Builtin, kNow + 1s));
  EXPECT_EQ(again, std::nullopt);

  const auto anchors = expect_ok(transaction->list_trust_anchors());
  ASSERT_EQ(anchors.size(), 1u);
  EXPECT_EQ(anchors[0].id, *first);
  EXPECT_EQ(anchors[0].source, TrustSource::Custom);
  EXPECT_TRUE(anchors[0].enabled);
  EXPECT_EQ(anchors[0].added_at, kNow);
  EXPECT_EQ(anchors[0].certificate.der(), root.der());
  EXPECT_EQ(expect_ok(transaction->count_certificates()), 1);
}

TEST_F(SqliteStoreTest, TrustAnchorsAreCountedBySource) {
  auto transaction = write();
  for (int index = 0; index < 3; ++index) {
    expect_ok(
        transaction->insert_trust_anchor(make_certificate("builtin"), TrustSource::Builtin, kNow));
  }
  expect_ok(
      transaction->insert_trust_anchor(make_certificate("custom"), TrustSource::Custom, kNow));
  EXPECT_EQ(expect_ok(transaction->count_trust_anchors(TrustSource::Builtin)), 3);
  EXPECT_EQ(expect_ok(transaction->count_trust_anchors(TrustSource::Custom)), 1);
}

TEST_F(SqliteStoreTest, DeletingATrustAnchorKeepsItsCertificateUntilCleanup) {
  auto transaction = write();
  const auto id = expect_ok(
      transaction->insert_trust_anchor(make_certificate("Root"), TrustSource::Custom, kNow));
  ASSERT_TRUE(id);
  expect_ok(transaction->delete_trust_anchor(*id));
  EXPECT_TRUE(expect_ok(transaction->list_trust_anchors()).empty());
  EXPECT_EQ(expect_ok(transaction->delete_unreferenced_certificates()), 1);
}

TEST_F(SqliteStoreTest, DeletingAnUnknownTrustAnchorIsNotFound) {
  auto deleted = write()->delete_trust_anchor(42);
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, ErrorCode::NotFound);
}

// --- settings and events ---

TEST_F(SqliteStoreTest, SettingsAreReplacedAndMissingOnesAreEmpty) {
  auto transaction = write();
  EXPECT_EQ(expect_ok(transaction->get_setting("expiry_warning_days")), std::nullopt);
  expect_ok(transaction->set_setting("expiry_warning_days", "60"));
  expect_ok(transaction->set_setting("expiry_warning_days", "90"));
  EXPECT_EQ(expect_ok(transaction->get_setting("expiry_warning_days")), "90");
  expect_ok(transaction->set_setting("empty", ""));
  EXPECT_EQ(expect_ok(transaction->get_setting("empty")), "");
}

TEST_F(SqliteStoreTest, EventsAreListedNewestFirstUpToTheLimit) {
  auto transaction = write();
  // Recorded out of time order, and two in the same second.
  for (auto [offset, action] : std::vector<std::pair<std::chrono::seconds, std::string>>{
           {10s, "b"}, {0s, "a"}, {20s, "c"}, {20s, "d"}}) {
    expect_ok(transaction->append_event({.time = kNow + offset,
                                         .actor = "cli:alice",
                                         .action = action,
                                         .object = "identity:sbc1",
                                         .outcome = "ok"}));
  }
  const auto events = expect_ok(transaction->list_events(3, 0));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].action, "d");
  EXPECT_EQ(events[1].action, "c");
  EXPECT_EQ(events[2].action, "b");
  EXPECT_EQ(events[0].time, kNow + 20s);
  EXPECT_EQ(events[0].actor, "cli:alice");
  EXPECT_EQ(events[0].object, "identity:sbc1");
  EXPECT_EQ(events[0].outcome, "ok");
  EXPECT_GT(events[0].id, events[1].id);
  EXPECT_TRUE(expect_ok(transaction->list_events(0, 0)).empty());
  EXPECT_EQ(transaction->list_events(-1, 0).error().code, ErrorCode::InvalidArgument);
}

TEST_F(SqliteStoreTest, EventsPageWithAnOffsetAndAreCounted) {
  auto transaction = write();
  EXPECT_EQ(expect_ok(transaction->count_events()), 0);
  for (int second = 0; second < 5; ++second) {
    expect_ok(transaction->append_event({.time = kNow + std::chrono::seconds{second},
                                         .actor = "cli:alice",
                                         .action = "a" + std::to_string(second),
                                         .object = "identity:sbc1",
                                         .outcome = "ok"}));
  }
  EXPECT_EQ(expect_ok(transaction->count_events()), 5);
  const auto page = expect_ok(transaction->list_events(2, 2));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].action, "a2");
  EXPECT_EQ(page[1].action, "a1");
  const auto last = expect_ok(transaction->list_events(10, 4));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].action, "a0");
  EXPECT_TRUE(expect_ok(transaction->list_events(10, 5)).empty());
  EXPECT_EQ(transaction->list_events(1, -1).error().code, ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace telecert::store
