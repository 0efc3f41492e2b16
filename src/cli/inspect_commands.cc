// telecert cert inspect FILE: a readable view of any certificate, chain, CSR, key or PKCS#12. It
// needs no data directory.
#include "cli/command_context.h"
#include "cli/output.h"

namespace telecert::cli {

void add_inspect_commands(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string file;
    std::string passphrase_file;
  };
  auto options = std::make_shared<Options>();
  auto* cert = app.add_subcommand("cert", "look at certificate files");
  cert->require_subcommand(1);
  auto* inspect = cert->add_subcommand(
      "inspect", "fields, fingerprints, days left and chain-order problems of any file");
  inspect->add_option("file", options->file, "certificate, chain, CSR, key or PKCS#12")->required();
  inspect->add_option("--passphrase-file", options->passphrase_file,
                      "opens a PKCS#12 or an encrypted key (or env TELECERT_PASSPHRASE)");
  context.on_run(inspect, [&context, options]() -> Result<void> {
    const service::Settings defaults;
    auto bytes = service::read_file_limited(options->file, defaults.max_upload_bytes);
    if (!bytes) return std::unexpected(bytes.error());
    auto given = read_passphrase(passphrase_source(options->passphrase_file));
    if (!given) return std::unexpected(given.error());
    const auto now = context.clock()->now();
    auto view = service::inspect_file(*bytes, *given ? **given : Secret{}, now,
                                      defaults.expiry_warning_days);
    if (!view && view.error().code == ErrorCode::WrongPassphrase && !*given) {
      if (auto prompted = prompt_passphrase("passphrase", false)) {
        view = service::inspect_file(*bytes, *prompted, now, defaults.expiry_warning_days);
      }
    }
    if (!view) return std::unexpected(view.error());
    context.print(*view, print_inspection);
    return {};
  });
}

}  // namespace telecert::cli
