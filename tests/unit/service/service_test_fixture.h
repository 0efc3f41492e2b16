// Shared by the service tests: a CertificateService on a temporary data directory with a fixed
// clock, a small system CA bundle of self-made roots, certificate authorities to issue test
// certificates, and a snapshot of everything the store holds (to prove a refused operation changed
// nothing).
#pragma once

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "pki/certificate_builder.h"
#include "pki/chain.h"
#include "pki/csr.h"
#include "pki/file_decoder.h"
#include "pki/key.h"
#include "pki/pkcs12.h"
#include "service/certificate_service.h"
#include "support/test_support.h"

namespace telecert::service::test {

using Days = std::chrono::days;
using nlohmann::json;
using telecert::testing::TempDir;

inline constexpr pki::TimePoint kStart{std::chrono::sys_days{std::chrono::year{2026} / 3 / 1}};
inline constexpr std::string_view kDeviceId = "00:90:8f:12:34:56";
inline constexpr std::string_view kActor = "test:alice";

template <class T>
T expect_ok(Result<T> result) {
  EXPECT_TRUE(result) << result.error().message;
  return std::move(result).value();
}

inline void expect_ok(Result<void> result) { EXPECT_TRUE(result) << result.error().message; }

// EXPECT_TRUE(refused_with(result, ErrorCode::X)): the operation failed with exactly that code.
template <class T>
::testing::AssertionResult refused_with(const Result<T>& result, ErrorCode code) {
  if (result) return ::testing::AssertionFailure() << "succeeded; expected " << to_string(code);
  if (result.error().code != code) {
    return ::testing::AssertionFailure()
           << "failed with " << to_string(result.error().code) << " (" << result.error().message
           << "); expected " << to_string(code);
  }
  return ::testing::AssertionSuccess();
}

// A certificate authority: its key and certificate.
struct Authority {
  pki::Key key;
  pki::Certificate certificate;
};

inline pki::Key new_key(pki::KeyType type = pki::KeyType::EcP256) {
  return pki::Key::generate(type).value();
}

inline Authority make_root(const std::string& common_name,
                           pki::TimePoint not_before = kStart - Days{1},
                           Days validity = Days{3650}) {
  pki::Key key = new_key();
  pki::CertificateSpec spec;
  spec.subject.common_name = common_name;
  spec.subject.organization = "Telecert Test";
  spec.not_before = not_before;
  spec.validity = validity;
  spec.is_ca = true;
  auto certificate = pki::build_certificate(key, spec).value();
  return Authority{std::move(key), std::move(certificate)};
}

inline Authority make_intermediate(const std::string& common_name, const Authority& issuer,
                                   pki::TimePoint not_before = kStart - Days{1},
                                   Days validity = Days{1825}) {
  pki::Key key = new_key();
  pki::CertificateSpec spec;
  spec.subject.common_name = common_name;
  spec.not_before = not_before;
  spec.validity = validity;
  spec.is_ca = true;
  const pki::Issuer signer{issuer.certificate, issuer.key};
  auto certificate = pki::build_certificate(key, spec, &signer).value();
  return Authority{std::move(key), std::move(certificate)};
}

// An end-entity certificate for `subject_key` (a private key, or a public one from a CSR).
inline pki::Certificate issue_leaf(const pki::Key& subject_key, const std::string& common_name,
                                   const Authority& issuer, pki::TimePoint not_before = kStart,
                                   Days validity = Days{365}) {
  pki::CertificateSpec spec;
  spec.subject.common_name = common_name;
  spec.subject_alt_names = {pki::SubjectAltName{pki::SanType::Dns, common_name}};
  spec.not_before = not_before;
  spec.validity = validity;
  const pki::Issuer signer{issuer.certificate, issuer.key};
  return pki::build_certificate(subject_key, spec, &signer).value();
}

inline pki::Certificate self_signed(const pki::Key& key, const std::string& common_name,
                                    pki::TimePoint not_before = kStart, Days validity = Days{365}) {
  pki::CertificateSpec spec;
  spec.subject.common_name = common_name;
  spec.not_before = not_before;
  spec.validity = validity;
  return pki::build_certificate(key, spec).value();
}

// The public key a CSR carries, as a Key the certificate builder can put in a certificate.
inline pki::Key public_key_of(const pki::Csr& request) {
  EVP_PKEY* key = request.public_key();
  EVP_PKEY_up_ref(key);
  return pki::Key::adopt(pki::Owned<EVP_PKEY>(key));
}

inline std::string pem_of(const std::vector<pki::Certificate>& certificates) {
  std::string pem;
  for (const auto& certificate : certificates) pem += certificate.pem();
  return pem;
}

inline Bytes pem_bytes(const std::vector<pki::Certificate>& certificates) {
  return to_bytes(pem_of(certificates));
}

// Unencrypted PKCS#8 DER of `key`: what must never be found in the database.
inline Bytes plain_pkcs8_der(const pki::Key& key) {
  pki::Owned<PKCS8_PRIV_KEY_INFO> info(EVP_PKEY2PKCS8(key.get()));
  EXPECT_NE(info, nullptr);
  unsigned char* der = nullptr;
  const int length = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &der);
  EXPECT_GT(length, 0);
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

// Traditional (SEC1 / PKCS#1) DER of `key`.
inline Bytes plain_traditional_der(const pki::Key& key) {
  unsigned char* der = nullptr;
  const int length = i2d_PrivateKey(key.get(), &der);
  EXPECT_GT(length, 0);
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

// Unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"), as `openssl pkcs12 -nodes` writes keys.
inline std::string plain_pkcs8_pem(const pki::Key& key) {
  pki::Owned<BIO> bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  Bytes pem = pki::bio_contents(bio.get());
  return std::string(as_text(pem));
}

// The raw private scalar of an EC key (big-endian, padded to the field size).
inline Bytes ec_private_scalar(const pki::Key& key) {
  BIGNUM* scalar = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &scalar), 1);
  pki::Owned<BIGNUM> owned(scalar);
  Bytes out(static_cast<std::size_t>((key.bits() + 7) / 8));
  EXPECT_GT(BN_bn2binpad(owned.get(), out.data(), static_cast<int>(out.size())), 0);
  return out;
}

