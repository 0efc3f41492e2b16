// The OpenAPI document (src/server/openapi.json, embedded) against the route table the daemon
// serves: every route is documented with its method and access rule, and every documented
// operation is a route.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "server/authenticator.h"
#include "server/session_routes.h"
#include "server/web_assets.h"
#include "unit/server/api_test_fixture.h"

namespace telecert::server::test {
namespace {

std::string method_name(http::verb method) {
  std::string name(http::to_string(method));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string access_name(Access access) {
  switch (access) {
    case Access::Public:
      return "public";
    case Access::AnyRole:
      return "any-role";
    case Access::Admin:
      return "admin";
  }
  return "";
}

class OpenApiTest : public ApiRoutesTest {
 protected:
  void SetUp() override {
    ApiRoutesTest::SetUp();
    authenticator_ = std::make_unique<Authenticator>(clock_);
    add_session_routes(router_, SessionRouteDependencies{authenticator_.get(), &counters_});
    document_ = json::parse(openapi_document());
  }

  std::unique_ptr<Authenticator> authenticator_;
  json document_;
};

TEST_F(OpenApiTest, IsAnOpenApi303DocumentWithTheErrorShapeAndTheThreeSecuritySchemes) {
  EXPECT_EQ(document_["openapi"], "3.0.3");
  const auto& components = document_["components"];
  EXPECT_EQ(components["schemas"]["Error"]["required"], json({"error"}));
  EXPECT_EQ(components["schemas"]["Error"]["properties"]["error"]["required"],
            json({"code", "message", "hint"}));
  const auto& schemes = components["securitySchemes"];
  EXPECT_EQ(schemes["sessionCookie"]["in"], "cookie");
  EXPECT_EQ(schemes["sessionCookie"]["name"], "telecert_session");
  EXPECT_EQ(schemes["bearerToken"]["scheme"], "bearer");
  EXPECT_EQ(schemes["csrfToken"]["in"], "header");
  EXPECT_EQ(schemes["csrfToken"]["name"], "X-CSRF-Token");
}

TEST_F(OpenApiTest, EveryRouteIsDocumentedWithItsMethodAndAccess) {
  ASSERT_GT(router_.routes().size(), 40u);
  for (const auto& route : router_.routes()) {
    const std::string method = method_name(route.method);
    ASSERT_TRUE(document_["paths"].contains(route.pattern)) << route.pattern;
    const auto& path = document_["paths"][route.pattern];
    ASSERT_TRUE(path.contains(method)) << method << " " << route.pattern;
    EXPECT_EQ(path[method]["x-telecert-access"], access_name(route.access))
        << method << " " << route.pattern;
    EXPECT_FALSE(path[method]["responses"].empty()) << method << " " << route.pattern;
  }
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsARoute) {
  std::set<std::pair<std::string, std::string>> routes;
  for (const auto& route : router_.routes())
    routes.emplace(method_name(route.method), route.pattern);
  std::size_t operations = 0;
  for (const auto& [path, methods] : document_["paths"].items()) {
    for (const auto& [method, operation] : methods.items()) {
      ++operations;
      EXPECT_TRUE(routes.contains({method, path})) << method << " " << path << " is no route";
    }
  }
  EXPECT_EQ(operations, routes.size());
}

TEST_F(OpenApiTest, WritesThatTakeABodyDocumentItAndEveryReferencedSchemaExists) {
  for (const auto& route : router_.routes()) {
    const auto& operation = document_["paths"][route.pattern][method_name(route.method)];
    if (route.method == http::verb::post || route.method == http::verb::patch ||
        route.method == http::verb::put) {
      EXPECT_TRUE(operation.contains("requestBody")) << route.pattern;
    }
  }
  const std::string text(openapi_document());
  for (auto at = text.find("#/components/"); at != std::string::npos;
       at = text.find("#/components/", at + 1)) {
    const auto end = text.find('"', at);
    const std::string pointer = text.substr(at + 1, end - at - 1);
    EXPECT_NO_THROW(document_.at(json::json_pointer(pointer))) << pointer;
  }
}

}  // namespace
}  // namespace telecert::server::test
