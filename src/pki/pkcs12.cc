#include "pki/pkcs12.h"

#include <openssl/err.h>
#include <openssl/provider.h>

#include <mutex>

namespace telecert::pki {
namespace {

// The private library context with the default and legacy providers, created on first use and
// kept for the life of the process. Only PKCS#12 reads run in it.
OSSL_LIB_CTX* legacy_context() {
  static OSSL_LIB_CTX* context = [] {
    OSSL_LIB_CTX* created = OSSL_LIB_CTX_new();
    OSSL_PROVIDER_load(created, "default");
    OSSL_PROVIDER_load(created, "legacy");
    return created;
  }();
  return context;
}

// Makes `context` this thread's default library context for the lifetime of the guard.
class ScopedDefaultContext {
 public:
  explicit ScopedDefaultContext(OSSL_LIB_CTX* context)
      : previous_(OSSL_LIB_CTX_set0_default(context)) {}
  ~ScopedDefaultContext() { OSSL_LIB_CTX_set0_default(previous_); }
  ScopedDefaultContext(const ScopedDefaultContext&) = delete;
  ScopedDefaultContext& operator=(const ScopedDefaultContext&) = delete;

 private:
  OSSL_LIB_CTX* previous_;
};

Owned<PKCS12> decode_pfx(ByteView data) {
  const unsigned char* cursor = data.data();
  Owned<PKCS12> pfx(d2i_PKCS12(nullptr, &cursor, static_cast<long>(data.size())));
  if (pfx != nullptr && cursor != data.data() + data.size()) pfx.reset();
  return pfx;
}

// The objects PKCS12_parse hands out, re-encoded as DER so they can be decoded again in the
// process's default library context.
struct RawContents {
  Bytes key_der;  // unencrypted PKCS#8; wiped by the caller
  Bytes certificate_der;
  std::vector<Bytes> other_der;
};

Bytes x509_der(X509* x509) { return encode_der(static_cast<const X509*>(x509), i2d_X509); }

// Safe bags gathered from a PKCS#12 file that has no MAC.
struct UnpackedBags {
  Bytes key_der;  // the first key, like PKCS12_parse: unencrypted PKCS#8, wiped by the caller
  Owned<EVP_PKEY> key;
  std::vector<Owned<X509>> certificates;
};

// Keeps `info` as the file's key unless one was found before. False when it cannot be encoded.
bool keep_key(const PKCS8_PRIV_KEY_INFO* info, UnpackedBags& out) {
  if (out.key != nullptr) return true;
  out.key.reset(EVP_PKCS82PKEY(info));
  unsigned char* der = nullptr;
  int length = out.key != nullptr ? i2d_PKCS8_PRIV_KEY_INFO(info, &der) : -1;
  if (length <= 0) return false;
  out.key_der.assign(der, der + length);
  OPENSSL_clear_free(der, static_cast<std::size_t>(length));
  return true;
}

// Walks `bags` (and nested safeContents bags). False when a shrouded key does not decrypt.
bool collect_bags(const STACK_OF(PKCS12_SAFEBAG) * bags, std::string_view pass, int depth,
                  UnpackedBags& out) {
  // Nesting deeper than this is not produced by any exporter; the bound stops crafted recursion.
  if (depth > 4) return false;
  for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); ++i) {
    const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags, i);
    switch (PKCS12_SAFEBAG_get_nid(bag)) {
      case NID_keyBag:
        if (!keep_key(PKCS12_SAFEBAG_get0_p8inf(bag), out)) return false;
        break;
      case NID_pkcs8ShroudedKeyBag:
        if (out.key == nullptr) {
          Owned<PKCS8_PRIV_KEY_INFO> info(
              PKCS12_decrypt_skey(bag, pass.data(), static_cast<int>(pass.size())));
          if (info == nullptr || !keep_key(info.get(), out)) return false;
        }
        break;
      case NID_certBag:
        if (PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate) {
          Owned<X509> certificate(PKCS12_SAFEBAG_get1_cert(bag));
          if (certificate != nullptr) out.certificates.push_back(std::move(certificate));
        }
        break;
      case NID_safeContentsBag:
        if (!collect_bags(PKCS12_SAFEBAG_get0_safes(bag), pass, depth + 1, out)) return false;
        break;
      default:
        break;  // CRL and secret bags are not ours to import
    }
  }
  return true;
}

