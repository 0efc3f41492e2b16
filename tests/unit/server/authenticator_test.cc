#include "server/authenticator.h"

#include <gtest/gtest.h>

#include <set>

namespace telecert::server {
namespace {

using namespace std::chrono_literals;

service::Principal user(std::string name, service::Role role = service::Role::Admin) {
  return service::Principal{service::Principal::Kind::User, std::move(name), role};
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  std::shared_ptr<FixedClock> clock_ =
      std::make_shared<FixedClock>(std::chrono::sys_seconds{std::chrono::seconds{1'800'000'000}});
};

TEST_F(AuthenticatorTest, SessionIdsAndCsrfTokensAre256RandomBitsInBase64Url) {
  Authenticator authenticator(clock_);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const auto session = authenticator.create_session(user("admin"));
    EXPECT_EQ(session.id.size(), 43U);
    EXPECT_EQ(session.csrf_token.size(), 43U);
    EXPECT_EQ(session.id.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_TRUE(seen.insert(session.id).second);
    EXPECT_TRUE(seen.insert(session.csrf_token).second);
  }
}

TEST_F(AuthenticatorTest, SessionFoundByItsIdWithItsPrincipalAndCsrfToken) {
  Authenticator authenticator(clock_);
  const auto session = authenticator.create_session(user("alice", service::Role::Monitor));
  const auto found = authenticator.find_session(session.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->principal.name, "alice");
  EXPECT_EQ(found->principal.role, service::Role::Monitor);
  EXPECT_EQ(found->csrf_token, session.csrf_token);
  EXPECT_FALSE(authenticator.find_session(session.csrf_token));
  EXPECT_FALSE(authenticator.find_session(""));
}

TEST_F(AuthenticatorTest, SessionEndsAfterThirtyIdleMinutes) {
  Authenticator authenticator(clock_);
  const auto session = authenticator.create_session(user("admin"));
  clock_->advance(29min);
  EXPECT_TRUE(authenticator.find_session(session.id));  // used: the idle time starts again
  clock_->advance(29min);
  EXPECT_TRUE(authenticator.find_session(session.id));
  clock_->advance(30min);
  EXPECT_FALSE(authenticator.find_session(session.id));
  EXPECT_EQ(authenticator.session_count(), 0U);
}

TEST_F(AuthenticatorTest, SessionEndsTwelveHoursAfterLoginEvenWhenUsed) {
  Authenticator authenticator(clock_);
  const auto session = authenticator.create_session(user("admin"));
  for (int i = 0; i < 47; ++i) {
    clock_->advance(15min);
    ASSERT_TRUE(authenticator.find_session(session.id)) << "after " << (i + 1) * 15 << " min";
  }
  clock_->advance(15min);  // 12 h
  EXPECT_FALSE(authenticator.find_session(session.id));
}

TEST_F(AuthenticatorTest, LogoutEndsOnlyThatSession) {
  Authenticator authenticator(clock_);
  const auto first = authenticator.create_session(user("admin"));
  const auto second = authenticator.create_session(user("admin"));
  authenticator.end_session(first.id);
  EXPECT_FALSE(authenticator.find_session(first.id));
  EXPECT_TRUE(authenticator.find_session(second.id));
}

TEST_F(AuthenticatorTest, EndSessionsOfUserLeavesOtherUsersLoggedIn) {
  Authenticator authenticator(clock_);
  const auto alice = authenticator.create_session(user("alice"));
  const auto bob = authenticator.create_session(user("bob"));
  authenticator.end_sessions_of("alice");
  EXPECT_FALSE(authenticator.find_session(alice.id));
  EXPECT_TRUE(authenticator.find_session(bob.id));
}

TEST_F(AuthenticatorTest, SessionsOfDeletedUsersOrChangedRolesEnd) {
  Authenticator authenticator(clock_);
  const auto alice = authenticator.create_session(user("alice", service::Role::Admin));
  const auto bob = authenticator.create_session(user("bob", service::Role::Admin));
  const auto carol = authenticator.create_session(user("carol", service::Role::Monitor));
  std::vector<service::UserView> users(2);
  users[0].name = "alice";
  users[0].role = service::Role::Admin;
  users[1].name = "carol";
  users[1].role = service::Role::Admin;  // was monitor when she logged in
  authenticator.retain_sessions_of(users);
  EXPECT_TRUE(authenticator.find_session(alice.id));
  EXPECT_FALSE(authenticator.find_session(bob.id));
  EXPECT_FALSE(authenticator.find_session(carol.id));
}

TEST_F(AuthenticatorTest, FullSessionTableDropsTheLeastRecentlyUsedSession) {
  Authenticator::Options options;
  options.max_sessions = 2;
  Authenticator authenticator(clock_, options);
  const auto first = authenticator.create_session(user("a"));
  clock_->advance(1s);
  const auto second = authenticator.create_session(user("b"));
  clock_->advance(1s);
  ASSERT_TRUE(authenticator.find_session(first.id));  // now the second is the stalest
  const auto third = authenticator.create_session(user("c"));
  EXPECT_EQ(authenticator.session_count(), 2U);
  EXPECT_TRUE(authenticator.find_session(first.id));
  EXPECT_FALSE(authenticator.find_session(second.id));
  EXPECT_TRUE(authenticator.find_session(third.id));
}

TEST_F(AuthenticatorTest, CsrfMatchesOnlyTheExactToken) {
  EXPECT_TRUE(Authenticator::csrf_matches("abcDEF123", "abcDEF123"));
  EXPECT_FALSE(Authenticator::csrf_matches("abcDEF123", "abcDEF124"));
  EXPECT_FALSE(Authenticator::csrf_matches("abcDEF123", "abcDEF12"));
  EXPECT_FALSE(Authenticator::csrf_matches("abcDEF123", "abcDEF1234"));
  EXPECT_FALSE(Authenticator::csrf_matches("abcDEF123", ""));
  EXPECT_FALSE(Authenticator::csrf_matches("", ""));
}

TEST_F(AuthenticatorTest, FifthFailureWithinFiveMinutesBlocksTheSourceForTheRestOfTheWindow) {
  Authenticator authenticator(clock_);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(authenticator.record_login_failure("192.0.2.1"), 0);
    EXPECT_EQ(authenticator.login_retry_after("192.0.2.1"), 0);
    clock_->advance(10s);
  }
  EXPECT_EQ(authenticator.record_login_failure("192.0.2.1"), 300 - 40);
  EXPECT_EQ(authenticator.login_retry_after("192.0.2.1"), 260);
  clock_->advance(200s);
  EXPECT_EQ(authenticator.login_retry_after("192.0.2.1"), 60);
  clock_->advance(60s);
  EXPECT_EQ(authenticator.login_retry_after("192.0.2.1"), 0);
  EXPECT_EQ(authenticator.record_login_failure("192.0.2.1"), 0);  // a new window
}

TEST_F(AuthenticatorTest, FailuresSpreadOverMoreThanTheWindowNeverBlock) {
  Authenticator authenticator(clock_);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(authenticator.record_login_failure("192.0.2.1"), 0) << i;
    clock_->advance(76s);  // 4 per window at most
    if (i % 4 == 3) clock_->advance(1s);
  }
  EXPECT_EQ(authenticator.login_retry_after("192.0.2.1"), 0);
}

TEST_F(AuthenticatorTest, RateLimitIsPerSource) {
  Authenticator authenticator(clock_);
  for (int i = 0; i < 5; ++i) static_cast<void>(authenticator.record_login_failure("192.0.2.1"));
  EXPECT_GT(authenticator.login_retry_after("192.0.2.1"), 0);
  EXPECT_EQ(authenticator.login_retry_after("192.0.2.2"), 0);
  EXPECT_EQ(authenticator.login_retry_after("::1"), 0);
}

TEST_F(AuthenticatorTest, RateLimitTableStaysBounded) {
  Authenticator::Options options;
  options.max_tracked_sources = 3;
  Authenticator authenticator(clock_, options);
  for (int i = 0; i < 5; ++i) static_cast<void>(authenticator.record_login_failure("10.0.0.1"));
  ASSERT_GT(authenticator.login_retry_after("10.0.0.1"), 0);
  for (int n = 2; n < 10; ++n) {
    clock_->advance(1s);
    static_cast<void>(authenticator.record_login_failure("10.0.0." + std::to_string(n)));
  }
  // The oldest window made room for newer sources.
  EXPECT_EQ(authenticator.login_retry_after("10.0.0.1"), 0);
}

TEST_F(AuthenticatorTest, CachedTokenIsForgottenAfterItsTimeToLive) {
  auto monotonic = std::chrono::steady_clock::time_point{} + 1h;
  Authenticator::Options options;
  options.token_cache_ttl = 1s;
  options.monotonic_now = [&monotonic] { return monotonic; };
  Authenticator authenticator(clock_, options);
  const service::Principal token{service::Principal::Kind::Token, "ci", service::Role::Monitor};
  EXPECT_FALSE(authenticator.cached_token("tct_abc"));
  authenticator.cache_token("tct_abc", token);
  const auto found = authenticator.cached_token("tct_abc");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "ci");
  EXPECT_FALSE(authenticator.cached_token("tct_abd"));
  monotonic += 999ms;
  EXPECT_TRUE(authenticator.cached_token("tct_abc"));
  monotonic += 1ms;
  EXPECT_FALSE(authenticator.cached_token("tct_abc"));
}

TEST_F(AuthenticatorTest, ClearedTokenCacheForgetsEveryToken) {
  Authenticator authenticator(clock_);
  const service::Principal token{service::Principal::Kind::Token, "ci", service::Role::Monitor};
  authenticator.cache_token("tct_abc", token);
  authenticator.clear_token_cache();
  EXPECT_FALSE(authenticator.cached_token("tct_abc"));
}

service::UserView view(std::string name, service::Role role, std::int64_t changed) {
  service::UserView out;
  out.name = std::move(name);
  out.role = role;
  out.password_changed_at = pki::TimePoint{std::chrono::seconds{changed}};
  return out;
}

TEST_F(AuthenticatorTest, SessionsEndWhenTheirUsersPasswordChangedAfterLogin) {
  Authenticator authenticator(clock_);
  authenticator.retain_sessions_of(
      {view("alice", service::Role::Admin, 100), view("bob", service::Role::Admin, 100)});
  const auto alice = authenticator.create_session(user("alice"));
  const auto bob = authenticator.create_session(user("bob"));
  authenticator.retain_sessions_of(
      {view("alice", service::Role::Admin, 100), view("bob", service::Role::Admin, 100)});
  ASSERT_TRUE(authenticator.find_session(alice.id));
  // `telecert user passwd alice` in another process: seen at the daemon's next refresh.
  authenticator.retain_sessions_of(
      {view("alice", service::Role::Admin, 200), view("bob", service::Role::Admin, 100)});
  EXPECT_FALSE(authenticator.find_session(alice.id));
  EXPECT_TRUE(authenticator.find_session(bob.id));
}

TEST_F(AuthenticatorTest, SessionOfAUserNotSeenYetIsBoundAtTheNextRefresh) {
  Authenticator authenticator(clock_);
  const auto carol = authenticator.create_session(user("carol"));
  authenticator.retain_sessions_of({view("carol", service::Role::Admin, 100)});
  ASSERT_TRUE(authenticator.find_session(carol.id));
  authenticator.retain_sessions_of({view("carol", service::Role::Admin, 300)});
  EXPECT_FALSE(authenticator.find_session(carol.id));
}

TEST_F(AuthenticatorTest, SessionOfAUserNotSeenYetEndsWhenThePasswordChangedAfterLogin) {
  Authenticator authenticator(clock_);
  const auto login_time = clock_->now();
  const auto dave = authenticator.create_session(user("dave"));
  const auto after = login_time.time_since_epoch().count() + 2;
  authenticator.retain_sessions_of({view("dave", service::Role::Admin, after)});
  EXPECT_FALSE(authenticator.find_session(dave.id));
}

TEST_F(AuthenticatorTest, OwnPasswordChangeKeepsTheCallersSessionAndEndsTheOthers) {
  Authenticator authenticator(clock_);
  authenticator.retain_sessions_of({view("alice", service::Role::Admin, 100)});
  const auto here = authenticator.create_session(user("alice"));
  const auto laptop = authenticator.create_session(user("alice"));
  authenticator.hold_session_through_password_change(here.id);
  // The change commits; the daemon's change listener sees the new password_changed_at.
  authenticator.retain_sessions_of({view("alice", service::Role::Admin, 200)});
  authenticator.end_sessions_of("alice", here.id);
  EXPECT_TRUE(authenticator.find_session(here.id));
  EXPECT_FALSE(authenticator.find_session(laptop.id));
  // Bound to the new password from now on.
  authenticator.retain_sessions_of({view("alice", service::Role::Admin, 200)});
  EXPECT_TRUE(authenticator.find_session(here.id));
  authenticator.retain_sessions_of({view("alice", service::Role::Admin, 300)});
  EXPECT_FALSE(authenticator.find_session(here.id));
}

TEST(Sha256HexTest, KnownAnswer) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace telecert::server
