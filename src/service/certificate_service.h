// The one place for every operation a user can ask of the certificate subsystem, and for every
// rule of the domain (limits, key/certificate match, the read-only factory identity, weak
// algorithms). The CLI, and later the REST API and the web UI, call this and re-implement nothing.
//
// Every operation that changes the store runs in one store transaction and writes one event in
// it; a refused operation changes nothing (no event either).
//
// Threading: a CertificateService may be used from several threads; the store serialises writes.
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/secret.h"
#include "pki/subject.h"
#include "service/accounts.h"
#include "service/context_views.h"
#include "service/settings.h"
#include "service/views.h"
#include "store/store.h"
#include "tls/context_registry.h"
#include "tls/probe.h"
#include "verify/report.h"
#include "verify/revocation.h"
#include "verify/verifier.h"

namespace telecert::service {

// The name and origin of the factory identity.
inline constexpr std::string_view kFactoryIdentityName = "factory";
// Where Debian's ca-certificates package puts the system bundle (the built-in roots).
inline constexpr std::string_view kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";
// Validity of the factory identity: it identifies the hardware for its life (capped by the
// manufacturer CA's own expiry). max_validity_days applies to certificates users create.
inline constexpr std::chrono::days kFactoryValidity{20 * 365};

// The CSR form of the AudioCodes SBC and the self-signed form of Avaya IP Office.
struct NewIdentityRequest {
  pki::DistinguishedName subject;
  std::vector<std::string> subject_alt_names;  // "dns:...", "ip:...", "email:...", "uri:..."
  std::string key_type = "p256";               // rsa2048 rsa3072 rsa4096 p256 p384 ed25519
  std::string signature = "sha256";            // sha256 sha384 sha512
  std::int64_t validity_days = 365;            // self-signed only
  bool legacy = false;                         // allows sha1 and rsa1024
};

struct InitRequest {
  std::string device_id;                   // empty: the first hardware MAC address of the machine
  std::optional<Bytes> factory_ca_pkcs12;  // manufacturer CA that issues the factory identity
  Secret factory_ca_passphrase;
  std::filesystem::path system_ca_bundle{kSystemCaBundle};
};

// Key + certificate (+ chain) from one PKCS#12, one PEM holding them all, or separate files.
struct ImportRequest {
  Bytes file;
  std::optional<Bytes> key_file;
  std::optional<Bytes> chain_file;
  Secret passphrase;  // opens the PKCS#12 or an encrypted key
};

struct InstallRequest {
  Bytes certificate_file;
  std::optional<Bytes> chain_file;
};

enum class ExportFormat { Pem, Der, Pkcs12 };
Result<ExportFormat> parse_export_format(std::string_view text);

struct ExportRequest {
  ExportFormat format = ExportFormat::Pem;
  bool with_key = false;  // needs a passphrase; PKCS#12 always holds the key
  Secret passphrase;
};

enum class TrustFilter { All, Builtin, Custom };
Result<TrustFilter> parse_trust_filter(std::string_view text);

// Changes to a TLS context: (field, value) pairs as tls::set_field names them ("min-tls", "1.2"),
// applied in order over the defaults (create) or the stored definition (set).
using ContextFields = std::vector<std::pair<std::string, std::string>>;

// Services every device has; they show in `service list` bound to "default" until bound elsewhere.
inline constexpr std::array<std::string_view, 4> kWellKnownServices = {
    "sip-tls", "https-provisioning", "eap-tls", "web-admin"};

struct VerifyRequest {
  Bytes chain_file;  // the peer's certificate first, then what it would send
  verify::Purpose purpose = verify::Purpose::Server;
  std::optional<std::string> name;  // the expected peer name; none: not checked
  std::string context{tls::kDefaultContextName};
};

struct ProbeRequest {
  std::string url;                  // tls://host:port, https://host[:port]/path, sips:host[:port]
  std::optional<std::string> name;  // the expected peer name; none: the URL's host
  std::string context{tls::kDefaultContextName};
  std::chrono::milliseconds timeout{10000};
};

struct FactoryResetView {
  std::int64_t identities_removed = 0;
  std::int64_t trust_anchors_removed = 0;
  bool certificates_kept = false;
  std::int64_t contexts_removed = 0;  // every TLS context but "default", which gets its defaults
  std::int64_t services_unbound = 0;  // every service binding is removed
};
// The JSON form (`telecert factory-reset --json`, POST /api/v1/factory-reset).
void to_json(nlohmann::json& out, const FactoryResetView& view);

class CertificateService {
 public:
  enum class OpenMode { Existing, CreateIfMissing };

