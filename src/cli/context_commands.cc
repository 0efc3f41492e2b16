// telecert context list|show|create|set|delete, and telecert service list|bind
#include <iomanip>
#include <map>

#include "cli/command_context.h"

namespace telecert::cli {
namespace {

// A command-line option of `context create` / `context set` and the definition field it sets
// (tls::set_field's names).
struct FieldOption {
  std::string_view flag;
  std::string_view field;
  std::string_view help;
};

constexpr FieldOption kFieldOptions[] = {
    {"--role", "role", "server, client or both"},
    {"--min-tls", "min-tls", "lowest TLS version: 1.2 or 1.3 (1.0, 1.1 need --legacy on)"},
    {"--max-tls", "max-tls", "highest TLS version: 1.2 or 1.3"},
    {"--legacy", "legacy",
     "on|off: allow TLS 1.0/1.1, SHA-1 and DH 1024 by lowering OpenSSL's security level for this "
     "context only"},
    {"--dtls", "dtls", "DTLS version: 1.0 or 1.2"},
    {"--ciphers", "ciphers", "TLS 1.2 cipher list, OpenSSL syntax (empty: OpenSSL's default)"},
    {"--suites", "suites", "TLS 1.3 suites, e.g. TLS_AES_128_GCM_SHA256 (empty: default)"},
    {"--groups", "groups", "key-exchange groups, e.g. X25519:P-256 (empty: default)"},
    {"--dh-bits", "dh-bits", "DH parameter size: 2048, 3072, 4096 (1024 needs --legacy on)"},
    {"--identity", "identity", "identity presented (empty: the factory identity)"},
    {"--trust", "trust",
     "roots that verify peers: builtin, custom, all, or SHA-256 fingerprints FP,FP..."},
    {"--verify", "verify", "peer verification: none, chain or chain+name (RFC 6125)"},
    {"--cn-fallback", "cn-fallback",
     "on|off: accept the subject CN when a certificate has no DNS SAN (RFC 2818)"},
    {"--client-cert", "client-cert", "client certificate: none, request or require"},
    {"--ocsp", "ocsp", "on|off: check revocation with OCSP"},
    {"--ocsp-stapling", "ocsp-stapling", "on|off: staple our own OCSP response (server side)"},
    {"--crl", "crl", "on|off: check revocation with CRLs"},
    {"--crl-file", "crl-file", "CRL file (empty: the certificates' distribution points)"},
    {"--ocsp-default", "ocsp-default",
     "reject|accept: the answer when no revocation status can be had"},
    {"--strict", "strict", "on|off: X509_STRICT and key usage / EKU must allow the role"},
    {"--send-chain", "send-chain", "on|off: send the full chain (off: the leaf only)"},
};

// The field options of one create / set command and what they were given.
struct FieldValues {
  CLI::App* command = nullptr;
  std::map<std::string_view, std::string> values;
  std::map<CLI::Option*, std::string_view> fields_by_option;
  std::vector<std::string> ocsp_urls;
  CLI::Option* ocsp_url_option = nullptr;

  // One (field, value) pair per option given, in the order given; the --ocsp-url values become
  // one comma list where the first of them stood.
  service::ContextFields fields() const {
    service::ContextFields out;
    bool urls_added = false;
    for (CLI::Option* option : command->parse_order()) {
      if (option == ocsp_url_option) {
        if (urls_added) continue;
        std::string joined;
        for (const auto& url : ocsp_urls) joined += (joined.empty() ? "" : ",") + url;
        out.emplace_back("ocsp-url", joined);
        urls_added = true;
      } else if (auto field = fields_by_option.find(option); field != fields_by_option.end()) {
        out.emplace_back(std::string(field->second), values.at(field->second));
      }
    }
    return out;
  }
};

void add_field_options(CLI::App* command, FieldValues& values) {
  values.command = command;
  for (const auto& option : kFieldOptions) {
    CLI::Option* added = command->add_option(std::string(option.flag), values.values[option.field],
                                             std::string(option.help));
    values.fields_by_option[added] = option.field;
  }
  values.ocsp_url_option =
      command
          ->add_option("--ocsp-url", values.ocsp_urls,
                       "OCSP responder URL, http(s)://host[:port][/path]; give it twice for the "
                       "primary and the secondary (none: the certificate's AIA). Each must accept "
                       "a connection")
          ->allow_extra_args(false);
}

std::string text_of(const nlohmann::ordered_json& value) {
  if (value.is_boolean()) return value.get<bool>() ? "on" : "off";
  if (value.is_number()) return value.dump();
  if (value.is_array()) {
    std::string joined;
    for (const auto& item : value) joined += (joined.empty() ? "" : ", ") + text_of(item);
    return joined.empty() ? "-" : joined;
  }
  const std::string text = value.get<std::string>();
  return text.empty() ? "-" : text;
}

std::string revocation_of(const tls::TlsContextDefinition& definition) {
  std::string text = definition.ocsp ? "ocsp" : "";
  if (definition.crl) text += text.empty() ? "crl" : "+crl";
  if (text.empty()) return "off";
  return text + " (" + std::string(tls::to_string(definition.revocation_default)) + ")";
}

void print_context_table(std::ostream& out, const std::vector<service::ContextView>& contexts) {
  out << std::left << std::setw(16) << "NAME" << std::setw(8) << "ROLE" << std::setw(10) << "TLS"
      << std::setw(14) << "IDENTITY" << std::setw(9) << "TRUST" << std::setw(12) << "VERIFY"
      << std::setw(13) << "CLIENT-CERT" << std::setw(18) << "REVOCATION"
      << "SERVICES\n";
  for (const auto& view : contexts) {
    const auto& definition = view.definition;
    const std::string versions = std::string(tls::to_string(definition.min_version)) + "-" +
                                 std::string(tls::to_string(definition.max_version));
    out << std::left << std::setw(16) << definition.name << std::setw(8)
        << tls::to_string(definition.role) << std::setw(10) << versions << std::setw(14)
        << view.identity_in_use << std::setw(9) << tls::to_string(definition.trust) << std::setw(12)
        << tls::to_string(definition.verification) << std::setw(13)
        << tls::to_string(definition.client_cert) << std::setw(18) << revocation_of(definition)
        << text_of(nlohmann::ordered_json(view.services)) << "\n";
  }
}

void print_context(std::ostream& out, const service::ContextView& view) {
  // ordered_json keeps the fields in the order the definition lists them.
  const auto fields = nlohmann::ordered_json::parse(tls::definition_to_json(view.definition));
  out << std::left << std::setw(16) << "name" << view.definition.name << "\n";
  for (const auto& [field, value] : fields.items()) {
    out << std::left << std::setw(16) << field << text_of(value) << "\n";
  }
  out << std::left << std::setw(16) << "identity in use" << view.identity_in_use << "\n";
  out << std::left << std::setw(16) << "services" << text_of(nlohmann::ordered_json(view.services))
      << "\n";
}

void print_service_table(std::ostream& out,
                         const std::vector<service::ServiceBindingView>& services) {
  out << std::left << std::setw(24) << "SERVICE"
      << "CONTEXT\n";
  for (const auto& binding : services) {
    out << std::left << std::setw(24) << binding.service << binding.context
        << (binding.bound ? "" : "  (not bound: uses default)") << "\n";
  }
}

void add_service_commands(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string service;
    std::string context;
  };
  auto options = std::make_shared<Options>();
  auto* group = app.add_subcommand(
      "service", "which TLS context each service (sip-tls, https-provisioning, ...) uses");
  group->require_subcommand(1);

