#include "store/records.h"

#include <array>
#include <utility>

namespace telecert::store {
namespace {

// The persisted spellings: changing one is a schema migration, not a refactoring.
constexpr std::array<std::pair<Origin, std::string_view>, 8> kOriginNames{{
    {Origin::Factory, "factory"},
    {Origin::SelfSigned, "self-signed"},
    {Origin::Csr, "csr"},
    {Origin::Imported, "imported"},
    {Origin::Scep, "scep"},
    {Origin::Acme, "acme"},
    {Origin::Est, "est"},
    {Origin::Issued, "issued"},
}};

constexpr std::array<std::pair<TrustSource, std::string_view>, 2> kTrustSourceNames{{
    {TrustSource::Builtin, "builtin"},
    {TrustSource::Custom, "custom"},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                         Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "unknown";
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                             std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Origin origin) { return name_of(kOriginNames, origin); }

std::optional<Origin> parse_origin(std::string_view text) { return value_of(kOriginNames, text); }

std::string_view to_string(TrustSource source) { return name_of(kTrustSourceNames, source); }

std::optional<TrustSource> parse_trust_source(std::string_view text) {
  return value_of(kTrustSourceNames, text);
}

}  // namespace telecert::store
