// telecert identity list|show|self-signed|import|install|export|delete, and csr create
#include <unistd.h>

#include "cli/command_context.h"
#include "cli/output.h"

namespace telecert::cli {
namespace {

struct IdentityOptions {
  std::string name;
  service::NewIdentityRequest new_identity;
  std::string file;
  std::string key_file;
  std::string chain_file;
  std::string certificate_file;
  std::string passphrase_file;
  std::string out_file;
  std::string format = "pem";
  bool with_key = false;
};

void add_name(CLI::App* command, IdentityOptions& options) {
  command->add_option("name", options.name, "identity name")->required();
}

// The fields of the AudioCodes CSR form, shared by `csr create` and `identity self-signed`.
void add_subject_options(CLI::App* command, service::NewIdentityRequest& request) {
  command->add_option("--cn", request.subject.common_name, "subject common name (CN)")->required();
  command->add_option("--san", request.subject_alt_names,
                      "subject alternative name TYPE:VALUE, TYPE dns|ip|email|uri (up to 5)");
  command->add_option("--ou", request.subject.organizational_unit, "organizational unit (OU)");
  command->add_option("--o", request.subject.organization, "organization (O)");
  command->add_option("--l", request.subject.locality, "locality or city (L)");
  command->add_option("--st", request.subject.state, "state or province (ST)");
  command->add_option("--c", request.subject.country, "two-letter country code (C)");
  command->add_option("--key", request.key_type, "rsa2048 rsa3072 rsa4096 p256 p384 ed25519")
      ->capture_default_str();
  command->add_option("--sig", request.signature, "signature digest sha256 sha384 sha512")
      ->capture_default_str();
  command->add_flag("--legacy", request.legacy, "allow SHA-1 and RSA-1024 for old peers");
}

// Reads an optional upload (an empty path means none was given).
Result<std::optional<Bytes>> read_optional_upload(service::CertificateService& service,
                                                  const std::string& path) {
  if (path.empty()) return std::optional<Bytes>();
  auto bytes = service.read_upload(path);
  if (!bytes) return std::unexpected(bytes.error());
  return std::optional<Bytes>(std::move(*bytes));
}

Result<void> run_import(CommandContext& context, IdentityOptions& options) {
  auto svc = context.open();
  if (!svc) return std::unexpected(svc.error());
  service::ImportRequest request;
  auto file = (*svc)->read_upload(options.file);
  if (!file) return std::unexpected(file.error());
  request.file = std::move(*file);
  auto key = read_optional_upload(**svc, options.key_file);
  if (!key) return std::unexpected(key.error());
  request.key_file = std::move(*key);
  auto chain = read_optional_upload(**svc, options.chain_file);
  if (!chain) return std::unexpected(chain.error());
  request.chain_file = std::move(*chain);
  auto given = read_passphrase(passphrase_source(options.passphrase_file));
  if (!given) return std::unexpected(given.error());
  if (*given) request.passphrase = std::move(**given);
  auto view = (*svc)->import_identity(options.name, request);
  if (!view && view.error().code == ErrorCode::WrongPassphrase && !*given) {
    // Nothing was given and the file is encrypted: ask on the terminal, once.
    if (auto prompted = prompt_passphrase("passphrase", false)) {
      request.passphrase = std::move(*prompted);
      view = (*svc)->import_identity(options.name, request);
    }
  }
  if (!view) return std::unexpected(view.error());
  context.print(*view, print_identity);
  return {};
}

Result<void> run_install(CommandContext& context, IdentityOptions& options) {
  auto svc = context.open();
  if (!svc) return std::unexpected(svc.error());
  service::InstallRequest request;
  auto certificate = (*svc)->read_upload(options.certificate_file);
  if (!certificate) return std::unexpected(certificate.error());
  request.certificate_file = std::move(*certificate);
  auto chain = read_optional_upload(**svc, options.chain_file);
  if (!chain) return std::unexpected(chain.error());
  request.chain_file = std::move(*chain);
  auto view = (*svc)->install_certificate(options.name, request);
  if (!view) return std::unexpected(view.error());
  context.print(*view, print_identity);
  return {};
}

Result<void> run_export(CommandContext& context, IdentityOptions& options) {
  auto format = service::parse_export_format(options.format);
  if (!format) return std::unexpected(format.error());
  service::ExportRequest request{*format, options.with_key, Secret{}};
  const bool needs_key = options.with_key || *format == service::ExportFormat::Pkcs12;
  if (*format != service::ExportFormat::Pem && options.out_file.empty() && isatty(STDOUT_FILENO)) {
    return fail(ErrorCode::InvalidArgument, "binary output would go to the terminal",
                "give --out FILE");
  }
  auto svc = context.open();
  if (!svc) return std::unexpected(svc.error());
  if (needs_key) {
    auto pass =
        passphrase_or_prompt(passphrase_source(options.passphrase_file), "export passphrase", true);
    if (!pass) return std::unexpected(pass.error());
    request.passphrase = std::move(*pass);
  }
  auto bytes = (*svc)->export_identity(options.name, request);
  if (!bytes) return std::unexpected(bytes.error());
  return write_output(options.out_file, *bytes, needs_key);
}

Result<void> run_csr_create(CommandContext& context, IdentityOptions& options) {
  auto svc = context.open();
  if (!svc) return std::unexpected(svc.error());
  auto view = (*svc)->create_csr(options.name, options.new_identity);
  if (!view) return std::unexpected(view.error());
  const std::string& pem = view->csr_pem.value();
  if (!options.out_file.empty()) {
    TELECERT_RETURN_IF_ERROR(write_output(options.out_file, as_bytes(pem), false));
  }
  if (context.json) {
    std::cout << nlohmann::json(*view).dump(2) << "\n";
  } else if (!options.out_file.empty()) {
    std::cout << "CSR for identity " << options.name << " written to " << options.out_file << "\n";
  } else {
    std::cout << pem;
  }
  return {};
}

}  // namespace

void add_identity_commands(CLI::App& app, CommandContext& context) {
  auto options = std::make_shared<IdentityOptions>();
  auto* identity = app.add_subcommand("identity", "the device's certificates and keys");
  identity->require_subcommand(1);

  auto* list = identity->add_subcommand("list", "list identities");
  context.on_run(list, [&context]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto identities = (*svc)->list_identities();
    if (!identities) return std::unexpected(identities.error());
    context.print(*identities, print_identity_table);
    return {};
  });

