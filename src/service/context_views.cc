#include "service/context_views.h"

#include <nlohmann/json.hpp>

namespace telecert::service {

// Every field of the definition under its CLI name (the stored form), plus what the context
// resolves to.
void to_json(nlohmann::json& json, const ContextView& view) {
  json = nlohmann::json::parse(tls::definition_to_json(view.definition));
  json["name"] = view.definition.name;
  json["identity_in_use"] = view.identity_in_use;
  json["services"] = view.services;
}

void to_json(nlohmann::json& json, const ServiceBindingView& view) {
  json =
      nlohmann::json{{"service", view.service}, {"context", view.context}, {"bound", view.bound}};
  if (view.already_bound) json["already_bound"] = true;
}

}  // namespace telecert::service
