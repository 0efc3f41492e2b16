// A private key (and its public half) over OpenSSL's EVP_PKEY.
// Thread-safety: a Key is immutable after creation; copies share the EVP_PKEY (reference counted).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"
#include "common/secret.h"
#include "pki/ossl.h"

namespace telecert::pki {

enum class KeyType { Rsa1024, Rsa2048, Rsa3072, Rsa4096, EcP256, EcP384, Ed25519 };

// "rsa2048", "p256", "ed25519", ... (the CLI's --key values; "rsa1024" exists for --legacy only).
Result<KeyType> parse_key_type(std::string_view text);
std::string_view to_string(KeyType type);

// "RSA 2048", "EC P-256", "EC P-384", "Ed25519" for any public or private key.
std::string describe_public_key(const EVP_PKEY* key);
// "RSA", "EC", "Ed25519" (OpenSSL's type name for others, "unknown" for none).
std::string public_key_algorithm(const EVP_PKEY* key);

class Key {
 public:
  // Generates a fresh key of `type`.
  [[nodiscard]] static Result<Key> generate(KeyType type);

  // Reads a private key in any of: PKCS#8 PEM or DER (plain or encrypted), traditional PEM
  // ("BEGIN RSA/EC PRIVATE KEY", with or without Proc-Type encryption) or traditional DER.
  // `passphrase` is used only when the key is encrypted; a missing or wrong one is
  // ErrorCode::WrongPassphrase. A truncated or damaged key, encrypted or not, is
  // ErrorCode::MalformedInput (a cut copy is not reported as a wrong passphrase).
  [[nodiscard]] static Result<Key> parse(ByteView data, const Secret& passphrase = Secret{});

  // Adopts an EVP_PKEY that holds a private key.
  static Key adopt(Owned<EVP_PKEY> pkey);

  // Encrypted PKCS#8 (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256) as PEM or DER.
  [[nodiscard]] Result<std::string> to_encrypted_pkcs8_pem(const Secret& passphrase) const;
  [[nodiscard]] Result<Bytes> to_encrypted_pkcs8_der(const Secret& passphrase) const;
  // Unencrypted SubjectPublicKeyInfo, PEM.
  std::string public_key_pem() const;

  // "RSA", "EC", "Ed25519".
  std::string algorithm() const;
  // Key size in bits as OpenSSL reports it (EVP_PKEY_get_bits: 256 for Ed25519).
  int bits() const;
  // "RSA 2048", "EC P-256", "Ed25519".
  std::string description() const;
  // The KeyType this key is, if it is one of ours.
  std::optional<KeyType> type() const;

  // True when `public_key` is this key's public half.
  bool matches(const EVP_PKEY* public_key) const;

  EVP_PKEY* get() const { return pkey_.get(); }

  Key(const Key& other);
  Key& operator=(const Key& other);
  Key(Key&&) noexcept = default;
  Key& operator=(Key&&) noexcept = default;
  ~Key() = default;

 private:
  explicit Key(Owned<EVP_PKEY> pkey) : pkey_(std::move(pkey)) {}
  Owned<EVP_PKEY> pkey_;
};

}  // namespace telecert::pki
