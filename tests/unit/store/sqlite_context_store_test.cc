// The store's TLS contexts and service bindings (SQLite).
#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "support/test_support.h"

namespace telecert::store {
namespace {

using telecert::testing::TempDir;

const Secret kMasterKey{"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"};

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

std::vector<std::string> names(const std::vector<ContextRecord>& records) {
  std::vector<std::string> out;
  for (const auto& record : records) out.push_back(record.name);
  return out;
}

class SqliteContextStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = expect_ok(open_sqlite_store(directory_ / "t.db", kMasterKey)); }
  std::unique_ptr<Transaction> write() { return expect_ok(store_->begin_write()); }

  TempDir directory_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteContextStoreTest, NewStoreHasOnlyTheDefaultContextWithAnEmptyDefinition) {
  auto contexts = expect_ok(write()->list_contexts());
  ASSERT_EQ(contexts.size(), 1u);
  EXPECT_EQ(contexts[0].name, "default");
  EXPECT_EQ(contexts[0].definition_json, "{}");
  EXPECT_TRUE(expect_ok(write()->list_service_bindings()).empty());
}

TEST_F(SqliteContextStoreTest, ContextsRoundTripAndAreListedByName) {
  auto tx = write();
  const ContextId id = expect_ok(tx->insert_context("sip", R"({"role":"server"})"));
  expect_ok(tx->insert_context("https", "{}"));
  expect_ok(tx->commit());
  auto again = write();
  EXPECT_EQ(names(expect_ok(again->list_contexts())),
            (std::vector<std::string>{"default", "https", "sip"}));
  auto found = expect_ok(again->find_context("sip"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, id);
  EXPECT_EQ(found->definition_json, R"({"role":"server"})");
  EXPECT_FALSE(expect_ok(again->find_context("nope")));
}

TEST_F(SqliteContextStoreTest, TakenContextNameIsAlreadyExists) {
  expect_code(write()->insert_context("default", "{}"), ErrorCode::AlreadyExists);
}

TEST_F(SqliteContextStoreTest, DefinitionThatIsNotJsonIsRefusedByTheDatabase) {
  auto tx = write();
  expect_code(tx->insert_context("broken", "{not json"), ErrorCode::Storage);
  EXPECT_FALSE(expect_ok(tx->find_context("broken")));
}

TEST_F(SqliteContextStoreTest, UpdateReplacesTheDefinitionAndUnknownContextIsNotFound) {
  auto tx = write();
  expect_ok(tx->update_context("default", R"({"strict":true})"));
  EXPECT_EQ(expect_ok(tx->find_context("default"))->definition_json, R"({"strict":true})");
  expect_code(tx->update_context("nope", "{}"), ErrorCode::NotFound);
}

TEST_F(SqliteContextStoreTest, BindingIsAnUpsertByServiceName) {
  auto tx = write();
  expect_ok(tx->insert_context("sip", "{}"));
  expect_ok(tx->bind_service("sip-tls", "default"));
  expect_ok(tx->bind_service("web-admin", "default"));
  expect_ok(tx->bind_service("sip-tls", "sip"));
  auto bindings = expect_ok(tx->list_service_bindings());
  ASSERT_EQ(bindings.size(), 2u);
  EXPECT_EQ(bindings[0].service, "sip-tls");
  EXPECT_EQ(bindings[0].context, "sip");
  EXPECT_EQ(bindings[1].service, "web-admin");
  EXPECT_EQ(bindings[1].context, "default");
}

TEST_F(SqliteContextStoreTest, BindingToAnUnknownContextIsNotFoundAndBindsNothing) {
  auto tx = write();
  expect_code(tx->bind_service("sip-tls", "nope"), ErrorCode::NotFound);
  EXPECT_TRUE(expect_ok(tx->list_service_bindings()).empty());
}

TEST_F(SqliteContextStoreTest, BoundContextCannotBeDeletedUntilUnbound) {
  auto tx = write();
  expect_ok(tx->insert_context("sip", "{}"));
  expect_ok(tx->bind_service("sip-tls", "sip"));
  auto refused = tx->delete_context("sip");
  expect_code(refused, ErrorCode::Forbidden);
  EXPECT_NE(refused.error().message.find("sip-tls"), std::string::npos) << refused.error().message;
  EXPECT_TRUE(expect_ok(tx->find_context("sip")));

  EXPECT_EQ(expect_ok(tx->delete_service_bindings()), 1);
  expect_ok(tx->delete_context("sip"));
  EXPECT_FALSE(expect_ok(tx->find_context("sip")));
  expect_code(tx->delete_context("sip"), ErrorCode::NotFound);
}

TEST_F(SqliteContextStoreTest, ReadTransactionRefusesContextChanges) {
  auto tx = expect_ok(store_->begin_read());
  expect_code(tx->insert_context("sip", "{}"), ErrorCode::Internal);
  expect_code(tx->bind_service("sip-tls", "default"), ErrorCode::Internal);
}

}  // namespace
}  // namespace telecert::store
