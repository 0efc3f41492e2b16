// Settings: names, defaults, ranges, parsing; and CertificateService::settings / set_setting.
#include "service/settings.h"

#include <gtest/gtest.h>

#include "unit/service/service_test_fixture.h"

namespace telecert::service::test {
namespace {

TEST(SettingDefinitionsTest, DefaultsAreThoseOfTheIssue) {
  const Settings defaults;
  EXPECT_EQ(defaults.expiry_warning_days, 60);
  EXPECT_EQ(defaults.max_custom_trusted, 25);
  EXPECT_EQ(defaults.max_upload_bytes, 5 * 1024 * 1024);
  EXPECT_EQ(defaults.max_validity_days, 825);
  EXPECT_FALSE(defaults.keep_certificates_on_factory_reset);
  // The table agrees with the struct.
  for (const auto& definition : setting_definitions()) {
    EXPECT_EQ(get_field(defaults, definition), definition.default_value) << definition.name;
    EXPECT_GE(definition.default_value, definition.minimum) << definition.name;
    EXPECT_LE(definition.default_value, definition.maximum) << definition.name;
  }
}

TEST(SettingDefinitionsTest, ListsEverySettingOnceInDisplayOrder) {
  std::vector<std::string> names;
  for (const auto& definition : setting_definitions()) names.emplace_back(definition.name);
  EXPECT_EQ(names, (std::vector<std::string>{"expiry_warning_days", "max_custom_trusted",
                                             "max_upload_bytes", "max_validity_days",
                                             "keep_certificates_on_factory_reset"}));
  EXPECT_EQ(find_setting("nope"), nullptr);
  ASSERT_NE(find_setting("expiry_warning_days"), nullptr);
  EXPECT_EQ(find_setting("expiry_warning_days")->minimum, 30);
  EXPECT_EQ(find_setting("expiry_warning_days")->maximum, 180);
}

TEST(SettingDefinitionsTest, SetFieldAndGetFieldRoundTripEverySetting) {
  Settings settings;
  for (const auto& definition : setting_definitions()) {
    set_field(settings, definition, definition.maximum);
    EXPECT_EQ(get_field(settings, definition), definition.maximum) << definition.name;
  }
  EXPECT_TRUE(settings.keep_certificates_on_factory_reset);
}

TEST(ParseSettingValueTest, IntegersInsideTheRangeIncludingItsEndsAreAccepted) {
  const auto& warning = *find_setting("expiry_warning_days");
  EXPECT_EQ(parse_setting_value(warning, "30").value(), 30);
  EXPECT_EQ(parse_setting_value(warning, "180").value(), 180);
  EXPECT_EQ(parse_setting_value(warning, "90").value(), 90);
}

TEST(ParseSettingValueTest, IntegersOutsideTheRangeAreOutOfRangeWithTheRangeInTheMessage) {
  const auto& warning = *find_setting("expiry_warning_days");
  auto low = parse_setting_value(warning, "29");
  ASSERT_TRUE(refused_with(low, ErrorCode::OutOfRange));
  EXPECT_NE(low.error().message.find("30"), std::string::npos);
  EXPECT_NE(low.error().message.find("180"), std::string::npos);
  EXPECT_FALSE(low.error().hint.empty());
  EXPECT_TRUE(refused_with(parse_setting_value(warning, "181"), ErrorCode::OutOfRange));
  EXPECT_TRUE(refused_with(parse_setting_value(warning, "-60"), ErrorCode::OutOfRange));
}

TEST(ParseSettingValueTest, TextThatIsNotAWholeNumberIsInvalidArgument) {
  const auto& warning = *find_setting("expiry_warning_days");
  for (const char* bad :
       {"", "sixty", "60days", " 60", "60 ", "6e1", "60.0", "0x3c", "99999999999999999999999"}) {
    EXPECT_TRUE(refused_with(parse_setting_value(warning, bad), ErrorCode::InvalidArgument)) << bad;
  }
}

TEST(ParseSettingValueTest, BooleansTakeTheUsualSpellings) {
  const auto& keep = *find_setting("keep_certificates_on_factory_reset");
  for (const char* yes : {"true", "1", "yes", "on"}) {
    EXPECT_EQ(parse_setting_value(keep, yes).value(), 1) << yes;
  }
  for (const char* no : {"false", "0", "no", "off"}) {
    EXPECT_EQ(parse_setting_value(keep, no).value(), 0) << no;
  }
  for (const char* bad : {"", "maybe", "2", "TRUE!"}) {
    EXPECT_TRUE(refused_with(parse_setting_value(keep, bad), ErrorCode::InvalidArgument)) << bad;
  }
  EXPECT_EQ(format_setting_value(keep, 1), "true");
  EXPECT_EQ(format_setting_value(keep, 0), "false");
  EXPECT_EQ(format_setting_value(*find_setting("max_upload_bytes"), 1024), "1024");
}

// --- through the service ---

class SettingsServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    initialise();
  }
};

