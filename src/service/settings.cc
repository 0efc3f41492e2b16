#include "service/settings.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

namespace telecert::service {
namespace {

constexpr std::array kDefinitions{
    SettingDefinition{"expiry_warning_days", SettingType::Integer, 60, 30, 180,
                      "days before expiry at which a certificate is flagged 'warning'"},
    SettingDefinition{"max_custom_trusted", SettingType::Integer, 25, 1, 1000,
                      "most custom trusted root certificates the store accepts"},
    SettingDefinition{"max_upload_bytes", SettingType::Integer, 5 * 1024 * 1024, 1024,
                      64 * 1024 * 1024, "largest file accepted for import, in bytes"},
    SettingDefinition{"max_validity_days", SettingType::Integer, 825, 1, 825,
                      "longest validity of a certificate telecert creates, in days"},
    SettingDefinition{"keep_certificates_on_factory_reset", SettingType::Boolean, 0, 0, 1,
                      "keep user identities and custom roots through a factory reset"},
};

}  // namespace

std::span<const SettingDefinition> setting_definitions() { return kDefinitions; }

const SettingDefinition* find_setting(std::string_view name) {
  auto it = std::find_if(kDefinitions.begin(), kDefinitions.end(),
                         [&](const SettingDefinition& d) { return d.name == name; });
  return it == kDefinitions.end() ? nullptr : &*it;
}

Result<std::int64_t> parse_setting_value(const SettingDefinition& definition,
                                         std::string_view text) {
  if (definition.type == SettingType::Boolean) {
    if (text == "true" || text == "1" || text == "yes" || text == "on") return 1;
    if (text == "false" || text == "0" || text == "no" || text == "off") return 0;
    return fail(
        ErrorCode::InvalidArgument,
        std::string(definition.name) + " takes true or false, not '" + std::string(text) + "'",
        "give true or false (default " +
            format_setting_value(definition, definition.default_value) + ")");
  }
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return fail(
        ErrorCode::InvalidArgument,
        std::string(definition.name) + " takes a whole number, not '" + std::string(text) + "'",
        "give a number from " + std::to_string(definition.minimum) + " to " +
            std::to_string(definition.maximum) + " (default " +
            std::to_string(definition.default_value) + ")");
  }
  if (value < definition.minimum || value > definition.maximum) {
    return fail(
        ErrorCode::OutOfRange,
        std::string(definition.name) + " must be between " + std::to_string(definition.minimum) +
            " and " + std::to_string(definition.maximum) + ", not " + std::to_string(value),
        "choose a value in that range (default " + std::to_string(definition.default_value) + ")");
  }
  return value;
}

std::string format_setting_value(const SettingDefinition& definition, std::int64_t value) {
  if (definition.type == SettingType::Boolean) return value != 0 ? "true" : "false";
  return std::to_string(value);
}

std::int64_t get_field(const Settings& settings, const SettingDefinition& definition) {
  const std::string_view name = definition.name;
  if (name == "expiry_warning_days") return settings.expiry_warning_days;
  if (name == "max_custom_trusted") return settings.max_custom_trusted;
  if (name == "max_upload_bytes") return settings.max_upload_bytes;
  if (name == "max_validity_days") return settings.max_validity_days;
  return settings.keep_certificates_on_factory_reset ? 1 : 0;
}

void set_field(Settings& settings, const SettingDefinition& definition, std::int64_t value) {
  const std::string_view name = definition.name;
  if (name == "expiry_warning_days")
    settings.expiry_warning_days = value;
  else if (name == "max_custom_trusted")
    settings.max_custom_trusted = value;
  else if (name == "max_upload_bytes")
    settings.max_upload_bytes = value;
  else if (name == "max_validity_days")
    settings.max_validity_days = value;
  else
    settings.keep_certificates_on_factory_reset = value != 0;
}

void to_json(nlohmann::json& out, const Settings& settings) {
  out = nlohmann::json::object();
  for (const auto& definition : setting_definitions()) {
    const auto value = get_field(settings, definition);
    out[std::string(definition.name)] = definition.type == SettingType::Boolean
                                            ? nlohmann::json(value != 0)
                                            : nlohmann::json(value);
  }
}

}  // namespace telecert::service
