// x509-limbo through verify() and through plain OpenSSL, side by side (docs/conformance.md).
//
// telecert: verify() with the case's trust anchors, the peer plus its untrusted intermediates,
// validation time, expected name, purpose, maximum depth and CRLs (handed in, nothing fetched),
// with strict validation on (the mode for a context that asks for RFC 5280 conformance).
// openssl: X509_verify_cert with its default flags (X509_V_FLAG_CRL_CHECK when the case has
// CRLs), then X509_check_host / X509_check_ip_asc / X509_check_email for the expected name.
// A case passes when the verdict equals expected_result.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "verify/verifier.h"

namespace telecert::verify {
namespace {

// The ratchet: telecert's pass count may not fall below this. Equal to docs/conformance.md.
constexpr int kRecordedPasses = 182;

enum class Outcome { Pass, Fail, Skip };

using Json = nlohmann::json;

std::vector<pki::Owned<X509>> read_pem_certificates(const Json& list) {
  std::vector<pki::Owned<X509>> result;
  for (const auto& pem : list) {
    const std::string text = pem.get<std::string>();
    pki::Owned<BIO> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (X509* x509 = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      result.emplace_back(x509);
    }
  }
  pki::drain_openssl_errors();
  return result;
}

std::vector<pki::Owned<X509_CRL>> read_pem_crls(const Json& list) {
  std::vector<pki::Owned<X509_CRL>> result;
  for (const auto& pem : list) {
    const std::string text = pem.get<std::string>();
    pki::Owned<BIO> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
      result.emplace_back(crl);
    }
  }
  pki::drain_openssl_errors();
  return result;
}

pki::TimePoint validation_time(const Json& testcase) {
  if (!testcase.contains("validation_time") || testcase["validation_time"].is_null()) {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  std::tm tm{};
  std::istringstream in(testcase["validation_time"].get<std::string>());
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  return pki::TimePoint{std::chrono::seconds{timegm(&tm)}};
}

// The name the peer must carry: expected_peer_name, or (CLIENT) the first of expected_peer_names.
std::optional<Json> expected_name(const Json& testcase) {
  if (testcase.contains("expected_peer_name") && !testcase["expected_peer_name"].is_null()) {
    return testcase["expected_peer_name"];
  }
  if (!testcase["expected_peer_names"].empty()) return testcase["expected_peer_names"][0];
  return std::nullopt;
}

bool is_server(const Json& testcase) { return testcase["validation_kind"] == "SERVER"; }

// Constraints verify() cannot express make the case a skip.
bool expressible(const Json& testcase) {
  for (const auto& eku : testcase["extended_key_usage"]) {
    const std::string usage = eku.get<std::string>();
    if (usage != (is_server(testcase) ? "serverAuth" : "clientAuth")) return false;
  }
  for (const auto& usage : testcase["key_usage"]) {
    if (usage != "digitalSignature") return false;
  }
  return testcase["signature_algorithms"].empty();
}

Outcome telecert_outcome(const Json& testcase, std::string& why) {
  if (!expressible(testcase)) {
    why = "constraint verify() cannot express";
    return Outcome::Skip;
  }
  const bool expect_success = testcase["expected_result"] == "SUCCESS";
  const auto verdict = [&](bool trusted) {
    return trusted == expect_success ? Outcome::Pass : Outcome::Fail;
  };

  std::vector<pki::Certificate> anchors;
  for (auto& x509 : read_pem_certificates(testcase["trusted_certs"])) {
    if (auto certificate = pki::Certificate::create(std::move(x509))) {
      anchors.push_back(std::move(*certificate));
    }
  }
  std::vector<pki::Certificate> presented;
  Json peer_and_intermediates = Json::array({testcase["peer_certificate"]});
  for (const auto& pem : testcase["untrusted_intermediates"]) peer_and_intermediates.push_back(pem);
  auto x509s = read_pem_certificates(peer_and_intermediates);
  for (std::size_t i = 0; i < x509s.size(); ++i) {
    auto certificate = pki::Certificate::create(std::move(x509s[i]));
    if (certificate) {
      presented.push_back(std::move(*certificate));
    } else if (i == 0) {
      why = "peer certificate refused: " + certificate.error().message;
      return verdict(false);
    }
  }
  VerifyOptions options;
  options.purpose = is_server(testcase) ? Purpose::Server : Purpose::Client;
  options.time = validation_time(testcase);
  options.strict = true;
  options.key_usage_for_role = !testcase["key_usage"].empty();
  if (auto name = expected_name(testcase)) {
    auto identity = parse_reference_identity((*name)["value"].get<std::string>());
    if (!identity) {
      why = "expected name refused: " + identity.error().message;
      return verdict(false);
    }
    options.expected_name = *identity;
  }
  if (testcase.contains("max_chain_depth") && !testcase["max_chain_depth"].is_null()) {
    options.max_depth = testcase["max_chain_depth"].get<int>();
  }
  if (testcase.contains("crls") && !testcase["crls"].empty()) {
    options.revocation.crl = true;
    options.revocation.fetch_distribution_points = false;
    for (const auto& pem : testcase["crls"]) {
      const std::string text = pem.get<std::string>();
      options.revocation.crls.emplace_back(text.begin(), text.end());
    }
  }
  RevocationChecker checker;
  const auto trust = TrustStore::create(std::move(anchors));
  const Report report = verify(presented, *trust, options, &checker);
  for (const Problem& problem : report.problems) {
    if (problem.severity == Severity::Error) {
      why += std::string(why.empty() ? "" : " | ") + std::string(to_string(problem.code)) + "@" +
             std::to_string(problem.depth) + ": " + problem.message;
    }
  }
  return verdict(report.trusted);
}

Outcome openssl_outcome(const Json& testcase, std::string& why) {
  const bool expect_success = testcase["expected_result"] == "SUCCESS";
  pki::Owned<X509_STORE> store(X509_STORE_new());
  for (auto& x509 : read_pem_certificates(testcase["trusted_certs"])) {
    X509_STORE_add_cert(store.get(), x509.get());
  }
  auto peer = read_pem_certificates(Json::array({testcase["peer_certificate"]}));
  if (peer.empty()) {
    why = "peer does not parse";
    return expect_success ? Outcome::Fail : Outcome::Pass;
  }
  auto intermediates = read_pem_certificates(testcase["untrusted_intermediates"]);
  pki::Owned<STACK_OF(X509)> untrusted(sk_X509_new_null());
  for (auto& x509 : intermediates) sk_X509_push(untrusted.get(), x509.release());
  auto crls = read_pem_crls(testcase.value("crls", Json::array()));
  STACK_OF(X509_CRL)* crl_stack = sk_X509_CRL_new_null();
  for (auto& crl : crls) sk_X509_CRL_push(crl_stack, crl.get());

  pki::Owned<X509_STORE_CTX> context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), peer[0].get(), untrusted.get());
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(context.get());
  if (testcase.contains("validation_time") && !testcase["validation_time"].is_null()) {
    X509_VERIFY_PARAM_set_time(param, validation_time(testcase).time_since_epoch().count());
  }
  if (testcase.contains("max_chain_depth") && !testcase["max_chain_depth"].is_null()) {
    X509_VERIFY_PARAM_set_depth(param, testcase["max_chain_depth"].get<int>());
  }
  if (!crls.empty()) {
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK);
    X509_STORE_CTX_set0_crls(context.get(), crl_stack);
  }
  bool trusted = X509_verify_cert(context.get()) == 1;
  if (!trusted) why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get()));
  sk_X509_CRL_free(crl_stack);
  if (trusted) {
    if (auto name = expected_name(testcase)) {
      const std::string kind = (*name)["kind"].get<std::string>();
      const std::string value = (*name)["value"].get<std::string>();
      int matched = 0;
      if (kind == "DNS") {
        matched = X509_check_host(peer[0].get(), value.data(), value.size(), 0, nullptr);
      } else if (kind == "IP") {
        matched = X509_check_ip_asc(peer[0].get(), value.c_str(), 0);
      } else {
        matched = X509_check_email(peer[0].get(), value.data(), value.size(), 0);
      }
      trusted = matched == 1;
      if (!trusted) why = "name mismatch";
    }
  }
  pki::drain_openssl_errors();
  return trusted == expect_success ? Outcome::Pass : Outcome::Fail;
}

