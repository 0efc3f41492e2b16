// PKI benchmarks. Each one runs telecert's pki module and the raw limit (the OpenSSL calls doing
// the same work) in the same process, and the run ends with the telecert/raw throughput ratio.
//
//   self_signed: a self-signed end-entity certificate with a reused P-256 key, through
//                pki::build_certificate vs X509_new, the same fields, the same extensions and
//                X509_sign.
//   issued:      the same end-entity certificate for the same reused P-256 key, issued by a P-256
//                CA built once (issuer name from the CA, authorityKeyIdentifier, signed with the
//                CA key), through pki::build_certificate with an Issuer vs the same raw calls.
//   parse_pem:   pki::read_certificates on one PEM certificate vs PEM_read_bio_X509.
//   parse_der:   pki::Certificate::from_der on the same certificate vs d2i_X509.
#include <benchmark/benchmark.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "pki/certificate_builder.h"
#include "pki/file_decoder.h"
#include "pki/key.h"
#include "throughput_ratio_reporter.h"

namespace {

using namespace telecert;

constexpr pki::TimePoint kNotBefore{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
constexpr std::chrono::days kValidity{365};

pki::CertificateSpec device_spec() {
  pki::CertificateSpec spec;
  spec.subject.common_name = "sbc1.example.com";
  spec.subject.organizational_unit = "Voice";
  spec.subject.organization = "Acme Telecom";
  spec.subject.country = "US";
  spec.subject_alt_names = {{pki::SanType::Dns, "sbc1.example.com"},
                            {pki::SanType::Ip, "192.0.2.10"}};
  spec.not_before = kNotBefore;
  spec.validity = kValidity;
  return spec;
}

pki::CertificateSpec ca_spec() {
  pki::CertificateSpec spec;
  spec.subject.common_name = "Acme Telecom Device CA";
  spec.subject.organization = "Acme Telecom";
  spec.subject.country = "US";
  spec.not_before = kNotBefore;
  spec.validity = std::chrono::days{3650};
  spec.is_ca = true;
  return spec;
}

// `issuer` null: self-signed by `key`.
void build_with_telecert(benchmark::State& state, const pki::Key& key,
                         const pki::Issuer* issuer = nullptr) {
  const pki::CertificateSpec spec = device_spec();
  for (auto _ : state) {
    auto certificate = pki::build_certificate(key, spec, issuer);
    if (!certificate) {
      state.SkipWithError(certificate.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(certificate->get());
  }
  state.SetItemsProcessed(state.iterations());
}

bool add_raw_extension(X509* certificate, X509V3_CTX* context, int nid, const char* value) {
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, context, nid, value);
  const bool added = extension != nullptr && X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// What a careful C programmer writes for the same certificate: the same name entries, a 127-bit
// random serial, the same five extensions and an ECDSA-SHA256 signature. With `issuer` null the
// certificate is self-signed by `key`; otherwise the issuer name comes from `issuer`, an
// authorityKeyIdentifier (keyid:always) is added after the subjectKeyIdentifier, and
// `issuer_key` signs.
X509* raw_certificate(EVP_PKEY* key, X509* issuer = nullptr, EVP_PKEY* issuer_key = nullptr) {
  X509* x = X509_new();
  X509_NAME* name = X509_NAME_new();
  const std::pair<const char*, const char*> entries[] = {
      {"C", "US"}, {"O", "Acme Telecom"}, {"OU", "Voice"}, {"CN", "sbc1.example.com"}};
  bool ok = true;
  for (const auto& [field, value] : entries) {
    ok = ok &&
         X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value), -1, -1, 0) == 1;
  }
  BIGNUM* serial = BN_new();
  ok = ok && BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
       BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) != nullptr;
  BN_free(serial);
  const std::time_t start = kNotBefore.time_since_epoch().count();
  ok = ok && X509_set_version(x, 2) == 1 && X509_set_subject_name(x, name) == 1 &&
       X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer) : name) == 1 &&
       ASN1_TIME_set(X509_getm_notBefore(x), start) != nullptr &&
       ASN1_TIME_set(X509_getm_notAfter(x), start + std::chrono::seconds{kValidity}.count()) !=
           nullptr &&
       X509_set_pubkey(x, key) == 1;
  X509_NAME_free(name);
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer != nullptr ? issuer : x, x, nullptr, nullptr, 0);
  ok = ok && add_raw_extension(x, &context, NID_basic_constraints, "critical,CA:FALSE") &&
       add_raw_extension(x, &context, NID_key_usage, "critical,digitalSignature") &&
       add_raw_extension(x, &context, NID_ext_key_usage, "serverAuth,clientAuth") &&
       add_raw_extension(x, &context, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) {
    ok = ok && add_raw_extension(x, &context, NID_authority_key_identifier, "keyid:always");
  }
  GENERAL_NAMES* names = GENERAL_NAMES_new();
  GENERAL_NAME* dns = a2i_GENERAL_NAME(nullptr, nullptr, nullptr, GEN_DNS, "sbc1.example.com", 0);
  GENERAL_NAME* ip = a2i_GENERAL_NAME(nullptr, nullptr, nullptr, GEN_IPADD, "192.0.2.10", 0);
  sk_GENERAL_NAME_push(names, dns);
  sk_GENERAL_NAME_push(names, ip);
  ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
  GENERAL_NAMES_free(names);
  ok = ok && X509_sign(x, issuer != nullptr ? issuer_key : key, EVP_sha256()) > 0;
  if (!ok) {
    X509_free(x);
    return nullptr;
  }
  return x;
}

