// material_digest (declared in context_snapshot.h): what ContextRegistry compares to tell whether
// a context must be rebuilt.
#include <fstream>
#include <iterator>

#include "tls/context_snapshot.h"
#include "tls/handshake_callbacks.h"

namespace telecert::tls {
namespace {

// SHA-256 over length-prefixed fields, streamed (no copy of the ~140 roots' DER).
class FieldHasher {
 public:
  FieldHasher() : context_(EVP_MD_CTX_new()) {
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_DigestInit_ex(context_.get(), sha256, nullptr);
  }
  void field(ByteView bytes) {
    const auto size = static_cast<std::uint32_t>(bytes.size());
    const std::uint8_t prefix[4] = {
        static_cast<std::uint8_t>(size >> 24), static_cast<std::uint8_t>(size >> 16),
        static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
    EVP_DigestUpdate(context_.get(), prefix, sizeof prefix);
    EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size());
  }
  void certificate(X509* x509) {
    unsigned char* der = nullptr;
    const int length = i2d_X509(x509, &der);
    field(ByteView(der, length > 0 ? static_cast<std::size_t>(length) : 0));
    OPENSSL_free(der);
  }
  std::string hex() {
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_.get(), hash, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < length; ++i) {
      text += kHex[hash[i] >> 4];
      text += kHex[hash[i] & 0x0f];
    }
    return text;
  }

 private:
  pki::Owned<EVP_MD_CTX> context_;
};

}  // namespace

namespace detail {

std::optional<Bytes> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace detail

std::string material_digest(const ContextMaterial& material) {
  std::optional<Bytes> crl;
  if (material.definition.crl && !material.definition.crl_file.empty()) {
    crl = detail::read_file(material.definition.crl_file);
  }
  return detail::material_digest(material, crl);
}

namespace detail {

std::string material_digest(const ContextMaterial& material, const std::optional<Bytes>& crl) {
  FieldHasher hasher;
  hasher.field(as_bytes(definition_to_json(material.definition)));
  if (material.identity) {
    const auto& identity = *material.identity;
    hasher.field(as_bytes(identity.name));
    hasher.certificate(identity.leaf.get());
    for (const auto& certificate : identity.chain) hasher.certificate(certificate.get());
    hasher.field(pki::encode_der<EVP_PKEY>(identity.key.get(), i2d_PUBKEY));
  }
  hasher.field(as_bytes("anchors"));
  for (const auto& anchor : material.trust_anchors) hasher.certificate(anchor.get());
  // The CRL file is read at build time, so a new file's contents must trigger a rebuild.
  if (material.definition.crl && !material.definition.crl_file.empty()) {
    hasher.field(crl.value_or(to_bytes("unreadable")));
  }
  return hasher.hex();
}

}  // namespace detail

}  // namespace telecert::tls
