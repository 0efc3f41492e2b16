// RequestDispatcher over the real route table (API, session and UI routes) without a network:
// body rules per route (413, 415), HEAD, nesting depth, malformed logins, paging at the edges.
#include "server/request_dispatcher.h"

#include <gtest/gtest.h>

#include "server/api_json.h"
#include "server/session_routes.h"
#include "unit/server/api_test_fixture.h"

namespace telecert::server::test {
namespace {

class RequestDispatcherTest : public ApiRoutesTest {
 protected:
  void SetUp() override {
    ApiRoutesTest::SetUp();
    authenticator_ = std::make_unique<Authenticator>(clock_);
    add_session_routes(router_, SessionRouteDependencies{authenticator_.get(), &counters_});
    dispatcher_ = std::make_unique<RequestDispatcher>(router_, *authenticator_, *service_);
    service::Principal admin;
    admin.name = "admin";
    admin.role = service::Role::Admin;
    session_ = authenticator_->create_session(admin);
  }

  // `method target` with `body` of `content_type` ("" for none), as the admin's session when
  // `logged_in`. prepare() and dispatch() as the server calls them.
  Response send(http::verb method, const std::string& target, const std::string& body = "",
                const std::string& content_type = "application/json", bool logged_in = true) {
    Request request{method, target, 11};
    if (!content_type.empty()) request.set(http::field::content_type, content_type);
    if (logged_in) {
      request.set(http::field::cookie, std::string(kSessionCookie) + "=" + session_.id);
      request.set(std::string(kCsrfHeader), session_.csrf_token);
    }
    request.body() = body;
    if (!body.empty()) request.prepare_payload();
    auto prepared = dispatcher_->prepare(request);
    if (prepared.answer) return std::move(*prepared.answer);
    std::string actor;
    return dispatcher_->dispatch(request, *prepared.match, "127.0.0.1", actor);
  }

  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<RequestDispatcher> dispatcher_;
  Authenticator::NewSession session_;
};

TEST_F(RequestDispatcherTest, OnlyRoutesThatCarryFilesTakeUploadSizedBodies) {
  for (const auto& route : router_.routes()) {
    const bool upload = route.method == http::verb::post &&
                        (route.pattern == "/api/v1/identities/{name}/import" ||
                         route.pattern == "/api/v1/identities/{name}/certificate" ||
                         route.pattern == "/api/v1/trust" || route.pattern == "/api/v1/verify");
    EXPECT_EQ(route.body == Body::Upload, upload) << route.pattern;
    EXPECT_EQ(dispatcher_->body_limit(route), upload ? 2 * 5 * 1024 * 1024 + 64 * 1024 : 64 * 1024)
        << route.pattern;
  }
}

TEST_F(RequestDispatcherTest, JsonRouteRefusesABodyOver64KiBWith413AndUploadRouteTakesIt) {
  const json big = {{"name", "x"}, {"role", "monitor"}, {"password", std::string(70'000, 'a')}};
  const auto refused = send(http::verb::post, "/api/v1/users", big.dump());
  EXPECT_EQ(refused.result_int(), 413);
  EXPECT_EQ(error_code(refused), "limit_exceeded");
  const auto users = service_->list_users().value();
  for (const auto& user : users) EXPECT_NE(user.name, "x");

  const json chain = {{"chain", base64(std::string(70'000, 'x'))}};
  const auto verified = send(http::verb::post, "/api/v1/verify", chain.dump());
  EXPECT_NE(verified.result_int(), 413);
}

TEST_F(RequestDispatcherTest, BodyNotSentAsJsonIs415InTheErrorShapeAndChangesNothing) {
  const json user = {{"name", "bob"}, {"role", "monitor"}};
  for (const std::string type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
    const auto refused = send(http::verb::post, "/api/v1/users", user.dump(), type);
    EXPECT_EQ(refused.result_int(), 415) << type;
    EXPECT_EQ(error_code(refused), "unsupported") << type;
    EXPECT_NE(body_of(refused)["error"]["hint"].get<std::string>().find("application/json"),
              std::string::npos);
  }
  EXPECT_EQ(send(http::verb::post, "/api/v1/users", user.dump(), "Application/JSON; charset=utf-8")
                .result_int(),
            201);
}

TEST_F(RequestDispatcherTest, GetAndDeleteIgnoreABodyOfAnyType) {
  EXPECT_EQ(send(http::verb::get, "/api/v1/users", "x=1", "text/plain").result_int(), 200);
  const auto route = router_.match(http::verb::delete_, "/api/v1/session");
  ASSERT_TRUE(route);
  EXPECT_EQ(route->route->body, Body::None);
}

TEST_F(RequestDispatcherTest, LoginFromATextPlainFormIs415) {
  const auto refused = send(http::verb::post, "/api/v1/session",
                            R"({"username":"admin","password":"x"})", "text/plain", false);
  EXPECT_EQ(refused.result_int(), 415);
}

TEST_F(RequestDispatcherTest, MalformedLoginBodiesCountAsFailedLogins) {
  for (int i = 0; i < 20; ++i) {
    send(http::verb::post, "/api/v1/session", "{not json", "application/json", false);
  }
  EXPECT_GE(counters_.value("telecert_login_failures_total"), 5U);
  EXPECT_GT(authenticator_->login_retry_after("127.0.0.1"), 0);
}

TEST_F(RequestDispatcherTest, JsonNestedDeeperThan64LevelsIs422) {
  const std::string deep =
      R"({"name":"x","role":)" + std::string(100, '[') + std::string(100, ']') + "}";
  const auto refused = send(http::verb::post, "/api/v1/users", deep);
  EXPECT_EQ(refused.result_int(), 422);
  EXPECT_NE(body_of(refused)["error"]["message"].get<std::string>().find("deep"),
            std::string::npos);
  EXPECT_TRUE(api::parse_object(R"({"a":)" + std::string(63, '[') + std::string(63, ']') + "}"));
}

TEST_F(RequestDispatcherTest, HeadAnswersTheGetHeadersWithoutABody) {
  const auto got = send(http::verb::get, "/api/v1/openapi.json", "", "");
  const auto head = send(http::verb::head, "/api/v1/openapi.json", "", "");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(header(head, "Content-Length"), std::to_string(got.body().size()));
  EXPECT_EQ(header(head, "Content-Type"), "application/json");

  const auto missing = send(http::verb::head, "/api/v1/nothing", "", "");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_TRUE(missing.body().empty());
  const auto unauthenticated = send(http::verb::head, "/api/v1/users", "", "", false);
  EXPECT_EQ(unauthenticated.result_int(), 401);
  EXPECT_TRUE(unauthenticated.body().empty());
}

TEST_F(RequestDispatcherTest, HugeOffsetGivesAnEmptyPageWithoutALink) {
  const auto page = send(http::verb::get, "/api/v1/users?offset=9223372036854775807&limit=1000");
  EXPECT_EQ(page.result_int(), 200);
  EXPECT_EQ(body_of(page), json::array());
  EXPECT_EQ(header(page, "Link"), "");
  const auto past = send(http::verb::get, "/api/v1/users?offset=1&limit=1000");
  EXPECT_EQ(body_of(past), json::array());
  EXPECT_EQ(header(past, "Link"), "");
}

TEST_F(RequestDispatcherTest, UnsignedNumberBeyondInt64IsTooLargeNotNegative) {
  const auto body = json::parse(R"({"timeout_ms": 18446744073709551615})");
  const auto value = api::optional_integer(body, "timeout_ms");
  ASSERT_FALSE(value);
  EXPECT_NE(value.error().message.find("too large"), std::string::npos);
  EXPECT_EQ(http_status(value.error().code), 422);
}

TEST_F(RequestDispatcherTest, PathParameterThatIsNotUtf8Is404) {
  EXPECT_EQ(send(http::verb::get, "/api/v1/identities/%ff%fe").result_int(), 404);
  EXPECT_EQ(send(http::verb::get, "/api/v1/identities/%C0%AF").result_int(), 404);
  EXPECT_EQ(error_code(send(http::verb::get, "/api/v1/identities/caf%C3%A9")), "not_found");
}

TEST_F(RequestDispatcherTest, AdmitDecidesFromTheHeaderBeforeAnyBodyIsRead) {
  const auto header = [&](const std::string& target, std::uint64_t length, bool logged_in,
                          const std::string& type) {
    Request request{http::verb::post, target, 11};
    request.set(http::field::content_type, type);
    request.content_length(length);
    if (logged_in) {
      request.set(http::field::cookie, std::string(kSessionCookie) + "=" + session_.id);
      request.set(std::string(kCsrfHeader), session_.csrf_token);
    }
    return request;
  };
  const auto admit = [&](const Request& request) -> std::optional<Response> {
    auto prepared = dispatcher_->prepare(request);
    if (prepared.answer) return std::move(prepared.answer);
    return dispatcher_->admit(request, *prepared.match);
  };
  const auto unauthenticated = admit(header("/api/v1/users", 10, false, "application/json"));
  ASSERT_TRUE(unauthenticated);
  EXPECT_EQ(unauthenticated->result_int(), 401);
  const auto too_large = admit(header("/api/v1/users", 100'000, true, "application/json"));
  ASSERT_TRUE(too_large);
  EXPECT_EQ(too_large->result_int(), 413);
  const auto form = admit(header("/api/v1/users", 10, true, "text/plain"));
  ASSERT_TRUE(form);
  EXPECT_EQ(form->result_int(), 415);
  EXPECT_FALSE(admit(header("/api/v1/users", 10, true, "application/json")));
  EXPECT_FALSE(admit(header("/api/v1/verify", 3'000'000, true, "application/json")));
  const auto missing = admit(header("/api/v1/nothing", 3'000'000, true, "application/json"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result_int(), 404);
}

TEST(JsonResponseTest, InvalidUtf8IsReplacedNotThrown) {
  Request request{http::verb::get, "/", 11};
  Response response;
  EXPECT_NO_THROW(response = json_response(request, http::status::ok,
                                           nlohmann::json{{"name", std::string("a\xff\xfe")}}));
  EXPECT_EQ(nlohmann::json::parse(response.body())["name"], "a\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace telecert::server::test
