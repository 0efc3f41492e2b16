// CertificateService: TLS contexts and service bindings (create, set, delete, bind), and the
// material a ContextRegistry builds its snapshots from.
#include <algorithm>
#include <functional>
#include <set>

#include "service/certificate_service.h"
#include "service/context_references.h"

namespace telecert::service {
namespace {

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// One rule for context and service names: [a-z0-9][a-z0-9_-]{0,63}.
bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool lower_or_digit = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!lower_or_digit && (i == 0 || (c != '-' && c != '_'))) return false;
  }
  return true;
}

constexpr std::string_view kNameRule =
    "use 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit";

Result<void> check_context_name(std::string_view name) {
  if (!is_valid_name(name)) {
    return fail(ErrorCode::InvalidArgument, in_quotes(name) + " is not a valid TLS context name",
                std::string(kNameRule) + " (e.g. sip-trunk)");
  }
  return {};
}

Result<void> check_service_name(std::string_view name) {
  if (!is_valid_name(name)) {
    return fail(ErrorCode::InvalidArgument, in_quotes(name) + " is not a valid service name",
                std::string(kNameRule) + ", e.g. sip-tls, https-provisioning, eap-tls, web-admin");
  }
  return {};
}

std::unexpected<Error> no_context(std::string_view name) {
  return fail(ErrorCode::NotFound, "there is no TLS context " + in_quotes(name),
              "`telecert context list` shows the contexts");
}

Result<tls::TlsContextDefinition> load_definition(store::Transaction& tx, std::string_view name) {
  auto record = tx.find_context(name);
  if (!record) return std::unexpected(record.error());
  if (!*record) return no_context(name);
  return tls::parse_definition((*record)->name, (*record)->definition_json);
}

std::string identity_in_use(const tls::TlsContextDefinition& definition) {
  return definition.identity.empty() ? std::string(kFactoryIdentityName) : definition.identity;
}

// The identity a context presents, ready for use: it must exist and have its certificate.
Result<store::IdentityRecord> usable_identity(store::Transaction& tx,
                                              const tls::TlsContextDefinition& definition) {
  const std::string name = identity_in_use(definition);
  auto found = tx.find_identity(name);
  if (!found) return std::unexpected(found.error());
  if (!*found) {
    return fail(ErrorCode::NotFound,
                "TLS context " + in_quotes(definition.name) + " names identity " + in_quotes(name) +
                    ", which does not exist",
                definition.identity.empty()
                    ? "run `telecert init` to create the factory identity"
                    : "`telecert identity list` shows the identities; create or import it first");
  }
  if (!(*found)->leaf) {
    return fail(ErrorCode::InvalidArgument,
                "identity " + in_quotes(name) + " is still waiting for its certificate",
                "install the CA's certificate with `telecert identity install " + name +
                    " --cert FILE`, or use another identity");
  }
  return std::move(**found);
}

// The roots the trust scope names (enabled anchors only). Every fingerprint of an explicit list
// must be a trusted root.
Result<std::vector<pki::Certificate>> trust_anchors_of(
    store::Transaction& tx, const tls::TlsContextDefinition& definition) {
  auto anchors = tx.list_trust_anchors();
  if (!anchors) return std::unexpected(anchors.error());
  std::vector<pki::Certificate> selected;
  std::set<std::string> found;
  for (const auto& anchor : *anchors) {
    if (!anchor.enabled) continue;
    bool wanted = false;
    switch (definition.trust) {
      case tls::TrustScope::Builtin:
        wanted = anchor.source == store::TrustSource::Builtin;
        break;
      case tls::TrustScope::Custom:
        wanted = anchor.source == store::TrustSource::Custom;
        break;
      case tls::TrustScope::All:
        wanted = true;
        break;
      case tls::TrustScope::List: {
        const std::string fingerprint = anchor.certificate.sha256_fingerprint();
        wanted = std::find(definition.trust_list.begin(), definition.trust_list.end(),
                           fingerprint) != definition.trust_list.end();
        if (wanted) found.insert(fingerprint);
        break;
      }
    }
    if (wanted) selected.push_back(anchor.certificate);
  }
  for (const auto& fingerprint : definition.trust_list) {
    if (!found.contains(fingerprint)) {
      return fail(ErrorCode::NotFound,
                  "TLS context " + in_quotes(definition.name) +
                      " trusts the root with SHA-256 fingerprint " + fingerprint +
                      ", which is not a trusted root",
                  "`telecert trust list --json` shows the roots and their sha256_fingerprint; add "
                  "the root with `telecert trust add FILE` first");
    }
  }
  return selected;
}

