#include "verify/revocation.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <set>
#include <utility>

#include "verify/http_fetch.h"
#include "verify/ocsp_message.h"

namespace telecert::verify {

namespace {

// An answer without nextUpdate (RFC 6960 §4.2.2.1: newer information is always available) is
// still reused for this long, so a busy server does not ask the responder on every handshake.
constexpr std::chrono::hours kLifetimeWithoutNextUpdate{1};
// Entries beyond this many trigger a sweep of the expired ones.
constexpr std::size_t kCacheSweepSize = 1024;
// Stapling runs inside the server's handshake: after a failed fetch the responder is left alone
// for this long (an empty entry in the OCSP cache), so handshakes do not each wait for a timeout.
constexpr std::chrono::seconds kStaplingRetryAfter{60};

using Cache = std::map<std::string, std::pair<Bytes, pki::TimePoint>>;

struct CrlDistributionPointsFree {
  void operator()(CRL_DIST_POINTS* points) const noexcept { CRL_DIST_POINTS_free(points); }
};
struct StringStackFree {
  void operator()(STACK_OF(OPENSSL_STRING) * strings) const noexcept { X509_email_free(strings); }
};

pki::TimePoint to_time_point(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return pki::TimePoint{};
  return pki::TimePoint{std::chrono::seconds{timegm(&parts)}};
}

bool starts_with_scheme(const std::string& url, std::string_view scheme) {
  if (url.size() < scheme.size()) return false;
  return std::equal(scheme.begin(), scheme.end(), url.begin(), [](char a, char b) {
    return a == std::tolower(static_cast<unsigned char>(b));
  });
}

// The policy's responders, else the certificate's AIA id-ad-ocsp URLs (RFC 5280 §4.2.2.1).
std::vector<std::string> responder_urls(const pki::Certificate& subject,
                                        const RevocationPolicy& policy) {
  if (!policy.ocsp_urls.empty()) return policy.ocsp_urls;
  std::vector<std::string> urls;
  std::unique_ptr<STACK_OF(OPENSSL_STRING), StringStackFree> aia(X509_get1_ocsp(subject.get()));
  for (int i = 0; aia && i < sk_OPENSSL_STRING_num(aia.get()); ++i) {
    urls.emplace_back(sk_OPENSSL_STRING_value(aia.get(), i));
  }
  return urls;
}

// The URIs of each distribution point with a full name (RFC 5280 §4.2.1.13), one list per point.
std::vector<std::vector<std::string>> distribution_point_urls(const pki::Certificate& certificate) {
  std::vector<std::vector<std::string>> points;
  std::unique_ptr<CRL_DIST_POINTS, CrlDistributionPointsFree> extension(
      static_cast<CRL_DIST_POINTS*>(
          X509_get_ext_d2i(certificate.get(), NID_crl_distribution_points, nullptr, nullptr)));
  for (int i = 0; extension && i < sk_DIST_POINT_num(extension.get()); ++i) {
    const DIST_POINT* point = sk_DIST_POINT_value(extension.get(), i);
    if (point->distpoint == nullptr || point->distpoint->type != 0) continue;
    std::vector<std::string> urls;
    const GENERAL_NAMES* names = point->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, j);
      if (name->type != GEN_URI) continue;
      const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
      urls.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                        static_cast<std::size_t>(ASN1_STRING_length(uri)));
    }
    if (!urls.empty()) points.push_back(std::move(urls));
  }
  pki::drain_openssl_errors();
  return points;
}

// Every CRL in `data`: one or more PEM blocks, else one DER CRL.
std::vector<pki::Owned<X509_CRL>> parse_crls(ByteView data) {
  std::vector<pki::Owned<X509_CRL>> crls;
  auto bio = pki::memory_bio(data);
  while (pki::Owned<X509_CRL> crl{PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)}) {
    crls.push_back(std::move(crl));
  }
  if (crls.empty()) {
    const unsigned char* cursor = data.data();
    pki::Owned<X509_CRL> crl(d2i_X509_CRL(nullptr, &cursor, static_cast<long>(data.size())));
    if (crl) crls.push_back(std::move(crl));
  }
  pki::drain_openssl_errors();
  return crls;
}

