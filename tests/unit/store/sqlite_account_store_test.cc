// The store's users and API tokens (SQLite, schema v3).
#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "support/test_support.h"

namespace telecert::store {
namespace {

using telecert::testing::TempDir;

const Secret kMasterKey{"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"};
constexpr TimePoint kNow{std::chrono::sys_days{std::chrono::year{2026} / 3 / 1}};

template <class T>
T expect_ok(Result<T> result) {
  EXPECT_TRUE(result) << result.error().message;
  return std::move(result).value();
}

void expect_ok(Result<void> result) { EXPECT_TRUE(result) << result.error().message; }

template <class T>
void expect_code(const Result<T>& result, ErrorCode code) {
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, code) << result.error().message;
  EXPECT_FALSE(result.error().hint.empty());
}

UserRecord user(std::string name, std::string role = "monitor") {
  const std::string hash = "$scrypt$hash-of-" + role;
  return UserRecord{std::move(name), std::move(role), hash, kNow, kNow};
}

ApiTokenRecord token(std::string name, std::string hash) {
  return ApiTokenRecord{std::move(name), "monitor", std::move(hash), kNow};
}

class SqliteAccountStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = expect_ok(open_sqlite_store(directory_ / "t.db", kMasterKey)); }
  std::unique_ptr<Transaction> write() { return expect_ok(store_->begin_write()); }
  std::unique_ptr<Transaction> read() { return expect_ok(store_->begin_read()); }

  TempDir directory_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteAccountStoreTest, UsersRoundTripAndAreListedByName) {
  {
    auto transaction = write();
    expect_ok(transaction->insert_user(user("zoe")));
    expect_ok(transaction->insert_user(user("admin", "admin")));
    expect_ok(transaction->commit());
  }
  auto transaction = read();
  const auto users = expect_ok(transaction->list_users());
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name, "admin");
  EXPECT_EQ(users[0].role, "admin");
  EXPECT_EQ(users[0].password_hash, "$scrypt$hash-of-admin");
  EXPECT_EQ(users[0].created_at, kNow);
  EXPECT_EQ(users[1].name, "zoe");
  EXPECT_EQ(expect_ok(transaction->find_user("zoe"))->role, "monitor");
  EXPECT_FALSE(expect_ok(transaction->find_user("nobody")));
}

TEST_F(SqliteAccountStoreTest, TakenUserNameIsAlreadyExistsAndKeepsTheFirstUser) {
  auto transaction = write();
  expect_ok(transaction->insert_user(user("alice")));
  expect_code(transaction->insert_user(user("alice", "admin")), ErrorCode::AlreadyExists);
  EXPECT_EQ(expect_ok(transaction->find_user("alice"))->role, "monitor");
}

TEST_F(SqliteAccountStoreTest, UnknownRoleIsRefusedByTheDatabase) {
  auto transaction = write();
  expect_code(transaction->insert_user(user("alice", "root")), ErrorCode::Storage);
  EXPECT_TRUE(expect_ok(transaction->list_users()).empty());
}

TEST_F(SqliteAccountStoreTest, UpdateReplacesHashAndChangeTimeButNotCreationTime) {
  auto transaction = write();
  expect_ok(transaction->insert_user(user("alice")));
  auto changed = user("alice", "admin");
  changed.password_hash = "$scrypt$new";
  changed.created_at = kNow + std::chrono::hours{5};
  changed.password_changed_at = kNow + std::chrono::hours{1};
  expect_ok(transaction->update_user(changed));
  const auto stored = *expect_ok(transaction->find_user("alice"));
  EXPECT_EQ(stored.role, "admin");
  EXPECT_EQ(stored.password_hash, "$scrypt$new");
  EXPECT_EQ(stored.created_at, kNow);
  EXPECT_EQ(stored.password_changed_at, kNow + std::chrono::hours{1});
  expect_code(transaction->update_user(user("bob")), ErrorCode::NotFound);
}

TEST_F(SqliteAccountStoreTest, DeleteRemovesTheUserAndUnknownUserIsNotFound) {
  auto transaction = write();
  expect_ok(transaction->insert_user(user("alice")));
  expect_ok(transaction->delete_user("alice"));
  EXPECT_FALSE(expect_ok(transaction->find_user("alice")));
  expect_code(transaction->delete_user("alice"), ErrorCode::NotFound);
}

TEST_F(SqliteAccountStoreTest, TokensAreFoundByTheirHashOnlyAndRevokedByName) {
  {
    auto transaction = write();
    expect_ok(transaction->insert_api_token(token("backup", "aa11")));
    expect_ok(transaction->insert_api_token(token("alerts", "bb22")));
    expect_ok(transaction->commit());
  }
  auto transaction = write();
  const auto tokens = expect_ok(transaction->list_api_tokens());
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].name, "alerts");
  EXPECT_EQ(tokens[1].token_hash, "aa11");
  EXPECT_EQ(expect_ok(transaction->find_api_token_by_hash("aa11"))->name, "backup");
  EXPECT_FALSE(expect_ok(transaction->find_api_token_by_hash("backup")));
  expect_ok(transaction->delete_api_token("backup"));
  EXPECT_FALSE(expect_ok(transaction->find_api_token_by_hash("aa11")));
  expect_code(transaction->delete_api_token("backup"), ErrorCode::NotFound);
}

TEST_F(SqliteAccountStoreTest, TakenTokenNameIsAlreadyExistsAndADuplicateHashIsRefused) {
  auto transaction = write();
  expect_ok(transaction->insert_api_token(token("backup", "aa11")));
  expect_code(transaction->insert_api_token(token("backup", "cc33")), ErrorCode::AlreadyExists);
  EXPECT_FALSE(transaction->insert_api_token(token("other", "aa11")));
  EXPECT_EQ(expect_ok(transaction->list_api_tokens()).size(), 1u);
}

TEST_F(SqliteAccountStoreTest, ReadTransactionRefusesAccountChanges) {
  auto transaction = read();
  expect_code(transaction->insert_user(user("alice")), ErrorCode::Internal);
  expect_code(transaction->insert_api_token(token("backup", "aa11")), ErrorCode::Internal);
  expect_code(transaction->delete_user("alice"), ErrorCode::Internal);
}

}  // namespace
}  // namespace telecert::store
