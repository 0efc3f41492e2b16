#include <gtest/gtest.h>

#include <thread>

#include "server/status_cache.h"
#include "unit/server/api_test_fixture.h"

namespace telecert::server::test {
namespace {

using service::Role;
using service::test::expect_ok;

using StatusRoutesTest = ApiRoutesTest;

// The value of the series that starts with `prefix` in `text`, or "" when there is none.
std::string series_value(const std::string& text, const std::string& prefix) {
  const auto at = text.find("\n" + prefix);
  if (at == std::string::npos) return "";
  const auto line_end = text.find('\n', at + 1);
  const std::string line = text.substr(at + 1, line_end - at - 1);
  return line.substr(line.rfind(' ') + 1);
}

TEST_F(StatusRoutesTest, StatusAnswersTheStatusViewAsTheCliJson) {
  auto response = get("/api/v1/status", Role::Monitor);
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(header(response, "Content-Type"), "application/json");
  EXPECT_EQ(body_of(response), json(expect_ok(service().status())));
  const Route* route_found = route(http::verb::get, "/api/v1/status");
  ASSERT_NE(route_found, nullptr);
  EXPECT_EQ(route_found->access, Access::AnyRole);
  EXPECT_EQ(route_found->execution, Execution::Inline);
}

TEST_F(StatusRoutesTest, StatusShowsAChangeRightAfterItIsCommitted) {
  EXPECT_EQ(body_of(get("/api/v1/status"))["identities"].size(), 1u);
  create_self_signed("web");  // the change listener calls on_change
  EXPECT_EQ(body_of(get("/api/v1/status"))["identities"].size(), 2u);
}

TEST_F(StatusRoutesTest, CacheRebuildsWhenOlderThanItsMaxAgeWithoutAnyChangeCall) {
  auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  StatusCache cache(service(), std::chrono::milliseconds(30), [&now] { return now; });
  const auto first = cache.current();
  ASSERT_TRUE(first->status_json);
  // A change made elsewhere (another process): no invalidate().
  auto other = open_service();
  expect_ok(other->create_self_signed("web", new_identity("web.example.com")));
  now += std::chrono::milliseconds(29);
  EXPECT_EQ(cache.current(), first);
  now += std::chrono::milliseconds(1);
  const auto rebuilt = cache.current();
  EXPECT_NE(rebuilt, first);
  EXPECT_EQ(json::parse(*rebuilt->status_json)["identities"].size(), 2u);
}

TEST_F(StatusRoutesTest, CacheServesOneSnapshotToManyThreadsWhileInvalidated) {
  StatusCache cache(service(), std::chrono::seconds(60));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&cache, &failures, t] {
      for (int i = 0; i < 50; ++i) {
        if (t == 0) cache.invalidate();
        const auto snapshot = cache.current();
        if (!snapshot || !snapshot->status_json || !snapshot->metrics_text) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(StatusRoutesTest, MetricsGivesTheFactoryIdentitysExpiryAndTheCounts) {
  counters_.add("telecert_http_requests_total{code=\"200\"}", 3);
  auto response = get("/metrics", Role::Monitor);
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(header(response, "Content-Type"), "text/plain; version=0.0.4");
  const std::string& text = response.body();

  const auto factory = expect_ok(service().show_identity("factory"));
  ASSERT_TRUE(factory.certificate);
  const auto expiry = std::chrono::duration_cast<std::chrono::seconds>(
                          factory.certificate->not_after.time_since_epoch())
                          .count();
  const std::string labels = "{kind=\"identity\",name=\"factory\",subject=\"" +
                             escape_label_value(factory.certificate->subject) +
                             "\",fingerprint=\"" + factory.certificate->sha256_fingerprint + "\"}";
  EXPECT_EQ(series_value(text, "telecert_certificate_expiry_timestamp_seconds" + labels),
            std::to_string(expiry))
      << text;
  EXPECT_EQ(series_value(text, "telecert_certificate_days_left" + labels),
            std::to_string(factory.certificate->days_left));
  EXPECT_EQ(series_value(text, "telecert_identities{status=\"ok\"}"), "1");
  EXPECT_EQ(series_value(text, "telecert_identities{status=\"pending\"}"), "0");
  EXPECT_EQ(series_value(text, "telecert_trust_anchors{source=\"builtin\"}"), "3");
  EXPECT_EQ(series_value(text, "telecert_trust_anchors{source=\"custom\"}"), "0");
  EXPECT_EQ(series_value(text, "telecert_expiry_warning_days"), "60");
  EXPECT_EQ(series_value(text, "telecert_events_total"),
            std::to_string(expect_ok(service().count_events())));
  EXPECT_NE(text.find("# TYPE telecert_certificate_expiry_timestamp_seconds gauge\n"),
            std::string::npos);
  EXPECT_EQ(series_value(text, "telecert_http_requests_total{code=\"200\"}"), "3");
  const auto anchor = expect_ok(service().list_trust()).front();
  EXPECT_NE(text.find("telecert_certificate_days_left{kind=\"trust_anchor\",name=\"" +
                      anchor.certificate.common_name + "\""),
            std::string::npos);
}

TEST_F(StatusRoutesTest, MetricsEscapesLabelValuesAndCountsPendingIdentities) {
  auto request = new_identity("x.example.com");
  request.subject.organization = "Quote \" and \\ backslash";
  const auto odd = expect_ok(service().create_self_signed("odd", request));
  expect_ok(service().create_csr("sbc1", new_identity("sbc1.example.com")));
  const std::string text = get("/metrics").body();
  const std::string& subject = odd.certificate->subject;
  ASSERT_NE(subject.find('"'), std::string::npos);
  const std::string escaped = escape_label_value(subject);
  EXPECT_NE(escaped, subject);
  EXPECT_NE(text.find("name=\"odd\",subject=\"" + escaped + "\","), std::string::npos) << text;
  EXPECT_EQ(series_value(text, "telecert_identities{status=\"pending\"}"), "1");
  EXPECT_EQ(series_value(text, "telecert_identities{status=\"ok\"}"), "2");
}

TEST(PrometheusLabelTest, EscapesBackslashQuoteAndLineFeed) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_label_value("CN=plain"), "CN=plain");
}

}  // namespace
}  // namespace telecert::server::test