  auto* list = group->add_subcommand(
      "list",
      "services and their contexts (sip-tls, https-provisioning, eap-tls, web-admin "
      "always; unbound ones use default)");
  context.on_run(list, [&context]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto services = (*svc)->list_services();
    if (!services) return std::unexpected(services.error());
    context.print(*services, print_service_table);
    return {};
  });

  auto* bind = group->add_subcommand("bind", "make SERVICE use TLS context CONTEXT");
  bind->add_option("service", options->service, "service name, [a-z0-9][a-z0-9_-]*, e.g. sip-tls")
      ->required();
  bind->add_option("context", options->context, "TLS context name")->required();
  context.on_run(bind, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto bound = (*svc)->bind_service(options->service, options->context);
    if (!bound) return std::unexpected(bound.error());
    context.print(*bound, [](std::ostream& out, const service::ServiceBindingView& view) {
      if (view.already_bound) {
        out << "service " << view.service << " is already bound to TLS context " << view.context
            << "; nothing changed\n";
      } else {
        out << "service " << view.service << " now uses TLS context " << view.context << "\n";
      }
    });
    return {};
  });
}

}  // namespace

void add_context_commands(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string name;
    FieldValues create;
    FieldValues set;
  };
  auto options = std::make_shared<Options>();
  auto* group =
      app.add_subcommand("context",
                         "TLS contexts: versions, ciphers, identity, trusted roots, peer checks, "
                         "revocation");
  group->require_subcommand(1);

  auto* list = group->add_subcommand("list", "every TLS context, one line each");
  context.on_run(list, [&context]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto contexts = (*svc)->list_contexts();
    if (!contexts) return std::unexpected(contexts.error());
    context.print(*contexts, print_context_table);
    return {};
  });

  auto* show = group->add_subcommand("show", "every field of one TLS context");
  show->add_option("name", options->name, "context name")->required();
  context.on_run(show, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto view = (*svc)->show_context(options->name);
    if (!view) return std::unexpected(view.error());
    context.print(*view, print_context);
    return {};
  });

  auto* create = group->add_subcommand(
      "create",
      "create a TLS context; fields not given take their defaults (TLS 1.2-1.3, the "
      "factory identity, all roots, chain+name, no client certificate, revocation off)");
  create->add_option("name", options->name, "context name, [a-z0-9][a-z0-9_-]{0,63}")->required();
  add_field_options(create, options->create);
  context.on_run(create, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto view = (*svc)->create_context(options->name, options->create.fields());
    if (!view) return std::unexpected(view.error());
    context.print(*view, print_context);
    return {};
  });

  auto* set = group->add_subcommand("set", "change the given fields of a TLS context");
  set->add_option("name", options->name, "context name")->required();
  add_field_options(set, options->set);
  context.on_run(set, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto view = (*svc)->set_context(options->name, options->set.fields());
    if (!view) return std::unexpected(view.error());
    context.print(*view, print_context);
    return {};
  });

  auto* remove = group->add_subcommand(
      "delete", "delete a TLS context (not default, and not while a service is bound to it)");
  remove->add_option("name", options->name, "context name")->required();
  context.on_run(remove, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    TELECERT_RETURN_IF_ERROR((*svc)->delete_context(options->name));
    if (context.json) {
      std::cout << nlohmann::json{{"deleted", options->name}}.dump(2) << "\n";
    } else {
      std::cout << "deleted TLS context " << options->name << "\n";
    }
    return {};
  });

  add_service_commands(app, context);
}

}  // namespace telecert::cli
