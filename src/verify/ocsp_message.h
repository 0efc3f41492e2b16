// OCSP messages (RFC 6960): the request we send and the judgement of a response we receive
// (from a responder or stapled by a TLS server). Used by RevocationChecker (revocation.h).
//
// Thread-safety: free functions without shared state.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/error.h"
#include "pki/certificate.h"
#include "pki/ossl.h"
#include "verify/report.h"

namespace telecert::verify::ocsp {

// Clock skew tolerated on thisUpdate / nextUpdate (RFC 6960 §4.2.2.1 leaves it to the client).
inline constexpr std::chrono::minutes kClockLeeway{5};

// The CertID of `subject` (RFC 6960 §4.1.1) with SHA-1 hashes of the issuer's name and key,
// which is what responders index by. Null only when OpenSSL fails.
pki::Owned<OCSP_CERTID> certificate_id(const pki::Certificate& subject,
                                       const pki::Certificate& issuer,
                                       const EVP_MD* digest = EVP_sha1());

// A stable cache key for `id`: hex of the issuer key hash and of the serial number.
std::string cache_key(const OCSP_CERTID* id);

struct Request {
  pki::Owned<OCSP_REQUEST> request;  // kept to compare the nonce of the answer
  Bytes der;                         // the body of the POST (application/ocsp-request)
};
// A request for `id` carrying a random nonce (RFC 6960 §4.4.1, RFC 8954 length 32).
[[nodiscard]] Result<Request> make_request(const OCSP_CERTID* id);

// A response that passed every check of judge_response().
struct Answer {
  RevocationCheck::Status status = RevocationCheck::Status::Unknown;  // the responder's word
  std::optional<pki::TimePoint> revoked_at;
  std::string reason;  // CRL reason of a revocation ("keyCompromise"), empty when none given
  pki::TimePoint this_update{};
  std::optional<pki::TimePoint> next_update;
};

// Judges the DER response `der` about `subject` (issued by `issuer`) at `now`:
//  - responseStatus successful (§4.2.1) and a basic response;
//  - when `request` is given and the response echoes a nonce, it must be ours (§4.4.1); a
//    response without a nonce is accepted (many responders pre-sign answers);
//  - signed by `issuer` itself, or by a delegated responder certificate that `issuer` issued
//    and that carries id-kp-OCSPSigning (§4.2.2.2), valid at `now`;
//  - a single response for our CertID (SHA-1, or SHA-256 as some stapling servers send);
//  - thisUpdate <= now + leeway and, when present, now - leeway <= nextUpdate (§4.2.2.1),
//    checked against the injected `now`, not the wall clock.
// The certificate status itself (good / revoked / unknown) is in the Answer. Failures are
// MalformedInput (not an OCSP response) or Unreachable (the responder answered badly) with the
// reason in the message.
[[nodiscard]] Result<Answer> judge_response(ByteView der, const pki::Certificate& subject,
                                            const pki::Certificate& issuer,
                                            const OCSP_REQUEST* request, pki::TimePoint now);

}  // namespace telecert::verify::ocsp
