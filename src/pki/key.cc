#include "pki/key.h"

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <cstring>
#include <utility>

namespace telecert::pki {
namespace {

struct KeyTypeName {
  KeyType type;
  std::string_view name;
};
constexpr std::array kKeyTypeNames{
    KeyTypeName{KeyType::Rsa1024, "rsa1024"}, KeyTypeName{KeyType::Rsa2048, "rsa2048"},
    KeyTypeName{KeyType::Rsa3072, "rsa3072"}, KeyTypeName{KeyType::Rsa4096, "rsa4096"},
    KeyTypeName{KeyType::EcP256, "p256"},     KeyTypeName{KeyType::EcP384, "p384"},
    KeyTypeName{KeyType::Ed25519, "ed25519"},
};

// True when `data` is a complete DER EncryptedPrivateKeyInfo (PKCS#8 encrypted key).
bool is_encrypted_private_key_info(ByteView der) {
  const unsigned char* cursor = der.data();
  Owned<X509_SIG> sig(d2i_X509_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  drain_openssl_errors();
  return sig != nullptr && cursor == der.data() + der.size();
}

// True when `data` holds a complete encrypted key: encrypted PKCS#8 (PEM or DER) or a traditional
// PEM key with a Proc-Type: 4,ENCRYPTED header. Only a key that is whole counts: a truncated copy
// of an encrypted key is malformed input, and calling it a wrong passphrase would send the admin
// after a passphrase that cannot help.
bool is_complete_encrypted_key(ByteView data) {
  if (as_text(data).find("-----BEGIN ") == std::string_view::npos) {
    return is_encrypted_private_key_info(data);
  }
  Owned<BIO> bio = memory_bio(data);
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* der = nullptr;
    long length = 0;
    // Fails on a block without its END line or with damaged base64, and after the last block.
    if (PEM_read_bio(bio.get(), &name, &header, &der, &length) != 1) {
      drain_openssl_errors();
      return false;
    }
    const std::string_view label(name);
    bool is_key = label.ends_with("PRIVATE KEY");
    bool encrypted = false;
    if (label == "ENCRYPTED PRIVATE KEY") {
      encrypted = is_encrypted_private_key_info(ByteView(der, static_cast<std::size_t>(length)));
    } else if (is_key) {
      encrypted = std::string_view(header).find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos;
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_clear_free(der, static_cast<std::size_t>(length));
    if (is_key) return encrypted;
  }
}

}  // namespace

std::string describe_public_key(const EVP_PKEY* key) {
  if (key == nullptr) return "unknown";
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return "RSA " + std::to_string(EVP_PKEY_get_bits(key));
    case EVP_PKEY_ED25519:
      return "Ed25519";
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t length = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1) {
        drain_openssl_errors();
        return "EC " + std::to_string(EVP_PKEY_get_bits(key));
      }
      std::string_view name(group, length);
      if (name == "prime256v1") return "EC P-256";
      if (name == "secp384r1") return "EC P-384";
      if (name == "secp521r1") return "EC P-521";
      return "EC " + std::string(name);
    }
    default: {
      const char* name = EVP_PKEY_get0_type_name(key);
      return std::string(name != nullptr ? name : "unknown") + " " +
             std::to_string(EVP_PKEY_get_bits(key));
    }
  }
}

std::string public_key_algorithm(const EVP_PKEY* key) {
  if (key == nullptr) return "unknown";
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return "RSA";
    case EVP_PKEY_EC:
      return "EC";
    case EVP_PKEY_ED25519:
      return "Ed25519";
    default: {
      const char* name = EVP_PKEY_get0_type_name(key);
      return name != nullptr ? name : "unknown";
    }
  }
}

Result<KeyType> parse_key_type(std::string_view text) {
  for (const auto& entry : kKeyTypeNames) {
    if (entry.name == text) return entry.type;
  }
  return fail(ErrorCode::InvalidArgument, "unknown key type '" + std::string(text) + "'",
              "use one of rsa2048, rsa3072, rsa4096, p256, p384, ed25519");
}

std::string_view to_string(KeyType type) {
  for (const auto& entry : kKeyTypeNames) {
    if (entry.type == type) return entry.name;
  }
  return "unknown";
}

Result<Key> Key::generate(KeyType type) {
  EVP_PKEY* pkey = nullptr;
  switch (type) {
    case KeyType::Rsa1024:
      pkey = EVP_RSA_gen(1024);
      break;
    case KeyType::Rsa2048:
      pkey = EVP_RSA_gen(2048);
      break;
    case KeyType::Rsa3072:
      pkey = EVP_RSA_gen(3072);
      break;
    case KeyType::Rsa4096:
      pkey = EVP_RSA_gen(4096);
      break;
    case KeyType::EcP256:
      pkey = EVP_EC_gen("P-256");
      break;
    case KeyType::EcP384:
      pkey = EVP_EC_gen("P-384");
      break;
    case KeyType::Ed25519:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
  }
  if (pkey == nullptr) {
    return std::unexpected(openssl_error(
        ErrorCode::Internal, "generating a " + std::string(to_string(type)) + " key failed"));
  }
  return Key(Owned<EVP_PKEY>(pkey));
}

