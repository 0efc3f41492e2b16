#include "service/certificate_service.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "pki/certificate_builder.h"
#include "pki/chain.h"
#include "pki/file_decoder.h"
#include "pki/pkcs12.h"
#include "service/context_references.h"
#include "store/master_key.h"
#include "store/sqlite_store.h"

namespace telecert::service {
namespace {

constexpr std::string_view kDatabaseFile = "telecert.db";
constexpr std::string_view kMasterKeyFile = "master.key";
constexpr std::string_view kDeviceIdSetting = "device_id";

// The first hardware MAC address among the machine's network interfaces, as the device id.
std::string first_mac_address() {
  std::vector<std::string> addresses;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net", error)) {
    if (entry.path().filename() == "lo") continue;
    std::ifstream in(entry.path() / "address");
    std::string address;
    if (in >> address && address.size() == 17 && address != "00:00:00:00:00:00") {
      addresses.push_back(address);
    }
  }
  std::sort(addresses.begin(), addresses.end());
  return addresses.empty() ? std::string() : addresses.front();
}

}  // namespace

Result<std::unique_ptr<CertificateService>> CertificateService::open(
    const std::filesystem::path& data_dir, std::shared_ptr<const Clock> clock, std::string actor,
    OpenMode mode) {
  const auto database = data_dir / kDatabaseFile;
  std::error_code error;
  if (mode == OpenMode::Existing && !std::filesystem::exists(database, error)) {
    return fail(ErrorCode::NotFound, "no telecert data in '" + data_dir.string() + "'",
                "run `telecert --data-dir " + data_dir.string() + " init` first");
  }
  // A database without its master key: a new key would leave every stored private key
  // undecryptable and encrypt new ones under a second master. Refuse instead of creating one.
  if (std::filesystem::exists(database, error) &&
      !std::filesystem::exists(data_dir / kMasterKeyFile, error)) {
    return fail(ErrorCode::NotFound,
                "the master key file '" + (data_dir / kMasterKeyFile).string() + "' is missing",
                "restore master.key from a backup of this data directory; without it the stored "
                "private keys cannot be decrypted");
  }
  if (!std::filesystem::exists(data_dir, error)) {
    std::filesystem::create_directories(data_dir, error);
    if (error) {
      return fail(ErrorCode::Io, "cannot create '" + data_dir.string() + "': " + error.message(),
                  "check the path and its permissions");
    }
    std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all, error);
  }
  auto master_key = store::load_or_create_master_key(data_dir / kMasterKeyFile);
  if (!master_key) return std::unexpected(master_key.error());
  auto opened = store::open_sqlite_store(database, std::move(*master_key));
  if (!opened) return std::unexpected(opened.error());
  ::chmod(database.c_str(), 0600);
  return std::unique_ptr<CertificateService>(
      new CertificateService(std::move(*opened), std::move(clock), std::move(actor)));
}

Result<void> CertificateService::commit(store::Transaction& tx) {
  TELECERT_RETURN_IF_ERROR(tx.commit());
  if (change_listener_) change_listener_();
  return {};
}

Result<void> CertificateService::log_event(store::Transaction& tx, std::string action,
                                           std::string object) {
  return tx.append_event(
      store::EventRecord{0, clock_->now(), actor_, std::move(action), std::move(object), "ok"});
}

Result<Settings> load_settings(store::Transaction& tx) {
  Settings settings;
  for (const auto& definition : setting_definitions()) {
    auto stored = tx.get_setting(definition.name);
    if (!stored) return std::unexpected(stored.error());
    if (!*stored) continue;
    auto value = parse_setting_value(definition, **stored);
    // A stored value outside today's range (an older build's) falls back to the default.
    set_field(settings, definition, value ? *value : definition.default_value);
  }
  return settings;
}

Result<Settings> CertificateService::settings() {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  return load_settings(**tx);
}

Result<Settings> CertificateService::set_setting(std::string_view name, std::string_view value) {
  const SettingDefinition* definition = find_setting(name);
  if (definition == nullptr) {
    std::string known;
    for (const auto& d : setting_definitions())
      known += (known.empty() ? "" : ", ") + std::string(d.name);
    return fail(ErrorCode::NotFound, "there is no setting '" + std::string(name) + "'",
                "settings are: " + known);
  }
  auto parsed = parse_setting_value(*definition, value);
  if (!parsed) return std::unexpected(parsed.error());
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  auto settings = load_settings(**tx);
  if (!settings) return std::unexpected(settings.error());
  set_field(*settings, *definition, *parsed);
  if (auto stored = (*tx)->set_setting(name, format_setting_value(*definition, *parsed)); !stored) {
    return std::unexpected(stored.error());
  }
  if (auto recorded = log_event(
          **tx, "settings.set",
          "setting:" + std::string(name) + "=" + format_setting_value(*definition, *parsed));
      !recorded) {
    return std::unexpected(recorded.error());
  }
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return settings;
}

std::unique_ptr<CertificateService> CertificateService::with_actor(std::string actor) const {
  auto acting =
      std::unique_ptr<CertificateService>(new CertificateService(store_, clock_, std::move(actor)));
  acting->change_listener_ = change_listener_;
  acting->revocation_ = revocation_;
  return acting;
}

