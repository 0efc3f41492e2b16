// telecert: the command-line front end. Parses arguments, reads files, calls the service, prints.
// No rule of the domain lives here (see service/certificate_service.h).
//
// Exit status: 0 success, 1 the operation was refused (for verify and probe: a report was made and
// the peer is not trusted), 2 usage error or a peer that could not be reached (for verify and
// probe: anything refused before a report was made).
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "cli/command_context.h"

namespace telecert::cli {
namespace {

int report(const Error& error) {
  std::cerr << "error: " << error.message << "\n";
  if (!error.hint.empty()) std::cerr << "hint: " << error.hint << "\n";
  return exit_status(error.code);
}

int run(int argc, char** argv) {
  CLI::App app{"telecert: certificates, keys and trusted roots of a VoIP device"};
  app.require_subcommand(1);
  app.fallthrough();  // --data-dir and --json may also follow the subcommand
  CommandContext context;
  if (const char* dir = std::getenv("TELECERT_DATA_DIR"); dir != nullptr) context.data_dir = dir;
  app.add_option("--data-dir", context.data_dir, "data directory (env TELECERT_DATA_DIR)")
      ->capture_default_str();
  app.add_flag("--json", context.json, "print data as JSON");

  add_device_commands(app, context);
  add_identity_commands(app, context);
  add_trust_commands(app, context);
  add_inspect_commands(app, context);
  add_context_commands(app, context);
  add_verify_commands(app, context);
  add_account_commands(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --help-all
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (!context.action()) return 2;
  auto result = context.action()();
  if (!result) return report(result.error());
  return context.verdict_status;
}

}  // namespace
}  // namespace telecert::cli

int main(int argc, char** argv) {
  // A peer that resets the connection while `probe` writes must give an error, not kill the
  // process: OpenSSL writes to sockets with write(), which raises SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return telecert::cli::run(argc, argv);
  } catch (const std::exception& e) {
    // Only a bug gets here (failures are values): say so rather than abort with a core dump.
    std::cerr << "error: internal failure: " << e.what() << "\n"
              << "hint: this is a bug in telecert; please report it with the command you ran\n";
    return 1;
  } catch (...) {
    std::cerr << "error: internal failure\n";
    return 1;
  }
}