Result<tls::ContextMaterial> material_of(store::Transaction& tx,
                                         tls::TlsContextDefinition definition) {
  auto identity = usable_identity(tx, definition);
  if (!identity) return std::unexpected(identity.error());
  auto key = tx.load_key(identity->key_id);
  if (!key) return std::unexpected(key.error());
  auto anchors = trust_anchors_of(tx, definition);
  if (!anchors) return std::unexpected(anchors.error());
  tls::ContextMaterial material{std::move(definition), std::nullopt, std::move(*anchors)};
  material.identity = tls::IdentityMaterial{identity->name, std::move(*key),
                                            std::move(*identity->leaf), std::move(identity->chain)};
  return material;
}

// A context that verifies peers needs at least one root to verify them against.
Result<void> check_has_roots(const tls::ContextMaterial& material) {
  const auto& definition = material.definition;
  if (definition.verification == tls::PeerVerification::None || !material.trust_anchors.empty()) {
    return {};
  }
  return fail(ErrorCode::InvalidArgument,
              "TLS context " + in_quotes(definition.name) + " trusts no root (trust scope " +
                  std::string(tls::to_string(definition.trust)) +
                  " holds no enabled root) while it verifies peers (" +
                  std::string(tls::to_string(definition.verification)) +
                  "), so no peer could ever be trusted",
              "add roots with `telecert trust add FILE`, or use --trust all");
}

// The context must build as a registry would build it: a CRL file that cannot be read, or an own
// certificate whose usages do not allow the role under strict validation, is refused now rather
// than at the next handshake.
Result<void> check_builds(const tls::ContextMaterial& material,
                          const tls::ContextSnapshot::Dependencies& dependencies) {
  auto snapshot = tls::ContextSnapshot::build(material, dependencies);
  if (!snapshot) return std::unexpected(snapshot.error());
  return {};
}

Result<std::vector<std::string>> services_bound_to(store::Transaction& tx, std::string_view name) {
  auto bindings = tx.list_service_bindings();
  if (!bindings) return std::unexpected(bindings.error());
  std::vector<std::string> services;
  for (const auto& binding : *bindings) {
    if (binding.context == name) services.push_back(binding.service);
  }
  return services;
}

Result<ContextView> view_of(store::Transaction& tx, tls::TlsContextDefinition definition) {
  auto services = services_bound_to(tx, definition.name);
  if (!services) return std::unexpected(services.error());
  ContextView view;
  view.identity_in_use = identity_in_use(definition);
  view.definition = std::move(definition);
  view.services = std::move(*services);
  return view;
}

// The names of the stored contexts for which `matches` holds (one scan, every definition parsed).
Result<std::vector<std::string>> context_names_where(
    store::Transaction& tx,
    const std::function<Result<bool>(const tls::TlsContextDefinition&)>& matches) {
  auto records = tx.list_contexts();
  if (!records) return std::unexpected(records.error());
  std::vector<std::string> names;
  for (const auto& record : *records) {
    auto definition = tls::parse_definition(record.name, record.definition_json);
    if (!definition) return std::unexpected(definition.error());
    auto matched = matches(*definition);
    if (!matched) return std::unexpected(matched.error());
    if (*matched) names.push_back(record.name);
  }
  return names;
}

}  // namespace

