// telecert verify FILE and telecert probe URL: is this peer trusted, and if not, why.
// Exit status 0 trusted, 1 not trusted (a report was made), 2 no report: could not connect, a
// usage error, or anything else refused before judging.
#include <chrono>

#include "cli/command_context.h"
#include "verify/report.h"

namespace telecert::cli {
namespace {

std::string_view application_label(tls::ProbeTarget::Scheme scheme) {
  return scheme == tls::ProbeTarget::Scheme::Sips ? "SIP" : "HTTP";
}

void print_probe(std::ostream& out, const tls::ProbeResult& result) {
  out << "target        " << result.target.text << "\n";
  out << "TLS           " << result.tls_version << ", " << result.cipher
      << (result.group.empty() ? "" : ", " + result.group) << "\n";
  out << "peer sent     " << result.peer_chain.size()
      << (result.peer_chain.size() == 1 ? " certificate" : " certificates") << "\n";
  for (std::size_t i = 0; i < result.peer_chain.size(); ++i) {
    out << "  " << i << "  " << result.peer_chain[i].subject() << "\n";
  }
  out << "stapled OCSP  " << result.stapled_ocsp << "\n";
  if (result.target.scheme != tls::ProbeTarget::Scheme::Tls) {
    out << application_label(result.target.scheme) << " answer    "
        << result.application_status.value_or(
               result.application_error.empty()
                   ? "none (the connection closed or the timeout passed before a response)"
                   : "none: " + result.application_error)
        << "\n";
    for (const auto& header : result.application_headers) out << "  " << header << "\n";
  }
  out << "\n" << verify::format_report(result.report);
}

// Exit status 1 means "a report was made and it says not trusted" here, so anything that stops a
// report from being made (a mistyped value, a missing or unreadable file, an unknown or broken
// context, an uninitialised data directory, an unreachable peer) is printed as an error and exits
// 2, like a bad option.
Result<void> refused(CommandContext& context, const Error& error) {
  std::cerr << "error: " << error.message << "\n";
  if (!error.hint.empty()) std::cerr << "hint: " << error.hint << "\n";
  context.verdict_status = 2;
  return {};
}

}  // namespace

void add_verify_commands(CLI::App& app, CommandContext& context) {
  struct Options {
    std::string file;
    std::string url;
    std::string purpose = "server";
    std::string name;
    std::string context{tls::kDefaultContextName};
    double timeout_seconds = 10;
  };
  auto options = std::make_shared<Options>();

  auto* verify_command = app.add_subcommand(
      "verify", "judge a certificate chain file with a context's trusted roots and checks");
  verify_command->add_option("file", options->file, "the peer's certificate first, then its chain")
      ->required();
  verify_command->add_option("--purpose", options->purpose, "server or client: the peer's role")
      ->capture_default_str();
  verify_command->add_option("--name", options->name,
                             "the name the peer must carry (DNS name, IP address, sip:domain)");
  verify_command->add_option("--context", options->context, "TLS context to judge with")
      ->capture_default_str();
  context.on_run(verify_command, [&context, options]() -> Result<void> {
    auto purpose = verify::parse_purpose(options->purpose);
    if (!purpose) return refused(context, purpose.error());
    auto svc = context.open();
    if (!svc) return refused(context, svc.error());
    auto bytes = (*svc)->read_upload(options->file);
    if (!bytes) return refused(context, bytes.error());
    service::VerifyRequest request;
    request.chain_file = std::move(*bytes);
    request.purpose = *purpose;
    if (!options->name.empty()) request.name = options->name;
    request.context = options->context;
    auto report = (*svc)->verify_chain(request);
    if (!report) return refused(context, report.error());
    context.print(*report, [](std::ostream& out, const verify::Report& view) {
      out << verify::format_report(view);
    });
    context.verdict_status = report->trusted ? 0 : 1;
    return {};
  });

  auto* probe_command = app.add_subcommand(
      "probe", "connect to a TLS server with a context's client side and judge what it sends");
  probe_command
      ->add_option("url", options->url,
                   "tls://host:port, https://host[:port][/path] or sips:host[:port]")
      ->required();
  probe_command->add_option("--name", options->name,
                            "the name the server must carry (default: the URL's host)");
  probe_command->add_option("--context", options->context, "TLS context to connect with")
      ->capture_default_str();
  probe_command
      ->add_option("--timeout", options->timeout_seconds,
                   "seconds to wait for each step (connect, handshake, answer)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 300.0));
  context.on_run(probe_command, [&context, options]() -> Result<void> {
    auto svc = context.open();
    if (!svc) return refused(context, svc.error());
    service::ProbeRequest request;
    request.url = options->url;
    if (!options->name.empty()) request.name = options->name;
    request.context = options->context;
    request.timeout = std::chrono::milliseconds(static_cast<long>(options->timeout_seconds * 1000));
    auto result = (*svc)->probe(request);
    if (!result) return refused(context, result.error());
    if (context.json) {
      std::cout << nlohmann::json(*result).dump(2) << "\n";
    } else {
      print_probe(std::cout, *result);
    }
    context.verdict_status = result->report.trusted ? 0 : 1;
    return {};
  });
}

}  // namespace telecert::cli