// OpenSSL 3.0's PKCS12_parse refuses any passphrase on a file without a MAC (openssl -nomac, some
// Java and embedded exporters), so such files are unpacked bag by bag. The certificate that goes
// with the key is found by comparing public keys. Any failure is ErrorCode::Unsupported, so the
// caller retries in the legacy context; there every algorithm is available.
Result<RawContents> parse_without_mac(PKCS12* pfx, std::string_view pass) {
  Owned<STACK_OF(PKCS7)> safes(PKCS12_unpack_authsafes(pfx));
  UnpackedBags bags;
  bool ok = safes != nullptr;
  for (int i = 0; ok && i < sk_PKCS7_num(safes.get()); ++i) {
    PKCS7* safe = sk_PKCS7_value(safes.get(), i);
    Owned<STACK_OF(PKCS12_SAFEBAG)> contents;
    switch (OBJ_obj2nid(safe->type)) {
      case NID_pkcs7_data:
        contents.reset(PKCS12_unpack_p7data(safe));
        break;
      case NID_pkcs7_encrypted:
        contents.reset(PKCS12_unpack_p7encdata(safe, pass.data(), static_cast<int>(pass.size())));
        break;
      default:
        continue;
    }
    ok = contents != nullptr && collect_bags(contents.get(), pass, 0, bags);
  }
  if (!ok) {
    OPENSSL_cleanse(bags.key_der.data(), bags.key_der.size());
    return std::unexpected(openssl_error(ErrorCode::Unsupported,
                                         "the PKCS#12 file cannot be decrypted",
                                         "check the passphrase; the file has no integrity check, "
                                         "so a damaged file fails the same way"));
  }
  RawContents raw;
  raw.key_der = std::move(bags.key_der);
  const EVP_PKEY* key = bags.key.get();
  for (auto& certificate : bags.certificates) {
    const bool belongs_to_key = key != nullptr && raw.certificate_der.empty() &&
                                EVP_PKEY_eq(X509_get0_pubkey(certificate.get()), key) == 1;
    if (belongs_to_key) {
      raw.certificate_der = x509_der(certificate.get());
    } else {
      raw.other_der.push_back(x509_der(certificate.get()));
    }
  }
  drain_openssl_errors();
  return raw;
}

// Parses `data` with the thread's current default library context. A file the context lacks an
// algorithm for fails with ErrorCode::Unsupported.
Result<RawContents> parse_in_current_context(ByteView data, const Secret& passphrase) {
  Owned<PKCS12> pfx = decode_pfx(data);
  if (pfx == nullptr) {
    return std::unexpected(openssl_error(ErrorCode::MalformedInput,
                                         "the data is not a PKCS#12 file, or it is truncated"));
  }
  // An empty passphrase may have been encoded as an empty string or as no password at all.
  const std::string_view pass = passphrase.reveal();
  const char* pass_ptr = pass.data();
  if (!PKCS12_mac_present(pfx.get()) && !pass.empty()) return parse_without_mac(pfx.get(), pass);
  if (PKCS12_mac_present(pfx.get())) {
    if (PKCS12_verify_mac(pfx.get(), pass_ptr, static_cast<int>(pass.size())) != 1) {
      if (pass.empty() && PKCS12_verify_mac(pfx.get(), nullptr, 0) == 1) {
        pass_ptr = nullptr;
      } else {
        drain_openssl_errors();
        return fail(ErrorCode::WrongPassphrase, "the passphrase does not open the PKCS#12 file",
                    "check the passphrase the file was exported with");
      }
    }
  }
  EVP_PKEY* pkey = nullptr;
  X509* certificate = nullptr;
  STACK_OF(X509)* others = nullptr;
  if (PKCS12_parse(pfx.get(), pass_ptr, &pkey, &certificate, &others) != 1) {
    return std::unexpected(openssl_error(ErrorCode::Unsupported,
                                         "the PKCS#12 file cannot be decrypted",
                                         "re-export it with AES-256 encryption"));
  }
  Owned<EVP_PKEY> owned_key(pkey);
  Owned<X509> owned_certificate(certificate);
  Owned<STACK_OF(X509)> owned_others(others);
  RawContents raw;
  if (owned_key != nullptr) {
    Owned<PKCS8_PRIV_KEY_INFO> info(EVP_PKEY2PKCS8(owned_key.get()));
    unsigned char* out = nullptr;
    int length = info != nullptr ? i2d_PKCS8_PRIV_KEY_INFO(info.get(), &out) : -1;
    if (length <= 0) {
      return std::unexpected(
          openssl_error(ErrorCode::Unsupported, "the PKCS#12 file holds a key we cannot read"));
    }
    raw.key_der.assign(out, out + length);
    OPENSSL_clear_free(out, static_cast<std::size_t>(length));
  }
  if (owned_certificate != nullptr) raw.certificate_der = x509_der(owned_certificate.get());
  for (int i = 0; owned_others != nullptr && i < sk_X509_num(owned_others.get()); ++i) {
    raw.other_der.push_back(x509_der(sk_X509_value(owned_others.get(), i)));
  }
  return raw;
}

