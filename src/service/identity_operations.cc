// CertificateService: the identity operations (self-signed, CSR, install, import, export, delete).
#include <algorithm>

#include "pki/certificate_builder.h"
#include "pki/chain.h"
#include "pki/csr.h"
#include "pki/file_decoder.h"
#include "pki/pkcs12.h"
#include "service/certificate_service.h"
#include "service/context_references.h"

namespace telecert::service {
namespace {

// AudioCodes' CSR form has five SAN rows; so do we.
constexpr std::size_t kMaxSubjectAltNames = 5;

struct ParsedNewIdentity {
  pki::KeyType key_type;
  pki::SignatureDigest digest;
  std::vector<pki::SubjectAltName> sans;
};

// Validates a CSR / self-signed request: SAN count and syntax, key type, digest, the legacy rule.
Result<ParsedNewIdentity> parse_new_identity(const NewIdentityRequest& request) {
  if (request.subject.common_name.empty()) {
    return fail(ErrorCode::InvalidArgument, "the subject name (CN) is empty",
                "give --cn, e.g. --cn sbc1.example.com");
  }
  if (request.subject_alt_names.size() > kMaxSubjectAltNames) {
    return fail(ErrorCode::LimitExceeded,
                std::to_string(request.subject_alt_names.size()) +
                    " subject alternative names given; at most 5 are allowed",
                "keep the five that peers match against");
  }
  ParsedNewIdentity parsed{};
  for (const auto& text : request.subject_alt_names) {
    auto san = pki::parse_subject_alt_name(text);
    if (!san) return std::unexpected(san.error());
    parsed.sans.push_back(*san);
  }
  auto key_type = pki::parse_key_type(request.key_type);
  if (!key_type) return std::unexpected(key_type.error());
  auto digest = pki::parse_signature_digest(request.signature);
  if (!digest) return std::unexpected(digest.error());
  parsed.key_type = *key_type;
  parsed.digest = *digest;
  if (!request.legacy && parsed.key_type == pki::KeyType::Rsa1024) {
    return fail(ErrorCode::WeakAlgorithm, "RSA-1024 keys are too weak for current peers",
                "use rsa2048 or p256; if an old peer needs it, add --legacy");
  }
  if (!request.legacy && parsed.digest == pki::SignatureDigest::Sha1) {
    return fail(ErrorCode::WeakAlgorithm, "SHA-1 signatures are refused by current peers",
                "use sha256; if an old peer needs it, add --legacy");
  }
  return parsed;
}

Result<void> check_identity_name(std::string_view name) {
  const bool valid =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
  if (!valid) {
    return fail(ErrorCode::InvalidArgument,
                "'" + std::string(name) + "' is not a valid identity name",
                "use 1-64 letters, digits, '-', '_' or '.'");
  }
  return {};
}

std::string subjects_of(const std::vector<pki::Certificate>& certificates) {
  std::string text;
  for (const auto& certificate : certificates) {
    text += (text.empty() ? "'" : ", '") + certificate.subject() + "'";
  }
  return text;
}

// The size of an optional upload; 0 when it was not given.
std::size_t size_of(const std::optional<Bytes>& upload) { return upload ? upload->size() : 0; }

Result<void> refuse_factory(std::string_view name, std::string_view what) {
  if (name == kFactoryIdentityName) {
    return fail(ErrorCode::Forbidden, "the factory identity cannot be " + std::string(what),
                "it is unique to this device and read-only; create or import another identity "
                "and bind services to it");
  }
  return {};
}

}  // namespace

Result<void> CertificateService::check_new_identity_name(store::Transaction& tx,
                                                         std::string_view name) {
  TELECERT_RETURN_IF_ERROR(check_identity_name(name));
  TELECERT_RETURN_IF_ERROR(refuse_factory(name, "replaced"));
  auto existing = tx.find_identity(name);
  if (!existing) return std::unexpected(existing.error());
  if (*existing) {
    return fail(ErrorCode::AlreadyExists, "an identity named '" + std::string(name) + "' exists",
                "choose another name, or delete it first");
  }
  return {};
}

Result<std::vector<pki::Certificate>> CertificateService::chain_for(
    store::Transaction& tx, const pki::Certificate& leaf,
    const std::vector<pki::Certificate>& given) {
  auto anchors = tx.list_trust_anchors();
  if (!anchors) return std::unexpected(anchors.error());
  std::vector<pki::Certificate> trusted;
  for (const auto& anchor : *anchors) {
    if (anchor.enabled) trusted.push_back(anchor.certificate);
  }
  auto ordered = pki::order_chain(leaf, given, trusted);
  if (!ordered.unrelated.empty()) {
    return fail(ErrorCode::InvalidArgument,
                "certificate(s) " + subjects_of(ordered.unrelated) +
                    " are not in the issuing chain of '" + leaf.subject() + "'",
                "give only the certificate and the intermediates that issued it");
  }
  return std::move(ordered.chain);
}

IdentityView CertificateService::view_identity(store::Transaction&,
                                               const store::IdentityRecord& record,
                                               const Settings& settings) {
  const auto now = clock_->now();
  IdentityView view;
  view.name = record.name;
  view.origin = store::to_string(record.origin);
  view.created_at = record.created_at;
  if (record.leaf) {
    view.certificate = view_certificate(*record.leaf, now, settings.expiry_warning_days);
    view.status = view.certificate->status;
    view.key = view.certificate->public_key;
  } else {
    view.status = ExpiryStatus::Pending;
    view.csr_pem = record.csr_pem;
    if (record.csr_pem) {
      if (auto csr = pki::Csr::parse(as_bytes(*record.csr_pem))) {
        view.key = view_csr(*csr).public_key;
      }
    }
  }
  for (const auto& certificate : record.chain) {
    view.chain.push_back(view_certificate(certificate, now, settings.expiry_warning_days));
  }
  return view;
}

Result<IdentityView> CertificateService::insert_new_identity(store::Transaction& tx,
                                                             store::IdentityRecord record,
                                                             const pki::Key& key,
                                                             std::string action) {
  auto key_id = tx.insert_key(key);
  if (!key_id) return std::unexpected(key_id.error());
  record.key_id = *key_id;
  record.created_at = clock_->now();
  record.updated_at = record.created_at;
  TELECERT_RETURN_IF_ERROR(tx.insert_identity(record));
  TELECERT_RETURN_IF_ERROR(log_event(tx, std::move(action), "identity:" + record.name));
  auto settings = load_settings(tx);
  if (!settings) return std::unexpected(settings.error());
  return view_identity(tx, record, *settings);
}

Result<std::vector<IdentityView>> CertificateService::list_identities() {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto settings = load_settings(**tx);
  if (!settings) return std::unexpected(settings.error());
  auto records = (*tx)->list_identities();
  if (!records) return std::unexpected(records.error());
  std::vector<IdentityView> views;
  for (const auto& record : *records) views.push_back(view_identity(**tx, record, *settings));
  return views;
}

Result<IdentityView> CertificateService::show_identity(std::string_view name) {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto settings = load_settings(**tx);
  if (!settings) return std::unexpected(settings.error());
  auto record = (*tx)->find_identity(name);
  if (!record) return std::unexpected(record.error());
  if (!*record) {
    return fail(ErrorCode::NotFound, "there is no identity '" + std::string(name) + "'",
                "`telecert identity list` shows the identities");
  }
  return view_identity(**tx, **record, *settings);
}

Result<IdentityView> CertificateService::create_self_signed(std::string_view name,
                                                            const NewIdentityRequest& request) {
  auto parsed = parse_new_identity(request);
  if (!parsed) return std::unexpected(parsed.error());
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  TELECERT_RETURN_IF_ERROR(check_new_identity_name(**tx, name));
  auto settings = load_settings(**tx);
  if (!settings) return std::unexpected(settings.error());
  if (request.validity_days < 1 || request.validity_days > settings->max_validity_days) {
    return fail(ErrorCode::OutOfRange,
                "a validity of " + std::to_string(request.validity_days) +
                    " days is outside 1 to " + std::to_string(settings->max_validity_days),
                "certificates telecert creates last at most max_validity_days (" +
                    std::to_string(settings->max_validity_days) + ")");
  }
  auto key = pki::Key::generate(parsed->key_type);
  if (!key) return std::unexpected(key.error());
  pki::CertificateSpec spec;
  spec.subject = request.subject;
  spec.subject_alt_names = parsed->sans;
  spec.digest = parsed->digest;
  spec.not_before = clock_->now();
  spec.validity = std::chrono::days(request.validity_days);
  auto certificate = pki::build_certificate(*key, spec);
  if (!certificate) return std::unexpected(certificate.error());
  store::IdentityRecord record;
  record.name = name;
  record.origin = store::Origin::SelfSigned;
  record.leaf = std::move(*certificate);
  auto view = insert_new_identity(**tx, std::move(record), *key, "identity.self-signed");
  if (!view) return std::unexpected(view.error());
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return view;
}

Result<IdentityView> CertificateService::create_csr(std::string_view name,
                                                    const NewIdentityRequest& request) {
  auto parsed = parse_new_identity(request);
  if (!parsed) return std::unexpected(parsed.error());
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  TELECERT_RETURN_IF_ERROR(check_new_identity_name(**tx, name));
  auto key = pki::Key::generate(parsed->key_type);
  if (!key) return std::unexpected(key.error());
  auto csr = pki::Csr::build(*key, pki::CsrSpec{request.subject, parsed->sans, parsed->digest});
  if (!csr) return std::unexpected(csr.error());
  store::IdentityRecord record;
  record.name = name;
  record.origin = store::Origin::Csr;
  record.csr_pem = csr->pem();
  auto view = insert_new_identity(**tx, std::move(record), *key, "identity.csr");
  if (!view) return std::unexpected(view.error());
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return view;
}

Result<IdentityView> CertificateService::install_certificate(std::string_view name,
                                                             const InstallRequest& request) {
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  TELECERT_RETURN_IF_ERROR(
      check_upload_sizes(**tx, {request.certificate_file.size(), size_of(request.chain_file)}));
  TELECERT_RETURN_IF_ERROR(refuse_factory(name, "replaced"));
  auto found = (*tx)->find_identity(name);
  if (!found) return std::unexpected(found.error());
  if (!*found) {
    return fail(ErrorCode::NotFound, "there is no identity '" + std::string(name) + "'",
                "create its CSR first with `telecert csr create " + std::string(name) + " ...`");
  }
  store::IdentityRecord record = std::move(**found);
  auto certificates = pki::read_certificates(request.certificate_file);
  if (!certificates) return std::unexpected(certificates.error().with_context("certificate file"));
  if (request.chain_file) {
    auto chain = pki::read_certificates(*request.chain_file);
    if (!chain) return std::unexpected(chain.error().with_context("chain file"));
    certificates->insert(certificates->end(), chain->begin(), chain->end());
  }
  auto key = (*tx)->load_key(record.key_id);
  if (!key) return std::unexpected(key.error());
  auto leaf = pki::find_certificate_for_key(*certificates, *key);
  if (!leaf) {
    std::string expected =
        record.csr_pem ? " (its CSR is for a " + key->description() + " key)" : "";
    return fail(ErrorCode::KeyMismatch,
                "no certificate in the file carries the key of identity '" + std::string(name) +
                    "'" + expected + "; the file holds " + subjects_of(*certificates),
                "install the certificate the CA issued for this identity's CSR, or pick the "
                "identity whose CSR it was");
  }
  auto chain = chain_for(**tx, *leaf, *certificates);
  if (!chain) return std::unexpected(chain.error());
  record.leaf = std::move(*leaf);
  record.chain = std::move(*chain);
  record.csr_pem.reset();
  record.updated_at = clock_->now();
  TELECERT_RETURN_IF_ERROR((*tx)->update_identity(record));
  // The contexts that present this identity must still build with the new certificate (strict
  // usage for their role); refused otherwise, and the transaction is dropped.
  TELECERT_RETURN_IF_ERROR(detail::check_contexts_using_identity_build(
      **tx, name, tls::ContextSnapshot::Dependencies{clock_, revocation_}));
  TELECERT_RETURN_IF_ERROR((*tx)->delete_unreferenced_certificates());
  TELECERT_RETURN_IF_ERROR(log_event(**tx, "identity.install", "identity:" + record.name));
  auto settings = load_settings(**tx);
  if (!settings) return std::unexpected(settings.error());
  IdentityView view = view_identity(**tx, record, *settings);
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return view;
}

Result<IdentityView> CertificateService::import_identity(std::string_view name,
                                                         const ImportRequest& request) {
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  TELECERT_RETURN_IF_ERROR(check_upload_sizes(
      **tx, {request.file.size(), size_of(request.key_file), size_of(request.chain_file)}));
  TELECERT_RETURN_IF_ERROR(check_new_identity_name(**tx, name));

  std::vector<pki::Certificate> certificates;
  std::vector<pki::Key> keys;
  auto take = [&](const Bytes& file, std::string_view what) -> Result<void> {
    auto decoded = pki::decode_file(file, request.passphrase);
    if (!decoded) return std::unexpected(decoded.error().with_context(what));
    certificates.insert(certificates.end(), decoded->certificates.begin(),
                        decoded->certificates.end());
    keys.insert(keys.end(), decoded->keys.begin(), decoded->keys.end());
    return {};
  };
  TELECERT_RETURN_IF_ERROR(take(request.file, "file"));
  if (request.key_file) TELECERT_RETURN_IF_ERROR(take(*request.key_file, "key file"));
  if (request.chain_file) TELECERT_RETURN_IF_ERROR(take(*request.chain_file, "chain file"));

  if (keys.empty()) {
    return fail(ErrorCode::InvalidArgument, "no private key was given",
                "give the key with --key KEY.pem, or import a PKCS#12 / a PEM holding the key");
  }
  if (keys.size() > 1) {
    return fail(ErrorCode::InvalidArgument,
                std::to_string(keys.size()) + " private keys were given; an identity has one",
                "give only the key that belongs to the certificate");
  }
  if (certificates.empty()) {
    return fail(ErrorCode::InvalidArgument, "no certificate was given",
                "give the certificate with --file CERT.pem");
  }
  auto leaf = pki::find_certificate_for_key(certificates, keys.front());
  if (!leaf) {
    return fail(ErrorCode::KeyMismatch,
                "the private key (" + keys.front().description() +
                    ") does not match any certificate given: " + subjects_of(certificates),
                "give the key that was generated with this certificate's CSR");
  }
  auto chain = chain_for(**tx, *leaf, certificates);
  if (!chain) return std::unexpected(chain.error());
  store::IdentityRecord record;
  record.name = name;
  record.origin = store::Origin::Imported;
  record.leaf = std::move(*leaf);
  record.chain = std::move(*chain);
  auto view = insert_new_identity(**tx, std::move(record), keys.front(), "identity.import");
  if (!view) return std::unexpected(view.error());
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return view;
}

Result<ExportFormat> parse_export_format(std::string_view text) {
  if (text == "pem") return ExportFormat::Pem;
  if (text == "der") return ExportFormat::Der;
  if (text == "p12" || text == "pkcs12" || text == "pfx") return ExportFormat::Pkcs12;
  return fail(ErrorCode::InvalidArgument, "unknown export format '" + std::string(text) + "'",
              "use pem, der or p12");
}

Result<Bytes> CertificateService::export_identity(std::string_view name,
                                                  const ExportRequest& request) {
  const bool needs_key = request.with_key || request.format == ExportFormat::Pkcs12;
  if (needs_key && name == kFactoryIdentityName) {
    return fail(ErrorCode::Forbidden, "the factory identity's private key never leaves the device",
                "export its certificate without --with-key; for a key you can move, create or "
                "import another identity");
  }
  if (needs_key && request.passphrase.empty()) {
    return fail(ErrorCode::InvalidArgument, "exporting the private key needs a passphrase",
                "give one with --passphrase-file; the key never leaves unencrypted");
  }
  if (request.format == ExportFormat::Der && request.with_key) {
    return fail(ErrorCode::InvalidArgument, "a DER file holds one certificate and no key",
                "export the key with --format p12 or --format pem --with-key");
  }
  auto tx = needs_key ? store_->begin_write() : store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto found = (*tx)->find_identity(name);
  if (!found) return std::unexpected(found.error());
  if (!*found) {
    return fail(ErrorCode::NotFound, "there is no identity '" + std::string(name) + "'",
                "`telecert identity list` shows the identities");
  }
  const store::IdentityRecord& record = **found;
  if (!record.leaf) {
    return fail(ErrorCode::InvalidArgument,
                "identity '" + std::string(name) + "' is waiting for its certificate",
                "install the CA's certificate first; `telecert identity show " + std::string(name) +
                    "` prints its CSR");
  }
  Bytes out;
  if (request.format == ExportFormat::Der) {
    out = record.leaf->der();
  } else {
    std::optional<pki::Key> key;
    if (needs_key) {
      auto loaded = (*tx)->load_key(record.key_id);
      if (!loaded) return std::unexpected(loaded.error());
      key = std::move(*loaded);
    }
    if (request.format == ExportFormat::Pkcs12) {
      auto pkcs12 = pki::write_pkcs12(*key, *record.leaf, record.chain, request.passphrase, name);
      if (!pkcs12) return std::unexpected(pkcs12.error());
      out = std::move(*pkcs12);
    } else {
      std::string pem = record.leaf->pem();
      for (const auto& certificate : record.chain) pem += certificate.pem();
      if (key) {
        auto encrypted = key->to_encrypted_pkcs8_pem(request.passphrase);
        if (!encrypted) return std::unexpected(encrypted.error());
        pem += *encrypted;
      }
      out = to_bytes(pem);
    }
  }
  if (needs_key) {
    // The key leaving the device is an audit event even though the store is otherwise unchanged.
    TELECERT_RETURN_IF_ERROR(log_event(**tx, "identity.export-key", "identity:" + record.name));
    TELECERT_RETURN_IF_ERROR(commit(**tx));
  }
  return out;
}

Result<void> CertificateService::delete_identity(std::string_view name) {
  TELECERT_RETURN_IF_ERROR(refuse_factory(name, "deleted"));
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  auto found = (*tx)->find_identity(name);
  if (!found) return std::unexpected(found.error());
  if (!*found) {
    return fail(ErrorCode::NotFound, "there is no identity '" + std::string(name) + "'",
                "`telecert identity list` shows the identities");
  }
  auto users = detail::contexts_using_identity(**tx, name);
  if (!users) return std::unexpected(users.error());
  if (!users->empty()) {
    return fail(ErrorCode::Forbidden,
                "identity '" + std::string(name) + "' is used by TLS context(s) " +
                    detail::join_names(*users),
                "point them at another identity first, e.g. `telecert context set " +
                    users->front() + " --identity factory`");
  }
  TELECERT_RETURN_IF_ERROR((*tx)->delete_identity(name));
  TELECERT_RETURN_IF_ERROR((*tx)->delete_key((*found)->key_id));
  TELECERT_RETURN_IF_ERROR((*tx)->delete_unreferenced_certificates());
  TELECERT_RETURN_IF_ERROR(log_event(**tx, "identity.delete", "identity:" + std::string(name)));
  return commit(**tx);
}

}  // namespace telecert::service
