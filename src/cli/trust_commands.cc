// telecert trust list|add|remove|export
#include "cli/command_context.h"
#include "cli/output.h"

namespace telecert::cli {

void add_trust_commands(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string file;
    std::int64_t id = 0;
    std::string out_file;
    std::string source = "all";
  };
  auto options = std::make_shared<Options>();
  auto* trust = app.add_subcommand("trust", "trusted root certificates");
  trust->require_subcommand(1);

  auto* list =
      trust->add_subcommand("list", "trusted roots with id, subject, issuer, expiry, source");
  context.on_run(list, [&context]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto anchors = (*svc)->list_trust();
    if (!anchors) return std::unexpected(anchors.error());
    context.print(*anchors, print_trust_table);
    return {};
  });

  auto* add = trust->add_subcommand("add", "trust every certificate in FILE");
  add->add_option("file", options->file, "PEM, DER or PKCS#7 file")->required();
  context.on_run(add, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto bytes = (*svc)->read_upload(options->file);
    if (!bytes) return std::unexpected(bytes.error());
    auto added = (*svc)->add_trust(*bytes);
    if (!added) return std::unexpected(added.error());
    context.print(*added, [](std::ostream& out, const service::TrustAddView& view) {
      for (const auto& anchor : view.added) {
        out << "added " << anchor.id << "  " << anchor.certificate.subject << "\n";
      }
      for (const auto& subject : view.duplicates) {
        out << "already trusted, skipped: " << subject << "\n";
      }
    });
    return {};
  });

  auto* remove = trust->add_subcommand("remove", "remove a custom trusted root");
  remove->add_option("id", options->id, "id from `trust list`")->required();
  context.on_run(remove, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    TELECERT_RETURN_IF_ERROR((*svc)->remove_trust(options->id));
    if (context.json)
      std::cout << nlohmann::json{{"removed", options->id}}.dump(2) << "\n";
    else
      std::cout << "removed trusted root " << options->id << "\n";
    return {};
  });

  auto* export_command = trust->add_subcommand("export", "write trusted roots as one PEM bundle");
  export_command->add_option("--out", options->out_file, "output file (default: standard output)");
  export_command->add_option("--source", options->source, "custom, builtin or all")
      ->capture_default_str();
  context.on_run(export_command, [&context, options]() -> Result<void> {
    auto filter = service::parse_trust_filter(options->source);
    if (!filter) return std::unexpected(filter.error());
    auto svc = context.open();
    if (!svc) return std::unexpected(svc.error());
    auto pem = (*svc)->export_trust(*filter);
    if (!pem) return std::unexpected(pem.error());
    return write_output(options->out_file, as_bytes(*pem), false);
  });
}

}  // namespace telecert::cli
