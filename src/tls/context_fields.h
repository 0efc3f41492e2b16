// The fields of a TLS context as set_field (context_definition.h) accepts them: name, kind, the
// values a choice allows, the default and a line of help. What the web UI builds its edit form
// from (GET /api/v1/context-fields). Describes set_field; it does not change what it accepts.
//
// Threading: immutable data.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

namespace telecert::tls {

// choice: one of `choices`; text: free text; number: an integer (choices, if any, list the
// allowed ones); list: a comma-separated list (an array in JSON); bool: on/off (true/false).
enum class FieldKind { Choice, Text, Number, List, Bool };
std::string_view to_string(FieldKind kind);

struct ContextField {
  std::string_view name;  // as set_field and `telecert context set --<name>` spell it
  FieldKind kind;
  std::string_view help;
};

// Every field set_field accepts, in the order the CLI lists them.
std::span<const ContextField> context_fields();

// `[{"name", "kind", "choices"?, "default", "help"}]`: choices for choice fields and dh-bits;
// "default" is the field's value in a default definition, in the JSON form a context is shown
// in (definition_to_json).
nlohmann::json context_fields_json();

}  // namespace telecert::tls
