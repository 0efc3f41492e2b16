#include "verify/ocsp_message.h"

#include <ctime>

namespace telecert::verify::ocsp {

namespace {

pki::TimePoint to_time_point(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return pki::TimePoint{};
  return pki::TimePoint{std::chrono::seconds{timegm(&parts)}};
}

std::string format_time(pki::TimePoint time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

std::string hex(const ASN1_STRING* value) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string text;
  if (value == nullptr) return text;
  const unsigned char* data = ASN1_STRING_get0_data(value);
  for (int i = 0; i < ASN1_STRING_length(value); ++i) {
    text += kDigits[data[i] >> 4];
    text += kDigits[data[i] & 0x0F];
  }
  return text;
}

// RFC 6960 §4.2.2.2: the issuer signs, or a responder certificate it issued for OCSP signing.
// The issuer is the only trust anchor (PARTIAL_CHAIN): its own path is validated elsewhere.
// OCSP_NOEXPLICIT: no fallback to "the root is explicitly trusted for OCSP signing".
Result<void> verify_signature(OCSP_BASICRESP* basic, const pki::Certificate& issuer,
                              pki::TimePoint now) {
  pki::Owned<X509_STORE> store(X509_STORE_new());
  pki::Owned<STACK_OF(X509)> issuer_only(sk_X509_new_null());
  if (!store || !issuer_only || X509_STORE_add_cert(store.get(), issuer.get()) != 1 ||
      X509_up_ref(issuer.get()) != 1) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "cannot set up OCSP checks"));
  }
  if (sk_X509_push(issuer_only.get(), issuer.get()) <= 0) {
    X509_free(issuer.get());
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "cannot set up OCSP checks"));
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()),
                             static_cast<time_t>(now.time_since_epoch().count()));
  if (OCSP_basic_verify(basic, issuer_only.get(), store.get(),
                        OCSP_PARTIAL_CHAIN | OCSP_NOEXPLICIT) != 1) {
    return std::unexpected(pki::openssl_error(
        ErrorCode::Unreachable,
        "the answer is not signed by '" + issuer.subject() +
            "' nor by a responder certificate it issued for OCSP signing",
        "check the responder's signing certificate (it needs the OCSPSigning extended key "
        "usage and must be issued by the certificate's issuer)"));
  }
  return {};
}

}  // namespace

pki::Owned<OCSP_CERTID> certificate_id(const pki::Certificate& subject,
                                       const pki::Certificate& issuer, const EVP_MD* digest) {
  pki::Owned<OCSP_CERTID> id(OCSP_cert_to_id(digest, subject.get(), issuer.get()));
  if (!id) pki::drain_openssl_errors();
  return id;
}

std::string cache_key(const OCSP_CERTID* id) {
  ASN1_OCTET_STRING* key_hash = nullptr;
  ASN1_INTEGER* serial = nullptr;
  // OCSP_id_get0_info only reads; its parameter lacks const in OpenSSL 3.0.
  OCSP_id_get0_info(nullptr, nullptr, &key_hash, &serial, const_cast<OCSP_CERTID*>(id));
  return hex(key_hash) + ":" + hex(serial);
}

Result<Request> make_request(const OCSP_CERTID* id) {
  Request result{pki::Owned<OCSP_REQUEST>(OCSP_REQUEST_new()), {}};
  pki::Owned<OCSP_CERTID> copy(OCSP_CERTID_dup(id));
  if (!result.request || !copy ||
      OCSP_request_add0_id(result.request.get(), copy.get()) == nullptr) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "cannot build an OCSP request"));
  }
  (void)copy.release();  // owned by the request now
  // A nonce of OpenSSL's default length (16 bytes, within RFC 8954's 1..32).
  if (OCSP_request_add1_nonce(result.request.get(), nullptr, -1) != 1) {
    return std::unexpected(
        pki::openssl_error(ErrorCode::Internal, "cannot add a nonce to the OCSP request"));
  }
  result.der = pki::encode_der(result.request.get(), i2d_OCSP_REQUEST);
  if (result.der.empty()) {
    return std::unexpected(
        pki::openssl_error(ErrorCode::Internal, "cannot encode the OCSP request"));
  }
  return result;
}