TEST_F(SettingsServiceTest, FreshStoreHasTheDefaults) {
  auto settings = expect_ok(service().settings());
  EXPECT_EQ(settings.expiry_warning_days, 60);
  EXPECT_EQ(settings.max_custom_trusted, 25);
  EXPECT_EQ(settings.max_upload_bytes, 5 * 1024 * 1024);
  EXPECT_EQ(settings.max_validity_days, 825);
  EXPECT_FALSE(settings.keep_certificates_on_factory_reset);
}

TEST_F(SettingsServiceTest, SetSettingStoresTheValueReturnsAllSettingsAndWritesOneEvent) {
  const auto before = all_events().size();
  auto returned = expect_ok(service().set_setting("expiry_warning_days", "90"));
  EXPECT_EQ(returned.expiry_warning_days, 90);
  EXPECT_EQ(returned.max_custom_trusted, 25);
  EXPECT_EQ(expect_ok(service().settings()).expiry_warning_days, 90);
  auto events = all_events();
  ASSERT_EQ(events.size(), before + 1);
  EXPECT_EQ(events[0].actor, kActor);
  EXPECT_EQ(events[0].action, "settings.set");
  EXPECT_EQ(events[0].object, "setting:expiry_warning_days=90");
  EXPECT_EQ(events[0].outcome, "ok");
}

TEST_F(SettingsServiceTest, EverySettingAcceptsBothEndsOfItsRange) {
  for (const auto& definition : setting_definitions()) {
    for (const auto value : {definition.minimum, definition.maximum}) {
      auto settings = expect_ok(
          service().set_setting(definition.name, format_setting_value(definition, value)));
      EXPECT_EQ(get_field(settings, definition), value) << definition.name;
    }
  }
}

TEST_F(SettingsServiceTest, ValuesJustOutsideTheRangeAreOutOfRangeAndLeaveStoreUnchanged) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"expiry_warning_days", "29"}, {"expiry_warning_days", "181"},
      {"max_custom_trusted", "0"},   {"max_custom_trusted", "1001"},
      {"max_upload_bytes", "1023"},  {"max_upload_bytes", std::to_string(64 * 1024 * 1024 + 1)},
      {"max_validity_days", "0"},    {"max_validity_days", "826"},
  };
  for (const auto& [name, value] : cases) {
    SCOPED_TRACE(name + "=" + value);
    EXPECT_REFUSED_AND_UNCHANGED(service().set_setting(name, value), ErrorCode::OutOfRange);
  }
}

TEST_F(SettingsServiceTest, NonNumbersAndNonBooleansAreInvalidArgumentAndLeaveStoreUnchanged) {
  EXPECT_REFUSED_AND_UNCHANGED(service().set_setting("expiry_warning_days", "sixty"),
                               ErrorCode::InvalidArgument);
  EXPECT_REFUSED_AND_UNCHANGED(service().set_setting("keep_certificates_on_factory_reset", "maybe"),
                               ErrorCode::InvalidArgument);
}

TEST_F(SettingsServiceTest, BooleanSettingTakesTrueAndFalse) {
  EXPECT_TRUE(expect_ok(service().set_setting("keep_certificates_on_factory_reset", "yes"))
                  .keep_certificates_on_factory_reset);
  EXPECT_TRUE(expect_ok(service().settings()).keep_certificates_on_factory_reset);
  EXPECT_FALSE(expect_ok(service().set_setting("keep_certificates_on_factory_reset", "off"))
                   .keep_certificates_on_factory_reset);
  EXPECT_FALSE(expect_ok(service().settings()).keep_certificates_on_factory_reset);
  EXPECT_EQ(all_events()[0].object, "setting:keep_certificates_on_factory_reset=false");
}

TEST_F(SettingsServiceTest, UnknownSettingIsNotFoundNamesTheKnownOnesAndLeavesStoreUnchanged) {
  EXPECT_REFUSED_AND_UNCHANGED(service().set_setting("max_identities", "10"), ErrorCode::NotFound);
  auto refused = service().set_setting("max_identities", "10");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().hint.find("expiry_warning_days"), std::string::npos);
  // The device id lives in the same table but is not a setting.
  EXPECT_REFUSED_AND_UNCHANGED(service().set_setting("device_id", "x"), ErrorCode::NotFound);
}

TEST_F(SettingsServiceTest, SettingsSurviveReopeningTheDataDirectory) {
  expect_ok(service().set_setting("max_validity_days", "397"));
  service_.reset();
  service_ = open_service(CertificateService::OpenMode::Existing);
  ASSERT_NE(service_, nullptr);
  EXPECT_EQ(expect_ok(service().settings()).max_validity_days, 397);
}

}  // namespace
}  // namespace telecert::service::test
