#include "store/sqlite_migrations.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "store/sqlite_handle.h"
#include "store/sqlite_store.h"
#include "support/test_support.h"

namespace telecert::store::sqlite {
namespace {

using telecert::testing::TempDir;

const Secret kMasterKey{std::string(64, 'a')};

std::int64_t integer(sqlite3* database, std::string_view sql) {
  auto value = query_integer(database, sql, "test query");
  EXPECT_TRUE(value) << value.error().message;
  return value.value_or(-1);
}

bool has_table(sqlite3* database, const std::string& table) {
  return integer(database, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '" +
                               table + "'") == 1;
}

DatabaseHandle open_raw(const std::filesystem::path& path) {
  auto database = open_database(path);
  EXPECT_TRUE(database) << database.error().message;
  return std::move(database).value_or(DatabaseHandle{});
}

TEST(SqliteMigrations, MigratesEmptyDatabaseToCurrentVersion) {
  TempDir directory;
  const auto path = directory / "telecert.db";
  auto store = open_sqlite_store(path, kMasterKey);
  ASSERT_TRUE(store) << store.error().message;

  auto database = open_raw(path);
  EXPECT_EQ(integer(database.get(), "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(integer(database.get(), "PRAGMA application_id"), kApplicationId);
  for (const auto* table : {"keys", "certificates", "identities", "identity_chain", "trust_anchors",
                            "tls_contexts", "service_bindings", "settings", "events"}) {
    EXPECT_TRUE(has_table(database.get(), table)) << table;
  }
  EXPECT_EQ(integer(database.get(),
                    "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                    "name = 'certificates_by_not_after'"),
            1);
}

TEST(SqliteMigrations, RefusesDatabaseFromNewerVersionAndLeavesItUntouched) {
  TempDir directory;
  const auto path = directory / "telecert.db";
  ASSERT_TRUE(open_sqlite_store(path, kMasterKey));
  {
    auto database = open_raw(path);
    ASSERT_TRUE(execute(database.get(),
                        "PRAGMA user_version = " + std::to_string(kSchemaVersion + 1), "test"));
  }

  auto store = open_sqlite_store(path, kMasterKey);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::Unsupported);
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().hint.find("upgrade telecert"), std::string::npos);
  auto database = open_raw(path);
  EXPECT_EQ(integer(database.get(), "PRAGMA user_version"), kSchemaVersion + 1);
}

TEST(SqliteMigrations, RefusesSqliteFileOfAnotherApplication) {
  TempDir directory;
  const auto path = directory / "other.db";
  {
    auto database = open_raw(path);
    ASSERT_TRUE(execute(database.get(), "CREATE TABLE contacts (name TEXT)", "test"));
  }
  auto store = open_sqlite_store(path, kMasterKey);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::Unsupported);
  auto database = open_raw(path);
  EXPECT_FALSE(has_table(database.get(), "certificates"));
}

TEST(SqliteMigrations, AppliesOnlyPendingStepsInOrder) {
  TempDir directory;
  auto database = open_raw(directory / "steps.db");
  constexpr std::array<Migration, 1> kFirst{{{1, "CREATE TABLE a (x INTEGER);"}}};
  ASSERT_TRUE(migrate(database.get(), kFirst));
  ASSERT_TRUE(execute(database.get(), "INSERT INTO a VALUES (7)", "test"));

  // Step 1 must not run again (it would fail: table a exists); steps 2 and 3 run in order.
  constexpr std::array<Migration, 3> kAll{{
      {1, "CREATE TABLE a (x INTEGER);"},
      {2, "CREATE TABLE b (y INTEGER);"},
      {3, "INSERT INTO b SELECT x * 2 FROM a;"},
  }};
  auto migrated = migrate(database.get(), kAll);
  ASSERT_TRUE(migrated) << migrated.error().message;
  EXPECT_EQ(integer(database.get(), "PRAGMA user_version"), 3);
  EXPECT_EQ(integer(database.get(), "SELECT y FROM b"), 14);
}

TEST(SqliteMigrations, FailedStepLeavesDatabaseAtItsOldVersion) {
  TempDir directory;
  auto database = open_raw(directory / "steps.db");
  constexpr std::array<Migration, 1> kFirst{{{1, "CREATE TABLE a (x INTEGER);"}}};
  ASSERT_TRUE(migrate(database.get(), kFirst));

  constexpr std::array<Migration, 3> kBroken{{
      {1, "CREATE TABLE a (x INTEGER);"},
      {2, "CREATE TABLE b (y INTEGER);"},
      {3, "THIS IS NOT SQL;"},
  }};
  auto migrated = migrate(database.get(), kBroken);
  ASSERT_FALSE(migrated);
  EXPECT_EQ(migrated.error().code, ErrorCode::Storage);
  EXPECT_NE(migrated.error().message.find("schema version 3"), std::string::npos)
      << migrated.error().message;
  EXPECT_EQ(integer(database.get(), "PRAGMA user_version"), 1);
  EXPECT_FALSE(has_table(database.get(), "b"));
  EXPECT_EQ(sqlite3_get_autocommit(database.get()), 1) << "the migration transaction is closed";
}

TEST(SqliteMigrations, StepsThatBreakForeignKeysAreRolledBack) {
  TempDir directory;
  auto database = open_raw(directory / "steps.db");
  constexpr std::array<Migration, 1> kBroken{{
      {1,
       "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
       "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id));"
       "INSERT INTO child VALUES (42);"},
  }};
  auto migrated = migrate(database.get(), kBroken);
  ASSERT_FALSE(migrated);
  EXPECT_EQ(integer(database.get(), "PRAGMA user_version"), 0);
  EXPECT_FALSE(has_table(database.get(), "child"));
}

TEST(SqliteMigrations, MisnumberedStepListIsRefused) {
  TempDir directory;
  auto database = open_raw(directory / "steps.db");
  constexpr std::array<Migration, 2> kGap{{{1, "SELECT 1;"}, {3, "SELECT 1;"}}};
  auto migrated = migrate(database.get(), kGap);
  ASSERT_FALSE(migrated);
  EXPECT_EQ(migrated.error().code, ErrorCode::Internal);
}

TEST(SqliteMigrations, VersionOneStoreGainsTheDefaultContextAndKeepsItsData) {
  TempDir directory;
  const auto path = directory / "telecert.db";
  {
    auto database = open_raw(path);
    ASSERT_TRUE(migrate(database.get(), schema_migrations().first(1)));
    ASSERT_EQ(integer(database.get(), "PRAGMA user_version"), 1);
    ASSERT_TRUE(
        execute(database.get(),
                "INSERT INTO tls_contexts (name, definition) VALUES ('sip', '{\"strict\":true}');"
                "INSERT INTO service_bindings (service, context_id) VALUES ('sip-tls', 1);"
                "INSERT INTO settings (key, value) VALUES ('device_id', 'x');",
                "test"));
  }
  auto store = open_sqlite_store(path, kMasterKey);
  ASSERT_TRUE(store) << store.error().message;
  auto database = open_raw(path);
  EXPECT_EQ(integer(database.get(), "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(
      integer(database.get(),
              "SELECT count(*) FROM tls_contexts WHERE name = 'default' AND definition = '{}'"),
      1);
  EXPECT_EQ(integer(database.get(), "SELECT count(*) FROM tls_contexts"), 2);
  EXPECT_EQ(integer(database.get(), "SELECT count(*) FROM service_bindings"), 1);
  EXPECT_EQ(integer(database.get(), "SELECT count(*) FROM settings"), 1);
}

TEST(SqliteMigrations, VersionOneStoreWithItsOwnDefaultContextKeepsIt) {
  TempDir directory;
  const auto path = directory / "telecert.db";
  {
    auto database = open_raw(path);
    ASSERT_TRUE(migrate(database.get(), schema_migrations().first(1)));
    ASSERT_TRUE(execute(database.get(),
                        "INSERT INTO tls_contexts (name, definition) "
                        "VALUES ('default', '{\"strict\":true}');",
                        "test"));
  }
  ASSERT_TRUE(open_sqlite_store(path, kMasterKey));
  auto database = open_raw(path);
  EXPECT_EQ(integer(database.get(),
                    "SELECT count(*) FROM tls_contexts WHERE name = 'default' AND "
                    "definition = '{\"strict\":true}'"),
            1);
  EXPECT_EQ(integer(database.get(), "SELECT count(*) FROM tls_contexts"), 1);
}

TEST(SqliteMigrations, VersionTwoStoreGainsEmptyUserAndTokenTablesAndKeepsItsData) {
  TempDir directory;
  const auto path = directory / "telecert.db";
  {
    auto database = open_raw(path);
    ASSERT_TRUE(migrate(database.get(), schema_migrations().first(2)));
    ASSERT_EQ(integer(database.get(), "PRAGMA user_version"), 2);
    ASSERT_FALSE(has_table(database.get(), "users"));
    ASSERT_TRUE(execute(database.get(),
                        "INSERT INTO tls_contexts (name, definition) VALUES ('sip', '{}');"
                        "INSERT INTO settings (key, value) VALUES ('device_id', 'x');"
                        "INSERT INTO events (time, actor, action, object, outcome) "
                        "VALUES (1, 'cli:a', 'trust.add', 'trust:1', 'ok');",
                        "test"));
  }
  auto store = open_sqlite_store(path, kMasterKey);
  ASSERT_TRUE(store) << store.error().message;
  {
    auto transaction = (*store)->begin_write();
    ASSERT_TRUE(transaction);
    auto users = (*transaction)->list_users();
    ASSERT_TRUE(users) << users.error().message;
    EXPECT_TRUE(users->empty());
    auto tokens = (*transaction)->list_api_tokens();
    ASSERT_TRUE(tokens) << tokens.error().message;
    EXPECT_TRUE(tokens->empty());
    EXPECT_TRUE((*transaction)->insert_user({"admin", "admin", "$scrypt$x", {}, {}}));
    EXPECT_TRUE((*transaction)->commit());
  }
  store->reset();
  auto database = open_raw(path);
  EXPECT_EQ(integer(database.get(), "PRAGMA user_version"), 3);
  EXPECT_TRUE(has_table(database.get(), "api_tokens"));
  EXPECT_EQ(integer(database.get(), "SELECT count(*) FROM users"), 1);
  EXPECT_EQ(integer(database.get(), "SELECT count(*) FROM tls_contexts"), 2);
  EXPECT_EQ(integer(database.get(), "SELECT count(*) FROM settings"), 1);
  EXPECT_EQ(integer(database.get(), "SELECT count(*) FROM events"), 1);
}

TEST(SqliteMigrations, ShippedStepsEndAtTheCurrentSchemaVersion) {
  auto steps = schema_migrations();
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.back().version, kSchemaVersion);
}

}  // namespace
}  // namespace telecert::store::sqlite
