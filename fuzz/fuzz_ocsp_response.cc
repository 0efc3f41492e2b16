// libFuzzer target: verify::ocsp::judge_response, the judgement of an OCSP response from a
// responder or stapled by a TLS server (RFC 6960): DER decoding, response status, nonce, signature
// by the issuer or a delegated responder, the single response for our CertID, and the
// thisUpdate/nextUpdate window at a fixed time.
//
// Seeds (fuzz/corpus/fuzz_ocsp_response/) are  answers about the two certificates
// below, made with the CA and a delegated signer whose keys are thrown away: good (delegated
// signer, with a nonce), good (signed by the CA), revoked (responder named by key ID), and a bare
// tryLater status. They stay fresh at kNow (nextUpdate is a century later).
#include <openssl/err.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "pki/certificate.h"
#include "pki/file_decoder.h"
#include "verify/ocsp_message.h"

namespace {

using namespace telecert;

constexpr std::string_view kIssuer = R"(-----BEGIN CERTIFICATE-----
MIIBlDCCATugAwIBAgIUVvZ+7YPeeQd6o6Db9BLcjJ2eFPEwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMRnV6eiBPQ1NQIENBMCAXDTI2MTEyMzEzMjU1MloYDzIxMjYx
MDMwMTMyNTUyWjAXMRUwEwYDVQQDDAxGdXp6IE9DU1AgQ0EwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAATZsjf94e83M3HvLmXFy271lsV3dGSlf/S461w/2DgIBR63
3AOWy9TTL1fXOs2UqL03DyvYt33Y910OaN2tJlYeo2MwYTAdBgNVHQ4EFgQUpU8P
LulMvOZ1tzL+pRzAC9VjJ2AwHwYDVR0jBBgwFoAUpU8PLulMvOZ1tzL+pRzAC9Vj
J2AwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwID
RwAwRAIgQp/8lVsPZ5T8zDdfXiGb8GgJkib7TuuVtAzw8epCoMACIFEDteQcefwU
URJcHcYPqrIHpvGT5lS4yI+XcbTWHWL6
-----END CERTIFICATE-----
)";
constexpr std::string_view kGood = R"(-----BEGIN CERTIFICATE-----
MIIBZzCCAQ2gAwIBAgIBEDAKBggqhkjOPQQDAjAXMRUwEwYDVQQDDAxGdXp6IE9D
U1AgQ0EwIBcNMjYwMTAxMDAwMDAwWhgPMjEyNjAxMDEwMDAwMDBaMA8xDTALBgNV
BAMMBGxlYWYwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR3A+PG7Q0Q5ltaJ3Jl
3HfRo+dRENF3I2F8wdrru1o9tGernbJnL8nfYVHAJE9nIWLIw+sYf4NVn3RIaEbS
y/3Ao1AwTjAMBgNVHRMBAf8EAjAAMB0GA1UdDgQWBBQROiuCbywPwCFvSUI2Xb0/
uC28tjAfBgNVHSMEGDAWgBSlTw8u6Uy85nW3Mv6lHMAL1WMnYDAKBggqhkjOPQQD
AgNIADBFAiEAzwB7zyu11v4zoBtW9etY0ZX79KeVvuYIz6/eKATGrk8CICgdxsLv
nQULCbNcwMQ25UfQ4C7tdJxFZDmnL0BxB0K7
-----END CERTIFICATE-----
)";
constexpr std::string_view kRevoked = R"(-----BEGIN CERTIFICATE-----
MIIBazCCARCgAwIBAgIBETAKBggqhkjOPQQDAjAXMRUwEwYDVQQDDAxGdXp6IE9D
U1AgQ0EwIBcNMjYwMTAxMDAwMDAwWhgPMjEyNjAxMDEwMDAwMDBaMBIxEDAOBgNV
BAMMB3Jldm9rZWQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQqcAHWWi6x/sbw
BC8GkmnwFzRvaL83dp7Qr1Xr0vtQdLd5uYWVe+a3xz4hScvM8qZpmjea7ueg0OiZ
bKFe2Vylo1AwTjAMBgNVHRMBAf8EAjAAMB0GA1UdDgQWBBTCsk21IHv+Dcb1ZmBu
+XoiEE+GmDAfBgNVHSMEGDAWgBSlTw8u6Uy85nW3Mv6lHMAL1WMnYDAKBggqhkjO
PQQDAgNJADBGAiEAwaGF27Qex+2AzXhdwKlsjbwa0d3an6lHeVUH+F71//gCIQD0
Y1eXtnNP+S/kLaSeZfwioHCYlEP05PyWdtIubistVw==
-----END CERTIFICATE-----
)";

const pki::TimePoint kNow{
    std::chrono::sys_days{std::chrono::year{2026} / 11 / 24}.time_since_epoch()};

pki::Certificate load(std::string_view pem) {
  auto certificates = pki::read_certificates(as_bytes(pem));
  if (!certificates || certificates->empty()) std::abort();
  return certificates->front();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const pki::Certificate issuer = load(kIssuer);
  static const pki::Certificate good = load(kGood);
  static const pki::Certificate revoked = load(kRevoked);
  static const auto request = [] {
    auto id = verify::ocsp::certificate_id(good, issuer);
    auto made = verify::ocsp::make_request(id.get());
    if (!made) std::abort();
    return std::move(*made);
  }();

  const ByteView der(data, size);
  for (const pki::Certificate* subject : {&good, &revoked}) {
    auto answer = verify::ocsp::judge_response(der, *subject, issuer, nullptr, kNow);
    if (answer && answer->status == verify::RevocationCheck::Status::Revoked && subject == &good) {
      std::abort();  // the CA never revoked this one: a forged answer got through
    }
  }
  // With our request: an echoed nonce must be ours.
  (void)verify::ocsp::judge_response(der, good, issuer, request.request.get(), kNow);

  // CONVENTIONS.md: the error queue is drained at the point of failure, never left behind.
  if (ERR_peek_error() != 0) {
    ERR_print_errors_fp(stderr);
    std::abort();
  }
  return 0;
}