RevocationCheck from_answer(const pki::Certificate& subject, const ocsp::Answer& answer,
                            std::string source) {
  RevocationCheck check;
  check.subject = subject.subject();
  check.status = answer.status;
  check.source = std::move(source);
  check.revoked_at = answer.revoked_at;
  if (answer.status == RevocationCheck::Status::Revoked) {
    check.detail = answer.reason.empty() ? "revoked" : "revoked (" + answer.reason + ")";
  } else if (answer.status == RevocationCheck::Status::Unknown) {
    check.detail = "the responder does not know this certificate";
  }
  return check;
}

std::optional<Bytes> cache_lookup(std::mutex& mutex, Cache& cache, const std::string& key,
                                  pki::TimePoint now) {
  std::lock_guard lock(mutex);
  auto entry = cache.find(key);
  if (entry == cache.end()) return std::nullopt;
  if (now > entry->second.second) {
    cache.erase(entry);
    return std::nullopt;
  }
  return entry->second.first;
}

void cache_store(std::mutex& mutex, Cache& cache, const std::string& key, Bytes der,
                 pki::TimePoint until, pki::TimePoint now) {
  if (until <= now) return;
  std::lock_guard lock(mutex);
  if (cache.size() >= kCacheSweepSize) {
    std::erase_if(cache, [now](const auto& entry) { return now > entry.second.second; });
  }
  cache[key] = {std::move(der), until};
}

struct Fetched {
  Bytes der;
  ocsp::Answer answer;
  std::string url;
};

// Asks each responder in turn; the first answer that passes judge_response() wins. Failures are
// appended to `failures`.
std::optional<Fetched> ask_responders(const pki::Certificate& subject,
                                      const pki::Certificate& issuer, const OCSP_CERTID* id,
                                      const RevocationPolicy& policy,
                                      const RevocationChecker::Options& options, pki::TimePoint now,
                                      FetchBudget* budget, std::vector<std::string>& failures) {
  const auto urls = responder_urls(subject, policy);
  if (urls.empty()) {
    failures.emplace_back("no OCSP responder is configured and the certificate names none");
    return std::nullopt;
  }
  for (const auto& url : urls) {
    auto request = ocsp::make_request(id);
    if (!request) {
      failures.push_back(request.error().message);
      return std::nullopt;
    }
    if (budget != nullptr && !budget->take()) {
      failures.push_back("OCSP " + url + " not asked: " + budget->exhausted());
      continue;
    }
    auto body = http_post(url, "application/ocsp-request", request->der, options.timeout,
                          options.max_response_bytes);
    if (!body) {
      failures.push_back("OCSP " + url + ": " + body.error().message);
      continue;
    }
    auto answer = ocsp::judge_response(*body, subject, issuer, request->request.get(), now);
    if (!answer) {
      failures.push_back("OCSP " + url + ": " + answer.error().message);
      continue;
    }
    return Fetched{std::move(*body), *answer, url};
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : "; ") + part;
  return text;
}

}  // namespace

std::string FetchBudget::exhausted() const {
  return "a verification fetches at most " + std::to_string(limit_) +
         " URLs (CRLs and OCSP together)";
}

RevocationChecker::RevocationChecker(Options options) : options_(options) {}

RevocationCheck RevocationChecker::check_ocsp(const pki::Certificate& subject,
                                              const pki::Certificate& issuer,
                                              const RevocationPolicy& policy,
                                              std::optional<ByteView> stapled, pki::TimePoint now,
                                              FetchBudget* budget) {
  RevocationCheck unknown;
  unknown.subject = subject.subject();
  unknown.status = RevocationCheck::Status::Unknown;
  auto id = ocsp::certificate_id(subject, issuer);
  if (!id) {
    unknown.detail = "cannot compute the OCSP certificate ID";
    return unknown;
  }
  const std::string key = ocsp::cache_key(id.get());
  auto remember = [&](const Bytes& der, const ocsp::Answer& answer) {
    if (answer.status == RevocationCheck::Status::Unknown) return;
    cache_store(mutex_, ocsp_cache_, key, der,
                answer.next_update.value_or(now + kLifetimeWithoutNextUpdate), now);
  };
  std::vector<std::string> failures;

  if (stapled) {
    auto answer = ocsp::judge_response(*stapled, subject, issuer, nullptr, now);
    if (answer && answer->status != RevocationCheck::Status::Unknown) {
      remember(Bytes(stapled->begin(), stapled->end()), *answer);
      return from_answer(subject, *answer, "stapled OCSP");
    }
    failures.push_back("stapled OCSP: " + (answer ? std::string("the server's responder does "
                                                                "not know this certificate")
                                                  : answer.error().message));
  }
  // An empty entry is the stapling side's memory of a failure: the client side asks anyway.
  if (auto cached = cache_lookup(mutex_, ocsp_cache_, key, now); cached && !cached->empty()) {
    if (auto answer = ocsp::judge_response(*cached, subject, issuer, nullptr, now)) {
      return from_answer(subject, *answer, "cached OCSP");
    }
  }
  if (auto fetched =
          ask_responders(subject, issuer, id.get(), policy, options_, now, budget, failures)) {
    remember(fetched->der, fetched->answer);
    return from_answer(subject, fetched->answer, "OCSP " + fetched->url);
  }
  unknown.source = "OCSP";
  unknown.detail = join(failures);
  return unknown;
}

