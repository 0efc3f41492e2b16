// Users and API tokens through the service (scrypt at full cost, so the hashing tests are few).
#include <fstream>
#include <iterator>

#include "service/password_hash.h"
#include "service_test_fixture.h"

namespace telecert::service::test {
namespace {

const Secret kPassword{"a long enough password"};

class UserOperationsTest : public ServiceTest {
 protected:
  std::vector<store::EventRecord> account_events() {
    std::vector<store::EventRecord> out;
    for (auto& event : all_events()) {
      if (event.action.starts_with("user.") || event.action.starts_with("token.")) {
        out.push_back(std::move(event));
      }
    }
    return out;
  }

  std::string database_bytes() {
    std::string bytes;
    for (const auto* suffix : {"", "-wal"}) {
      std::ifstream in(database().string() + suffix, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return bytes;
  }
};

TEST_F(UserOperationsTest, FirstStartCreatesAdminWhenOnlyMonitorsWereAddedBefore) {
  expect_ok(service().create_user("noc", Role::Monitor, Secret("a-long-enough-password")));
  auto first = expect_ok(service().ensure_first_admin());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->view.name, kFirstAdminName);
  EXPECT_EQ(first->view.role, Role::Admin);
  EXPECT_FALSE(expect_ok(service().ensure_first_admin()));
}

TEST_F(UserOperationsTest, FirstStartRefusesWhenTheAdminNameIsTakenByAMonitor) {
  expect_ok(service().create_user("admin", Role::Monitor, Secret("a-long-enough-password")));
  auto refused = service().ensure_first_admin();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);
  EXPECT_NE(refused.error().hint.find("telecert user add"), std::string::npos);
  EXPECT_EQ(expect_ok(service().list_users()).size(), 1u);
}

TEST_F(UserOperationsTest, FirstStartCreatesAdminWithAGeneratedPasswordOnceOnly) {
  auto first = expect_ok(service().ensure_first_admin());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->view.name, kFirstAdminName);
  EXPECT_EQ(first->view.role, Role::Admin);
  ASSERT_TRUE(first->generated_password);
  EXPECT_EQ(first->generated_password->reveal().size(), kGeneratedPasswordLength);

  const auto principal =
      expect_ok(service().authenticate_password("admin", *first->generated_password));
  EXPECT_EQ(principal.kind, Principal::Kind::User);
  EXPECT_EQ(principal.role, Role::Admin);
  EXPECT_EQ(principal.actor(), "web:admin");

  EXPECT_FALSE(expect_ok(service().ensure_first_admin()));
  EXPECT_EQ(expect_ok(service().list_users()).size(), 1u);
  const auto events = account_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, "user.create");
  EXPECT_EQ(events[0].object, "user:admin");
  EXPECT_EQ(events[0].actor, kActor);
  EXPECT_EQ(database_bytes().find(first->generated_password->reveal()), std::string::npos);
}

TEST_F(UserOperationsTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  expect_ok(service().create_user("alice", Role::Monitor, kPassword));
  auto wrong = service().authenticate_password("alice", Secret("a long enough passworD"));
  auto unknown = service().authenticate_password("mallory", kPassword);
  EXPECT_TRUE(refused_with(wrong, ErrorCode::Unauthenticated));
  ASSERT_TRUE(refused_with(unknown, ErrorCode::Unauthenticated));
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  EXPECT_EQ(wrong.error().message, "wrong user name or password");
  EXPECT_EQ(expect_ok(service().authenticate_password("alice", kPassword)).role, Role::Monitor);
}

TEST_F(UserOperationsTest, NewUserNeedsAValidNameAFreeNameAndALongEnoughPassword) {
  EXPECT_TRUE(refused_with(service().create_user("", Role::Monitor, kPassword),
                           ErrorCode::InvalidArgument));
  EXPECT_TRUE(refused_with(service().create_user("bad name", Role::Monitor, kPassword),
                           ErrorCode::InvalidArgument));
  EXPECT_TRUE(refused_with(service().create_user(std::string(65, 'a'), Role::Monitor, kPassword),
                           ErrorCode::InvalidArgument));
  auto short_password = service().create_user("alice", Role::Monitor,
                                              Secret(std::string(kMinPasswordLength - 1, 'x')));
  ASSERT_TRUE(refused_with(short_password, ErrorCode::InvalidArgument));
  EXPECT_EQ(short_password.error().message.find("xxx"), std::string::npos);

  const auto created = expect_ok(service().create_user("a.l-i_ce9", Role::Admin, Secret()));
  ASSERT_TRUE(created.generated_password);
  EXPECT_EQ(created.view.role, Role::Admin);
  EXPECT_TRUE(refused_with(service().create_user("a.l-i_ce9", Role::Monitor, Secret()),
                           ErrorCode::AlreadyExists));
  EXPECT_TRUE(account_events().size() == 1u);
}

