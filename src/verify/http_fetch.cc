#include "verify/http_fetch.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace telecert::verify {

namespace {

struct CurlEasyFree {
  void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};
struct CurlListFree {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyFree>;
using CurlList = std::unique_ptr<curl_slist, CurlListFree>;

constexpr long kMaxRedirects = 3;

void initialise_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  Bytes body;
  std::size_t max_bytes = 0;
  bool too_large = false;
};

// libcurl's write callback: appends, or aborts the transfer (returning less than given) once the
// body would exceed the cap.
extern "C" std::size_t append_to_sink(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t length = size * count;
  if (sink->body.size() + length > sink->max_bytes) {
    sink->too_large = true;
    return 0;
  }
  sink->body.insert(sink->body.end(), data, data + length);
  return length;
}

Error unreachable(const std::string& url, const std::string& reason) {
  return Error{ErrorCode::Unreachable, "could not fetch " + url + ": " + reason,
               "check that the server is reachable from this device (address, port, firewall) "
               "and that it answers"};
}

Result<Bytes> transfer(const std::string& url, std::chrono::milliseconds timeout,
                       std::size_t max_bytes, const std::string* content_type, ByteView body) {
  initialise_curl_once();
  CurlEasy curl(curl_easy_init());
  if (!curl) return std::unexpected(unreachable(url, "libcurl could not start a transfer"));
  CURL* handle = curl.get();

  Sink sink;
  sink.max_bytes = max_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {};
  CurlList headers;

  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(handle, CURLOPT_MAXREDIRS, kMaxRedirects);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  // Revocation fetches go direct: a proxy from the environment is not used.
  curl_easy_setopt(handle, CURLOPT_PROXY, "");
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "telecert");
  curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, append_to_sink);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  if (content_type != nullptr) {
    headers.reset(curl_slist_append(nullptr, ("Content-Type: " + *content_type).c_str()));
    // No "Expect: 100-continue" round trip for small bodies.
    headers.reset(curl_slist_append(headers.release(), "Expect:"));
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }

  const CURLcode code = curl_easy_perform(handle);
  if (sink.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return std::unexpected(
        unreachable(url, "the answer is larger than " + std::to_string(max_bytes) + " bytes"));
  }
  if (code != CURLE_OK) {
    const std::string reason = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    return std::unexpected(unreachable(url, reason));
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    return std::unexpected(unreachable(url, "the server answered HTTP " + std::to_string(status)));
  }
  return std::move(sink.body);
}

}  // namespace

Result<Bytes> http_get(const std::string& url, std::chrono::milliseconds timeout,
                       std::size_t max_bytes) {
  return transfer(url, timeout, max_bytes, nullptr, {});
}

Result<Bytes> http_post(const std::string& url, std::string_view content_type, ByteView body,
                        std::chrono::milliseconds timeout, std::size_t max_bytes) {
  const std::string type(content_type);
  return transfer(url, timeout, max_bytes, &type, body);
}

}  // namespace telecert::verify