Result<std::vector<store::EventRecord>> CertificateService::events(std::int64_t limit,
                                                                   std::int64_t offset) {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  return (*tx)->list_events(limit, offset);
}

Result<std::int64_t> CertificateService::count_events() {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  return (*tx)->count_events();
}

Result<Bytes> read_file_limited(const std::filesystem::path& file, std::int64_t limit) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    return fail(ErrorCode::Io, "cannot read '" + file.string() + "': no such file",
                "check the file name");
  }
  const auto size = std::filesystem::file_size(file, error);
  if (error) {
    return fail(ErrorCode::Io, "cannot read '" + file.string() + "': " + error.message());
  }
  if (size > static_cast<std::uintmax_t>(limit)) {
    return fail(ErrorCode::LimitExceeded,
                "'" + file.string() + "' is " + std::to_string(size) +
                    " bytes, over the limit of " + std::to_string(limit) + " bytes",
                "certificate files are small; check that this is the right file, or raise "
                "max_upload_bytes");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return fail(ErrorCode::Io, "cannot open '" + file.string() + "'", "check its permissions");
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Result<Bytes> CertificateService::read_upload(const std::filesystem::path& file) {
  auto current = settings();
  if (!current) return std::unexpected(current.error());
  return read_file_limited(file, current->max_upload_bytes);
}

Result<void> CertificateService::check_upload_sizes(store::Transaction& tx,
                                                    std::initializer_list<std::size_t> sizes) {
  auto settings = load_settings(tx);
  if (!settings) return std::unexpected(settings.error());
  for (const std::size_t size : sizes) {
    if (size > static_cast<std::size_t>(settings->max_upload_bytes)) {
      return fail(ErrorCode::LimitExceeded,
                  "the upload is " + std::to_string(size) + " bytes, over the limit of " +
                      std::to_string(settings->max_upload_bytes) + " bytes",
                  "certificate files are small; check that this is the right file, or raise "
                  "max_upload_bytes");
    }
  }
  return {};
}

Result<IdentityView> CertificateService::initialise(const std::filesystem::path& data_dir,
                                                    std::shared_ptr<const Clock> clock,
                                                    std::string actor, const InitRequest& request) {
  namespace fs = std::filesystem;
  std::error_code ignored;
  const bool existed = fs::exists(data_dir, ignored);
  const bool fresh = !existed || fs::is_empty(data_dir, ignored);
  auto initialised = [&]() -> Result<IdentityView> {
    auto service = open(data_dir, std::move(clock), std::move(actor), OpenMode::CreateIfMissing);
    if (!service) return std::unexpected(service.error());
    return (*service)->init(request);
  }();
  if (!initialised && fresh) {
    if (!existed) {
      fs::remove_all(data_dir, ignored);
    } else {
      for (const auto& entry : fs::directory_iterator(data_dir, ignored)) {
        fs::remove_all(entry.path(), ignored);
      }
    }
  }
  return initialised;
}

Result<IdentityView> CertificateService::init(const InitRequest& request) {
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  auto existing = (*tx)->find_identity(kFactoryIdentityName);
  if (!existing) return std::unexpected(existing.error());
  if (*existing) {
    return fail(ErrorCode::AlreadyExists,
                "this data directory is already initialised (factory identity '" +
                    (*existing)->leaf->subject() + "')",
                "the factory identity is unique to the device and is never replaced");
  }
  std::string device_id = request.device_id.empty() ? first_mac_address() : request.device_id;
  if (device_id.empty()) {
    return fail(ErrorCode::InvalidArgument, "no hardware MAC address found for the device id",
                "give one with --device-id, e.g. --device-id 00:90:8f:12:34:56");
  }
  if (device_id.size() > 64) {
    return fail(ErrorCode::InvalidArgument, "the device id is longer than 64 characters",
                "use the device's MAC address or serial number");
  }

  auto key = pki::Key::generate(pki::KeyType::EcP256);
  if (!key) return std::unexpected(key.error());
  pki::CertificateSpec spec;
  spec.subject.common_name = device_id;
  spec.not_before = clock_->now();
  spec.validity = kFactoryValidity;
  store::IdentityRecord record;
  record.name = kFactoryIdentityName;
  record.origin = store::Origin::Factory;

  if (request.factory_ca_pkcs12) {
    auto ca = pki::read_pkcs12(*request.factory_ca_pkcs12, request.factory_ca_passphrase);
    if (!ca) return std::unexpected(ca.error().with_context("factory CA"));
    if (!ca->key || !ca->certificate) {
      return fail(ErrorCode::InvalidArgument, "the factory CA file holds no key and certificate",
                  "give a PKCS#12 with the manufacturer CA's certificate and private key");
    }
    if (!ca->certificate->is_ca()) {
      return fail(ErrorCode::InvalidArgument,
                  "the factory CA certificate '" + ca->certificate->subject() + "' is not a CA",
                  "its basicConstraints must say CA:TRUE");
    }
    auto ca_expiry = ca->certificate->not_after();
    if (ca_expiry <= spec.not_before) {
      return fail(ErrorCode::InvalidArgument, "the factory CA certificate has expired",
                  "use a current manufacturer CA");
    }
    spec.validity =
        std::min(spec.validity, std::chrono::floor<std::chrono::days>(ca_expiry - spec.not_before));
    pki::Issuer issuer{*ca->certificate, *ca->key};
    auto certificate = pki::build_certificate(*key, spec, &issuer);
    if (!certificate) return std::unexpected(certificate.error());
    record.leaf = std::move(*certificate);
    record.chain =
        pki::order_chain(*record.leaf, std::vector{*ca->certificate}, ca->other_certificates).chain;
  } else {
    auto certificate = pki::build_certificate(*key, spec);
    if (!certificate) return std::unexpected(certificate.error());
    record.leaf = std::move(*certificate);
  }

  auto bundle = read_file_limited(request.system_ca_bundle, 64 * 1024 * 1024);
  if (!bundle) return std::unexpected(bundle.error().with_context("built-in roots"));
  auto roots = pki::read_certificates(*bundle);
  if (!roots) return std::unexpected(roots.error().with_context(request.system_ca_bundle.string()));
  for (const auto& root : *roots) {
    auto added = (*tx)->insert_trust_anchor(root, store::TrustSource::Builtin, clock_->now());
    if (!added) return std::unexpected(added.error());
  }
  if (auto stored = (*tx)->set_setting(kDeviceIdSetting, device_id); !stored) {
    return std::unexpected(stored.error());
  }
  auto view = insert_new_identity(**tx, std::move(record), *key, "init");
  if (!view) return std::unexpected(view.error());
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return view;
}

Result<StatusView> CertificateService::status() {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto settings = load_settings(**tx);
  if (!settings) return std::unexpected(settings.error());
  StatusView view;
  view.expiry_warning_days = settings->expiry_warning_days;
  auto device_id = (*tx)->get_setting(kDeviceIdSetting);
  if (!device_id) return std::unexpected(device_id.error());
  view.device_id = device_id->value_or("");
  auto identities = (*tx)->list_identities();
  if (!identities) return std::unexpected(identities.error());
  for (const auto& record : *identities) {
    view.identities.push_back(view_identity(**tx, record, *settings));
  }
  auto anchors = (*tx)->list_trust_anchors();
  if (!anchors) return std::unexpected(anchors.error());
  const auto now = clock_->now();
  for (const auto& anchor : *anchors) {
    view.trust_anchors.push_back(
        TrustAnchorView{anchor.id, std::string(store::to_string(anchor.source)), anchor.enabled,
                        view_certificate(anchor.certificate, now, settings->expiry_warning_days)});
  }
  return view;
}

Result<FactoryResetView> CertificateService::factory_reset() {
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  auto settings = load_settings(**tx);
  if (!settings) return std::unexpected(settings.error());
  FactoryResetView view;
  view.certificates_kept = settings->keep_certificates_on_factory_reset;
  if (!view.certificates_kept) {
    auto identities = (*tx)->list_identities();
    if (!identities) return std::unexpected(identities.error());
    for (const auto& identity : *identities) {
      if (identity.origin == store::Origin::Factory) continue;
      if (auto deleted = (*tx)->delete_identity(identity.name); !deleted) {
        return std::unexpected(deleted.error());
      }
      if (auto deleted = (*tx)->delete_key(identity.key_id); !deleted) {
        return std::unexpected(deleted.error());
      }
      ++view.identities_removed;
    }
    auto anchors = (*tx)->list_trust_anchors();
    if (!anchors) return std::unexpected(anchors.error());
    for (const auto& anchor : *anchors) {
      if (anchor.source != store::TrustSource::Custom) continue;
      if (auto deleted = (*tx)->delete_trust_anchor(anchor.id); !deleted) {
        return std::unexpected(deleted.error());
      }
      ++view.trust_anchors_removed;
    }
    if (auto pruned = (*tx)->delete_unreferenced_certificates(); !pruned) {
      return std::unexpected(pruned.error());
    }
  }
  // TLS contexts go back to "default" alone, with its default definition, and nothing is bound.
  auto contexts = detail::reset_contexts(**tx);
  if (!contexts) return std::unexpected(contexts.error());
  view.contexts_removed = contexts->contexts_removed;
  view.services_unbound = contexts->services_unbound;
  // Settings go back to their defaults, except the one that governs resets (as on Yealink phones,
  // where keeping certificates is configured once); the device id is not a setting and stays.
  for (const auto& definition : setting_definitions()) {
    if (definition.name == "keep_certificates_on_factory_reset") continue;
    auto reset = (*tx)->set_setting(definition.name,
                                    format_setting_value(definition, definition.default_value));
    if (!reset) return std::unexpected(reset.error());
  }
  if (auto recorded =
          log_event(**tx, "factory-reset",
                    view.certificates_kept ? "certificates kept" : "certificates removed");
      !recorded) {
    return std::unexpected(recorded.error());
  }
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return view;
}

}  // namespace telecert::service
