#include "tls/context_fields.h"

#include <gtest/gtest.h>

#include <set>

#include "tls/context_definition.h"

namespace telecert::tls {
namespace {

// The text set_field takes for a value in the JSON form of a definition.
std::string as_field_text(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>() ? "on" : "off";
  if (value.is_number()) return value.dump();
  if (value.is_array()) {
    std::string joined;
    for (const auto& item : value) joined += (joined.empty() ? "" : ",") + item.get<std::string>();
    return joined;
  }
  return value.get<std::string>();
}

TEST(ContextFieldsTest, ListsEveryFieldOfTheStoredDefinitionButTheTrustList) {
  std::set<std::string> described;
  for (const auto& field : context_fields()) described.insert(std::string(field.name));
  std::set<std::string> stored;
  const auto stored_json = nlohmann::json::parse(definition_to_json({}));
  for (const auto& [name, value] : stored_json.items()) {
    if (name != "trust-list") stored.insert(name);
  }
  EXPECT_EQ(described, stored);
}

TEST(ContextFieldsTest, SetFieldAcceptsEveryDefaultAndEveryChoiceAndTheDefaultChangesNothing) {
  for (const auto& field : context_fields_json()) {
    const std::string name = field["name"].get<std::string>();
    TlsContextDefinition definition;
    ASSERT_TRUE(set_field(definition, name, as_field_text(field["default"]))) << name;
    EXPECT_EQ(definition, TlsContextDefinition{}) << name;
    if (!field.contains("choices")) continue;
    for (const auto& choice : field["choices"]) {
      TlsContextDefinition changed;
      EXPECT_TRUE(set_field(changed, name, as_field_text(choice))) << name << " " << choice;
    }
  }
}

TEST(ContextFieldsTest, EveryFieldHasAKindAndHelpAndChoiceFieldsHaveChoices) {
  for (const auto& field : context_fields_json()) {
    EXPECT_FALSE(field["help"].get<std::string>().empty());
    const std::string kind = field["kind"].get<std::string>();
    EXPECT_TRUE(kind == "choice" || kind == "text" || kind == "number" || kind == "list" ||
                kind == "bool");
    if (kind == "choice") EXPECT_FALSE(field["choices"].empty()) << field["name"];
    if (kind == "bool") EXPECT_TRUE(field["default"].is_boolean()) << field["name"];
    if (kind == "list") EXPECT_TRUE(field["default"].is_array()) << field["name"];
  }
  TlsContextDefinition definition;
  EXPECT_FALSE(set_field(definition, "min-tls", "sslv3"));
}

}  // namespace
}  // namespace telecert::tls