inline bool contains(ByteView haystack, ByteView needle) {
  return !needle.empty() && std::search(haystack.begin(), haystack.end(), needle.begin(),
                                        needle.end()) != haystack.end();
}

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

inline mode_t mode_of(const std::filesystem::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

// Read-only access to the raw database, outside the store, as an attacker with the file would have.
class RawDatabase {
 public:
  explicit RawDatabase(const std::filesystem::path& file) {
    const int opened = sqlite3_open_v2(file.c_str(), &database_, SQLITE_OPEN_READONLY, nullptr);
    EXPECT_EQ(opened, SQLITE_OK) << file;
  }
  ~RawDatabase() { sqlite3_close_v2(database_); }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;

  std::vector<std::string> tables() {
    std::vector<std::string> names;
    for (const auto& row :
         rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
      names.push_back(row.at(0).get<std::string>());
    }
    return names;
  }

  // Every row of `sql`, each as an array of column values (BLOBs as hex text).
  json rows(const std::string& sql) {
    json out = json::array();
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(database_, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(database_);
    while (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
      json row = json::array();
      for (int column = 0; column < sqlite3_column_count(statement); ++column) {
        switch (sqlite3_column_type(statement, column)) {
          case SQLITE_INTEGER:
            row.push_back(sqlite3_column_int64(statement, column));
            break;
          case SQLITE_NULL:
            row.push_back(nullptr);
            break;
          case SQLITE_BLOB: {
            const auto* data =
                static_cast<const unsigned char*>(sqlite3_column_blob(statement, column));
            const int size = sqlite3_column_bytes(statement, column);
            static constexpr char kHex[] = "0123456789abcdef";
            std::string hex;
            for (int i = 0; i < size; ++i) {
              hex += kHex[data[i] >> 4];
              hex += kHex[data[i] & 0xF];
            }
            row.push_back("blob:" + hex);
            break;
          }
          default:
            row.push_back(
                std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, column))));
        }
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(statement);
    return out;
  }

  // Every BLOB value in every table.
  std::vector<Bytes> all_blobs() {
    std::vector<Bytes> blobs;
    for (const auto& table : tables()) {
      sqlite3_stmt* statement = nullptr;
      const std::string sql = "SELECT * FROM \"" + table + "\"";
      EXPECT_EQ(sqlite3_prepare_v2(database_, sql.c_str(), -1, &statement, nullptr), SQLITE_OK);
      while (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
        for (int column = 0; column < sqlite3_column_count(statement); ++column) {
          if (sqlite3_column_type(statement, column) != SQLITE_BLOB) continue;
          const auto* data =
              static_cast<const std::uint8_t*>(sqlite3_column_blob(statement, column));
          blobs.emplace_back(data, data + sqlite3_column_bytes(statement, column));
        }
      }
      sqlite3_finalize(statement);
    }
    return blobs;
  }

  // Every table's rows in rowid order: the whole content of the store.
  json dump() {
    json out = json::object();
    for (const auto& table : tables()) {
      if (table.starts_with("sqlite_")) continue;
      out[table] = rows("SELECT * FROM \"" + table + "\" ORDER BY rowid");
    }
    return out;
  }

 private:
  sqlite3* database_ = nullptr;
};

// The three self-made roots the tests use as the system CA bundle (made once per process).
inline const std::vector<Authority>& builtin_roots() {
  static const std::vector<Authority> roots = {make_root("Test Builtin Root A"),
                                               make_root("Test Builtin Root B"),
                                               make_root("Test Builtin Root C")};
  return roots;
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<FixedClock>(kStart);
    std::vector<pki::Certificate> roots;
    for (const auto& root : builtin_roots()) roots.push_back(root.certificate);
    telecert::testing::write_file(bundle_path(), pem_of(roots));
    service_ = open_service();
  }

  std::unique_ptr<CertificateService> open_service(
      CertificateService::OpenMode mode = CertificateService::OpenMode::CreateIfMissing) {
    auto opened = CertificateService::open(data_dir(), clock_, std::string(kActor), mode);
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  CertificateService& service() { return *service_; }
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  std::filesystem::path database() const { return data_dir() / "telecert.db"; }
  std::filesystem::path bundle_path() const { return dir_ / "system-ca.pem"; }

  InitRequest init_request() const {
    InitRequest request;
    request.device_id = std::string(kDeviceId);
    request.system_ca_bundle = bundle_path();
    return request;
  }

  IdentityView initialise() { return expect_ok(service_->init(init_request())); }

  NewIdentityRequest new_identity(const std::string& common_name) const {
    NewIdentityRequest request;
    request.subject.common_name = common_name;
    request.subject_alt_names = {"dns:" + common_name};
    return request;
  }

  IdentityView create_self_signed(const std::string& name, std::int64_t validity_days = 365) {
    NewIdentityRequest request = new_identity(name + ".example.com");
    request.validity_days = validity_days;
    return expect_ok(service_->create_self_signed(name, request));
  }

  // Imports `leaf` with `key` (and `chain`) as one PEM holding them all.
  IdentityView import_pem(const std::string& name, const pki::Key& key,
                          const pki::Certificate& leaf,
                          const std::vector<pki::Certificate>& chain = {}) {
    ImportRequest request;
    std::vector<pki::Certificate> all{leaf};
    all.insert(all.end(), chain.begin(), chain.end());
    request.file = to_bytes(pem_of(all) + plain_pkcs8_pem(key));
    return expect_ok(service_->import_identity(name, request));
  }

  TrustAddView add_custom_roots(const std::vector<pki::Certificate>& roots) {
    return expect_ok(service_->add_trust(pem_bytes(roots)));
  }

  std::vector<store::EventRecord> all_events() { return expect_ok(service_->events(1'000'000)); }

  // Everything the store holds, as the service sees it and as the raw database holds it.
  json snapshot() {
    json out;
    out["identities"] = expect_ok(service_->list_identities());
    out["trust"] = expect_ok(service_->list_trust());
    const Settings settings = expect_ok(service_->settings());
    for (const auto& definition : setting_definitions()) {
      out["settings"][std::string(definition.name)] = get_field(settings, definition);
    }
    out["events"] = all_events();
    out["database"] = RawDatabase(database()).dump();
    return out;
  }

  void advance(std::chrono::seconds by) { clock_->advance(by); }

  TempDir dir_;
  std::shared_ptr<FixedClock> clock_;
  std::unique_ptr<CertificateService> service_;
};

// Runs `operation`, expects it refused with `code`, and expects the store exactly as before.
#define EXPECT_REFUSED_AND_UNCHANGED(operation, code)                    \
  do {                                                                   \
    const auto before_ = snapshot();                                     \
    const auto result_ = (operation);                                    \
    EXPECT_TRUE(::telecert::service::test::refused_with(result_, code)); \
    if (!result_) {                                                      \
      EXPECT_FALSE(result_.error().message.empty());                     \
    }                                                                    \
    EXPECT_EQ(snapshot().dump(1), before_.dump(1));                      \
  } while (false)

}  // namespace telecert::service::test
