// The device's settings: names, defaults and allowed ranges (from the seeds: Avaya IP Office's
// expiry warning days 60 in 30-180 and 825-day maximum; Yealink's 5 MB upload limit; the trusted
// store limit of 25).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"

namespace telecert::service {

struct Settings {
  std::int64_t expiry_warning_days = 60;
  std::int64_t max_custom_trusted = 25;
  std::int64_t max_upload_bytes = 5 * 1024 * 1024;
  std::int64_t max_validity_days = 825;
  bool keep_certificates_on_factory_reset = false;
};

enum class SettingType { Integer, Boolean };

struct SettingDefinition {
  std::string_view name;
  SettingType type;
  std::int64_t default_value;  // booleans: 0 or 1
  std::int64_t minimum;
  std::int64_t maximum;
  std::string_view description;
};

// Every user setting, in display order.
std::span<const SettingDefinition> setting_definitions();
const SettingDefinition* find_setting(std::string_view name);

// Parses `text` for `definition`: integers in range, booleans as true/false/1/0/yes/no/on/off.
// Out of range is ErrorCode::OutOfRange with the range in the message.
Result<std::int64_t> parse_setting_value(const SettingDefinition& definition,
                                         std::string_view text);
// The text a value is stored and shown as.
std::string format_setting_value(const SettingDefinition& definition, std::int64_t value);

// Reads and writes one field of Settings by definition.
std::int64_t get_field(const Settings& settings, const SettingDefinition& definition);
void set_field(Settings& settings, const SettingDefinition& definition, std::int64_t value);

// The JSON form (`telecert settings get --json`, GET /api/v1/settings): every setting by name,
// numbers as numbers and switches as booleans.
void to_json(nlohmann::json& out, const Settings& settings);

}  // namespace telecert::service