  // Opens the data directory (database and master key). With OpenMode::Existing a directory that
  // was never initialised is ErrorCode::NotFound with a hint to run `telecert init`. A database
  // whose master.key is missing is ErrorCode::NotFound in either mode (no new key is made for it).
  [[nodiscard]] static Result<std::unique_ptr<CertificateService>> open(
      const std::filesystem::path& data_dir, std::shared_ptr<const Clock> clock, std::string actor,
      OpenMode mode = OpenMode::Existing);

  // Opens (creating) `data_dir` and runs init(). When init is refused and the directory was absent
  // or empty before, everything this call created is removed again, so no store without a factory
  // identity is left behind and the next command still asks for init.
  [[nodiscard]] static Result<IdentityView> initialise(const std::filesystem::path& data_dir,
                                                       std::shared_ptr<const Clock> clock,
                                                       std::string actor,
                                                       const InitRequest& request);

  // Creates the factory identity and loads the built-in roots, once.
  [[nodiscard]] Result<IdentityView> init(const InitRequest& request);

  [[nodiscard]] Result<StatusView> status();

  // --- identities ---
  [[nodiscard]] Result<std::vector<IdentityView>> list_identities();
  [[nodiscard]] Result<IdentityView> show_identity(std::string_view name);
  [[nodiscard]] Result<IdentityView> create_self_signed(std::string_view name,
                                                        const NewIdentityRequest& request);
  // Creates a key and a CSR; the identity waits as pending until install_certificate.
  [[nodiscard]] Result<IdentityView> create_csr(std::string_view name,
                                                const NewIdentityRequest& request);
  // Installs a CA-signed certificate on the identity whose key it carries.
  [[nodiscard]] Result<IdentityView> install_certificate(std::string_view name,
                                                         const InstallRequest& request);
  [[nodiscard]] Result<IdentityView> import_identity(std::string_view name,
                                                     const ImportRequest& request);
  [[nodiscard]] Result<Bytes> export_identity(std::string_view name, const ExportRequest& request);
  [[nodiscard]] Result<void> delete_identity(std::string_view name);

  // --- trusted roots ---
  [[nodiscard]] Result<std::vector<TrustAnchorView>> list_trust();
  // Adds every certificate in `file` as a custom root. All duplicates is ErrorCode::AlreadyExists.
  [[nodiscard]] Result<TrustAddView> add_trust(ByteView file);
  [[nodiscard]] Result<void> remove_trust(std::int64_t id);
  // The anchors of `filter` as one PEM bundle.
  [[nodiscard]] Result<std::string> export_trust(TrustFilter filter);

  // --- settings, events, reset ---
  [[nodiscard]] Result<Settings> settings();
  [[nodiscard]] Result<Settings> set_setting(std::string_view name, std::string_view value);
  // The newest events, newest first: `limit` of them after skipping the `offset` newest.
  [[nodiscard]] Result<std::vector<store::EventRecord>> events(std::int64_t limit,
                                                               std::int64_t offset = 0);
  // How many events there are (a list's X-Total-Count).
  [[nodiscard]] Result<std::int64_t> count_events();
  [[nodiscard]] Result<FactoryResetView> factory_reset();

  // --- TLS contexts and service bindings (context_operations.cc) ---
  [[nodiscard]] Result<std::vector<ContextView>> list_contexts();
  [[nodiscard]] Result<ContextView> show_context(std::string_view name);
  // Refuses a taken name, invalid fields (tls::validate_definition), an identity or a root that
  // is not in the store, and OCSP responder URLs that do not answer.
  [[nodiscard]] Result<ContextView> create_context(std::string_view name,
                                                   const ContextFields& fields);
  [[nodiscard]] Result<ContextView> set_context(std::string_view name, const ContextFields& fields);
  // Refuses "default" and a context a service is bound to.
  [[nodiscard]] Result<void> delete_context(std::string_view name);
  [[nodiscard]] Result<std::vector<ServiceBindingView>> list_services();
  [[nodiscard]] Result<ServiceBindingView> bind_service(std::string_view service,
                                                        std::string_view context);
  // What a ContextRegistry builds its snapshots from: every context with its identity (the factory
  // identity when it names none) and its trust scope resolved, and the bindings.
  [[nodiscard]] Result<tls::RegistryMaterial> registry_material();
  [[nodiscard]] Result<tls::ContextMaterial> context_material(std::string_view context);
  // A snapshot of one context, built now (for verify and probe).
  [[nodiscard]] Result<std::shared_ptr<const tls::ContextSnapshot>> context_snapshot(
      std::string_view context);

  // --- verification and probe (verification_operations.cc) ---
  // The report for a chain file judged by `context`'s trust scope and checks.
  [[nodiscard]] Result<verify::Report> verify_chain(const VerifyRequest& request);
  // Connects with `context`'s client side; an unreachable peer is ErrorCode::Unreachable.
  [[nodiscard]] Result<tls::ProbeResult> probe(const ProbeRequest& request);

