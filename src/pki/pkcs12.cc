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

Bytes x509_der(X509* x509) {
  unsigned char* out = nullptr;
  int length = i2d_X509(x509, &out);
  if (length <= 0) return {};
  Bytes result(out, out + length);
  OPENSSL_free(out);
  return result;
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
    if (!certificate) return std::unexpected(certificate.error().with_context("PKCS#12 certificate"));
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
  Owned<PKCS12> pfx(PKCS12_create(pass.c_str(), name.c_str(), key.get(), certificate.get(),
                                  others.get(), NID_aes_256_cbc, NID_aes_256_cbc, kIterations, -1,
                                  0));
  bool ok = pfx != nullptr && PKCS12_set_mac(pfx.get(), pass.c_str(), static_cast<int>(pass.size()),
                                             nullptr, 0, kIterations, EVP_sha256()) == 1;
  OPENSSL_cleanse(pass.data(), pass.size());
  if (!ok) {
    return std::unexpected(openssl_error(ErrorCode::Internal, "writing the PKCS#12 file failed"));
  }
  unsigned char* out = nullptr;
  int length = i2d_PKCS12(pfx.get(), &out);
  if (length <= 0) {
    return std::unexpected(openssl_error(ErrorCode::Internal, "encoding the PKCS#12 file failed"));
  }
  Bytes result(out, out + length);
  OPENSSL_free(out);
  return result;
}

}  // namespace telecert::pki