void wipe(Bytes& bytes) {
  OPENSSL_cleanse(bytes.data(), bytes.size());
  bytes.clear();
}

bool has_mac(ByteView data) {
  Owned<PKCS12> pfx = decode_pfx(data);
  drain_openssl_errors();
  return pfx != nullptr && PKCS12_mac_present(pfx.get()) == 1;
}

}  // namespace

bool looks_like_pkcs12(ByteView data) {
  bool parsed = decode_pfx(data) != nullptr;
  drain_openssl_errors();
  return parsed;
}

Result<Pkcs12Contents> read_pkcs12(ByteView data, const Secret& passphrase) {
  auto raw = parse_in_current_context(data, passphrase);
  if (!raw && raw.error().code == ErrorCode::Unsupported) {
    // Legacy files (RC2-40 certificate bags) need the legacy provider; read them in the private
    // context that has it, on this thread only.
    ScopedDefaultContext scope(legacy_context());
    raw = parse_in_current_context(data, passphrase);
  }
  if (!raw && raw.error().code == ErrorCode::Unsupported && !has_mac(data)) {
    // Without a MAC nothing tells a wrong passphrase apart from a damaged file before decryption
    // fails, even with every algorithm available; the passphrase is by far the likelier cause.
    return fail(ErrorCode::WrongPassphrase,
                "the passphrase does not open the PKCS#12 file (it has no integrity check, so a "
                "damaged file fails the same way)",
                "check the passphrase the file was exported with");
  }
  if (!raw) return std::unexpected(raw.error());

  Pkcs12Contents contents;
  if (!raw->key_der.empty()) {
    auto key = Key::parse(raw->key_der);
    wipe(raw->key_der);
    if (!key) return std::unexpected(key.error().with_context("PKCS#12 key"));
    contents.key = std::move(*key);
  }
  if (!raw->certificate_der.empty()) {
    auto certificate = Certificate::from_der(raw->certificate_der);
    if (!certificate)
      return std::unexpected(certificate.error().with_context("PKCS#12 certificate"));
    contents.certificate = std::move(*certificate);
  }
  for (const auto& der : raw->other_der) {
    auto certificate = Certificate::from_der(der);
    if (!certificate) return std::unexpected(certificate.error().with_context("PKCS#12 chain"));
    contents.other_certificates.push_back(std::move(*certificate));
  }
  return contents;
}

Result<Bytes> write_pkcs12(const Key& key, const Certificate& certificate,
                           std::span<const Certificate> chain, const Secret& passphrase,
                           std::string_view friendly_name) {
  if (!key.matches(X509_get0_pubkey(certificate.get()))) {
    return fail(
        ErrorCode::KeyMismatch,
        "the private key does not belong to the certificate '" + certificate.subject() + "'",
        "export the identity's own key with its certificate");
  }
  Owned<STACK_OF(X509)> others(sk_X509_new_null());
  for (const auto& member : chain) {
    X509_up_ref(member.get());
    sk_X509_push(others.get(), member.get());
  }
  const std::string name(friendly_name);
  std::string pass(passphrase.reveal());
  constexpr int kIterations = 2048;
  // No MAC from PKCS12_create (mac_iter -1); the MAC is set below with SHA-256 instead of the
  // SHA-1 that PKCS12_create would pick.
  // No friendlyName attribute at all rather than an empty one, which tools show as a blank name.
  const char* name_or_null = name.empty() ? nullptr : name.c_str();
  Owned<PKCS12> pfx(PKCS12_create(pass.c_str(), name_or_null, key.get(), certificate.get(),
                                  others.get(), NID_aes_256_cbc, NID_aes_256_cbc, kIterations, -1,
                                  0));
  bool ok = pfx != nullptr && PKCS12_set_mac(pfx.get(), pass.c_str(), static_cast<int>(pass.size()),
                                             nullptr, 0, kIterations, EVP_sha256()) == 1;
  OPENSSL_cleanse(pass.data(), pass.size());
  if (!ok) {
    return std::unexpected(openssl_error(ErrorCode::Internal, "writing the PKCS#12 file failed"));
  }
  Bytes result = encode_der(static_cast<const PKCS12*>(pfx.get()), i2d_PKCS12);
  if (result.empty()) {
    return std::unexpected(openssl_error(ErrorCode::Internal, "encoding the PKCS#12 file failed"));
  }
  return result;
}

}  // namespace telecert::pki
