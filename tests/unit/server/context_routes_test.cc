#include <gtest/gtest.h>

#include "tls/context_fields.h"
#include "unit/server/api_test_fixture.h"

namespace telecert::server::test {
namespace {

using service::Role;

using ContextRoutesTest = ApiRoutesTest;

TEST_F(ContextRoutesTest, ListAndShowAnswerTheCliJson) {
  auto list = get("/api/v1/contexts", Role::Monitor);
  ASSERT_EQ(list.result_int(), 200) << list.body();
  EXPECT_EQ(body_of(list), json(service::test::expect_ok(service().list_contexts())));
  auto shown = get("/api/v1/contexts/default", Role::Monitor);
  ASSERT_EQ(shown.result_int(), 200);
  EXPECT_EQ(body_of(shown)["name"], "default");
  EXPECT_EQ(get("/api/v1/contexts/none").result_int(), 404);
}

TEST_F(ContextRoutesTest, CreateTakesFieldsAsTextNumbersBooleansAndLists) {
  auto created = post("/api/v1/contexts", json{{"name", "sip"},
                                               {"fields",
                                                {{"min-tls", "1.3"},
                                                 {"dh-bits", 3072},
                                                 {"cn-fallback", true},
                                                 {"client-cert", "require"},
                                                 {"trust", "builtin"}}}});
  ASSERT_EQ(created.result_int(), 201) << created.body();
  const auto body = body_of(created);
  EXPECT_EQ(body["name"], "sip");
  EXPECT_EQ(body["min-tls"], "1.3");
  EXPECT_EQ(body["dh-bits"], 3072);
  EXPECT_EQ(body["cn-fallback"], true);
  EXPECT_EQ(body["client-cert"], "require");
  EXPECT_EQ(post("/api/v1/contexts", json{{"name", "sip"}}).result_int(), 409);
}

TEST_F(ContextRoutesTest, PatchChangesFieldsAndAcceptsAContextAsGetShowsIt) {
  auto patched = call(http::verb::patch, "/api/v1/contexts/default",
                      json{{"fields", {{"max-tls", "1.2"}}}}.dump());
  ASSERT_EQ(patched.result_int(), 200) << patched.body();
  EXPECT_EQ(body_of(patched)["max-tls"], "1.2");

  json shown = body_of(get("/api/v1/contexts/default"));
  shown["verify"] = "chain";
  auto round_trip =
      call(http::verb::patch, "/api/v1/contexts/default", json{{"fields", shown}}.dump());
  ASSERT_EQ(round_trip.result_int(), 200) << round_trip.body();
  EXPECT_EQ(body_of(round_trip)["verify"], "chain");
  EXPECT_EQ(body_of(round_trip)["max-tls"], "1.2");
}

TEST_F(ContextRoutesTest, PatchRefusesUnknownFieldsBadValuesAndAMissingFieldsObject) {
  const auto before = snapshot();
  auto unknown = call(http::verb::patch, "/api/v1/contexts/default",
                      json{{"fields", {{"colour", "red"}}}}.dump());
  EXPECT_EQ(unknown.result_int(), 422);
  EXPECT_NE(body_of(unknown)["error"]["message"].get<std::string>().find("colour"),
            std::string::npos);
  auto sslv3 = call(http::verb::patch, "/api/v1/contexts/default",
                    json{{"fields", {{"min-tls", "sslv3"}}}}.dump());
  EXPECT_EQ(sslv3.result_int(), 422);
  auto nested = call(http::verb::patch, "/api/v1/contexts/default",
                     json{{"fields", {{"role", {{"a", 1}}}}}}.dump());
  EXPECT_EQ(nested.result_int(), 422);
  EXPECT_EQ(call(http::verb::patch, "/api/v1/contexts/default", "{}").result_int(), 422);
  EXPECT_EQ(snapshot().dump(1), before.dump(1));
}

TEST_F(ContextRoutesTest, DeleteAnswers204AndDefaultCannotBeDeleted) {
  ASSERT_EQ(post("/api/v1/contexts", json{{"name", "spare"}}).result_int(), 201);
  EXPECT_EQ(call(http::verb::delete_, "/api/v1/contexts/spare").result_int(), 204);
  EXPECT_EQ(get("/api/v1/contexts/spare").result_int(), 404);
  const auto refused = call(http::verb::delete_, "/api/v1/contexts/default");
  EXPECT_GE(refused.result_int(), 400);
  EXPECT_TRUE(body_of(refused).contains("error"));
}

TEST_F(ContextRoutesTest, ContextFieldsAnswerTheTlsFieldTableInline) {
  auto response = get("/api/v1/context-fields", Role::Monitor);
  ASSERT_EQ(response.result_int(), 200);
  EXPECT_EQ(body_of(response), tls::context_fields_json());
  EXPECT_EQ(route(http::verb::get, "/api/v1/context-fields")->execution, Execution::Inline);
}

TEST_F(ContextRoutesTest, ServicesListAndBindAnswerServiceBindingViews) {
  auto list = get("/api/v1/services", Role::Monitor);
  ASSERT_EQ(list.result_int(), 200);
  EXPECT_EQ(body_of(list), json(service::test::expect_ok(service().list_services())));
  ASSERT_EQ(post("/api/v1/contexts", json{{"name", "sip"}}).result_int(), 201);
  auto bound = call(http::verb::put, "/api/v1/services/sip-tls", json{{"context", "sip"}}.dump());
  ASSERT_EQ(bound.result_int(), 200) << bound.body();
  EXPECT_EQ(body_of(bound)["service"], "sip-tls");
  EXPECT_EQ(body_of(bound)["context"], "sip");
  EXPECT_EQ(body_of(bound)["bound"], true);
  EXPECT_EQ(call(http::verb::put, "/api/v1/services/sip-tls", json{{"context", "nope"}}.dump())
                .result_int(),
            404);
  EXPECT_EQ(call(http::verb::put, "/api/v1/services/sip-tls", "{}").result_int(), 422);
}

TEST_F(ContextRoutesTest, RoutesCarryTheContractsAccessRules) {
  EXPECT_EQ(route(http::verb::get, "/api/v1/contexts")->access, Access::AnyRole);
  EXPECT_EQ(route(http::verb::get, "/api/v1/contexts/{name}")->access, Access::AnyRole);
  EXPECT_EQ(route(http::verb::post, "/api/v1/contexts")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::patch, "/api/v1/contexts/{name}")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::delete_, "/api/v1/contexts/{name}")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::get, "/api/v1/services")->access, Access::AnyRole);
  EXPECT_EQ(route(http::verb::put, "/api/v1/services/{service}")->access, Access::Admin);
}

}  // namespace
}  // namespace telecert::server::test