namespace detail {

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

Result<std::vector<std::string>> contexts_using_identity(store::Transaction& tx,
                                                         std::string_view identity) {
  return context_names_where(tx, [&](const tls::TlsContextDefinition& definition) -> Result<bool> {
    return identity_in_use(definition) == identity;
  });
}

Result<std::vector<std::string>> contexts_trusting(store::Transaction& tx,
                                                   std::string_view fingerprint) {
  return context_names_where(tx, [&](const tls::TlsContextDefinition& definition) -> Result<bool> {
    return definition.trust == tls::TrustScope::List &&
           std::ranges::find(definition.trust_list, fingerprint) != definition.trust_list.end();
  });
}

Result<std::vector<std::string>> contexts_without_roots(store::Transaction& tx) {
  return context_names_where(tx, [&](const tls::TlsContextDefinition& definition) -> Result<bool> {
    if (definition.verification == tls::PeerVerification::None ||
        definition.trust == tls::TrustScope::List) {
      return false;
    }
    auto anchors = trust_anchors_of(tx, definition);
    if (!anchors) return std::unexpected(anchors.error());
    return anchors->empty();
  });
}

Result<void> check_contexts_using_identity_build(
    store::Transaction& tx, std::string_view identity,
    const tls::ContextSnapshot::Dependencies& dependencies) {
  auto users = contexts_using_identity(tx, identity);
  if (!users) return std::unexpected(users.error());
  for (const auto& name : *users) {
    auto definition = load_definition(tx, name);
    if (!definition) return std::unexpected(definition.error());
    auto material = material_of(tx, std::move(*definition));
    auto built = material ? check_builds(*material, dependencies)
                          : Result<void>(std::unexpected(material.error()));
    if (!built) {
      Error error = std::move(built).error();
      error.message = "TLS context " + in_quotes(name) + " presents identity " +
                      in_quotes(identity) +
                      " and would no longer work with this certificate: " + error.message;
      if (error.hint.empty()) error.hint = "change the context first";
      error.hint += "; or point the context at another identity first (`telecert context set " +
                    name + " --identity NAME`)";
      return std::unexpected(std::move(error));
    }
  }
  return {};
}

Result<ContextResetCounts> reset_contexts(store::Transaction& tx) {
  ContextResetCounts counts;
  auto removed = tx.delete_service_bindings();
  if (!removed) return std::unexpected(removed.error());
  counts.services_unbound = *removed;
  auto records = tx.list_contexts();
  if (!records) return std::unexpected(records.error());
  bool has_default = false;
  for (const auto& record : *records) {
    if (record.name == tls::kDefaultContextName) {
      has_default = true;
      continue;
    }
    TELECERT_RETURN_IF_ERROR(tx.delete_context(record.name));
    ++counts.contexts_removed;
  }
  if (!has_default) {
    auto inserted = tx.insert_context(tls::kDefaultContextName, "{}");
    if (!inserted) return std::unexpected(inserted.error());
    return counts;
  }
  TELECERT_RETURN_IF_ERROR(tx.update_context(tls::kDefaultContextName, "{}"));
  return counts;
}

}  // namespace detail