  auto* show = identity->add_subcommand("show", "one identity with every field (and its CSR)");
  add_name(show, *options);
  context.on_run(show, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto view = (*svc)->show_identity(options->name);
    if (!view) return std::unexpected(view.error());
    context.print(*view, print_identity);
    return {};
  });

  auto* self_signed = identity->add_subcommand("self-signed", "create a self-signed identity");
  add_name(self_signed, *options);
  add_subject_options(self_signed, options->new_identity);
  self_signed->add_option("--days", options->new_identity.validity_days, "validity in days")
      ->capture_default_str();
  context.on_run(self_signed, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto view = (*svc)->create_self_signed(options->name, options->new_identity);
    if (!view) return std::unexpected(view.error());
    context.print(*view, print_identity);
    return {};
  });

  auto* import = identity->add_subcommand(
      "import", "import key + certificate (+ chain): PKCS#12, one PEM, or separate files");
  add_name(import, *options);
  import->add_option("--file", options->file, "PKCS#12, PEM bundle, or the certificate")
      ->required();
  import->add_option("--key", options->key_file, "private key file (PEM or DER)");
  import->add_option("--chain", options->chain_file, "intermediate certificates, any order");
  import->add_option("--passphrase-file", options->passphrase_file,
                     "file holding the PKCS#12 / key passphrase (or env TELECERT_PASSPHRASE)");
  context.on_run(import, [&context, options] { return run_import(context, *options); });

  auto* install = identity->add_subcommand(
      "install", "install the CA-signed certificate of an identity made with `csr create`");
  add_name(install, *options);
  install->add_option("--cert", options->certificate_file, "the signed certificate")->required();
  install->add_option("--chain", options->chain_file, "intermediate certificates, any order");
  context.on_run(install, [&context, options] { return run_install(context, *options); });

  auto* export_command = identity->add_subcommand("export", "export certificate, chain or key");
  add_name(export_command, *options);
  export_command->add_option("--format", options->format, "pem, der or p12")->capture_default_str();
  export_command->add_flag("--with-key", options->with_key, "include the private key, encrypted");
  export_command->add_option("--passphrase-file", options->passphrase_file,
                             "file holding the export passphrase (or env TELECERT_PASSPHRASE)");
  export_command->add_option("--out", options->out_file, "output file (default: standard output)");
  context.on_run(export_command, [&context, options] { return run_export(context, *options); });

  auto* remove = identity->add_subcommand("delete", "delete an identity and its key");
  add_name(remove, *options);
  context.on_run(remove, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    TELECERT_RETURN_IF_ERROR((*svc)->delete_identity(options->name));
    if (context.json)
      std::cout << nlohmann::json{{"deleted", options->name}}.dump(2) << "\n";
    else
      std::cout << "deleted identity " << options->name << "\n";
    return {};
  });

  auto* csr = app.add_subcommand("csr", "certificate signing requests");
  csr->require_subcommand(1);
  auto* create = csr->add_subcommand(
      "create", "create a key and a CSR; the identity waits for `identity install`");
  add_name(create, *options);
  add_subject_options(create, options->new_identity);
  create->add_option("--out", options->out_file, "write the CSR here (default: standard output)");
  context.on_run(create, [&context, options] { return run_csr_create(context, *options); });
}

}  // namespace telecert::cli
