#include "tls/context_registry.h"

#include <utility>

namespace telecert::tls {

ContextRegistry::ContextRegistry(Loader loader, ContextSnapshot::Dependencies dependencies)
    : loader_(std::move(loader)), dependencies_(std::move(dependencies)) {}

Result<std::vector<std::string>> ContextRegistry::refresh() {
  std::lock_guard lock(refresh_mutex_);
  auto material = loader_();
  if (!material) return std::unexpected(std::move(material).error());

  const auto previous = state_.load();
  auto next = std::make_shared<State>();
  next->bindings.insert(material->bindings.begin(), material->bindings.end());
  std::vector<std::string> rebuilt;
  std::vector<Error> errors;
  for (const auto& context : material->contexts) {
    const std::string& name = context.definition.name;
    std::shared_ptr<const ContextSnapshot> old;
    if (previous) {
      if (auto found = previous->contexts.find(name); found != previous->contexts.end()) {
        old = found->second;
      }
    }
    if (old && old->digest() == material_digest(context)) {
      next->contexts.emplace(name, std::move(old));
      continue;
    }
    auto built = ContextSnapshot::build(context, dependencies_);
    if (built) {
      next->contexts.emplace(name, *std::move(built));
      rebuilt.push_back(name);
      continue;
    }
    // Keep serving what worked before; the admin sees the error and the old context stays live.
    if (old) next->contexts.emplace(name, std::move(old));
    errors.push_back(std::move(built).error());
  }
  // Publish even when some contexts failed: the others' changes take effect, the failed ones
  // keep their previous snapshot (or stay absent if they never built).
  state_.store(std::shared_ptr<const State>(std::move(next)));

  if (errors.empty()) return rebuilt;
  Error combined = errors.front();
  for (std::size_t i = 1; i < errors.size(); ++i) combined.message += "; " + errors[i].message;
  if (errors.size() > 1) {
    combined.hint = "fix the contexts named above; until then they keep their previous settings";
  } else if (combined.hint.empty()) {
    combined.hint = "fix the context; until then it keeps its previous settings";
  }
  return std::unexpected(std::move(combined));
}

std::shared_ptr<const ContextSnapshot> ContextRegistry::for_service(
    std::string_view service) const {
  const auto state = state_.load();
  if (!state) return nullptr;
  const auto binding = state->bindings.find(service);
  const std::string_view name =
      binding != state->bindings.end() ? std::string_view(binding->second) : kDefaultContextName;
  const auto found = state->contexts.find(name);
  return found != state->contexts.end() ? found->second : nullptr;
}

std::shared_ptr<const ContextSnapshot> ContextRegistry::for_context(std::string_view name) const {
  const auto state = state_.load();
  if (!state) return nullptr;
  const auto found = state->contexts.find(name);
  return found != state->contexts.end() ? found->second : nullptr;
}

}  // namespace telecert::tls