namespace {

// A create or set worked out against the store: the new definition, checked, and the OCSP
// responder URLs it adds (the ones whose reachability is still to be checked).
struct ContextChange {
  tls::TlsContextDefinition definition;
  std::vector<std::string> new_responders;
};

Result<ContextChange> work_out_change(store::Transaction& tx, std::string_view name,
                                      const ContextFields& fields, bool create,
                                      const tls::ContextSnapshot::Dependencies& dependencies) {
  ContextChange change;
  if (create) {
    TELECERT_RETURN_IF_ERROR(check_context_name(name));
    auto existing = tx.find_context(name);
    if (!existing) return std::unexpected(existing.error());
    if (*existing) {
      return fail(ErrorCode::AlreadyExists, "a TLS context named " + in_quotes(name) + " exists",
                  "choose another name, or change it with `telecert context set " +
                      std::string(name) + " ...`");
    }
    change.definition.name = std::string(name);
  } else {
    auto stored = load_definition(tx, name);
    if (!stored) return std::unexpected(stored.error());
    change.definition = std::move(*stored);
    if (fields.empty()) {
      return fail(ErrorCode::InvalidArgument,
                  "no field of TLS context " + in_quotes(name) + " was given to change",
                  "give at least one option, e.g. `telecert context set " + std::string(name) +
                      " --ocsp on`");
    }
  }
  const std::vector<std::string> responders_before = change.definition.ocsp_urls;
  for (const auto& [field, value] : fields) {
    TELECERT_RETURN_IF_ERROR(tls::set_field(change.definition, field, value));
  }
  TELECERT_RETURN_IF_ERROR(tls::validate_definition(change.definition));
  auto material = material_of(tx, change.definition);
  if (!material) return std::unexpected(material.error());
  TELECERT_RETURN_IF_ERROR(check_has_roots(*material));
  TELECERT_RETURN_IF_ERROR(check_builds(*material, dependencies));
  for (const auto& url : change.definition.ocsp_urls) {
    if (std::find(responders_before.begin(), responders_before.end(), url) ==
        responders_before.end()) {
      change.new_responders.push_back(url);
    }
  }
  return change;
}

using LogEvent = std::function<Result<void>(store::Transaction&, std::string, std::string)>;
using Commit = std::function<Result<void>(store::Transaction&)>;

// create_context and set_context. Responders are tried before the write transaction, so the
// store is not locked while a connection times out; the change is then worked out again under
// the write lock (another writer may have come between) and any responder new to it is tried.
Result<ContextView> save_change(store::Store& store, std::string_view name,
                                const ContextFields& fields, bool create,
                                const tls::ContextSnapshot::Dependencies& dependencies,
                                const LogEvent& log, const Commit& commit) {
  std::vector<std::string> answered;
  {
    auto tx = store.begin_read();
    if (!tx) return std::unexpected(tx.error());
    auto change = work_out_change(**tx, name, fields, create, dependencies);
    if (!change) return std::unexpected(change.error());
    answered = std::move(change->new_responders);
  }
  for (const auto& url : answered)
    TELECERT_RETURN_IF_ERROR(
        detail::check_responder_answers(url, detail::kResponderConnectTimeout));

  auto tx = store.begin_write();
  if (!tx) return std::unexpected(tx.error());
  auto change = work_out_change(**tx, name, fields, create, dependencies);
  if (!change) return std::unexpected(change.error());
  for (const auto& url : change->new_responders) {
    if (std::find(answered.begin(), answered.end(), url) == answered.end()) {
      TELECERT_RETURN_IF_ERROR(
          detail::check_responder_answers(url, detail::kResponderConnectTimeout));
    }
  }
  const std::string json = tls::definition_to_json(change->definition);
  if (create) {
    auto inserted = (*tx)->insert_context(name, json);
    if (!inserted) return std::unexpected(inserted.error());
  } else {
    TELECERT_RETURN_IF_ERROR((*tx)->update_context(name, json));
  }
  TELECERT_RETURN_IF_ERROR(
      log(**tx, create ? "context.create" : "context.set", "context:" + std::string(name)));
  auto view = view_of(**tx, std::move(change->definition));
  if (!view) return std::unexpected(view.error());
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return view;
}

}  // namespace

Result<std::vector<ContextView>> CertificateService::list_contexts() {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto records = (*tx)->list_contexts();
  if (!records) return std::unexpected(records.error());
  std::vector<ContextView> views;
  for (const auto& record : *records) {
    auto definition = tls::parse_definition(record.name, record.definition_json);
    if (!definition) return std::unexpected(definition.error());
    auto view = view_of(**tx, std::move(*definition));
    if (!view) return std::unexpected(view.error());
    views.push_back(std::move(*view));
  }
  return views;
}

Result<ContextView> CertificateService::show_context(std::string_view name) {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto definition = load_definition(**tx, name);
  if (!definition) return std::unexpected(definition.error());
  return view_of(**tx, std::move(*definition));
}

Result<ContextView> CertificateService::create_context(std::string_view name,
                                                       const ContextFields& fields) {
  return save_change(*store_, name, fields, /*create=*/true,
                     tls::ContextSnapshot::Dependencies{clock_, revocation_},
                     std::bind_front(&CertificateService::log_event, this),
                     std::bind_front(&CertificateService::commit, this));
}

Result<ContextView> CertificateService::set_context(std::string_view name,
                                                    const ContextFields& fields) {
  return save_change(*store_, name, fields, /*create=*/false,
                     tls::ContextSnapshot::Dependencies{clock_, revocation_},
                     std::bind_front(&CertificateService::log_event, this),
                     std::bind_front(&CertificateService::commit, this));
}

