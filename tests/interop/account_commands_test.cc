// The CLI contract for users and API tokens: `telecert token create|list|revoke` and
// `telecert user list|add|passwd|delete`, with the sqlite3 CLI and the raw database bytes as the
// independent check that no token or password is stored in clear.
#include <fstream>
#include <iterator>

#include "interop/interop_fixture.h"

namespace telecert::interop {
namespace {

class AccountCommandsTest : public InteropTest {
 protected:
  void SetUp() override { init(); }

  // Every byte of the database and its write-ahead log.
  std::string database_bytes() const {
    std::string bytes;
    for (const auto* suffix : {"", "-wal"}) {
      std::ifstream in(database().string() + suffix, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return bytes;
  }

  // The value after "label: " on its own line of `text`.
  static std::string line_value(const std::string& text, const std::string& label) {
    const auto start = text.find(label + ": ");
    if (start == std::string::npos) return {};
    const auto begin = start + label.size() + 2;
    return text.substr(begin, text.find('\n', begin) - begin);
  }
};

TEST_F(AccountCommandsTest, TokenCreatePrintsATokenOnceThatListShowsWithoutTheSecret) {
  const auto created = telecert_json({"token", "create", "backup", "--role", "monitor"});
  const std::string token = created.value("token", "");
  EXPECT_TRUE(token.starts_with("tct_")) << created.dump();
  EXPECT_EQ(token.size(), 47u);
  EXPECT_EQ(created.value("name", ""), "backup");
  EXPECT_EQ(created.value("role", ""), "monitor");
  EXPECT_TRUE(created.contains("created_at"));

  const auto listed = telecert_json({"token", "list"});
  ASSERT_TRUE(listed.is_array());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].value("name", ""), "backup");
  EXPECT_EQ(listed[0].value("role", ""), "monitor");
  EXPECT_FALSE(listed[0].contains("token"));
  EXPECT_TRUE(Lacks(listed.dump(), token.substr(4)));

  const auto text = telecert_ok({"token", "list"});
  EXPECT_TRUE(Contains(text.output, "backup"));
  EXPECT_TRUE(Lacks(text.output, token.substr(4)));
  EXPECT_TRUE(Lacks(telecert_ok({"events"}).output, token.substr(4)));
}

TEST_F(AccountCommandsTest, TokenWithATakenNameIsRefusedAndTheFirstStays) {
  // Only the token on stdout, so TOKEN=$(telecert token create ci --role admin) works.
  const auto first = telecert_ok({"token", "create", "ci", "--role", "admin"});
  ASSERT_TRUE(first.output.ends_with("\n")) << first.output;
  const std::string token = first.output.substr(0, first.output.size() - 1);
  EXPECT_TRUE(token.starts_with("tct_")) << first.output;
  EXPECT_EQ(token.size(), 4u + 43u) << first.output;
  EXPECT_TRUE(Contains(first.error, "created API token ci (admin)")) << first.error;

  const auto second = telecert({"token", "create", "ci", "--role", "monitor"});
  EXPECT_EQ(second.exit_status, 1) << describe(last_argv_, second);
  EXPECT_TRUE(Contains(second.error, "already exists"));
  EXPECT_TRUE(Lacks(second.output, "tct_"));
  const auto listed = telecert_json({"token", "list"});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].value("role", ""), "admin");
}

TEST_F(AccountCommandsTest, RevokeRemovesTheTokenAndASecondRevokeIsRefused) {
  telecert_ok({"token", "create", "ci", "--role", "admin"});
  telecert_ok({"token", "create", "alerts", "--role", "monitor"});
  EXPECT_TRUE(Contains(telecert_ok({"token", "revoke", "ci"}).output, "revoked"));
  const auto listed = telecert_json({"token", "list"});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].value("name", ""), "alerts");
  const auto again = telecert({"token", "revoke", "ci"});
  EXPECT_EQ(again.exit_status, 1) << describe(last_argv_, again);
  EXPECT_TRUE(Contains(again.error, "no API token"));

  const auto events = telecert_json({"events", "--limit", "2"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].value("action", ""), "token.revoke");
  EXPECT_EQ(events[0].value("object", ""), "token:ci");
}

