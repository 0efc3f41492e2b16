// verify() against the raw limit, in the same process, on the same chain and the same X509_STORE:
// a 3-certificate chain (P-256 root in the store, intermediate and leaf presented), revocation
// off, at a fixed time.
//
//   telecert: verify::verify() with purpose server and the expected name: path building with
//             every error recorded, the report's chain, name (RFC 6125), EKU, weak-algorithm and
//             profile checks.
//   raw:      what a careful C programmer writes for the same verdict: X509_STORE_CTX_new/init,
//             the same time, X509_verify_cert, X509_check_host, free.
// The run ends with the throughput ratio telecert/raw (target >= 0.9).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "pki/certificate_builder.h"
#include "pki/key.h"
#include "throughput_ratio_reporter.h"
#include "verify/verifier.h"

namespace {

using namespace telecert;

constexpr pki::TimePoint kNotBefore{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
constexpr pki::TimePoint kVerifyAt = kNotBefore + std::chrono::days{30};

pki::CertificateSpec spec(std::string name, bool is_ca) {
  pki::CertificateSpec result;
  result.subject.common_name = std::move(name);
  result.subject.organization = "Acme Telecom";
  if (!is_ca) result.subject_alt_names = {{pki::SanType::Dns, "sbc1.example.com"}};
  result.not_before = kNotBefore;
  result.validity = std::chrono::days{is_ca ? 3650 : 365};
  result.is_ca = is_ca;
  return result;
}

void verify_with_telecert(benchmark::State& state, const std::vector<pki::Certificate>& presented,
                          const verify::TrustStore& trust) {
  verify::VerifyOptions options;
  options.time = kVerifyAt;
  options.expected_name = verify::DnsName{"sbc1.example.com"};
  for (auto _ : state) {
    const verify::Report report = verify::verify(presented, trust, options);
    if (!report.trusted) {
      state.SkipWithError(verify::format_report(report).c_str());
      return;
    }
    benchmark::DoNotOptimize(report.chain.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void verify_raw(benchmark::State& state, const std::vector<pki::Certificate>& presented,
                X509_STORE* store) {
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  for (std::size_t i = 1; i < presented.size(); ++i) sk_X509_push(untrusted, presented[i].get());
  const std::string name = "sbc1.example.com";
  for (auto _ : state) {
    X509_STORE_CTX* context = X509_STORE_CTX_new();
    X509_STORE_CTX_init(context, store, presented[0].get(), untrusted);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(context),
                               kVerifyAt.time_since_epoch().count());
    const bool trusted =
        X509_verify_cert(context) == 1 &&
        X509_check_host(presented[0].get(), name.data(), name.size(), 0, nullptr) == 1;
    X509_STORE_CTX_free(context);
    if (!trusted) {
      state.SkipWithError("raw verification failed");
      break;
    }
  }
  sk_X509_free(untrusted);
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  auto root_key = pki::Key::generate(pki::KeyType::EcP256);
  auto intermediate_key = pki::Key::generate(pki::KeyType::EcP256);
  auto leaf_key = pki::Key::generate(pki::KeyType::EcP256);
  if (!root_key || !intermediate_key || !leaf_key) {
    std::fprintf(stderr, "generating the keys failed\n");
    return 1;
  }
  auto root = pki::build_certificate(*root_key, spec("Acme Root CA", true));
  if (!root) return 1;
  const pki::Issuer by_root{*root, *root_key};
  auto intermediate =
      pki::build_certificate(*intermediate_key, spec("Acme Issuing CA", true), &by_root);
  if (!intermediate) return 1;
  const pki::Issuer by_intermediate{*intermediate, *intermediate_key};
  auto leaf = pki::build_certificate(*leaf_key, spec("sbc1.example.com", false), &by_intermediate);
  if (!leaf) return 1;
  const std::vector<pki::Certificate> presented{*leaf, *intermediate};
  const auto trust = verify::TrustStore::create({*root});

  // Interleaved so that a machine getting busier part-way hits both sides of the pair.
  benchmark::RegisterBenchmark("verify/chain3_p256/telecert", [&](benchmark::State& state) {
    verify_with_telecert(state, presented, *trust);
  })->MinTime(1.0);
  benchmark::RegisterBenchmark("verify/chain3_p256/raw", [&](benchmark::State& state) {
    verify_raw(state, presented, trust->get());
  })->MinTime(1.0);
  bench::ThroughputRatioReporter reporter(isatty(fileno(stdout)) != 0
                                              ? benchmark::ConsoleReporter::OO_Defaults
                                              : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\n");
  reporter.print_ratio("chain3_p256", "verify/chain3_p256/telecert", "verify/chain3_p256/raw");
  benchmark::Shutdown();
  return 0;
}
