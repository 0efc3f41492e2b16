#include "cli/command_context.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace telecert::cli {
namespace {

std::string actor_name() {
  const passwd* entry = getpwuid(getuid());
  return std::string("cli:") + (entry != nullptr ? entry->pw_name : std::to_string(getuid()));
}

}  // namespace

CommandContext::CommandContext() : clock_(std::make_shared<SystemClock>()), actor_(actor_name()) {}

Result<service::CertificateService*> CommandContext::open() {
  auto opened = service::CertificateService::open(data_dir, clock_, actor_);
  if (!opened) return std::unexpected(opened.error());
  service_ = std::move(*opened);
  return service_.get();
}

void CommandContext::on_run(CLI::App* command, std::function<Result<void>()> body) {
  command->callback([this, body = std::move(body)] { action_ = body; });
}

PassphraseSource passphrase_source(const std::string& file) {
  return PassphraseSource{file, std::string(kPassphraseVariable)};
}

Result<void> write_output(const std::string& path, ByteView data, bool secret) {
  if (path.empty() || path == "-") {
    std::cout.write(reinterpret_cast<const char*>(data.data()),
                    static_cast<std::streamsize>(data.size()));
    return {};
  }
  std::FILE* file = nullptr;
  if (int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, secret ? 0600 : 0644); fd >= 0) {
    // An existing file keeps its mode through O_TRUNC; a key must not stay readable by others.
    if (secret) ::fchmod(fd, 0600);
    file = ::fdopen(fd, "wb");
    if (file == nullptr) ::close(fd);
  }
  if (file == nullptr || std::fwrite(data.data(), 1, data.size(), file) != data.size()) {
    if (file != nullptr) std::fclose(file);
    return fail(ErrorCode::Io, "cannot write '" + path + "'",
                "check the directory exists and is writable");
  }
  if (std::fclose(file) != 0) {
    return fail(ErrorCode::Io, "cannot finish writing '" + path + "'", "check the free space");
  }
  return {};
}

}  // namespace telecert::cli