  // --- users and API tokens (user_operations.cc); see service/accounts.h ---
  // When no user has the admin role (first start, or only monitors were added before it), creates
  // kFirstAdminName with a random password (returned once, stored only as its scrypt hash);
  // otherwise changes nothing and returns nullopt. Forbidden when that name is taken by a monitor.
  [[nodiscard]] Result<std::optional<NewUser>> ensure_first_admin();
  [[nodiscard]] Result<std::vector<UserView>> list_users();
  // An empty `password` makes telecert choose one (returned in NewUser::generated_password);
  // a chosen one needs kMinPasswordLength characters.
  [[nodiscard]] Result<NewUser> create_user(std::string_view name, Role role,
                                            const Secret& password);
  [[nodiscard]] Result<void> set_password(std::string_view name, const Secret& password);
  // Refuses to delete the last admin.
  [[nodiscard]] Result<void> delete_user(std::string_view name);
  // ErrorCode::Unauthenticated for an unknown user or a wrong password (the same message and
  // the same work for both, so the answer does not tell which names exist). Writes no event.
  [[nodiscard]] Result<Principal> authenticate_password(std::string_view name,
                                                        const Secret& password);
  [[nodiscard]] Result<std::vector<ApiTokenView>> list_tokens();
  [[nodiscard]] Result<NewApiToken> create_token(std::string_view name, Role role);
  [[nodiscard]] Result<void> revoke_token(std::string_view name);
  // ErrorCode::Unauthenticated for a token that is not (or no longer) valid.
  [[nodiscard]] Result<Principal> authenticate_token(const Secret& token);

  // A service on the same store, clock, revocation cache and change listener that records
  // `actor` in events (the daemon makes one per request for the principal of that request).
  [[nodiscard]] std::unique_ptr<CertificateService> with_actor(std::string actor) const;

  // Called after every committed change (contexts, bindings, identities, trust, settings); a
  // daemon or firmware points it at ContextRegistry::refresh.
  void set_change_listener(std::function<void()> listener) {
    change_listener_ = std::move(listener);
  }

  // Reads a file a user hands in, refusing it before reading when it is over max_upload_bytes.
  [[nodiscard]] Result<Bytes> read_upload(const std::filesystem::path& file);

 private:
  CertificateService(std::shared_ptr<store::Store> store, std::shared_ptr<const Clock> clock,
                     std::string actor)
      : store_(std::move(store)), clock_(std::move(clock)), actor_(std::move(actor)) {}

  Result<void> log_event(store::Transaction& tx, std::string action, std::string object);
  // Commits `tx` and then tells the change listener.
  Result<void> commit(store::Transaction& tx);
  // Refuses the operation when any of the uploads' sizes is over max_upload_bytes.
  Result<void> check_upload_sizes(store::Transaction& tx, std::initializer_list<std::size_t> sizes);
  Result<void> check_new_identity_name(store::Transaction& tx, std::string_view name);
  // Orders the chain for `leaf` from `given` and the enabled trust anchors (which may supply
  // missing intermediates); certificates in `given` that are not on the leaf's path are refused
  // rather than silently dropped.
  Result<std::vector<pki::Certificate>> chain_for(store::Transaction& tx,
                                                  const pki::Certificate& leaf,
                                                  const std::vector<pki::Certificate>& given);
  IdentityView view_identity(store::Transaction& tx, const store::IdentityRecord& record,
                             const Settings& settings);
  Result<IdentityView> insert_new_identity(store::Transaction& tx, store::IdentityRecord record,
                                           const pki::Key& key, std::string action);

  std::shared_ptr<store::Store> store_;  // shared with the services made by with_actor()
  std::shared_ptr<const Clock> clock_;
  std::string actor_;
  std::function<void()> change_listener_;
  // OCSP answers and CRLs, cached until their nextUpdate for as long as this service (or one made
  // from it by with_actor()) lives.
  std::shared_ptr<verify::RevocationChecker> revocation_ =
      std::make_shared<verify::RevocationChecker>();
};

// A readable view of any certificate, chain, CSR, key or PKCS#12 (stateless).
[[nodiscard]] Result<InspectView> inspect_file(ByteView data, const Secret& passphrase,
                                               pki::TimePoint now, std::int64_t warning_days = 60);

// Reads `file` if it is at most `limit` bytes; refuses larger ones before reading them.
[[nodiscard]] Result<Bytes> read_file_limited(const std::filesystem::path& file,
                                              std::int64_t limit);

// Loads the settings stored in `tx`, defaults for the ones never set.
[[nodiscard]] Result<Settings> load_settings(store::Transaction& tx);

}  // namespace telecert::service