Result<Answer> judge_response(ByteView der, const pki::Certificate& subject,
                              const pki::Certificate& issuer, const OCSP_REQUEST* request,
                              pki::TimePoint now) {
  const unsigned char* cursor = der.data();
  pki::Owned<OCSP_RESPONSE> response(
      d2i_OCSP_RESPONSE(nullptr, &cursor, static_cast<long>(der.size())));
  if (!response || cursor != der.data() + der.size()) {
    return std::unexpected(pki::openssl_error(ErrorCode::MalformedInput,
                                              "the answer is not an OCSP response",
                                              "check that the URL points at an OCSP responder"));
  }
  const int response_status = OCSP_response_status(response.get());
  if (response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    return fail(ErrorCode::Unreachable,
                std::string("the responder refused the request (") +
                    OCSP_response_status_str(response_status) + ")",
                "check that the responder serves certificates of this issuer");
  }
  pki::Owned<OCSP_BASICRESP> basic(OCSP_response_get1_basic(response.get()));
  if (!basic) {
    return std::unexpected(
        pki::openssl_error(ErrorCode::MalformedInput, "the OCSP answer carries no basic response"));
  }
  // RFC 6960 §4.4.1: a nonce that is echoed must be ours; a missing one (-1) is accepted.
  // OCSP_check_nonce only reads the request; its parameter lacks const in OpenSSL 3.0.
  if (request != nullptr &&
      OCSP_check_nonce(const_cast<OCSP_REQUEST*>(request), basic.get()) == 0) {
    pki::drain_openssl_errors();
    return fail(ErrorCode::Unreachable,
                "the nonce in the answer does not match the request (a replayed or misdirected "
                "answer)",
                "check that nothing between this device and the responder caches OCSP answers");
  }
  TELECERT_RETURN_IF_ERROR(verify_signature(basic.get(), issuer, now));

  int status = -1;
  int reason = -1;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  bool found = false;
  for (const EVP_MD* digest : {EVP_sha1(), EVP_sha256()}) {
    auto id = certificate_id(subject, issuer, digest);
    if (id && OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at,
                                    &this_update, &next_update) == 1) {
      found = true;
      break;
    }
  }
  pki::drain_openssl_errors();
  if (!found) {
    return fail(ErrorCode::Unreachable,
                "the OCSP answer is not about the certificate '" + subject.subject() + "'",
                "check that the responder serves certificates of this issuer");
  }

  Answer answer;
  answer.this_update = to_time_point(this_update);
  if (next_update != nullptr) answer.next_update = to_time_point(next_update);
  // RFC 6960 §4.2.2.1, at the injected time (OCSP_check_validity would read the wall clock).
  if (this_update == nullptr || answer.this_update > now + kClockLeeway) {
    return fail(ErrorCode::Unreachable,
                "the OCSP answer is dated in the future (thisUpdate " +
                    format_time(answer.this_update) + ")",
                "check the clocks of this device and of the responder");
  }
  if (answer.next_update && *answer.next_update + kClockLeeway < now) {
    return fail(ErrorCode::Unreachable,
                "the OCSP answer is stale: its nextUpdate " + format_time(*answer.next_update) +
                    " has passed",
                "check that the responder has fresh answers, and this device's clock");
  }
  switch (status) {
    case V_OCSP_CERTSTATUS_GOOD:
      answer.status = RevocationCheck::Status::Good;
      break;
    case V_OCSP_CERTSTATUS_REVOKED:
      answer.status = RevocationCheck::Status::Revoked;
      if (revoked_at != nullptr) answer.revoked_at = to_time_point(revoked_at);
      if (reason != OCSP_REVOKED_STATUS_NOSTATUS) answer.reason = OCSP_crl_reason_str(reason);
      break;
    default:
      answer.status = RevocationCheck::Status::Unknown;
      break;
  }
  return answer;
}

}  // namespace telecert::verify::ocsp