void build_raw(benchmark::State& state, const pki::Key& key, const pki::Issuer* issuer = nullptr) {
  X509* issuer_certificate = issuer != nullptr ? issuer->certificate.get() : nullptr;
  EVP_PKEY* issuer_key = issuer != nullptr ? issuer->key.get() : nullptr;
  for (auto _ : state) {
    X509* certificate = raw_certificate(key.get(), issuer_certificate, issuer_key);
    if (certificate == nullptr) {
      state.SkipWithError("raw certificate creation failed");
      return;
    }
    benchmark::DoNotOptimize(certificate);
    X509_free(certificate);
  }
  state.SetItemsProcessed(state.iterations());
}

void parse_pem_with_telecert(benchmark::State& state, const std::string& pem) {
  for (auto _ : state) {
    auto certificates = pki::read_certificates(as_bytes(pem));
    if (!certificates || certificates->size() != 1) {
      state.SkipWithError("reading the PEM certificate failed");
      return;
    }
    benchmark::DoNotOptimize(certificates->front().get());
  }
  state.SetItemsProcessed(state.iterations());
}

void parse_pem_raw(benchmark::State& state, const std::string& pem) {
  for (auto _ : state) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* certificate = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (certificate == nullptr) {
      state.SkipWithError("PEM_read_bio_X509 failed");
      return;
    }
    benchmark::DoNotOptimize(certificate);
    X509_free(certificate);
  }
  state.SetItemsProcessed(state.iterations());
}

void parse_der_with_telecert(benchmark::State& state, const Bytes& der) {
  for (auto _ : state) {
    auto certificate = pki::Certificate::from_der(der);
    if (!certificate) {
      state.SkipWithError(certificate.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(certificate->get());
  }
  state.SetItemsProcessed(state.iterations());
}

void parse_der_raw(benchmark::State& state, const Bytes& der) {
  for (auto _ : state) {
    const unsigned char* cursor = der.data();
    X509* certificate = d2i_X509(nullptr, &cursor, static_cast<long>(der.size()));
    if (certificate == nullptr) {
      state.SkipWithError("d2i_X509 failed");
      return;
    }
    benchmark::DoNotOptimize(certificate);
    X509_free(certificate);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  auto key = pki::Key::generate(pki::KeyType::EcP256);
  if (!key) {
    std::fprintf(stderr, "generating the key failed: %s\n", key.error().message.c_str());
    return 1;
  }
  auto sample = pki::build_certificate(*key, device_spec());
  if (!sample) {
    std::fprintf(stderr, "building the sample failed: %s\n", sample.error().message.c_str());
    return 1;
  }
  const std::string pem = sample->pem();
  const Bytes der = sample->der();
  const pki::Key& signing_key = *key;

  // The CA that issues in the issued pair: its own P-256 key, built once.
  auto ca_key = pki::Key::generate(pki::KeyType::EcP256);
  if (!ca_key) {
    std::fprintf(stderr, "generating the CA key failed: %s\n", ca_key.error().message.c_str());
    return 1;
  }
  auto ca_certificate = pki::build_certificate(*ca_key, ca_spec());
  if (!ca_certificate) {
    std::fprintf(stderr, "building the CA failed: %s\n", ca_certificate.error().message.c_str());
    return 1;
  }
  const pki::Issuer issuer{*ca_certificate, *ca_key};

  // Interleaved so that a machine getting busier part-way hits both sides of a pair.
  benchmark::RegisterBenchmark("pki/self_signed_p256/telecert", [&](benchmark::State& state) {
    build_with_telecert(state, signing_key);
  })->MinTime(1.0);
  benchmark::RegisterBenchmark("pki/self_signed_p256/raw", [&](benchmark::State& state) {
    build_raw(state, signing_key);
  })->MinTime(1.0);
  benchmark::RegisterBenchmark("pki/issued_p256/telecert", [&](benchmark::State& state) {
    build_with_telecert(state, signing_key, &issuer);
  })->MinTime(1.0);
  benchmark::RegisterBenchmark("pki/issued_p256/raw", [&](benchmark::State& state) {
    build_raw(state, signing_key, &issuer);
  })->MinTime(1.0);
  benchmark::RegisterBenchmark("pki/parse_pem/telecert", [&](benchmark::State& state) {
    parse_pem_with_telecert(state, pem);
  })->MinTime(1.0);
  benchmark::RegisterBenchmark("pki/parse_pem/raw", [&](benchmark::State& state) {
    parse_pem_raw(state, pem);
  })->MinTime(1.0);
  benchmark::RegisterBenchmark("pki/parse_der/telecert", [&](benchmark::State& state) {
    parse_der_with_telecert(state, der);
  })->MinTime(1.0);
  benchmark::RegisterBenchmark("pki/parse_der/raw", [&](benchmark::State& state) {
    parse_der_raw(state, der);
  })->MinTime(1.0);

  // Colour only on a terminal, so the output can be pasted into RESULTS.md as it is.
  bench::ThroughputRatioReporter reporter(isatty(fileno(stdout)) != 0
                                              ? benchmark::ConsoleReporter::OO_Defaults
                                              : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\n");
  reporter.print_ratio("self_signed", "pki/self_signed_p256/telecert", "pki/self_signed_p256/raw");
  reporter.print_ratio("issued", "pki/issued_p256/telecert", "pki/issued_p256/raw");
  reporter.print_ratio("parse_pem", "pki/parse_pem/telecert", "pki/parse_pem/raw");
  reporter.print_ratio("parse_der", "pki/parse_der/telecert", "pki/parse_der/raw");
  benchmark::Shutdown();
  return 0;
}
