// Shared by the REST route tests: the routes of add_api_routes on a Router over a ServiceTest's
// initialised temporary data directory, called directly with a RequestContext (no HTTP, no
// authentication: the server core checks access before a handler runs; these tests check what
// the handlers do and which access rule each route carries).
#pragma once

#include <openssl/evp.h>

#include <string>

#include "server/api_routes.h"
#include "server/counters.h"
#include "server/router.h"
#include "unit/service/service_test_fixture.h"

namespace telecert::server::test {

using service::test::json;

inline std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()),
                                     static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}
inline std::string base64(const Bytes& bytes) { return base64(as_text(bytes)); }

class ApiRoutesTest : public service::test::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    initialise();
    dependencies_.service = service_.get();
    dependencies_.counters = &counters_;
    routes_ = add_api_routes(router_, dependencies_);
    service_->set_change_listener([this] { routes_.on_change(); });
  }

  // Calls the route matching `method` and `target` as user "alice" with `role`.
  Response call(http::verb method, const std::string& target, const std::string& body = "",
                service::Role role = service::Role::Admin) {
    service::Principal principal;
    principal.name = "alice";
    principal.role = role;
    return call_as(method, target, body, principal);
  }

  Response call_as(http::verb method, const std::string& target, const std::string& body,
                   std::optional<service::Principal> principal) {
    Request request{method, target, 11};
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    auto match = router_.match(method, target_path(target));
    EXPECT_TRUE(match) << target;
    if (!match) return Response{http::status::not_found, 11};
    RequestContext context(request, std::move(match->parameters), std::move(principal), "127.0.0.1",
                           service_.get());
    return match->route->handler(context);
  }

  Response get(const std::string& target, service::Role role = service::Role::Admin) {
    return call(http::verb::get, target, "", role);
  }
  Response post(const std::string& target, const json& body,
                service::Role role = service::Role::Admin) {
    return call(http::verb::post, target, body.dump(), role);
  }

  const Route* route(http::verb method, const std::string& pattern) const {
    for (const auto& one : router_.routes()) {
      if (one.method == method && one.pattern == pattern) return &one;
    }
    return nullptr;
  }

  static json body_of(const Response& response) { return json::parse(response.body()); }
  static std::string error_code(const Response& response) {
    return body_of(response)["error"]["code"].get<std::string>();
  }
  static std::string header(const Response& response, std::string_view name) {
    const auto it = response.find(boost::beast::string_view(name.data(), name.size()));
    return it == response.end() ? std::string() : std::string(it->value());
  }

  Counters counters_;
  ApiDependencies dependencies_;
  Router router_;
  ApiRoutes routes_;
};

}  // namespace telecert::server::test
