#include <gtest/gtest.h>

#include "unit/server/api_test_fixture.h"

namespace telecert::server::test {
namespace {

using service::Role;
using service::test::expect_ok;

using AdminRoutesTest = ApiRoutesTest;

TEST_F(AdminRoutesTest, SettingsAnswerEverySettingByNameAsTheCliJson) {
  auto response = get("/api/v1/settings", Role::Monitor);
  ASSERT_EQ(response.result_int(), 200);
  const auto body = body_of(response);
  EXPECT_EQ(body["expiry_warning_days"], 60);
  EXPECT_EQ(body["keep_certificates_on_factory_reset"], false);
  EXPECT_EQ(body.size(), service::setting_definitions().size());
}

TEST_F(AdminRoutesTest, SettingsPatchTakesTextNumbersAndBooleans) {
  auto patched = call(http::verb::patch, "/api/v1/settings",
                      json{{"expiry_warning_days", "90"},
                           {"max_custom_trusted", 10},
                           {"keep_certificates_on_factory_reset", true}}
                          .dump());
  ASSERT_EQ(patched.result_int(), 200) << patched.body();
  EXPECT_EQ(body_of(patched)["expiry_warning_days"], 90);
  EXPECT_EQ(body_of(patched)["max_custom_trusted"], 10);
  EXPECT_EQ(body_of(patched)["keep_certificates_on_factory_reset"], true);
  EXPECT_EQ(expect_ok(service().settings()).expiry_warning_days, 90);
}

TEST_F(AdminRoutesTest, SettingsPatchIsAllOrNothing) {
  const auto before = snapshot();
  auto out_of_range = call(http::verb::patch, "/api/v1/settings",
                           json{{"max_custom_trusted", 10}, {"expiry_warning_days", 5}}.dump());
  EXPECT_EQ(out_of_range.result_int(), 422);
  EXPECT_NE(
      body_of(out_of_range)["error"]["message"].get<std::string>().find("expiry_warning_days"),
      std::string::npos);
  auto unknown = call(http::verb::patch, "/api/v1/settings",
                      json{{"expiry_warning_days", 90}, {"colour", "red"}}.dump());
  EXPECT_EQ(unknown.result_int(), 422);
  EXPECT_EQ(snapshot().dump(1), before.dump(1));
}

TEST_F(AdminRoutesTest, EventsPageNewestFirstWithTotalCountAndActor) {
  create_self_signed("a");
  create_self_signed("b");
  ASSERT_EQ(post("/api/v1/identities/c/self-signed", json{{"subject", {{"cn", "c"}}}}).result_int(),
            201);
  const auto total = expect_ok(service().count_events());
  auto first = get("/api/v1/events?limit=1", Role::Monitor);
  ASSERT_EQ(first.result_int(), 200) << first.body();
  EXPECT_EQ(header(first, "X-Total-Count"), std::to_string(total));
  ASSERT_EQ(body_of(first).size(), 1u);
  EXPECT_EQ(body_of(first)[0], json(all_events().front()));
  EXPECT_EQ(body_of(first)[0]["actor"], "web:alice");
  EXPECT_EQ(header(first, "Link"), "</api/v1/events?limit=1&offset=1>; rel=\"next\"");
  auto second = get("/api/v1/events?limit=1&offset=1");
  EXPECT_EQ(body_of(second)[0], json(all_events()[1]));
}

TEST_F(AdminRoutesTest, FactoryResetNeedsItsConfirmation) {
  create_self_signed("web");
  EXPECT_EQ(post("/api/v1/factory-reset", json::object()).result_int(), 422);
  EXPECT_EQ(post("/api/v1/factory-reset", json{{"confirm", "yes"}}).result_int(), 422);
  EXPECT_EQ(expect_ok(service().list_identities()).size(), 2u);
  auto reset = post("/api/v1/factory-reset", json{{"confirm", "factory-reset"}});
  ASSERT_EQ(reset.result_int(), 200) << reset.body();
  EXPECT_EQ(body_of(reset)["identities_removed"], 1);
  EXPECT_TRUE(body_of(reset).contains("trust_removed"));
  EXPECT_EQ(expect_ok(service().list_identities()).size(), 1u);
}

TEST_F(AdminRoutesTest, UsersAreCreatedWithAGeneratedPasswordShownOnceAndListed) {
  auto created = post("/api/v1/users", json{{"name", "bob"}, {"role", "monitor"}});
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const auto body = body_of(created);
  EXPECT_EQ(body["user"]["name"], "bob");
  EXPECT_EQ(body["user"]["role"], "monitor");
  const std::string password = body["password"];
  EXPECT_GE(password.size(), service::kMinPasswordLength);
  EXPECT_TRUE(service().authenticate_password("bob", Secret(password)));

  auto list = get("/api/v1/users");
  ASSERT_EQ(list.result_int(), 200);
  EXPECT_EQ(body_of(list), json(expect_ok(service().list_users())));
  EXPECT_EQ(list.body().find(password), std::string::npos);
  EXPECT_EQ(post("/api/v1/users", json{{"name", "bob"}, {"role", "monitor"}}).result_int(), 409);
  EXPECT_EQ(post("/api/v1/users", json{{"name", "eve"}, {"role", "root"}}).result_int(), 422);
  auto chosen =
      post("/api/v1/users",
           json{{"name", "carol"}, {"role", "admin"}, {"password", "a long enough passphrase"}});
  ASSERT_EQ(chosen.result_int(), 201);
  EXPECT_FALSE(body_of(chosen).contains("password"));
}

TEST_F(AdminRoutesTest, AMonitorChangesOnlyItsOwnPasswordAndProvesTheCurrentOne) {
  ASSERT_EQ(
      post("/api/v1/users",
           json{{"name", "alice"}, {"role", "monitor"}, {"password", "alice's first password"}})
          .result_int(),
      201);
  ASSERT_EQ(post("/api/v1/users",
                 json{{"name", "bob"}, {"role", "monitor"}, {"password", "bob's first password"}})
                .result_int(),
            201);
  const auto change = [&](const std::string& user, const json& body, Role role) {
    return call(http::verb::put, "/api/v1/users/" + user + "/password", body.dump(), role);
  };
  auto other = change("bob", {{"password", "bob's second password"}}, Role::Monitor);
  EXPECT_EQ(other.result_int(), 403);
  auto without = change("alice", {{"password", "alice's second password"}}, Role::Monitor);
  EXPECT_EQ(without.result_int(), 422);
  auto wrong =
      change("alice", {{"password", "alice's second password"}, {"current_password", "guess"}},
             Role::Monitor);
  EXPECT_EQ(wrong.result_int(), 422);
  EXPECT_EQ(wrong.body().find("guess"), std::string::npos);
  auto own = change(
      "alice",
      {{"password", "alice's second password"}, {"current_password", "alice's first password"}},
      Role::Monitor);
  EXPECT_EQ(own.result_int(), 204) << own.body();
  EXPECT_TRUE(service().authenticate_password("alice", Secret("alice's second password")));
  auto by_admin = change("bob", {{"password", "bob's password by admin"}}, Role::Admin);
  EXPECT_EQ(by_admin.result_int(), 204) << by_admin.body();
  EXPECT_TRUE(service().authenticate_password("bob", Secret("bob's password by admin")));
}

TEST_F(AdminRoutesTest, DeleteUserAnswers204ButNeverTheLastAdmin) {
  ASSERT_TRUE(expect_ok(service().ensure_first_admin()));
  ASSERT_EQ(post("/api/v1/users", json{{"name", "bob"}, {"role", "monitor"}}).result_int(), 201);
  EXPECT_EQ(call(http::verb::delete_, "/api/v1/users/bob").result_int(), 204);
  EXPECT_EQ(call(http::verb::delete_, "/api/v1/users/bob").result_int(), 404);
  EXPECT_EQ(call(http::verb::delete_, "/api/v1/users/admin").result_int(), 403);
}

TEST_F(AdminRoutesTest, TokensAreShownOnceListedWithoutTheTokenAndRevoked) {
  auto created = post("/api/v1/tokens", json{{"name", "ci"}, {"role", "monitor"}});
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const auto body = body_of(created);
  const std::string token = body["token"];
  EXPECT_TRUE(token.starts_with("tct_"));
  EXPECT_EQ(body["name"], "ci");
  EXPECT_EQ(body["role"], "monitor");
  EXPECT_TRUE(body.contains("created_at"));
  EXPECT_TRUE(service().authenticate_token(Secret(token)));

  auto list = get("/api/v1/tokens");
  ASSERT_EQ(list.result_int(), 200);
  EXPECT_EQ(body_of(list), json(expect_ok(service().list_tokens())));
  EXPECT_EQ(list.body().find(token), std::string::npos);
  EXPECT_EQ(call(http::verb::delete_, "/api/v1/tokens/ci").result_int(), 204);
  EXPECT_FALSE(service().authenticate_token(Secret(token)));
  EXPECT_EQ(call(http::verb::delete_, "/api/v1/tokens/ci").result_int(), 404);
}

TEST_F(AdminRoutesTest, RoutesCarryTheContractsAccessRules) {
  EXPECT_EQ(route(http::verb::get, "/api/v1/settings")->access, Access::AnyRole);
  EXPECT_EQ(route(http::verb::patch, "/api/v1/settings")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::get, "/api/v1/events")->access, Access::AnyRole);
  EXPECT_EQ(route(http::verb::post, "/api/v1/factory-reset")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::get, "/api/v1/users")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::post, "/api/v1/users")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::put, "/api/v1/users/{name}/password")->access, Access::AnyRole);
  EXPECT_EQ(route(http::verb::delete_, "/api/v1/users/{name}")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::get, "/api/v1/tokens")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::post, "/api/v1/tokens")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::delete_, "/api/v1/tokens/{name}")->access, Access::Admin);
}

}  // namespace
}  // namespace telecert::server::test