Result<void> CertificateService::delete_context(std::string_view name) {
  if (name == tls::kDefaultContextName) {
    return fail(ErrorCode::Forbidden, "the default TLS context cannot be deleted",
                "every service that is not bound elsewhere uses it; change it with `telecert "
                "context set default ...` instead");
  }
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  auto found = (*tx)->find_context(name);
  if (!found) return std::unexpected(found.error());
  if (!*found) return no_context(name);
  auto services = services_bound_to(**tx, name);
  if (!services) return std::unexpected(services.error());
  if (!services->empty()) {
    return fail(ErrorCode::Forbidden,
                "TLS context " + in_quotes(name) + " is in use by service(s) " +
                    detail::join_names(*services),
                "bind them to another context first, e.g. `telecert service bind " +
                    services->front() + " default`");
  }
  TELECERT_RETURN_IF_ERROR((*tx)->delete_context(name));
  TELECERT_RETURN_IF_ERROR(log_event(**tx, "context.delete", "context:" + std::string(name)));
  return commit(**tx);
}

Result<std::vector<ServiceBindingView>> CertificateService::list_services() {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto bindings = (*tx)->list_service_bindings();
  if (!bindings) return std::unexpected(bindings.error());
  std::vector<ServiceBindingView> views;
  views.reserve(kWellKnownServices.size() + bindings->size());
  for (const auto service : kWellKnownServices) {
    views.push_back(
        ServiceBindingView{std::string(service), std::string(tls::kDefaultContextName), false});
  }
  for (const auto& binding : *bindings) {
    auto known = std::find_if(views.begin(), views.end(), [&](const ServiceBindingView& view) {
      return view.service == binding.service;
    });
    if (known == views.end()) {
      views.push_back(ServiceBindingView{binding.service, binding.context, true});
    } else {
      known->context = binding.context;
      known->bound = true;
    }
  }
  return views;
}

Result<ServiceBindingView> CertificateService::bind_service(std::string_view service,
                                                            std::string_view context) {
  TELECERT_RETURN_IF_ERROR(check_service_name(service));
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  auto found = (*tx)->find_context(context);
  if (!found) return std::unexpected(found.error());
  if (!*found) return no_context(context);
  auto bindings = (*tx)->list_service_bindings();
  if (!bindings) return std::unexpected(bindings.error());
  const bool already_bound = std::any_of(
      bindings->begin(), bindings->end(), [&](const store::ServiceBindingRecord& binding) {
        return binding.service == service && binding.context == context;
      });
  if (already_bound) {
    // Nothing to change, so no event either.
    ServiceBindingView view{std::string(service), std::string(context), true};
    view.already_bound = true;
    return view;
  }
  TELECERT_RETURN_IF_ERROR((*tx)->bind_service(service, context));
  TELECERT_RETURN_IF_ERROR(log_event(
      **tx, "service.bind", "service:" + std::string(service) + "=" + std::string(context)));
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return ServiceBindingView{std::string(service), std::string(context), true};
}

Result<tls::RegistryMaterial> CertificateService::registry_material() {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto records = (*tx)->list_contexts();
  if (!records) return std::unexpected(records.error());
  tls::RegistryMaterial material;
  for (const auto& record : *records) {
    auto definition = tls::parse_definition(record.name, record.definition_json);
    if (!definition) return std::unexpected(definition.error());
    auto context = material_of(**tx, std::move(*definition));
    if (!context) return std::unexpected(context.error());
    material.contexts.push_back(std::move(*context));
  }
  auto bindings = (*tx)->list_service_bindings();
  if (!bindings) return std::unexpected(bindings.error());
  for (const auto& binding : *bindings) material.bindings[binding.service] = binding.context;
  return material;
}

Result<tls::ContextMaterial> CertificateService::context_material(std::string_view context) {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto definition = load_definition(**tx, context);
  if (!definition) return std::unexpected(definition.error());
  return material_of(**tx, std::move(*definition));
}

}  // namespace telecert::service