TEST_F(UserOperationsTest, NewPasswordReplacesTheOldOneAndIsRecorded) {
  expect_ok(service().create_user("alice", Role::Monitor, kPassword));
  advance(std::chrono::hours{1});
  const Secret changed{"another long password"};
  expect_ok(service().set_password("alice", changed));
  EXPECT_TRUE(refused_with(service().authenticate_password("alice", kPassword),
                           ErrorCode::Unauthenticated));
  expect_ok(service().authenticate_password("alice", changed));
  const auto users = expect_ok(service().list_users());
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].created_at, kStart);
  EXPECT_EQ(users[0].password_changed_at, kStart + std::chrono::hours{1});
  EXPECT_TRUE(refused_with(service().set_password("bob", changed), ErrorCode::NotFound));
  EXPECT_TRUE(
      refused_with(service().set_password("alice", Secret("short")), ErrorCode::InvalidArgument));
  const auto events = account_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action, "user.password");
  EXPECT_EQ(events[0].object, "user:alice");
}

TEST_F(UserOperationsTest, TheLastAdminCannotBeDeletedButOthersCan) {
  expect_ok(service().create_user("root", Role::Admin, kPassword));
  expect_ok(service().create_user("watcher", Role::Monitor, kPassword));
  EXPECT_TRUE(refused_with(service().delete_user("root"), ErrorCode::Forbidden));
  expect_ok(service().delete_user("watcher"));
  EXPECT_TRUE(refused_with(service().delete_user("watcher"), ErrorCode::NotFound));
  expect_ok(service().create_user("second", Role::Admin, kPassword));
  expect_ok(service().delete_user("root"));
  const auto users = expect_ok(service().list_users());
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].name, "second");
  EXPECT_EQ(account_events().front().action, "user.delete");
  EXPECT_EQ(account_events().front().object, "user:root");
}

TEST_F(UserOperationsTest, TokenIsShownOnceStoredHashedAndAuthenticatesUntilRevoked) {
  const auto created = expect_ok(service().create_token("backup", Role::Monitor));
  const std::string token(created.token.reveal());
  EXPECT_EQ(token.size(), 47u);
  EXPECT_TRUE(token.starts_with("tct_"));
  EXPECT_EQ(token.find_first_of("+/="), std::string::npos) << "base64url without padding";
  EXPECT_EQ(created.view.name, "backup");
  EXPECT_EQ(created.view.created_at, kStart);

  const auto principal = expect_ok(service().authenticate_token(created.token));
  EXPECT_EQ(principal.kind, Principal::Kind::Token);
  EXPECT_EQ(principal.name, "backup");
  EXPECT_EQ(principal.role, Role::Monitor);
  EXPECT_EQ(principal.actor(), "token:backup");
  EXPECT_FALSE(principal.may_write());
  EXPECT_EQ(database_bytes().find(token), std::string::npos);
  EXPECT_EQ(database_bytes().find(token.substr(4)), std::string::npos);

  const auto tokens = expect_ok(service().list_tokens());
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].name, "backup");
  EXPECT_TRUE(
      refused_with(service().create_token("backup", Role::Admin), ErrorCode::AlreadyExists));

  expect_ok(service().revoke_token("backup"));
  EXPECT_TRUE(
      refused_with(service().authenticate_token(created.token), ErrorCode::Unauthenticated));
  EXPECT_TRUE(refused_with(service().revoke_token("backup"), ErrorCode::NotFound));
  EXPECT_TRUE(expect_ok(service().list_tokens()).empty());
  const auto events = account_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action, "token.revoke");
  EXPECT_EQ(events[1].action, "token.create");
  EXPECT_EQ(events[1].object, "token:backup");
  for (const auto& event : all_events()) {
    EXPECT_EQ(event.object.find(token.substr(4, 10)), std::string::npos);
  }
}

TEST_F(UserOperationsTest, MalformedOrForeignTokensDoNotAuthenticate) {
  const auto created = expect_ok(service().create_token("admin-bot", Role::Admin));
  std::string altered(created.token.reveal());
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {altered, std::string(), std::string("tct_"), std::string(created.token.reveal()).substr(4),
        std::string(created.token.reveal()) + "x"}) {
    auto refused = service().authenticate_token(Secret(bad));
    ASSERT_TRUE(refused_with(refused, ErrorCode::Unauthenticated)) << bad;
    EXPECT_EQ(refused.error().message.find("tct_"), std::string::npos);
  }
  EXPECT_TRUE(
      refused_with(service().create_token("no spaces", Role::Admin), ErrorCode::InvalidArgument));
}

TEST_F(UserOperationsTest, ActorOfAServiceMadeForAPrincipalIsRecorded) {
  const auto acting = service().with_actor("token:backup");
  expect_ok(acting->create_token("second", Role::Monitor));
  EXPECT_EQ(account_events().front().actor, "token:backup");
}

TEST_F(UserOperationsTest, EventsPageWithAnOffsetAndAreCounted) {
  expect_ok(service().create_token("one", Role::Monitor));
  expect_ok(service().create_token("two", Role::Monitor));
  expect_ok(service().create_token("three", Role::Monitor));
  EXPECT_EQ(expect_ok(service().count_events()), 3);
  const auto page = expect_ok(service().events(1, 1));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].object, "token:two");
}

}  // namespace
}  // namespace telecert::service::test
