// The reachability check of the OCSP responders a TLS context names (see context_references.h).
//
// The check sends a real, well-formed OCSP request (RFC 6960 §4.1, over HTTP POST as in appendix
// A.1) about a made-up certificate and waits for an OCSP answer: HTTP 200 with Content-Type
// application/ocsp-response (whatever the OCSP status inside, "unknown" for this request). A bare
// TCP connect would do for most responders, but OpenSSL 3.0's own `openssl ocsp` responder spins on
// a connection closed without a request, and exits on a malformed one; a proper request gets it to
// answer "unknown" and carry on.
#include <curl/curl.h>
#include <openssl/ocsp.h>

#include <cctype>
#include <memory>

#include "pki/ossl.h"
#include "service/context_references.h"

namespace telecert::service::detail {
namespace {

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// DER of an OCSP request for serial 1 of a made-up issuer: nobody's certificate.
Result<std::string> probe_request() {
  pki::Owned<X509_NAME> issuer(X509_NAME_new());
  pki::Owned<ASN1_BIT_STRING> issuer_key(ASN1_BIT_STRING_new());
  pki::Owned<ASN1_INTEGER> serial(ASN1_INTEGER_new());
  static constexpr unsigned char kKey[] = "telecert responder reachability check";
  if (!issuer || !issuer_key || !serial ||
      X509_NAME_add_entry_by_txt(issuer.get(), "CN", MBSTRING_ASC, kKey, -1, -1, 0) != 1 ||
      ASN1_BIT_STRING_set(issuer_key.get(), const_cast<unsigned char*>(kKey),
                          static_cast<int>(sizeof kKey - 1)) != 1 ||
      ASN1_INTEGER_set(serial.get(), 1) != 1) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "building an OCSP request"));
  }
  pki::Owned<OCSP_REQUEST> request(OCSP_REQUEST_new());
  OCSP_CERTID* id = OCSP_cert_id_new(EVP_sha1(), issuer.get(), issuer_key.get(), serial.get());
  if (!request || id == nullptr || OCSP_request_add0_id(request.get(), id) == nullptr) {
    OCSP_CERTID_free(id);
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "building an OCSP request"));
  }
  const Bytes der = pki::encode_der(request.get(), i2d_OCSP_REQUEST);
  if (der.empty()) {
    return std::unexpected(pki::openssl_error(ErrorCode::Internal, "encoding an OCSP request"));
  }
  return std::string(der.begin(), der.end());
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// An OCSP responder answers a request with HTTP 200 and Content-Type application/ocsp-response
// (RFC 6960 appendix A.1 and RFC 5019 §5): a web server's 404 or 501, or an HTML page, is not one.
Result<void> answer_is_ocsp(CURL* handle, const std::string& url) {
  long status = 0;
  char* type = nullptr;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(handle, CURLINFO_CONTENT_TYPE, &type);
  std::string content_type = type != nullptr ? lower(type) : std::string();
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.pop_back();
  if (status == 200 && content_type == "application/ocsp-response") return {};
  const std::string answered =
      "HTTP status " + std::to_string(status) + " with " +
      (type != nullptr ? "content type " + in_quotes(type) : std::string("no content type"));
  return fail(ErrorCode::InvalidArgument,
              "the OCSP responder URL " + in_quotes(url) +
                  " is answered by something that is not an OCSP responder: " + answered +
                  " (an OCSP responder answers HTTP 200 with application/ocsp-response)",
              "check the URL's path (and port): it must be the OCSP responder's own URL, as in "
              "the certificates' Authority Information Access");
}

}  // namespace

Result<void> check_responder_answers(const std::string& url, std::chrono::milliseconds timeout) {
  auto body = probe_request();
  if (!body) return std::unexpected(body.error());
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, "Content-Type: application/ocsp-request"), &curl_slist_free_all);
  if (!curl || !headers) {
    return fail(ErrorCode::Internal, "cannot start an HTTP client for the OCSP check",
                "this is a telecert bug or the machine is out of memory");
  }
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body->data());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &discard);
  // Only liveness is checked here and nothing received is used; revocation checks verify the
  // responder's signature (and TLS, for https) when they ask for real.
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
  const CURLcode result = curl_easy_perform(handle);
  if (result == CURLE_OK) return answer_is_ocsp(handle, url);
  const std::string waited = timeout.count() % 1000 == 0
                                 ? std::to_string(timeout.count() / 1000) + " s"
                                 : std::to_string(timeout.count()) + " ms";
  std::string why;
  switch (result) {
    case CURLE_COULDNT_RESOLVE_HOST:
      why = "its host name cannot be resolved";
      break;
    case CURLE_COULDNT_CONNECT:
      why = "nothing accepts a connection there";
      break;
    case CURLE_OPERATION_TIMEDOUT:
      why = "no answer within " + waited;
      break;
    default:
      why = curl_easy_strerror(result);
  }
  return fail(ErrorCode::InvalidArgument,
              "the OCSP responder " + in_quotes(url) + " does not answer: " + why,
              "start the OCSP responder, or check the URL (host and port) and the network path "
              "to it");
}

}  // namespace telecert::service::detail
