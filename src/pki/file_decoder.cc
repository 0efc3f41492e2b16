#include "pki/file_decoder.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "pki/pkcs12.h"

namespace telecert::pki {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

ByteView strip_bom(ByteView data) {
  if (as_text(data).starts_with(kUtf8Bom)) return data.subspan(kUtf8Bom.size());
  return data;
}

Result<std::vector<Certificate>> pkcs7_certificates(PKCS7* p7) {
  if (p7 == nullptr || OBJ_obj2nid(p7->type) != NID_pkcs7_signed || p7->d.sign == nullptr) {
    return fail(ErrorCode::Unsupported, "the PKCS#7 data is not a certificate bundle",
                "give a .p7b file holding certificates");
  }
  std::vector<Certificate> certificates;
  STACK_OF(X509)* stack = p7->d.sign->cert;
  for (int i = 0; stack != nullptr && i < sk_X509_num(stack); ++i) {
    X509* member = sk_X509_value(stack, i);
    X509_up_ref(member);
    auto certificate = Certificate::create(Owned<X509>(member));
    if (!certificate) {
      return std::unexpected(
          certificate.error().with_context("PKCS#7 certificate " + std::to_string(i + 1)));
    }
    certificates.push_back(std::move(*certificate));
  }
  return certificates;
}

Owned<PKCS7> decode_pkcs7_der(ByteView der) {
  const unsigned char* cursor = der.data();
  Owned<PKCS7> p7(d2i_PKCS7(nullptr, &cursor, static_cast<long>(der.size())));
  if (p7 != nullptr && cursor != der.data() + der.size()) p7.reset();
  return p7;
}

// The length a DER SEQUENCE at the start of `data` declares for itself (header included), or 0
// when `data` does not start with a definite-length SEQUENCE. Every format we read in DER is one.
std::size_t declared_der_length(ByteView data) {
  if (data.size() < 2 || data[0] != 0x30) return 0;
  if (data[1] < 0x80) return 2 + std::size_t{data[1]};
  const std::size_t octets = data[1] & 0x7F;
  if (octets == 0 || octets > 4 || data.size() < 2 + octets) return 0;
  std::size_t length = 0;
  for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | data[2 + i];
  return 2 + octets + length;
}

bool is_key_block(std::string_view name) {
  return name == "PRIVATE KEY" || name == "ENCRYPTED PRIVATE KEY" || name == "RSA PRIVATE KEY" ||
         name == "EC PRIVATE KEY";
}

// Decodes one PEM block by its label.
Result<void> decode_pem_block(std::string_view name, const char* header, const unsigned char* der,
                              long length, const Secret& passphrase, bool want_keys,
                              DecodedFile& out) {
  ByteView bytes(der, static_cast<std::size_t>(length));
  if (name == "CERTIFICATE" || name == "X509 CERTIFICATE") {
    auto certificate = Certificate::from_der(bytes);
    if (!certificate) return std::unexpected(certificate.error());
    out.certificates.push_back(std::move(*certificate));
  } else if (name == "TRUSTED CERTIFICATE") {
    const unsigned char* cursor = der;
    Owned<X509> x509(d2i_X509_AUX(nullptr, &cursor, length));
    if (x509 == nullptr) {
      return std::unexpected(
          openssl_error(ErrorCode::MalformedInput, "a TRUSTED CERTIFICATE block does not decode"));
    }
    auto certificate = Certificate::create(std::move(x509));
    if (!certificate) return std::unexpected(certificate.error());
    out.certificates.push_back(std::move(*certificate));
  } else if (name == "PKCS7" || name == "CERTIFICATE CHAIN") {
    Owned<PKCS7> p7 = decode_pkcs7_der(bytes);
    auto certificates = pkcs7_certificates(p7.get());
    drain_openssl_errors();
    if (!certificates) return std::unexpected(certificates.error());
    out.certificates.insert(out.certificates.end(), certificates->begin(), certificates->end());
  } else if (name == "CERTIFICATE REQUEST" || name == "NEW CERTIFICATE REQUEST") {
    auto request = Csr::parse(bytes);
    if (!request) return std::unexpected(request.error());
    out.requests.push_back(std::move(*request));
  } else if (is_key_block(name) && want_keys) {
    // Re-encode the block as PEM so the key decoder sees its encryption headers too.
    Owned<BIO> pem(BIO_new(BIO_s_mem()));
    std::string label(name);
    PEM_write_bio(pem.get(), label.c_str(), header, der, length);
    Bytes text = bio_contents(pem.get());
    auto key = Key::parse(text, passphrase);
    OPENSSL_cleanse(text.data(), text.size());
    if (!key) return std::unexpected(key.error());
    out.keys.push_back(std::move(*key));
  }
  // Other labels (CRLs, public keys, parameters) are not ours to import; they are skipped.
  return {};
}

Result<DecodedFile> decode_pem(ByteView data, const Secret& passphrase, bool want_keys) {
  DecodedFile out{FileFormat::Pem, {}, {}, {}};
  Owned<BIO> bio = memory_bio(data);
  int block_count = 0;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* der = nullptr;
    long length = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &der, &length) != 1) {
      unsigned long error = ERR_peek_last_error();
      bool clean_end =
          ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
      drain_openssl_errors();
      if (clean_end) break;
      return fail(ErrorCode::MalformedInput,
                  "PEM block " + std::to_string(block_count + 1) + " is truncated or damaged",
                  "copy the whole block, from its -----BEGIN line to its -----END line");
    }
    ++block_count;
    auto decoded = decode_pem_block(name, header, der, length, passphrase, want_keys, out);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_clear_free(der, static_cast<std::size_t>(length));
    if (!decoded) {
      return std::unexpected(
          decoded.error().with_context("PEM block " + std::to_string(block_count)));
    }
  }
  if (block_count == 0) {
    return fail(ErrorCode::MalformedInput,
                "the file has a -----BEGIN line but no complete PEM block",
                "the file is truncated or damaged; copy it again");
  }
  return out;
}

