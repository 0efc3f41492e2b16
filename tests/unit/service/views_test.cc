// Views: the expiry status rule, the fields of a certificate view, and the JSON the CLI's --json
// and the REST API share (the field names of the issue's CLI contract).
#include "service/views.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "unit/service/service_test_fixture.h"

namespace telecert::service::test {
namespace {

using namespace std::chrono_literals;

// One certificate valid from kStart for 365 days, seen at different times.
class ExpiryStatusTest : public ::testing::Test {
 protected:
  static const pki::Certificate& certificate() {
    static const pki::Certificate c =
        self_signed(new_key(), "status.example.com", kStart, Days{365});
    return c;
  }
  static CertificateView at(pki::TimePoint now, std::int64_t warning_days = 60) {
    return view_certificate(certificate(), now, warning_days);
  }
  static constexpr pki::TimePoint kNotAfter = kStart + Days{365};
};

TEST_F(ExpiryStatusTest, OkOutsideTheWarningWindow) {
  EXPECT_EQ(at(kStart).status, ExpiryStatus::Ok);
  EXPECT_EQ(at(kStart).days_left, 365);
  EXPECT_EQ(at(kNotAfter - Days{60} - 1s).status, ExpiryStatus::Ok);
}

TEST_F(ExpiryStatusTest, WarningExactlyAtTheWarningDays) {
  auto view = at(kNotAfter - Days{60});
  EXPECT_EQ(view.status, ExpiryStatus::Warning);
  EXPECT_EQ(view.days_left, 60);
}

TEST_F(ExpiryStatusTest, WarningInsideTheWarningWindowUpToTheLastSecond) {
  EXPECT_EQ(at(kNotAfter - Days{30}).status, ExpiryStatus::Warning);
  EXPECT_EQ(at(kNotAfter - Days{30}).days_left, 30);
  EXPECT_EQ(at(kNotAfter - 1s).status, ExpiryStatus::Warning);
  EXPECT_EQ(at(kNotAfter - 1s).days_left, 0);
}

TEST_F(ExpiryStatusTest, NotAfterItselfIsStillInsideTheValidityPeriod) {
  EXPECT_EQ(at(kNotAfter).status, ExpiryStatus::Warning);
}

TEST_F(ExpiryStatusTest, ExpiredAfterNotAfter) {
  EXPECT_EQ(at(kNotAfter + 1s).status, ExpiryStatus::Expired);
  EXPECT_EQ(at(kNotAfter + Days{10}).status, ExpiryStatus::Expired);
  EXPECT_EQ(at(kNotAfter + Days{10}).days_left, -10);
}

TEST_F(ExpiryStatusTest, WindowFollowsTheWarningDays) {
  EXPECT_EQ(at(kNotAfter - Days{100}, 60).status, ExpiryStatus::Ok);
  EXPECT_EQ(at(kNotAfter - Days{100}, 100).status, ExpiryStatus::Warning);
  EXPECT_EQ(at(kNotAfter - Days{100}, 180).status, ExpiryStatus::Warning);
  EXPECT_EQ(at(kNotAfter - Days{31}, 30).status, ExpiryStatus::Ok);
}

TEST(ExpiryStatusNameTest, NamesAreThoseOfTheCliContract) {
  EXPECT_EQ(to_string(ExpiryStatus::Ok), "ok");
  EXPECT_EQ(to_string(ExpiryStatus::Warning), "warning");
  EXPECT_EQ(to_string(ExpiryStatus::Expired), "expired");
  EXPECT_EQ(to_string(ExpiryStatus::Pending), "pending");
}

TEST(FormatTimeTest, IsIso8601Utc) {
  EXPECT_EQ(format_time(kStart), "2026-03-01T00:00:00Z");
  EXPECT_EQ(format_time(kStart + 9h + 5min + 7s), "2026-03-01T09:05:07Z");
  EXPECT_EQ(format_time(pki::TimePoint{}), "1970-01-01T00:00:00Z");
}

TEST(ViewCertificateTest, CarriesEveryParsedField) {
  const Authority ca = make_root("View CA");
  const pki::Key key = new_key(pki::KeyType::Rsa2048);
  const pki::Certificate leaf = issue_leaf(key, "view.example.com", ca);
  const auto view = view_certificate(leaf, kStart, 60);
  EXPECT_EQ(view.subject, leaf.subject());
  EXPECT_EQ(view.issuer, ca.certificate.subject());
  EXPECT_EQ(view.common_name, "view.example.com");
  EXPECT_EQ(view.serial, leaf.serial_hex());
  EXPECT_EQ(view.not_before, kStart);
  EXPECT_EQ(view.not_after, kStart + Days{365});
  EXPECT_EQ(view.subject_alt_names, std::vector<std::string>{"dns:view.example.com"});
  EXPECT_FALSE(view.is_ca);
  EXPECT_EQ(view.key_usage, (std::vector<std::string>{"digitalSignature", "keyEncipherment"}));
  EXPECT_EQ(view.extended_key_usage, (std::vector<std::string>{"serverAuth", "clientAuth"}));
  EXPECT_EQ(view.sha256_fingerprint, leaf.sha256_fingerprint());
  EXPECT_EQ(view.sha1_fingerprint, leaf.sha1_fingerprint());
  EXPECT_EQ(view.public_key, "RSA 2048");
  EXPECT_EQ(view.signature_algorithm, "ecdsa-with-SHA256");
  EXPECT_FALSE(view.self_signed);

  const auto root = view_certificate(ca.certificate, kStart, 60);
  EXPECT_TRUE(root.is_ca);
  EXPECT_TRUE(root.self_signed);
  EXPECT_EQ(root.public_key, "EC P-256");
}

// --- JSON ---

class ViewsJsonTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    initialise();
  }
};

