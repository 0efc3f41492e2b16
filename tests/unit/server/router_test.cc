#include "server/router.h"

#include <gtest/gtest.h>

namespace telecert::server {
namespace {

Route route(http::verb method, std::string pattern) {
  return Route{method, std::move(pattern), Access::AnyRole, Execution::Inline,
               [](RequestContext&) { return Response{}; }};
}

TEST(RouterTest, MatchesLiteralAndParameterSegments) {
  Router router;
  router.add(route(http::verb::get, "/api/v1/identities"));
  router.add(route(http::verb::get, "/api/v1/identities/{name}"));
  router.add(route(http::verb::get, "/api/v1/identities/{name}/csr"));

  auto list = router.match(http::verb::get, "/api/v1/identities");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->route->pattern, "/api/v1/identities");
  auto csr = router.match(http::verb::get, "/api/v1/identities/sbc%201/csr");
  ASSERT_TRUE(csr);
  EXPECT_EQ(csr->route->pattern, "/api/v1/identities/{name}/csr");
  EXPECT_EQ(csr->parameters.at("name"), "sbc 1");
  EXPECT_FALSE(router.match(http::verb::get, "/api/v1/identities/"));
  EXPECT_FALSE(router.match(http::verb::get, "/api/v1/nothing"));
}

TEST(RouterTest, ListsTheMethodsAPathAllowsWhenTheMethodDoesNot) {
  Router router;
  router.add(route(http::verb::get, "/api/v1/trust"));
  router.add(route(http::verb::post, "/api/v1/trust"));
  std::vector<http::verb> allowed;
  EXPECT_FALSE(router.match(http::verb::delete_, "/api/v1/trust", &allowed));
  EXPECT_EQ(allowed, (std::vector<http::verb>{http::verb::get, http::verb::post}));
}

TEST(HttpMessageTest, ReadsQueryParametersAndCookies) {
  EXPECT_EQ(query_parameter("/x?limit=5&name=a%20b+c", "name"), "a b c");
  EXPECT_EQ(query_parameter("/x?limit=5", "limit"), "5");
  EXPECT_FALSE(query_parameter("/x?limit=5", "offset"));
  Request request{http::verb::get, "/", 11};
  request.set(http::field::cookie, "a=1; telecert_session=xyz; b=2");
  EXPECT_EQ(cookie_value(request, "telecert_session"), "xyz");
  EXPECT_FALSE(cookie_value(request, "missing"));
}

TEST(HttpMessageTest, ErrorShapeCarriesCodeMessageHintAndStatus) {
  Request request{http::verb::get, "/", 11};
  auto response = error_response(request, Error{ErrorCode::NotFound, "no identity 'x'", "list"});
  EXPECT_EQ(response.result_int(), 404);
  auto body = nlohmann::json::parse(response.body());
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_EQ(body["error"]["message"], "no identity 'x'");
  EXPECT_EQ(body["error"]["hint"], "list");
  EXPECT_EQ(error_response(request, Error{ErrorCode::Unauthenticated, "", ""}).result_int(), 401);
}

}  // namespace
}  // namespace telecert::server
