// PKCS#12 (.p12/.pfx) files: reading (modern AES/PBKDF2 and legacy RC2/3DES files) and writing
// (AES-256-CBC, PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC).
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/secret.h"
#include "pki/certificate.h"
#include "pki/key.h"

namespace telecert::pki {

struct Pkcs12Contents {
  std::optional<Key> key;
  std::optional<Certificate> certificate;  // the one matching the key, when there is a key
  std::vector<Certificate> other_certificates;
};

// True when `data` is DER that parses as a PKCS#12 PFX structure (no passphrase needed).
bool looks_like_pkcs12(ByteView data);

// Opens a PKCS#12 file. A wrong passphrase is ErrorCode::WrongPassphrase (also for files without
// a MAC, where a damaged file cannot be told apart from a wrong passphrase). Legacy algorithms
// (RC2-40, 3DES, as Windows and older tools export) are read through a private library context
// that has OpenSSL's legacy provider; the rest of the process never sees that provider.
[[nodiscard]] Result<Pkcs12Contents> read_pkcs12(ByteView data, const Secret& passphrase);

// Writes key + certificate + chain as a PKCS#12 file encrypted with `passphrase`. A key that is not
// the certificate's is ErrorCode::KeyMismatch; an empty `friendly_name` writes no friendlyName.
[[nodiscard]] Result<Bytes> write_pkcs12(const Key& key, const Certificate& certificate,
                                         std::span<const Certificate> chain,
                                         const Secret& passphrase, std::string_view friendly_name);

}  // namespace telecert::pki