TEST_F(ViewsJsonTest, IdentityJsonHasTheFieldsOfIdentityList) {
  create_self_signed("web", 100);
  nlohmann::json json = expect_ok(service().show_identity("web"));
  for (const char* field :
       {"name", "origin", "subject", "issuer", "not_after", "days_left", "status"}) {
    EXPECT_TRUE(json.contains(field)) << field;
  }
  EXPECT_EQ(json["name"], "web");
  EXPECT_EQ(json["origin"], "self-signed");
  EXPECT_EQ(json["status"], "ok");
  EXPECT_EQ(json["days_left"], 100);
  EXPECT_EQ(json["not_after"], format_time(kStart + Days{100}));
  EXPECT_EQ(json["subject"], "CN=web.example.com");
  EXPECT_TRUE(json["csr"].is_null());
  EXPECT_TRUE(json["chain"].is_array());
  EXPECT_EQ(json["certificate"]["subject_alt_names"],
            nlohmann::json::array({"dns:web.example.com"}));
}

TEST_F(ViewsJsonTest, PendingIdentityJsonHasNullCertificateFieldsAndItsCsr) {
  expect_ok(service().create_csr("sbc1", new_identity("sbc1.example.com")));
  nlohmann::json json = expect_ok(service().show_identity("sbc1"));
  EXPECT_EQ(json["status"], "pending");
  for (const char* field : {"subject", "issuer", "not_after", "days_left", "certificate"}) {
    EXPECT_TRUE(json[field].is_null()) << field;
  }
  ASSERT_TRUE(json["csr"].is_string());
  EXPECT_NE(json["csr"].get<std::string>().find("BEGIN CERTIFICATE REQUEST"), std::string::npos);
}

TEST_F(ViewsJsonTest, IdentityJsonNeverHoldsKeyMaterial) {
  create_self_signed("web");
  expect_ok(service().create_csr("sbc1", new_identity("sbc1.example.com")));
  nlohmann::json json = expect_ok(service().status());
  EXPECT_EQ(json.dump().find("PRIVATE KEY"), std::string::npos);
}

TEST_F(ViewsJsonTest, TrustJsonHasTheFieldsOfTrustList) {
  add_custom_roots({make_root("Json Root", kStart, Days{30}).certificate});
  nlohmann::json json = expect_ok(service().list_trust());
  ASSERT_EQ(json.size(), builtin_roots().size() + 1);
  for (const auto& anchor : json) {
    for (const char* field : {"id", "subject", "issuer", "not_after", "source"}) {
      EXPECT_TRUE(anchor.contains(field)) << field;
    }
  }
  EXPECT_EQ(json[0]["source"], "builtin");
  const auto& custom = json.back();
  EXPECT_EQ(custom["source"], "custom");
  EXPECT_EQ(custom["subject"], "CN=Json Root,O=Telecert Test");
  EXPECT_EQ(custom["status"], "warning");
  EXPECT_EQ(custom["days_left"], 30);
}

TEST_F(ViewsJsonTest, StatusJsonHasDeviceIdIdentitiesAndTrust) {
  nlohmann::json json = expect_ok(service().status());
  EXPECT_EQ(json["device_id"], kDeviceId);
  EXPECT_EQ(json["expiry_warning_days"], 60);
  EXPECT_EQ(json["identities"].size(), 1u);
  EXPECT_EQ(json["trust"].size(), builtin_roots().size());
}

TEST_F(ViewsJsonTest, EventJsonHasTimeActorActionObjectAndOutcome) {
  nlohmann::json json = all_events();
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["time"], "2026-03-01T00:00:00Z");
  EXPECT_EQ(json[0]["actor"], kActor);
  EXPECT_EQ(json[0]["action"], "init");
  EXPECT_EQ(json[0]["object"], "identity:factory");
  EXPECT_EQ(json[0]["outcome"], "ok");
}

}  // namespace
}  // namespace telecert::service::test
