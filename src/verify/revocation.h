// Revocation answers for a chain: OCSP (RFC 6960) and CRLs (RFC 5280 §5).
//
// OCSP: the request carries a nonce; the response's signature (by the issuer or a delegated
// responder with id-kp-OCSPSigning), its nonce (when the responder echoes one) and its
// thisUpdate/nextUpdate window are checked; good answers are cached by (issuer, serial) until
// nextUpdate. A stapled response is used first when present. Responder URLs: the policy's
// primary then secondary, else the certificate's AIA.
// CRLs: the policy's own (a file) and, when asked, those at the certificate's CRL distribution
// points (http:// only), cached until nextUpdate. The CRLs themselves are checked by OpenSSL
// during path validation (verify.h), so scope, signature and freshness follow RFC 5280.
//
// Threading: a RevocationChecker may be shared between threads (its cache has a mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "pki/certificate.h"
#include "pki/ossl.h"
#include "verify/report.h"

namespace telecert::verify {

// AudioCodes' "OCSP Default Response": what an unknown answer means.
enum class WhenUnknown { Reject, Accept };

struct RevocationPolicy {
  bool ocsp = false;
  std::vector<std::string> ocsp_urls;  // primary, secondary; empty: the certificate's AIA
  bool crl = false;
  std::vector<Bytes> crls;  // CRLs handed in (a file's contents), PEM or DER
  bool fetch_distribution_points = true;
  WhenUnknown when_unknown = WhenUnknown::Reject;
  std::optional<Bytes> stapled_ocsp_response;  // DER, for the peer's own certificate

  bool enabled() const { return ocsp || crl; }
};

// How many URLs one verify() call may still fetch: CRL downloads and OCSP requests together
// (answers from the cache and stapled answers cost nothing). Revocation data is fetched while a
// handshake waits, at URLs the certificates name, so this bounds both how long a chain can hold
// a handshake up (at most `limit` timeouts) and how many requests it can make the device send.
// Not thread-safe: one per verify() call.
class FetchBudget {
 public:
  explicit FetchBudget(std::size_t limit) : limit_(limit) {}
  // True, and one fetch fewer left, when a fetch may still be made.
  bool take() {
    if (used_ >= limit_) return false;
    ++used_;
    return true;
  }
  std::size_t limit() const { return limit_; }
  // Why a URL was left alone: "a verification fetches at most 8 URLs (CRLs and OCSP together)".
  std::string exhausted() const;

 private:
  std::size_t limit_;
  std::size_t used_ = 0;
};

class RevocationChecker {
 public:
  struct Options {
    std::chrono::milliseconds timeout{5000};   // per HTTP request
    std::size_t max_response_bytes = 4 << 20;  // larger answers are refused
    std::size_t max_fetches = 8;               // URLs per verify() call, see FetchBudget
  };
  RevocationChecker() : RevocationChecker(Options{}) {}
  explicit RevocationChecker(Options options);
  const Options& options() const { return options_; }

  // The OCSP status of `subject`, issued by `issuer`, at `now`. `stapled` (DER) is tried first
  // when given. Never fails: a responder that cannot be reached, a bad signature, a stale or
  // mismatched answer are Status::Unknown with the reason in `detail`. Each responder asked
  // takes one fetch from `budget` (nullptr: no limit); one left unasked for want of budget is a
  // failure like the others.
  RevocationCheck check_ocsp(const pki::Certificate& subject, const pki::Certificate& issuer,
                             const RevocationPolicy& policy, std::optional<ByteView> stapled,
                             pki::TimePoint now, FetchBudget* budget = nullptr);

  // Server side (OCSP stapling): a fresh DER OCSP response for our own `subject`, from the cache
  // or the policy's responder / the AIA; nullopt when none can be had (the handshake then goes on
  // without a staple).
  std::optional<Bytes> response_to_staple(const pki::Certificate& subject,
                                          const pki::Certificate& issuer,
                                          const RevocationPolicy& policy, pki::TimePoint now);

  struct CrlSet {
    std::vector<pki::Owned<X509_CRL>> crls;
    std::vector<std::string> unavailable;  // "CRL http://... could not be fetched: ..." per miss
  };
  // The CRLs that may cover `certificates`: the policy's own, and (when fetch_distribution_points)
  // those named by each certificate's CRL distribution points, from the cache while fresh. Each
  // download takes one fetch from `budget` (nullptr: no limit); a URL left alone for want of
  // budget is listed in `unavailable`. No certificates: the policy's own CRLs only, no network.
  CrlSet crls_for(std::span<const pki::Certificate> certificates, const RevocationPolicy& policy,
                  pki::TimePoint now, FetchBudget* budget = nullptr);

 private:
  Options options_;
  std::mutex mutex_;                                                    // guards the two caches
  std::map<std::string, std::pair<Bytes, pki::TimePoint>> ocsp_cache_;  // key -> (DER, nextUpdate)
  std::map<std::string, std::pair<Bytes, pki::TimePoint>> crl_cache_;   // URL -> (DER, nextUpdate)
};

}  // namespace telecert::verify
