// Decides what a file holds by its content, not its name: PEM (any number of blocks, with text such
// as "Bag Attributes" around them, CRLF line ends, a UTF-8 byte-order mark), DER certificates,
// PKCS#7 bundles (.p7b, PEM or DER), private keys (PEM or DER), CSRs, and PKCS#12.
#pragma once

#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/secret.h"
#include "pki/certificate.h"
#include "pki/csr.h"
#include "pki/key.h"

namespace telecert::pki {

enum class FileFormat { Pem, DerCertificate, Pkcs7, DerKey, DerCsr, Pkcs12 };
std::string_view to_string(FileFormat format);

struct DecodedFile {
  FileFormat format;
  std::vector<Certificate> certificates;  // in file order
  std::vector<Key> keys;
  std::vector<Csr> requests;
};

// Decodes everything in `data`. `passphrase` opens encrypted keys and PKCS#12 files. Empty input,
// junk, and truncated PEM or DER are ErrorCode::MalformedInput with a message that says which.
[[nodiscard]] Result<DecodedFile> decode_file(ByteView data, const Secret& passphrase = Secret{});

// The certificates in `data`; a file without any is ErrorCode::MalformedInput.
[[nodiscard]] Result<std::vector<Certificate>> read_certificates(ByteView data);

}  // namespace telecert::pki
