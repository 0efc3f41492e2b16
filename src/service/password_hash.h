// Password hashing for the users of the daemon: scrypt (RFC 7914) through OpenSSL, stored in the
// PHC string format "$scrypt$ln=15,r=8,p=1$<salt>$<hash>" (salt and hash in standard base64
// without padding). The cost is read back from each stored hash, so it can be raised later
// without invalidating the hashes made before.
//
// Threading: stateless; safe from any thread. Each hash with the default cost takes about 100 ms
// and 32 MiB of memory, on purpose.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/secret.h"

namespace telecert::service {

// scrypt's cost: N = 2^log2_cost, block size r, parallelism p (RFC 7914 §2).
struct ScryptParameters {
  int log2_cost = 15;
  int block_size = 8;
  int parallelism = 1;
};

// The parameters new hashes use (OWASP's minimum for scrypt is N=2^17 with r=8 for a server that
// hashes often; a device whose admin logs in now and then affords 2^15 on small CPUs).
inline constexpr ScryptParameters kDefaultScrypt{};

// The most a stored hash may ask for; more is refused as malformed (it would take seconds and
// gigabytes).
inline constexpr int kMaxScryptLog2Cost = 20;

// A new encoded hash of `password` with a 16-byte random salt and a 32-byte result.
// ErrorCode::InvalidArgument for parameters outside the range verify_password accepts;
// ErrorCode::Internal when OpenSSL fails (no randomness, no memory).
[[nodiscard]] Result<std::string> hash_password(const Secret& password,
                                                ScryptParameters parameters = kDefaultScrypt);

// Whether `password` matches `encoded`, compared in constant time. A malformed or non-canonical
// encoding, one with parameters outside 1 <= ln <= kMaxScryptLog2Cost, 1 <= r <= 32, 1 <= p <= 16
// or needing more than 1 GiB (128 * r * 2^ln bytes), or a failure inside OpenSSL all count as
// "does not match".
[[nodiscard]] bool verify_password(const Secret& password, std::string_view encoded);

// Length and alphabet of the passwords telecert chooses: letters and digits without the ones
// that look alike (0 O o, 1 l I), about 116 bits.
inline constexpr std::size_t kGeneratedPasswordLength = 20;
inline constexpr std::string_view kGeneratedPasswordAlphabet =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

// A new random password (RAND_bytes, without modulo bias). ErrorCode::Internal when OpenSSL has
// no randomness.
[[nodiscard]] Result<Secret> generate_password();

}  // namespace telecert::service
