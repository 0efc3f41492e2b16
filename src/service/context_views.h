// What the service shows of TLS contexts and service bindings (CLI --json, REST).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "tls/context_definition.h"

namespace telecert::service {

struct ContextView {
  tls::TlsContextDefinition definition;
  std::string identity_in_use;        // the definition's identity, or the factory identity
  std::vector<std::string> services;  // services bound to this context
};

struct ServiceBindingView {
  std::string service;
  std::string context;
  bool bound = false;  // false: not bound, so it uses "default"
  // bind_service only: it was bound to this context already, and nothing changed.
  bool already_bound = false;
};

void to_json(nlohmann::json& json, const ContextView& view);
void to_json(nlohmann::json& json, const ServiceBindingView& view);

}  // namespace telecert::service
