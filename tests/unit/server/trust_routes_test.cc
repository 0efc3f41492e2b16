#include <gtest/gtest.h>

#include "unit/server/api_test_fixture.h"

namespace telecert::server::test {
namespace {

using service::Role;
using service::test::make_root;
using service::test::pem_of;

class TrustRoutesTest : public ApiRoutesTest {
 protected:
  // Adds two custom roots through the API; their ids.
  std::vector<std::int64_t> add_two_roots() {
    const std::string pem =
        pem_of({make_root("Custom Root 1").certificate, make_root("Custom Root 2").certificate});
    auto response = post("/api/v1/trust", json{{"file", base64(pem)}});
    EXPECT_EQ(response.result_int(), 201) << response.body();
    std::vector<std::int64_t> ids;
    const json body = body_of(response);
    for (const auto& anchor : body["added"]) ids.push_back(anchor["id"]);
    return ids;
  }
};

TEST_F(TrustRoutesTest, AddAnswersTheTrustAddViewAndAllDuplicatesAre409) {
  const auto root = make_root("Custom Root");
  auto added = post("/api/v1/trust", json{{"file", base64(root.certificate.pem())}});
  ASSERT_EQ(added.result_int(), 201) << added.body();
  EXPECT_EQ(body_of(added)["added"].size(), 1u);
  EXPECT_EQ(body_of(added)["added"][0]["source"], "custom");
  EXPECT_EQ(body_of(added)["duplicates"], json::array());
  auto again = post("/api/v1/trust", json{{"file", base64(root.certificate.pem())}});
  EXPECT_EQ(again.result_int(), 409);
  EXPECT_EQ(post("/api/v1/trust", json{{"file", base64("junk")}}).result_int(), 422);
}

TEST_F(TrustRoutesTest, ListFiltersBySourceAsTheCliJson) {
  add_two_roots();
  auto all = get("/api/v1/trust", Role::Monitor);
  ASSERT_EQ(all.result_int(), 200);
  EXPECT_EQ(body_of(all), json(service::test::expect_ok(service().list_trust())));
  EXPECT_EQ(header(all, "X-Total-Count"), "5");
  auto custom = get("/api/v1/trust?filter=custom");
  EXPECT_EQ(body_of(custom).size(), 2u);
  EXPECT_EQ(header(custom, "X-Total-Count"), "2");
  for (const auto& anchor : body_of(custom)) EXPECT_EQ(anchor["source"], "custom");
  EXPECT_EQ(body_of(get("/api/v1/trust?filter=builtin")).size(), 3u);
  auto paged = get("/api/v1/trust?filter=builtin&limit=2");
  EXPECT_EQ(header(paged, "Link"), "</api/v1/trust?filter=builtin&limit=2&offset=2>; rel=\"next\"");
  EXPECT_EQ(get("/api/v1/trust?filter=mine").result_int(), 422);
}

TEST_F(TrustRoutesTest, ExportIsOnePemBundleAttachment) {
  add_two_roots();
  auto response = get("/api/v1/trust/export?filter=custom", Role::Monitor);
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(header(response, "Content-Type"), "application/x-pem-file");
  EXPECT_EQ(header(response, "Content-Disposition"), "attachment; filename=\"trusted-roots.pem\"");
  std::size_t count = 0;
  for (auto at = response.body().find("BEGIN CERTIFICATE"); at != std::string::npos;
       at = response.body().find("BEGIN CERTIFICATE", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u);
}

TEST_F(TrustRoutesTest, RemoveAnswers204AndUnknownIdsAre404) {
  const auto ids = add_two_roots();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(call(http::verb::delete_, "/api/v1/trust/" + std::to_string(ids[0])).result_int(), 204);
  EXPECT_EQ(body_of(get("/api/v1/trust?filter=custom")).size(), 1u);
  EXPECT_EQ(call(http::verb::delete_, "/api/v1/trust/" + std::to_string(ids[0])).result_int(), 404);
  EXPECT_EQ(call(http::verb::delete_, "/api/v1/trust/abc").result_int(), 404);
}

TEST_F(TrustRoutesTest, RoutesCarryTheContractsAccessRules) {
  EXPECT_EQ(route(http::verb::get, "/api/v1/trust")->access, Access::AnyRole);
  EXPECT_EQ(route(http::verb::get, "/api/v1/trust/export")->access, Access::AnyRole);
  EXPECT_EQ(route(http::verb::post, "/api/v1/trust")->access, Access::Admin);
  EXPECT_EQ(route(http::verb::delete_, "/api/v1/trust/{id}")->access, Access::Admin);
}

}  // namespace
}  // namespace telecert::server::test