std::string namespace_of(const std::string& id) { return id.substr(0, id.find("::")); }

struct Tally {
  int counts[2][3] = {};  // [telecert, openssl][pass, fail, skip]
};

TEST(LimboConformance, TelecertPassesAtLeastTheRecordedCountAndEveryCasePlainOpenSslPasses) {
  std::ifstream file(std::string(TELECERT_LIMBO_DIR) + "/limbo.json");
  ASSERT_TRUE(file) << "limbo.json not found in " << TELECERT_LIMBO_DIR;
  const Json limbo = Json::parse(file);
  std::map<std::string, Tally> tallies;
  Tally total;
  std::vector<std::string> offenders;
  std::vector<std::string> failures;
  for (const Json& testcase : limbo["testcases"]) {
    const std::string id = testcase["id"].get<std::string>();
    std::string telecert_why;
    std::string openssl_why;
    const Outcome ours = telecert_outcome(testcase, telecert_why);
    const Outcome theirs = openssl_outcome(testcase, openssl_why);
    for (Tally* tally : {&tallies[namespace_of(id)], &total}) {
      ++tally->counts[0][static_cast<int>(ours)];
      ++tally->counts[1][static_cast<int>(theirs)];
    }
    if (ours == Outcome::Fail) {
      failures.push_back(id + " (expected " + testcase["expected_result"].get<std::string>() +
                         "; " + (telecert_why.empty() ? "no problem found" : telecert_why) +
                         ") openssl: " + (theirs == Outcome::Pass ? "pass" : "fail"));
      if (theirs == Outcome::Pass) offenders.push_back(id);
    }
  }
  std::cout << "\n| namespace | telecert pass | fail | skip | openssl pass | fail | skip |\n"
            << "|---|---|---|---|---|---|---|\n";
  const auto row = [](const std::string& name, const Tally& t) {
    std::cout << "| " << name << " | " << t.counts[0][0] << " | " << t.counts[0][1] << " | "
              << t.counts[0][2] << " | " << t.counts[1][0] << " | " << t.counts[1][1] << " | "
              << t.counts[1][2] << " |\n";
  };
  for (const auto& [name, tally] : tallies) row(name, tally);
  row("total", total);
  std::cout << "\ntelecert failures:\n";
  for (const auto& failure : failures) std::cout << "  " << failure << "\n";
  std::cout << std::flush;

  EXPECT_GE(total.counts[0][0], kRecordedPasses)
      << "telecert passes fewer x509-limbo cases than recorded in docs/conformance.md";
  std::string list;
  for (const auto& id : offenders) list += "\n  " + id;
  EXPECT_TRUE(offenders.empty()) << "cases plain OpenSSL passes and telecert fails:" << list;
}

}  // namespace
}  // namespace telecert::verify
