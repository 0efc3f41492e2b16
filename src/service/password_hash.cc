#include "service/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <optional>
#include <vector>

#include "common/bytes.h"
#include "pki/ossl.h"

namespace telecert::service {
namespace {

constexpr std::string_view kPrefix = "$scrypt$";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// Bounds on what a stored hash may hold (anything else is not one of ours).
constexpr std::size_t kMinEncodedBytes = 8;
constexpr std::size_t kMaxEncodedBytes = 64;
constexpr int kMaxBlockSize = 32;
constexpr int kMaxParallelism = 16;

// scrypt's large buffer (128 * r * N bytes, RFC 7914 §5) may not exceed this.
constexpr std::uint64_t kMaxMemoryBytes = std::uint64_t{1} << 30;

bool acceptable(const ScryptParameters& parameters) {
  if (parameters.log2_cost < 1 || parameters.log2_cost > kMaxScryptLog2Cost ||
      parameters.block_size < 1 || parameters.block_size > kMaxBlockSize ||
      parameters.parallelism < 1 || parameters.parallelism > kMaxParallelism) {
    return false;
  }
  return 128 * static_cast<std::uint64_t>(parameters.block_size) << parameters.log2_cost <=
         kMaxMemoryBytes;
}

// Standard base64 without the trailing '=' (as the PHC string format writes it).
std::string encode_base64(ByteView bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

bool is_base64_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

std::optional<Bytes> decode_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 == 1) return std::nullopt;
  for (const char c : text) {
    if (!is_base64_character(c)) return std::nullopt;
  }
  const std::size_t padding = (4 - text.size() % 4) % 4;
  std::string padded(text);
  padded.append(padding, '=');
  Bytes out(padded.size() / 4 * 3);
  const int decoded =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(padded.data()),
                      static_cast<int>(padded.size()));
  if (decoded < 0 || static_cast<std::size_t>(decoded) != out.size()) return std::nullopt;
  out.resize(out.size() - padding);
  // Only the canonical spelling: unused low bits in the last character must be zero, so one hash
  // has exactly one encoding.
  if (encode_base64(out) != text) return std::nullopt;
  return out;
}

// Reads "<name>=<decimal>" from the front of `text`, consuming it.
std::optional<int> take_parameter(std::string_view& text, std::string_view name) {
  if (!text.starts_with(name) || text.size() <= name.size() || text[name.size()] != '=') {
    return std::nullopt;
  }
  text.remove_prefix(name.size() + 1);
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data() || *text.data() == '0') return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

struct Encoded {
  ScryptParameters parameters;
  Bytes salt;
  Bytes hash;
};

std::optional<Encoded> parse(std::string_view encoded) {
  if (!encoded.starts_with(kPrefix)) return std::nullopt;
  encoded.remove_prefix(kPrefix.size());
  const auto end_of_parameters = encoded.find('$');
  if (end_of_parameters == std::string_view::npos) return std::nullopt;
  std::string_view parameters = encoded.substr(0, end_of_parameters);
  encoded.remove_prefix(end_of_parameters + 1);

  Encoded result;
  const auto log2_cost = take_parameter(parameters, "ln");
  if (!log2_cost || !parameters.starts_with(',')) return std::nullopt;
  parameters.remove_prefix(1);
  const auto block_size = take_parameter(parameters, "r");
  if (!block_size || !parameters.starts_with(',')) return std::nullopt;
  parameters.remove_prefix(1);
  const auto parallelism = take_parameter(parameters, "p");
  if (!parallelism || !parameters.empty()) return std::nullopt;
  result.parameters = {*log2_cost, *block_size, *parallelism};
  if (!acceptable(result.parameters)) return std::nullopt;

  const auto end_of_salt = encoded.find('$');
  if (end_of_salt == std::string_view::npos) return std::nullopt;
  auto salt = decode_base64(encoded.substr(0, end_of_salt));
  auto hash = decode_base64(encoded.substr(end_of_salt + 1));
  if (!salt || !hash) return std::nullopt;
  if (salt->size() < kMinEncodedBytes || salt->size() > kMaxEncodedBytes) return std::nullopt;
  // Exactly the length telecert writes: a shortened hash would match a prefix of the key.
  if (hash->size() != kHashBytes) return std::nullopt;
  result.salt = std::move(*salt);
  result.hash = std::move(*hash);
  return result;
}