std::optional<Bytes> RevocationChecker::response_to_staple(const pki::Certificate& subject,
                                                           const pki::Certificate& issuer,
                                                           const RevocationPolicy& policy,
                                                           pki::TimePoint now) {
  auto id = ocsp::certificate_id(subject, issuer);
  if (!id) return std::nullopt;
  const std::string key = ocsp::cache_key(id.get());
  if (auto cached = cache_lookup(mutex_, ocsp_cache_, key, now)) {
    if (cached->empty()) return std::nullopt;  // a recent failure, see kStaplingRetryAfter
    return cached;
  }
  std::vector<std::string> failures;
  auto fetched =
      ask_responders(subject, issuer, id.get(), policy, options_, now, nullptr, failures);
  if (!fetched) {
    cache_store(mutex_, ocsp_cache_, key, Bytes{}, now + kStaplingRetryAfter, now);
    return std::nullopt;
  }
  if (fetched->answer.status != RevocationCheck::Status::Unknown) {
    cache_store(mutex_, ocsp_cache_, key, fetched->der,
                fetched->answer.next_update.value_or(now + kLifetimeWithoutNextUpdate), now);
  }
  return std::move(fetched->der);
}

RevocationChecker::CrlSet RevocationChecker::crls_for(
    std::span<const pki::Certificate> certificates, const RevocationPolicy& policy,
    pki::TimePoint now, FetchBudget* budget) {
  CrlSet set;
  for (std::size_t i = 0; i < policy.crls.size(); ++i) {
    auto crls = parse_crls(policy.crls[i]);
    if (crls.empty()) {
      set.unavailable.push_back("CRL file " + std::to_string(i + 1) +
                                " handed in could not be read (neither PEM nor DER)");
    }
    for (auto& crl : crls) set.crls.push_back(std::move(crl));
  }
  if (!policy.fetch_distribution_points) return set;

  std::set<std::string> done;
  for (const auto& certificate : certificates) {
    for (const auto& urls : distribution_point_urls(certificate)) {
      std::vector<std::string> misses;
      bool have = false;
      for (const auto& url : urls) {
        if (done.contains(url)) {
          have = true;
          break;
        }
        if (!starts_with_scheme(url, "http://")) {
          misses.push_back("CRL " + url + " not fetched: only http:// distribution points are");
          continue;
        }
        Bytes der;
        if (auto cached = cache_lookup(mutex_, crl_cache_, url, now)) {
          der = std::move(*cached);
        } else if (budget != nullptr && !budget->take()) {
          misses.push_back("CRL " + url + " not fetched: " + budget->exhausted());
          continue;
        } else if (auto body = http_get(url, options_.timeout, options_.max_response_bytes)) {
          der = std::move(*body);
        } else {
          misses.push_back("CRL " + url + " could not be fetched: " + body.error().message);
          continue;
        }
        auto crls = parse_crls(der);
        if (crls.empty()) {
          misses.push_back("CRL " + url + " could not be fetched: the answer is not a CRL");
          continue;
        }
        for (auto& crl : crls) {
          const ASN1_TIME* next_update = X509_CRL_get0_nextUpdate(crl.get());
          // RFC 5280 §5.1.2.5: a CRL without nextUpdate is not cached.
          if (next_update != nullptr) {
            cache_store(mutex_, crl_cache_, url, der, to_time_point(next_update), now);
          }
          set.crls.push_back(std::move(crl));
        }
        done.insert(url);
        have = true;
        break;
      }
      if (!have) set.unavailable.insert(set.unavailable.end(), misses.begin(), misses.end());
    }
  }
  return set;
}

}  // namespace telecert::verify