Result<Key> Key::parse(ByteView data, const Secret& passphrase) {
  if (data.empty()) {
    return fail(ErrorCode::MalformedInput, "the key file is empty",
                "give a PEM or DER private key file");
  }
  EVP_PKEY* pkey = nullptr;
  Owned<OSSL_DECODER_CTX> decoder(OSSL_DECODER_CTX_new_for_pkey(
      &pkey, nullptr, nullptr, nullptr, EVP_PKEY_KEYPAIR, nullptr, nullptr));
  if (decoder == nullptr) {
    return std::unexpected(openssl_error(ErrorCode::Internal, "no key decoder available"));
  }
  OSSL_DECODER_CTX_set_passphrase(
      decoder.get(), reinterpret_cast<const unsigned char*>(passphrase.reveal().data()),
      passphrase.reveal().size());
  const unsigned char* cursor = data.data();
  std::size_t remaining = data.size();
  int decoded = OSSL_DECODER_from_data(decoder.get(), &cursor, &remaining);
  Owned<EVP_PKEY> owned(pkey);
  if (decoded == 1 && owned != nullptr) {
    drain_openssl_errors();
    return Key(std::move(owned));
  }
  if (is_complete_encrypted_key(data)) {
    drain_openssl_errors();
    if (passphrase.empty()) {
      return fail(ErrorCode::WrongPassphrase,
                  "the private key is encrypted and no passphrase was given",
                  "give the key's passphrase with --passphrase-file");
    }
    return fail(ErrorCode::WrongPassphrase, "the passphrase does not open the private key",
                "check the passphrase the key was exported with");
  }
  return std::unexpected(openssl_error(
      ErrorCode::MalformedInput, "the data is not a private key that can be read",
      "give a PKCS#8 or traditional RSA/EC private key in PEM or DER; a truncated copy also "
      "fails this way"));
}

Key Key::adopt(Owned<EVP_PKEY> pkey) { return Key(std::move(pkey)); }

Key::Key(const Key& other) : pkey_(other.pkey_.get()) {
  if (pkey_ != nullptr) EVP_PKEY_up_ref(pkey_.get());
}

Key& Key::operator=(const Key& other) {
  if (this != &other) {
    if (other.pkey_ != nullptr) EVP_PKEY_up_ref(other.pkey_.get());
    pkey_.reset(other.pkey_.get());
  }
  return *this;
}

Result<std::string> Key::to_encrypted_pkcs8_pem(const Secret& passphrase) const {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  const std::string_view pass = passphrase.reveal();
  if (PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), EVP_aes_256_cbc(), pass.data(),
                                    static_cast<int>(pass.size()), nullptr, nullptr) != 1) {
    return std::unexpected(openssl_error(ErrorCode::Internal, "encrypting the private key failed"));
  }
  Bytes pem = bio_contents(bio.get());
  return std::string(pem.begin(), pem.end());
}

Result<Bytes> Key::to_encrypted_pkcs8_der(const Secret& passphrase) const {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  const std::string_view pass = passphrase.reveal();
  if (i2d_PKCS8PrivateKey_bio(bio.get(), pkey_.get(), EVP_aes_256_cbc(), pass.data(),
                              static_cast<int>(pass.size()), nullptr, nullptr) != 1) {
    return std::unexpected(openssl_error(ErrorCode::Internal, "encrypting the private key failed"));
  }
  return bio_contents(bio.get());
}

std::string Key::public_key_pem() const {
  return encode_pem(static_cast<const EVP_PKEY*>(pkey_.get()), PEM_write_bio_PUBKEY);
}

std::string Key::algorithm() const { return public_key_algorithm(pkey_.get()); }

int Key::bits() const { return EVP_PKEY_get_bits(pkey_.get()); }

std::string Key::description() const { return describe_public_key(pkey_.get()); }

std::optional<KeyType> Key::type() const {
  switch (EVP_PKEY_get_base_id(pkey_.get())) {
    case EVP_PKEY_RSA:
      switch (bits()) {
        case 1024:
          return KeyType::Rsa1024;
        case 2048:
          return KeyType::Rsa2048;
        case 3072:
          return KeyType::Rsa3072;
        case 4096:
          return KeyType::Rsa4096;
        default:
          return std::nullopt;
      }
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t length = 0;
      if (EVP_PKEY_get_group_name(pkey_.get(), group, sizeof group, &length) != 1) {
        drain_openssl_errors();
        return std::nullopt;
      }
      std::string_view name(group, length);
      if (name == "prime256v1" || name == "P-256") return KeyType::EcP256;
      if (name == "secp384r1" || name == "P-384") return KeyType::EcP384;
      return std::nullopt;
    }
    case EVP_PKEY_ED25519:
      return KeyType::Ed25519;
    default:
      return std::nullopt;
  }
}

bool Key::matches(const EVP_PKEY* public_key) const {
  if (public_key == nullptr) return false;
  bool equal = EVP_PKEY_eq(pkey_.get(), public_key) == 1;
  drain_openssl_errors();
  return equal;
}

}  // namespace telecert::pki