Result<DecodedFile> decode_der(ByteView data, const Secret& passphrase, bool want_keys) {
  {
    const unsigned char* cursor = data.data();
    Owned<X509> x509(d2i_X509(nullptr, &cursor, static_cast<long>(data.size())));
    if (x509 != nullptr && cursor == data.data() + data.size()) {
      auto certificate = Certificate::create(std::move(x509));
      if (!certificate) return std::unexpected(certificate.error());
      return DecodedFile{FileFormat::DerCertificate, {std::move(*certificate)}, {}, {}};
    }
  }
  drain_openssl_errors();
  if (looks_like_pkcs12(data)) {
    auto contents = read_pkcs12(data, passphrase);
    if (!contents) return std::unexpected(contents.error());
    DecodedFile out{FileFormat::Pkcs12, {}, {}, {}};
    if (contents->certificate) out.certificates.push_back(*contents->certificate);
    out.certificates.insert(out.certificates.end(), contents->other_certificates.begin(),
                            contents->other_certificates.end());
    if (contents->key && want_keys) out.keys.push_back(std::move(*contents->key));
    return out;
  }
  if (Owned<PKCS7> p7 = decode_pkcs7_der(data); p7 != nullptr) {
    auto certificates = pkcs7_certificates(p7.get());
    if (!certificates) return std::unexpected(certificates.error());
    return DecodedFile{FileFormat::Pkcs7, std::move(*certificates), {}, {}};
  }
  drain_openssl_errors();
  {
    const unsigned char* cursor = data.data();
    Owned<X509_REQ> request(d2i_X509_REQ(nullptr, &cursor, static_cast<long>(data.size())));
    if (request != nullptr && cursor == data.data() + data.size()) {
      DecodedFile out{FileFormat::DerCsr, {}, {}, {}};
      auto checked = Csr::create(std::move(request));
      if (!checked) return std::unexpected(checked.error());
      out.requests.push_back(std::move(*checked));
      return out;
    }
  }
  drain_openssl_errors();
  if (want_keys) {
    auto key = Key::parse(data, passphrase);
    if (key) return DecodedFile{FileFormat::DerKey, {}, {std::move(*key)}, {}};
    if (key.error().code == ErrorCode::WrongPassphrase) return std::unexpected(key.error());
  }
  // Say "truncated" when the DER header proves it: a cut download or copy is the usual cause, and
  // the admin should fetch the file again rather than look for another format.
  if (const std::size_t declared = declared_der_length(data); declared > data.size()) {
    return fail(ErrorCode::MalformedInput,
                "the DER data is truncated: it announces " + std::to_string(declared) +
                    " bytes but the file has " + std::to_string(data.size()),
                "copy or download the file again; it was cut short");
  }
  return fail(ErrorCode::MalformedInput,
              "the file is not PEM, nor a DER certificate, PKCS#7, PKCS#12, CSR or key; it may be "
              "truncated or not a certificate file at all",
              "give a .pem, .crt, .cer, .der, .p7b or .p12 file");
}

Result<DecodedFile> decode(ByteView data, const Secret& passphrase, bool want_keys) {
  data = strip_bom(data);
  if (data.empty()) {
    return fail(ErrorCode::MalformedInput, "the file is empty", "give a certificate or key file");
  }
  if (as_text(data).find("-----BEGIN ") != std::string_view::npos) {
    return decode_pem(data, passphrase, want_keys);
  }
  return decode_der(data, passphrase, want_keys);
}

}  // namespace

std::string_view to_string(FileFormat format) {
  switch (format) {
    case FileFormat::Pem:
      return "PEM";
    case FileFormat::DerCertificate:
      return "DER certificate";
    case FileFormat::Pkcs7:
      return "PKCS#7";
    case FileFormat::DerKey:
      return "DER key";
    case FileFormat::DerCsr:
      return "DER CSR";
    case FileFormat::Pkcs12:
      return "PKCS#12";
  }
  return "unknown";
}

Result<DecodedFile> decode_file(ByteView data, const Secret& passphrase) {
  return decode(data, passphrase, true);
}

Result<std::vector<Certificate>> read_certificates(ByteView data) {
  auto decoded = decode(data, Secret{}, false);
  if (!decoded) return std::unexpected(decoded.error());
  if (decoded->certificates.empty()) {
    return fail(ErrorCode::MalformedInput, "the file holds no certificate",
                "give a file with at least one certificate (PEM, DER or PKCS#7)");
  }
  return std::move(decoded->certificates);
}

}  // namespace telecert::pki
