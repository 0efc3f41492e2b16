// The live TLS contexts of a device: for each service (sip-tls, https-provisioning, eap-tls,
// web-admin, ...) and each context by name, the current immutable ContextSnapshot.
//
// refresh() loads the material of every context, rebuilds only the snapshots whose material
// changed (material_digest), and publishes the whole new state with one atomic store. A reader
// holds the shared_ptr it took: a handshake in flight keeps the old SSL_CTX, the next one gets the
// new. A context whose rebuild fails keeps its previous snapshot and refresh() reports the error.
//
// Threading: snapshot lookups are lock-free (std::atomic<std::shared_ptr>); refresh() calls are
// serialised by a mutex.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "tls/context_snapshot.h"

namespace telecert::tls {

struct RegistryMaterial {
  std::vector<ContextMaterial> contexts;        // every context, by definition.name
  std::map<std::string, std::string> bindings;  // service -> context name
};

class ContextRegistry {
 public:
  using Loader = std::function<Result<RegistryMaterial>()>;

  ContextRegistry(Loader loader, ContextSnapshot::Dependencies dependencies);

  // Loads, rebuilds what changed, publishes. Returns the names of the contexts rebuilt.
  [[nodiscard]] Result<std::vector<std::string>> refresh();

  // The snapshot of the context bound to `service` (an unbound service uses "default"); nullptr
  // before the first successful refresh() or when that context does not exist.
  std::shared_ptr<const ContextSnapshot> for_service(std::string_view service) const;
  std::shared_ptr<const ContextSnapshot> for_context(std::string_view name) const;

 private:
  struct State {
    std::map<std::string, std::shared_ptr<const ContextSnapshot>, std::less<>> contexts;
    std::map<std::string, std::string, std::less<>> bindings;
  };

  Loader loader_;
  ContextSnapshot::Dependencies dependencies_;
  std::mutex refresh_mutex_;  // serialises refresh()
  std::atomic<std::shared_ptr<const State>> state_;
};

}  // namespace telecert::tls
