// telecert: the command-line front end. Parses arguments, reads files, calls the service, prints.
// No rule of the domain lives here (see service/certificate_service.h).
//
// Exit status: 0 success, 1 the operation was refused, 2 usage error.
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "cli/passphrase.h"
#include "service/certificate_service.h"

namespace telecert::cli {
namespace {

constexpr std::string_view kPassphraseVariable = "TELECERT_PASSPHRASE";

struct Globals {
  std::string data_dir = "./telecert-data";
  bool json = false;
};

int report(const Error& error) {
  std::cerr << "error: " << error.message << "\n";
  if (!error.hint.empty()) std::cerr << "hint: " << error.hint << "\n";
  return exit_status(error.code);
}

std::string actor_name() {
  const passwd* entry = getpwuid(getuid());
  return std::string("cli:") + (entry != nullptr ? entry->pw_name : std::to_string(getuid()));
}

Result<void> write_output(const std::string& path, ByteView data, bool secret) {
  if (path.empty() || path == "-") {
    std::cout.write(reinterpret_cast<const char*>(data.data()),
                    static_cast<std::streamsize>(data.size()));
    return {};
  }
  // Files that carry a key are created 0600 before anything is written to them.
  const mode_t mode = secret ? 0600 : 0644;
  std::FILE* file = nullptr;
  if (int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode); fd >= 0) {
    if (secret) ::fchmod(fd, 0600);
    file = ::fdopen(fd, "wb");
  }
  if (file == nullptr || std::fwrite(data.data(), 1, data.size(), file) != data.size()) {
    if (file != nullptr) std::fclose(file);
    return fail(ErrorCode::Io, "cannot write '" + path + "'", "check the directory and permissions");
  }
  std::fclose(file);
  return {};
}

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

template <class View>
void print_json(const View& view) {
  std::cout << nlohmann::json(view).dump(2) << "\n";
}

int run(int argc, char** argv) {
  CLI::App app{"telecert: certificates, keys and trusted roots of a VoIP device"};
  app.require_subcommand(1);
  app.fallthrough();
  Globals globals;
  if (const char* dir = std::getenv("TELECERT_DATA_DIR"); dir != nullptr) globals.data_dir = dir;
  app.add_option("--data-dir", globals.data_dir, "data directory (env TELECERT_DATA_DIR)")
      ->capture_default_str();
  app.add_flag("--json", globals.json, "print data as JSON");

  std::function<Result<void>()> action;
  auto clock = std::make_shared<service::SystemClock>();
  std::unique_ptr<service::CertificateService> opened;
  auto open = [&](service::CertificateService::OpenMode mode =
                      service::CertificateService::OpenMode::Existing)
      -> Result<service::CertificateService*> {
    auto result = service::CertificateService::open(globals.data_dir, clock, actor_name(), mode);
    if (!result) return std::unexpected(result.error());
    opened = std::move(*result);
    return opened.get();
  };
  auto passphrase_source = [](const std::string& file) {
    return PassphraseSource{file, std::string(kPassphraseVariable)};
  };

  // init
  service::InitRequest init_request;
  std::string factory_ca_file, factory_ca_passphrase_file, ca_bundle;
  auto* init = app.add_subcommand("init", "create the factory identity and load the built-in roots");
  init->add_option("--device-id", init_request.device_id, "device id, e.g. the MAC address");
  init->add_option("--factory-ca", factory_ca_file, "manufacturer CA (PKCS#12) that issues it");
  init->add_option("--factory-ca-passphrase-file", factory_ca_passphrase_file,
                   "file holding the factory CA's passphrase");
  init->add_option("--ca-bundle", ca_bundle, "built-in roots bundle")
      ->default_str(std::string(service::kSystemCaBundle));
  init->callback([&] {
    action = [&]() -> Result<void> {
      if (!ca_bundle.empty()) init_request.system_ca_bundle = ca_bundle;
      if (!factory_ca_file.empty()) {
        auto bytes = service::read_file_limited(factory_ca_file, 5 * 1024 * 1024);
        if (!bytes) return std::unexpected(bytes.error());
        init_request.factory_ca_pkcs12 = std::move(*bytes);
        auto pass = passphrase_or_prompt({factory_ca_passphrase_file, ""}, "factory CA passphrase",
                                         false);
        if (!pass) return std::unexpected(pass.error());
        init_request.factory_ca_passphrase = std::move(*pass);
      }
      // A refused init into a new (absent or empty) directory takes away what opening created,
      // so no store without a factory identity is left behind and the next command still says
      // to run init.
      namespace fs = std::filesystem;
      const fs::path dir = globals.data_dir;
      std::error_code ignored;
      const bool dir_existed = fs::exists(dir, ignored);
      const bool fresh = !dir_existed || fs::is_empty(dir, ignored);
      auto undo = [&](Error error) -> Result<void> {
        if (!fresh) return std::unexpected(std::move(error));
        opened.reset();
        if (!dir_existed) {
          fs::remove_all(dir, ignored);
        } else {
          for (const auto& entry : fs::directory_iterator(dir, ignored)) {
            fs::remove_all(entry.path(), ignored);
          }
        }
        return std::unexpected(std::move(error));
      };
      auto svc = open(service::CertificateService::OpenMode::CreateIfMissing);
      if (!svc) return undo(svc.error());
      auto identity = (*svc)->init(init_request);
      if (!identity) return undo(identity.error());
      if (globals.json) {
        print_json(*identity);
      } else {
        std::cout << "initialised " << globals.data_dir << "\n";
        print_identity(std::cout, *identity);
      }
      return {};
    };
  });

  // status
  app.add_subcommand("status", "every identity and trusted root with its days left")->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto status = (*svc)->status();
      if (!status) return std::unexpected(status.error());
      if (globals.json) print_json(*status); else print_status(std::cout, *status);
      return {};
    };
  });

  // identity ...
  auto* identity = app.add_subcommand("identity", "the device's certificates and keys");
  identity->require_subcommand(1);
  identity->add_subcommand("list", "list identities")->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto list = (*svc)->list_identities();
      if (!list) return std::unexpected(list.error());
      if (globals.json) print_json(*list); else print_identity_table(std::cout, *list);
      return {};
    };
  });

  std::string name;
  auto* show = identity->add_subcommand("show", "show one identity with every field");
  show->add_option("name", name, "identity name")->required();
  show->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto view = (*svc)->show_identity(name);
      if (!view) return std::unexpected(view.error());
      if (globals.json) print_json(*view); else print_identity(std::cout, *view);
      return {};
    };
  });

  service::NewIdentityRequest new_identity;
  auto* self_signed = identity->add_subcommand("self-signed", "create a self-signed identity");
  self_signed->add_option("name", name, "identity name")->required();
  add_subject_options(self_signed, new_identity);
  self_signed->add_option("--days", new_identity.validity_days, "validity in days")
      ->capture_default_str();
  self_signed->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto view = (*svc)->create_self_signed(name, new_identity);
      if (!view) return std::unexpected(view.error());
      if (globals.json) print_json(*view); else print_identity(std::cout, *view);
      return {};
    };
  });

  std::string file, key_file, chain_file, passphrase_file, out_file;
  auto* import = identity->add_subcommand(
      "import", "import key + certificate (+ chain): PKCS#12, one PEM, or separate files");
  import->add_option("name", name, "identity name")->required();
  import->add_option("--file", file, "PKCS#12, PEM bundle, or the certificate")->required();
  import->add_option("--key", key_file, "private key file (PEM or DER)");
  import->add_option("--chain", chain_file, "intermediate certificates");
  import->add_option("--passphrase-file", passphrase_file,
                     "file holding the PKCS#12 / key passphrase (or env TELECERT_PASSPHRASE)");
  import->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      service::ImportRequest request;
      auto bytes = (*svc)->read_upload(file);
      if (!bytes) return std::unexpected(bytes.error());
      request.file = std::move(*bytes);
      if (!key_file.empty()) {
        auto key_bytes = (*svc)->read_upload(key_file);
        if (!key_bytes) return std::unexpected(key_bytes.error());
        request.key_file = std::move(*key_bytes);
      }
      if (!chain_file.empty()) {
        auto chain_bytes = (*svc)->read_upload(chain_file);
        if (!chain_bytes) return std::unexpected(chain_bytes.error());
        request.chain_file = std::move(*chain_bytes);
      }
      auto given = read_passphrase(passphrase_source(passphrase_file));
      if (!given) return std::unexpected(given.error());
      if (*given) request.passphrase = std::move(**given);
      auto view = (*svc)->import_identity(name, request);
      if (!view && view.error().code == ErrorCode::WrongPassphrase && !*given) {
        // Nothing was given: ask on the terminal, once.
        if (auto prompted = prompt_passphrase("passphrase", false)) {
          request.passphrase = std::move(*prompted);
          view = (*svc)->import_identity(name, request);
        }
      }
      if (!view) return std::unexpected(view.error());
      if (globals.json) print_json(*view); else print_identity(std::cout, *view);
      return {};
    };
  });

  std::string certificate_file;
  auto* install = identity->add_subcommand(
      "install", "install the CA-signed certificate of an identity created with `csr create`");
  install->add_option("name", name, "identity name")->required();
  install->add_option("--cert", certificate_file, "the signed certificate")->required();
  install->add_option("--chain", chain_file, "intermediate certificates");
  install->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      service::InstallRequest request;
      auto bytes = (*svc)->read_upload(certificate_file);
      if (!bytes) return std::unexpected(bytes.error());
      request.certificate_file = std::move(*bytes);
      if (!chain_file.empty()) {
        auto chain_bytes = (*svc)->read_upload(chain_file);
        if (!chain_bytes) return std::unexpected(chain_bytes.error());
        request.chain_file = std::move(*chain_bytes);
      }
      auto view = (*svc)->install_certificate(name, request);
      if (!view) return std::unexpected(view.error());
      if (globals.json) print_json(*view); else print_identity(std::cout, *view);
      return {};
    };
  });

  std::string format = "pem";
  bool with_key = false;
  auto* export_command = identity->add_subcommand("export", "export certificate, chain or key");
  export_command->add_option("name", name, "identity name")->required();
  export_command->add_option("--format", format, "pem, der or p12")->capture_default_str();
  export_command->add_flag("--with-key", with_key, "include the private key (encrypted)");
  export_command->add_option("--passphrase-file", passphrase_file,
                             "file holding the export passphrase (or env TELECERT_PASSPHRASE)");
  export_command->add_option("--out", out_file, "output file (default: standard output)");
  export_command->callback([&] {
    action = [&]() -> Result<void> {
      auto parsed_format = service::parse_export_format(format);
      if (!parsed_format) return std::unexpected(parsed_format.error());
      service::ExportRequest request{*parsed_format, with_key, Secret{}};
      const bool needs_key = with_key || *parsed_format == service::ExportFormat::Pkcs12;
      if (needs_key) {
        auto pass = passphrase_or_prompt(passphrase_source(passphrase_file), "export passphrase",
                                         true);
        if (!pass) return std::unexpected(pass.error());
        request.passphrase = std::move(*pass);
      }
      if (*parsed_format != service::ExportFormat::Pem && out_file.empty() && isatty(1)) {
        return fail(ErrorCode::InvalidArgument, "binary output would go to the terminal",
                    "give --out FILE");
      }
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto bytes = (*svc)->export_identity(name, request);
      if (!bytes) return std::unexpected(bytes.error());
      return write_output(out_file, *bytes, needs_key);
    };
  });

  auto* delete_command = identity->add_subcommand("delete", "delete an identity and its key");
  delete_command->add_option("name", name, "identity name")->required();
  delete_command->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      TELECERT_RETURN_IF_ERROR((*svc)->delete_identity(name));
      if (!globals.json) std::cout << "deleted identity " << name << "\n";
      else std::cout << nlohmann::json{{"deleted", name}}.dump(2) << "\n";
      return {};
    };
  });

  // csr create
  auto* csr = app.add_subcommand("csr", "certificate signing requests");
  csr->require_subcommand(1);
  auto* csr_create = csr->add_subcommand(
      "create", "create a key and a CSR; the identity waits for `identity install`");
  csr_create->add_option("name", name, "identity name")->required();
  add_subject_options(csr_create, new_identity);
  csr_create->add_option("--out", out_file, "write the CSR here (default: standard output)");
  csr_create->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto view = (*svc)->create_csr(name, new_identity);
      if (!view) return std::unexpected(view.error());
      const std::string& pem = view->csr_pem.value();
      if (!out_file.empty()) {
        TELECERT_RETURN_IF_ERROR(write_output(out_file, as_bytes(pem), false));
        if (globals.json) print_json(*view);
        else std::cout << "CSR for identity " << name << " written to " << out_file << "\n";
      } else if (globals.json) {
        print_json(*view);
      } else {
        std::cout << pem;
      }
      return {};
    };
  });

  // trust ...
  auto* trust = app.add_subcommand("trust", "trusted root certificates");
  trust->require_subcommand(1);
  trust->add_subcommand("list", "list trusted roots")->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto list = (*svc)->list_trust();
      if (!list) return std::unexpected(list.error());
      if (globals.json) print_json(*list); else print_trust_table(std::cout, *list);
      return {};
    };
  });
  auto* trust_add = trust->add_subcommand("add", "trust every certificate in FILE");
  trust_add->add_option("file", file, "PEM, DER or PKCS#7 file")->required();
  trust_add->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto bytes = (*svc)->read_upload(file);
      if (!bytes) return std::unexpected(bytes.error());
      auto added = (*svc)->add_trust(*bytes);
      if (!added) return std::unexpected(added.error());
      if (globals.json) {
        print_json(*added);
      } else {
        for (const auto& anchor : added->added) {
          std::cout << "added " << anchor.id << "  " << anchor.certificate.subject << "\n";
        }
        for (const auto& subject : added->duplicates) {
          std::cout << "already trusted, skipped: " << subject << "\n";
        }
      }
      return {};
    };
  });
  std::int64_t trust_id = 0;
  auto* trust_remove = trust->add_subcommand("remove", "remove a custom trusted root");
  trust_remove->add_option("id", trust_id, "id from `trust list`")->required();
  trust_remove->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      TELECERT_RETURN_IF_ERROR((*svc)->remove_trust(trust_id));
      if (!globals.json) std::cout << "removed trusted root " << trust_id << "\n";
      else std::cout << nlohmann::json{{"removed", trust_id}}.dump(2) << "\n";
      return {};
    };
  });
  std::string source = "all";
  auto* trust_export = trust->add_subcommand("export", "write trusted roots as one PEM bundle");
  trust_export->add_option("--out", out_file, "output file (default: standard output)");
  trust_export->add_option("--source", source, "custom, builtin or all")->capture_default_str();
  trust_export->callback([&] {
    action = [&]() -> Result<void> {
      auto filter = service::parse_trust_filter(source);
      if (!filter) return std::unexpected(filter.error());
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto pem = (*svc)->export_trust(*filter);
      if (!pem) return std::unexpected(pem.error());
      return write_output(out_file, as_bytes(*pem), false);
    };
  });

  // settings
  auto* settings = app.add_subcommand("settings", "device settings");
  settings->require_subcommand(1);
  std::string setting_key, setting_value;
  auto* settings_get = settings->add_subcommand("get", "show settings");
  settings_get->add_option("key", setting_key, "one setting");
  settings_get->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto current = (*svc)->settings();
      if (!current) return std::unexpected(current.error());
      nlohmann::json values;
      for (const auto& definition : service::setting_definitions()) {
        const auto value = service::get_field(*current, definition);
        values[std::string(definition.name)] =
            definition.type == service::SettingType::Boolean ? nlohmann::json(value != 0)
                                                             : nlohmann::json(value);
      }
      if (!setting_key.empty()) {
        const auto* definition = service::find_setting(setting_key);
        if (definition == nullptr) {
          return fail(ErrorCode::NotFound, "there is no setting '" + setting_key + "'",
                      "`telecert settings get` lists them");
        }
        if (globals.json) {
          std::cout << nlohmann::json{{setting_key, values[setting_key]}}.dump(2) << "\n";
        } else {
          std::cout << service::format_setting_value(*definition,
                                                     service::get_field(*current, *definition))
                    << "\n";
        }
        return {};
      }
      if (globals.json) std::cout << values.dump(2) << "\n"; else print_settings(std::cout, *current);
      return {};
    };
  });
  auto* settings_set = settings->add_subcommand("set", "change a setting");
  settings_set->add_option("key", setting_key, "setting name")->required();
  settings_set->add_option("value", setting_value, "new value")->required();
  settings_set->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto updated = (*svc)->set_setting(setting_key, setting_value);
      if (!updated) return std::unexpected(updated.error());
      if (!globals.json) std::cout << setting_key << " = " << setting_value << "\n";
      else std::cout << nlohmann::json{{setting_key, setting_value}}.dump(2) << "\n";
      return {};
    };
  });

  // factory-reset
  bool confirmed = false;
  auto* reset = app.add_subcommand(
      "factory-reset", "remove user identities and custom roots (the factory identity stays)");
  reset->add_flag("--yes", confirmed, "confirm");
  reset->callback([&] {
    action = [&]() -> Result<void> {
      if (!confirmed) {
        return fail(ErrorCode::InvalidArgument, "factory reset needs confirmation",
                    "run it again with --yes");
      }
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto result = (*svc)->factory_reset();
      if (!result) return std::unexpected(result.error());
      if (globals.json) {
        std::cout << nlohmann::json{{"identities_removed", result->identities_removed},
                                    {"trust_removed", result->trust_anchors_removed},
                                    {"certificates_kept", result->certificates_kept}}
                         .dump(2)
                  << "\n";
      } else {
        std::cout << "factory reset: " << result->identities_removed << " identities and "
                  << result->trust_anchors_removed << " custom roots removed"
                  << (result->certificates_kept ? " (certificates kept by setting)" : "")
                  << "; settings back to defaults\n";
      }
      return {};
    };
  });

  // events
  std::int64_t limit = 50;
  auto* events = app.add_subcommand("events", "the audit log, newest first");
  events->add_option("--limit", limit, "how many")->capture_default_str();
  events->callback([&] {
    action = [&]() -> Result<void> {
      auto svc = open();
      if (!svc) return std::unexpected(svc.error());
      auto list = (*svc)->events(limit);
      if (!list) return std::unexpected(list.error());
      if (globals.json) print_json(*list); else print_events(std::cout, *list);
      return {};
    };
  });

  // cert inspect
  auto* cert = app.add_subcommand("cert", "look at certificate files");
  cert->require_subcommand(1);
  auto* inspect = cert->add_subcommand(
      "inspect", "show any certificate, chain, CSR or PKCS#12 file in readable form");
  inspect->add_option("file", file, "the file")->required();
  inspect->add_option("--passphrase-file", passphrase_file, "opens a PKCS#12 or encrypted key");
  inspect->callback([&] {
    action = [&]() -> Result<void> {
      service::Settings defaults;
      auto bytes = service::read_file_limited(file, defaults.max_upload_bytes);
      if (!bytes) return std::unexpected(bytes.error());
      auto given = read_passphrase(passphrase_source(passphrase_file));
      if (!given) return std::unexpected(given.error());
      Secret pass = *given ? std::move(**given) : Secret{};
      auto view = service::inspect_file(*bytes, pass, clock->now(), defaults.expiry_warning_days);
      if (!view && view.error().code == ErrorCode::WrongPassphrase && !*given) {
        if (auto prompted = prompt_passphrase("passphrase", false)) {
          view = service::inspect_file(*bytes, *prompted, clock->now(),
                                       defaults.expiry_warning_days);
        }
      }
      if (!view) return std::unexpected(view.error());
      if (globals.json) print_json(*view); else print_inspection(std::cout, *view);
      return {};
    };
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (!action) return 2;
  auto result = action();
  if (!result) return report(result.error());
  return 0;
}

}  // namespace
}  // namespace telecert::cli

int main(int argc, char** argv) { return telecert::cli::run(argc, argv); }