// scrypt of `password` into `out` (whose size is the output length); false when OpenSSL fails.
bool derive(const Secret& password, ByteView salt, const ScryptParameters& parameters,
            std::span<std::uint8_t> out) {
  const std::uint64_t cost = std::uint64_t{1} << parameters.log2_cost;
  const auto block = static_cast<std::uint64_t>(parameters.block_size);
  const auto lanes = static_cast<std::uint64_t>(parameters.parallelism);
  // RFC 7914 §5 needs 128 * r * N bytes for V and 128 * r * p for B; allow that plus slack for
  // OpenSSL's own buffers (its default cap of 32 MiB is just under what ln=15, r=8 needs).
  const std::uint64_t memory = 128 * block * (cost + 2) + 128 * block * lanes + (1u << 20);
  const std::string_view text = password.reveal();
  const int ok = EVP_PBE_scrypt(text.empty() ? "" : text.data(), text.size(), salt.data(),
                                salt.size(), cost, block, lanes, memory, out.data(), out.size());
  if (ok != 1) {
    (void)pki::drain_openssl_errors();
    return false;
  }
  return true;
}

}  // namespace

Result<std::string> hash_password(const Secret& password, ScryptParameters parameters) {
  if (!acceptable(parameters)) {
    return fail(ErrorCode::InvalidArgument, "the scrypt parameters are out of range",
                "use 1 <= ln <= " + std::to_string(kMaxScryptLog2Cost) +
                    ", 1 <= r <= 32 and 1 <= p <= 16 (this is a telecert bug)");
  }
  Bytes salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal,
                                              "no random numbers for a password salt",
                                              "check the system's random number source"));
  }
  Bytes hash(kHashBytes);
  if (!derive(password, salt, parameters, hash)) {
    OPENSSL_cleanse(hash.data(), hash.size());
    return fail(ErrorCode::Internal, "the password could not be hashed (scrypt failed)",
                "the system may be out of memory; try again");
  }
  std::string encoded = std::string(kPrefix) + "ln=" + std::to_string(parameters.log2_cost) +
                        ",r=" + std::to_string(parameters.block_size) +
                        ",p=" + std::to_string(parameters.parallelism) + "$" + encode_base64(salt) +
                        "$" + encode_base64(hash);
  OPENSSL_cleanse(hash.data(), hash.size());
  return encoded;
}

bool verify_password(const Secret& password, std::string_view encoded) {
  const auto parsed = parse(encoded);
  if (!parsed) return false;
  Bytes computed(parsed->hash.size());
  const bool derived = derive(password, parsed->salt, parsed->parameters, computed);
  const bool same =
      derived && CRYPTO_memcmp(computed.data(), parsed->hash.data(), computed.size()) == 0;
  OPENSSL_cleanse(computed.data(), computed.size());
  return same;
}

Result<Secret> generate_password() {
  // Bytes at or above the largest multiple of the alphabet's size are drawn again, so every
  // character is equally likely.
  constexpr auto alphabet_size = static_cast<unsigned>(kGeneratedPasswordAlphabet.size());
  constexpr unsigned limit = 256 / alphabet_size * alphabet_size;
  std::string password;
  password.reserve(kGeneratedPasswordLength);
  std::array<std::uint8_t, 64> random{};
  while (password.size() < kGeneratedPasswordLength) {
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
      return std::unexpected(pki::openssl_error(ErrorCode::Internal,
                                                "no random numbers for a new password",
                                                "check the system's random number source"));
    }
    for (const std::uint8_t byte : random) {
      if (byte >= limit || password.size() == kGeneratedPasswordLength) continue;
      password.push_back(kGeneratedPasswordAlphabet[byte % alphabet_size]);
    }
  }
  OPENSSL_cleanse(random.data(), random.size());
  return Secret(std::move(password));
}

}  // namespace telecert::service