TEST_F(AccountCommandsTest, UnknownRoleIsRefusedAndCreatesNothing) {
  const auto refused = telecert({"token", "create", "ci", "--role", "root"});
  EXPECT_EQ(refused.exit_status, 1) << describe(last_argv_, refused);
  EXPECT_TRUE(Contains(refused.error, "unknown role"));
  EXPECT_TRUE(telecert_json({"token", "list"}).empty());
}

TEST_F(AccountCommandsTest, UserAddPasswdAndDeleteWithGeneratedAndChosenPasswords) {
  const auto added = telecert_json({"user", "add", "alice", "--role", "monitor"});
  const std::string generated = added.value("password", "");
  EXPECT_EQ(generated.size(), 20u) << added.dump();
  EXPECT_EQ(added["user"].value("name", ""), "alice");
  EXPECT_EQ(added["user"].value("role", ""), "monitor");

  const std::string chosen = "chosen password for bob";
  const auto file = write("bob.txt", chosen + "\n");
  const auto bob = telecert_ok({"user", "add", "bob", "--role", "admin", "--password-file", file});
  EXPECT_TRUE(Contains(bob.output, "created user bob (admin)"));
  EXPECT_TRUE(Lacks(bob.output, "password:"));

  const auto changed = telecert_ok({"user", "passwd", "alice"});
  const std::string replacement = line_value(changed.output, "password");
  EXPECT_EQ(replacement.size(), 20u) << changed.output;
  EXPECT_NE(replacement, generated);

  const auto users = telecert_json({"user", "list"});
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].value("name", ""), "alice");
  EXPECT_EQ(users[1].value("role", ""), "admin");
  EXPECT_FALSE(users[0].contains("password"));
  EXPECT_FALSE(users[0].contains("password_hash"));

  const auto short_file = write("short.txt", "short\n");
  const auto refused = telecert({"user", "passwd", "alice", "--password-file", short_file});
  EXPECT_EQ(refused.exit_status, 1) << describe(last_argv_, refused);
  EXPECT_TRUE(Lacks(refused.error, "short\n"));

  const auto last_admin = telecert({"user", "delete", "bob"});
  EXPECT_EQ(last_admin.exit_status, 1) << describe(last_argv_, last_admin);
  EXPECT_TRUE(Contains(last_admin.error, "last admin"));
  telecert_ok({"user", "delete", "alice"});
  EXPECT_EQ(telecert_json({"user", "list"}).size(), 1u);

  const auto bytes = database_bytes();
  for (const auto& secret : {generated, replacement, chosen}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << "a password is stored in clear";
  }
  EXPECT_TRUE(Contains(dump_store(), "$scrypt$ln=15,r=8,p=1$"));
}

TEST_F(AccountCommandsTest, TheDatabaseHoldsOnlyTheTokensSha256) {
  const auto created = telecert_json({"token", "create", "backup", "--role", "admin"});
  const std::string token = created.value("token", "");
  ASSERT_FALSE(token.empty());
  const auto bytes = database_bytes();
  EXPECT_EQ(bytes.find(token.substr(4)), std::string::npos) << "the token is stored in clear";

  // The independent peer computes the SHA-256 the store must hold.
  const auto digest = run({"sh", "-c", "printf %s \"$0\" | openssl dgst -sha256 -r", token});
  ASSERT_EQ(digest.exit_status, 0) << digest.error;
  const std::string hex = digest.output.substr(0, 64);
  EXPECT_TRUE(Contains(dump_store(), "'" + hex + "'"));
}

TEST_F(AccountCommandsTest, EventsOffsetSkipsTheNewest) {
  telecert_ok({"token", "create", "one", "--role", "monitor"});
  telecert_ok({"token", "create", "two", "--role", "monitor"});
  const auto page = telecert_json({"events", "--limit", "1", "--offset", "1"});
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].value("object", ""), "token:one");
}

}  // namespace
}  // namespace telecert::interop
