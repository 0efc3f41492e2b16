#include "store/master_key.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

namespace telecert::store {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kHexDigits = 2 * kKeyBytes;
// Enough for the key, a newline and stray whitespace; anything longer is not our file.
constexpr std::size_t kMaximumFileSize = 256;

std::string system_message() { return std::strerror(errno); }

// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int descriptor) : descriptor_(descriptor) {}
  ~FileDescriptor() {
    if (descriptor_ >= 0) ::close(descriptor_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return descriptor_; }
  bool valid() const { return descriptor_ >= 0; }
  // Closes now, reporting the error that a deferred close would swallow.
  bool close() { return ::close(std::exchange(descriptor_, -1)) == 0; }

 private:
  int descriptor_;
};

// Wipes a buffer that held key material when it goes out of scope.
template <class Buffer>
class Wiped {
 public:
  explicit Wiped(Buffer& buffer) : buffer_(buffer) {}
  ~Wiped() { OPENSSL_cleanse(buffer_.data(), buffer_.size()); }
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;

 private:
  Buffer& buffer_;
};

Error io_error(std::string message, std::string hint) {
  return Error{ErrorCode::Io, std::move(message), std::move(hint)};
}

// Creates the directory (mode 0700, as it will hold the key) when it is missing; an existing
// directory keeps the mode its administrator gave it.
Result<void> ensure_directory(const std::filesystem::path& directory) {
  std::error_code error;
  if (std::filesystem::is_directory(directory, error)) return {};
  if (directory.has_parent_path()) {
    std::filesystem::create_directories(directory.parent_path(), error);
    if (error) {
      return std::unexpected(
          io_error("cannot create the directory " + directory.parent_path().string() + ": " +
                       error.message(),
                   "create it, or choose a data directory the user telecert runs as can write"));
    }
  }
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    return std::unexpected(
        io_error("cannot create the directory " + directory.string() + ": " + system_message(),
                 "create it, or choose a data directory the user telecert runs as can write"));
  }
  // mkdir applies the umask, which may take owner bits away; 0700 is what we promised.
  if (::chmod(directory.c_str(), 0700) != 0) {
    return std::unexpected(
        io_error("cannot set the mode of " + directory.string() + ": " + system_message(),
                 "run: chmod 700 " + directory.string()));
  }
  return {};
}

bool is_hex_digit(char character) {
  return (character >= '0' && character <= '9') || (character >= 'a' && character <= 'f') ||
         (character >= 'A' && character <= 'F');
}

Result<Secret> read_key(const std::filesystem::path& file, const FileDescriptor& descriptor) {
  struct stat status {};
  if (::fstat(descriptor.get(), &status) != 0) {
    return std::unexpected(io_error("cannot inspect " + file.string() + ": " + system_message(),
                                    "check the data directory"));
  }
  if (!S_ISREG(status.st_mode)) {
    return fail(ErrorCode::Io, file.string() + " is not a regular file",
                "remove it, or restore master.key from a backup");
  }
  if ((status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return fail(ErrorCode::Forbidden,
                "the master key file " + file.string() + " is accessible by group or others",
                "run: chmod 600 " + file.string());
  }

  std::array<char, kMaximumFileSize + 1> buffer{};
  Wiped wipe_buffer(buffer);
  std::size_t size = 0;
  while (size < buffer.size()) {
    const auto count = ::read(descriptor.get(), buffer.data() + size, buffer.size() - size);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      return std::unexpected(io_error("cannot read " + file.string() + ": " + system_message(),
                                      "check the file and the storage device"));
    }
    if (count == 0) break;
    size += static_cast<std::size_t>(count);
  }
  while (size > 0 && (buffer[size - 1] == '\n' || buffer[size - 1] == '\r' ||
                      buffer[size - 1] == ' ' || buffer[size - 1] == '\t')) {
    --size;
  }
  bool well_formed = size == kHexDigits;
  for (std::size_t index = 0; well_formed && index < size; ++index) {
    well_formed = is_hex_digit(buffer[index]);
  }
  if (!well_formed) {
    return fail(ErrorCode::MalformedInput,
                "the master key file " + file.string() + " does not hold 64 hexadecimal digits",
                "restore master.key from a backup; without it the stored private keys cannot be "
                "decrypted");
  }
  return Secret(std::string(buffer.data(), size));
}

// Writes a new key into `file`, which must not exist. Returns std::nullopt when another process
// created the file first (the caller then reads that one).
Result<std::optional<Secret>> create_key(const std::filesystem::path& file) {
  FileDescriptor descriptor(
      ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!descriptor.valid()) {
    if (errno == EEXIST) return std::optional<Secret>{};
    return std::unexpected(io_error("cannot create " + file.string() + ": " + system_message(),
                                    "check that the data directory is writable by the user "
                                    "telecert runs as"));
  }
  // A partly written key must not be mistaken for the key on the next start.
  auto remove_partial = [&file](Error error) {
    ::unlink(file.c_str());
    return std::unexpected(std::move(error));
  };

  std::array<unsigned char, kKeyBytes> random{};
  Wiped wipe_random(random);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return remove_partial(Error{ErrorCode::Internal, "the random number generator failed",
                                "check the system entropy source (/dev/urandom)"});
  }
  std::array<char, kHexDigits + 1> text{};
  Wiped wipe_text(text);
  constexpr std::string_view kDigits = "0123456789abcdef";
  for (std::size_t index = 0; index < random.size(); ++index) {
    text[2 * index] = kDigits[random[index] >> 4];
    text[2 * index + 1] = kDigits[random[index] & 0x0f];
  }
  text[kHexDigits] = '\n';

  std::size_t written = 0;
  while (written < text.size()) {
    const auto count = ::write(descriptor.get(), text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) {
      return remove_partial(io_error("cannot write " + file.string() + ": " + system_message(),
                                     "check free space in the data directory"));
    }
    written += static_cast<std::size_t>(count);
  }
  // Losing this file loses every stored key, so it must be on disk before any key uses it.
  if (::fsync(descriptor.get()) != 0 || !descriptor.close()) {
    return remove_partial(io_error("cannot save " + file.string() + ": " + system_message(),
                                   "check the storage device"));
  }
  const auto directory = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  FileDescriptor directory_descriptor(
      ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory_descriptor.valid()) ::fsync(directory_descriptor.get());
  return std::optional<Secret>{Secret(std::string(text.data(), kHexDigits))};
}

}  // namespace

Result<Secret> load_or_create_master_key(const std::filesystem::path& file) {
  const auto directory = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  if (auto made = ensure_directory(directory); !made) return std::unexpected(made.error());

  // Two attempts: if another process creates the file between our open and our create, the
  // second attempt reads the key it wrote.
  for (int attempt = 0; attempt < 2; ++attempt) {
    FileDescriptor descriptor(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (descriptor.valid()) return read_key(file, descriptor);
    if (errno != ENOENT) {
      return std::unexpected(io_error("cannot open " + file.string() + ": " + system_message(),
                                      "check that the file is readable by the user telecert runs "
                                      "as and is not a symbolic link"));
    }
    auto created = create_key(file);
    if (!created) return std::unexpected(std::move(created.error()));
    if (*created) return std::move(**created);
  }
  return fail(ErrorCode::Io, "the master key file " + file.string() + " keeps disappearing",
              "check that no other program removes files in the data directory");
}

}  // namespace telecert::store
