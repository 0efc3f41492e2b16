// telecert init | status | settings get|set | factory-reset | events
#include "cli/command_context.h"
#include "cli/output.h"

namespace telecert::cli {
namespace {

void add_init(CLI::App& app, CommandContext& context) {
  struct Options {
    service::InitRequest request;
    std::string factory_ca_file;
    std::string factory_ca_passphrase_file;
    std::string ca_bundle{service::kSystemCaBundle};
  };
  auto options = std::make_shared<Options>();
  auto* init =
      app.add_subcommand("init", "create the factory identity and load the built-in roots");
  init->add_option("--device-id", options->request.device_id,
                   "device id, e.g. the MAC address (default: this machine's first MAC)");
  init->add_option("--factory-ca", options->factory_ca_file,
                   "manufacturer CA (PKCS#12 with its key) that issues the factory certificate");
  init->add_option("--factory-ca-passphrase-file", options->factory_ca_passphrase_file,
                   "file holding the factory CA's passphrase");
  init->add_option("--ca-bundle", options->ca_bundle, "bundle of built-in roots")
      ->capture_default_str();
  context.on_run(init, [&context, options]() -> Result<void> {
    options->request.system_ca_bundle = options->ca_bundle;
    if (!options->factory_ca_file.empty()) {
      auto bytes = service::read_file_limited(options->factory_ca_file,
                                              service::Settings{}.max_upload_bytes);
      if (!bytes) return std::unexpected(bytes.error());
      options->request.factory_ca_pkcs12 = std::move(*bytes);
      auto pass = passphrase_or_prompt({options->factory_ca_passphrase_file, ""},
                                       "factory CA passphrase", false);
      if (!pass) return std::unexpected(pass.error());
      options->request.factory_ca_passphrase = std::move(*pass);
    }
    auto identity = service::CertificateService::initialise(context.data_dir, context.clock(),
                                                            context.actor(), options->request);
    if (!identity) return std::unexpected(identity.error());
    context.print(*identity, [&](std::ostream& out, const service::IdentityView& view) {
      out << "initialised " << context.data_dir << "\n";
      print_identity(out, view);
    });
    return {};
  });
}

void add_status(CLI::App& app, CommandContext& context) {
  auto* status = app.add_subcommand("status", "every identity and trusted root with its days left");
  context.on_run(status, [&context]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto view = (*svc)->status();
    if (!view) return std::unexpected(view.error());
    context.print(*view, print_status);
    return {};
  });
}

void add_settings(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string key;
    std::string value;
  };
  auto options = std::make_shared<Options>();
  auto* settings = app.add_subcommand("settings", "device settings");
  settings->require_subcommand(1);

  auto* get = settings->add_subcommand("get", "show every setting, or one");
  get->add_option("key", options->key, "one setting");
  context.on_run(get, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto current = (*svc)->settings();
    if (!current) return std::unexpected(current.error());
    if (options->key.empty()) {
      if (context.json)
        std::cout << nlohmann::json(*current).dump(2) << "\n";
      else
        print_settings(std::cout, *current);
      return {};
    }
    const auto* definition = service::find_setting(options->key);
    if (definition == nullptr) {
      return fail(ErrorCode::NotFound, "there is no setting '" + options->key + "'",
                  "`telecert settings get` lists them");
    }
    if (context.json) {
      std::cout << nlohmann::json{{options->key, nlohmann::json(*current)[options->key]}}.dump(2)
                << "\n";
    } else {
      std::cout << service::format_setting_value(*definition,
                                                 service::get_field(*current, *definition))
                << "\n";
    }
    return {};
  });

  auto* set = settings->add_subcommand("set", "change a setting");
  set->add_option("key", options->key, "setting name")->required();
  set->add_option("value", options->value, "new value")->required();
  context.on_run(set, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto updated = (*svc)->set_setting(options->key, options->value);
    if (!updated) return std::unexpected(updated.error());
    if (context.json) {
      std::cout << nlohmann::json{{options->key, nlohmann::json(*updated)[options->key]}}.dump(2)
                << "\n";
    } else {
      std::cout << options->key << " = " << options->value << "\n";
    }
    return {};
  });
}

void add_factory_reset(CLI::App& app, CommandContext& context) {
  auto confirmed = std::make_shared<bool>(false);
  auto* reset = app.add_subcommand(
      "factory-reset",
      "remove user identities, custom roots, TLS contexts but 'default' (back to its defaults) and "
      "service bindings; the factory identity stays");
  reset->add_flag("--yes", *confirmed, "confirm");
  context.on_run(reset, [&context, confirmed]() -> Result<void> {
    if (!*confirmed) {
      return fail(ErrorCode::InvalidArgument, "factory reset needs confirmation",
                  "run it again with --yes");
    }
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto result = (*svc)->factory_reset();
    if (!result) return std::unexpected(result.error());
    if (context.json) {
      std::cout << nlohmann::json(*result).dump(2) << "\n";
    } else {
      std::cout << "factory reset: " << result->identities_removed << " identities and "
                << result->trust_anchors_removed << " custom roots removed"
                << (result->certificates_kept ? " (certificates kept by setting)" : "") << "; "
                << result->contexts_removed << " TLS contexts removed and "
                << result->services_unbound
                << " services unbound (context 'default' back to its defaults); settings back to "
                   "their defaults\n";
    }
    return {};
  });
}

void add_events(CLI::App& app, CommandContext& context) {
  struct Options {
    std::int64_t limit = 50;
    std::int64_t offset = 0;
  };
  auto options = std::make_shared<Options>();
  auto* events = app.add_subcommand("events", "the audit log, newest first");
  events->add_option("--limit", options->limit, "how many")->capture_default_str();
  events->add_option("--offset", options->offset, "skip this many of the newest first")
      ->capture_default_str();
  context.on_run(events, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto list = (*svc)->events(options->limit, options->offset);
    if (!list) return std::unexpected(list.error());
    context.print(*list, print_events);
    return {};
  });
}

}  // namespace

void add_device_commands(CLI::App& app, CommandContext& context) {
  add_init(app, context);
  add_status(app, context);
  add_settings(app, context);
  add_factory_reset(app, context);
  add_events(app, context);
}

}  // namespace telecert::cli
