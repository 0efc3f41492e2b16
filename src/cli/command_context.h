// What every `telecert` command shares: the global options, opening the service, choosing the
// action to run once parsing succeeded, and writing output. Each command group registers itself
// with one add_*_commands function.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/passphrase.h"
#include "service/certificate_service.h"

namespace telecert::cli {

class CommandContext {
 public:
  CommandContext();

  // Global options (set by the parser before any action runs).
  std::string data_dir = "./telecert-data";
  bool json = false;
  // The exit status of a command that ran but gives a negative verdict (verify and probe: 1 when
  // the peer is not trusted). Refused operations return an Error instead.
  int verdict_status = 0;

  std::shared_ptr<const Clock> clock() const { return clock_; }
  // "cli:<user name>", the actor recorded in events.
  const std::string& actor() const { return actor_; }

  // Opens the service on data_dir; the context owns it until the program ends.
  [[nodiscard]] Result<service::CertificateService*> open();

  // Makes `body` the action to run when `command` is the one the user chose.
  void on_run(CLI::App* command, std::function<Result<void>()> body);
  // The chosen action, or nullptr when parsing chose none.
  const std::function<Result<void>()>& action() const { return action_; }

  // Prints `view` as JSON (--json) or with `print_text`.
  template <class View, class TextPrinter>
  void print(const View& view, TextPrinter print_text) const {
    if (json) {
      std::cout << nlohmann::json(view).dump(2) << "\n";
    } else {
      print_text(std::cout, view);
    }
  }

 private:
  std::shared_ptr<const Clock> clock_;
  std::string actor_;
  std::unique_ptr<service::CertificateService> service_;
  std::function<Result<void>()> action_;
};

// Passphrases come from --passphrase-file FILE, else this environment variable, else a prompt.
inline constexpr std::string_view kPassphraseVariable = "TELECERT_PASSPHRASE";
PassphraseSource passphrase_source(const std::string& file);

// Writes `data` to `path` ("" or "-": standard output). Files holding a key (`secret`) are created
// 0600 before anything is written to them; others 0644.
[[nodiscard]] Result<void> write_output(const std::string& path, ByteView data, bool secret);

void add_device_commands(CLI::App& app, CommandContext& context);    // init status settings ...
void add_identity_commands(CLI::App& app, CommandContext& context);  // identity, csr
void add_trust_commands(CLI::App& app, CommandContext& context);     // trust
void add_inspect_commands(CLI::App& app, CommandContext& context);   // cert inspect
void add_context_commands(CLI::App& app, CommandContext& context);   // context, service
void add_verify_commands(CLI::App& app, CommandContext& context);    // verify, probe
void add_account_commands(CLI::App& app, CommandContext& context);   // user, token

}  // namespace telecert::cli
