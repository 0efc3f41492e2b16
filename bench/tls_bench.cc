// TLS benchmarks: the cost of building a context snapshot, against the raw OpenSSL floor in the
// same process, and the run ends with the telecert/raw throughput ratio.
//
//   snapshot_build: tls::ContextSnapshot::build for a default definition (TLS 1.2-1.3, security
//                   level 2, ffdhe2048, chain+name) with a P-256 identity and the system CA bundle
//                   (/etc/ssl/certs/ca-certificates.crt, ~140 roots) as trust, vs the floor:
//                   SSL_CTX_new for the server and the client method, each with
//                   SSL_CTX_use_certificate / use_PrivateKey / check_private_key, and one
//                   X509_STORE filled with the same roots (X509_STORE_add_cert).
//   material_digest: tls::material_digest alone for the same material (how refresh() tells
//                   whether a context must be rebuilt); no raw counterpart.
#include <benchmark/benchmark.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "common/clock.h"
#include "pki/certificate_builder.h"
#include "pki/file_decoder.h"
#include "throughput_ratio_reporter.h"
#include "tls/context_snapshot.h"

namespace {

using namespace telecert;

constexpr const char* kSystemBundle = "/etc/ssl/certs/ca-certificates.crt";

void build_snapshot(benchmark::State& state, const tls::ContextMaterial& material,
                    const tls::ContextSnapshot::Dependencies& dependencies) {
  for (auto _ : state) {
    auto snapshot = tls::ContextSnapshot::build(material, dependencies);
    if (!snapshot) {
      state.SkipWithError(snapshot.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(snapshot);
  }
  state.SetItemsProcessed(state.iterations());
}

bool raw_side(const SSL_METHOD* method, const tls::IdentityMaterial& identity) {
  SSL_CTX* context = SSL_CTX_new(method);
  const bool ok = context != nullptr &&
                  SSL_CTX_use_certificate(context, identity.leaf.get()) == 1 &&
                  SSL_CTX_use_PrivateKey(context, identity.key.get()) == 1 &&
                  SSL_CTX_check_private_key(context) == 1;
  SSL_CTX_free(context);
  return ok;
}

void build_raw(benchmark::State& state, const tls::ContextMaterial& material) {
  for (auto _ : state) {
    X509_STORE* store = X509_STORE_new();
    for (const auto& anchor : material.trust_anchors) X509_STORE_add_cert(store, anchor.get());
    const bool ok = raw_side(TLS_server_method(), *material.identity) &&
                    raw_side(TLS_client_method(), *material.identity);
    X509_STORE_free(store);
    if (!ok) {
      state.SkipWithError("raw SSL_CTX setup failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void digest(benchmark::State& state, const tls::ContextMaterial& material) {
  for (auto _ : state) benchmark::DoNotOptimize(tls::material_digest(material));
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  std::ifstream in(kSystemBundle, std::ios::binary);
  const std::string bundle{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto roots = pki::read_certificates(as_bytes(bundle));
  if (!roots || roots->empty()) {
    std::fprintf(stderr, "reading %s failed\n", kSystemBundle);
    return 1;
  }
  auto key = pki::Key::generate(pki::KeyType::EcP256);
  if (!key) {
    std::fprintf(stderr, "generating the key failed: %s\n", key.error().message.c_str());
    return 1;
  }
  pki::CertificateSpec spec;
  spec.subject.common_name = "sbc1.example.com";
  spec.subject_alt_names = {{pki::SanType::Dns, "sbc1.example.com"}};
  spec.not_before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto leaf = pki::build_certificate(*key, spec);
  if (!leaf) {
    std::fprintf(stderr, "building the certificate failed: %s\n", leaf.error().message.c_str());
    return 1;
  }
  tls::ContextMaterial material;
  material.definition.name = "default";
  material.definition.trust = tls::TrustScope::Builtin;
  material.identity = tls::IdentityMaterial{"sbc1", *key, *leaf, {}};
  material.trust_anchors = *roots;
  const tls::ContextSnapshot::Dependencies dependencies{std::make_shared<SystemClock>(), nullptr};
  std::printf("trust: %zu roots from %s\n", roots->size(), kSystemBundle);

  // Interleaved so that a machine getting busier part-way hits both sides of the pair.
  benchmark::RegisterBenchmark("tls/snapshot_build/telecert", [&](benchmark::State& state) {
    build_snapshot(state, material, dependencies);
  })->MinTime(1.0);
  benchmark::RegisterBenchmark("tls/snapshot_build/raw", [&](benchmark::State& state) {
    build_raw(state, material);
  })->MinTime(1.0);
  benchmark::RegisterBenchmark("tls/material_digest/telecert", [&](benchmark::State& state) {
    digest(state, material);
  })->MinTime(1.0);

  // Colour only on a terminal, so the output can be pasted into RESULTS.md as it is.
  bench::ThroughputRatioReporter reporter(isatty(fileno(stdout)) != 0
                                              ? benchmark::ConsoleReporter::OO_Defaults
                                              : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\n");
  reporter.print_ratio("snapshot_build", "tls/snapshot_build/telecert", "tls/snapshot_build/raw");
  benchmark::Shutdown();
  return 0;
}
