#include "support/https_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace telecert::testing {
namespace {

struct Transfer {
  HttpsResponse* response;
  std::string_view upload;
  std::size_t upload_offset = 0;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<Transfer*>(user)->response->body.append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& headers = static_cast<Transfer*>(user)->response->headers;
  std::string_view line(data, size * count);
  // A new status line (after 100 Continue, or a redirect): forget the earlier headers.
  if (line.starts_with("HTTP/")) headers.clear();
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    auto [it, inserted] = headers.emplace(name, std::string(value));
    if (!inserted) it->second += ", " + std::string(value);
  }
  return size * count;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t left = transfer->upload.size() - transfer->upload_offset;
  const std::size_t n = std::min(left, size * count);
  std::copy_n(transfer->upload.data() + transfer->upload_offset, n, buffer);
  transfer->upload_offset += n;
  return n;
}

}  // namespace

std::string HttpsResponse::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

nlohmann::json HttpsResponse::json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

HttpsClient::HttpsClient(int port, std::string ca_pem) : port_(port), ca_pem_(std::move(ca_pem)) {
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
  curl_easy_setopt(static_cast<CURL*>(curl_), CURLOPT_COOKIEFILE, "");
}

HttpsClient::~HttpsClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

void HttpsClient::clear_session() {
  curl_easy_setopt(static_cast<CURL*>(curl_), CURLOPT_COOKIELIST, "ALL");
  csrf_token_.clear();
}

void HttpsClient::new_connection() {
  // A fresh handle keeps the cookies (exported and imported again) but no connection.
  auto* old_handle = static_cast<CURL*>(curl_);
  curl_slist* cookies = nullptr;
  curl_easy_getinfo(old_handle, CURLINFO_COOKIELIST, &cookies);
  curl_easy_cleanup(old_handle);
  auto* handle = curl_easy_init();
  if (handle == nullptr) throw std::runtime_error("curl_easy_init failed");
  curl_easy_setopt(handle, CURLOPT_COOKIEFILE, "");
  for (auto* cookie = cookies; cookie != nullptr; cookie = cookie->next) {
    curl_easy_setopt(handle, CURLOPT_COOKIELIST, cookie->data);
  }
  curl_slist_free_all(cookies);
  curl_ = handle;
}

HttpsResponse HttpsClient::request(std::string_view method, std::string_view path,
                                   std::string_view body,
                                   const std::map<std::string, std::string>& headers) {
  auto* curl = static_cast<CURL*>(curl_);
  HttpsResponse response;
  Transfer transfer{&response, body};
  const std::string url = "https://127.0.0.1:" + std::to_string(port_) + std::string(path);
  const std::string method_text(method);

  curl_slist* header_list = nullptr;
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "content-type") has_content_type = true;
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
  }
  if (!body.empty() && !has_content_type) {
    header_list = curl_slist_append(header_list, "Content-Type: application/json");
  }
  if (!bearer_.empty()) {
    header_list = curl_slist_append(header_list, ("Authorization: Bearer " + bearer_).c_str());
  }
  const bool write = method != "GET" && method != "HEAD";
  if (write && send_csrf_ && !csrf_token_.empty() && !headers.contains("X-CSRF-Token")) {
    header_list = curl_slist_append(header_list, ("X-CSRF-Token: " + csrf_token_).c_str());
  }

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  if (body.empty() && !write) {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 0L);
    curl_easy_setopt(curl, CURLOPT_POST, 0L);
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  } else {
    // A streamed POST body with a known size, so uploaded_bytes tells how much the server took.
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 60000L);
  curl_easy_setopt(curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_MAX_SEND_SPEED_LARGE, static_cast<curl_off_t>(max_send_speed_));
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
  if (ca_pem_.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  } else {
    curl_blob blob{ca_pem_.data(), ca_pem_.size(), CURL_BLOB_COPY};
    curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }

  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(header_list);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_off_t uploaded = 0;
  curl_easy_getinfo(curl, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  response.uploaded_bytes = static_cast<std::int64_t>(uploaded);
  curl_certinfo* certificates = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &certificates) == CURLE_OK &&
      certificates != nullptr && certificates->num_of_certs > 0) {
    for (auto* field = certificates->certinfo[0]; field != nullptr; field = field->next) {
      const std::string_view text(field->data);
      if (text.starts_with("Cert:")) response.peer_certificate_pem = std::string(text.substr(5));
    }
  }
  if (code != CURLE_OK) response.error = curl_easy_strerror(code);
  return response;
}

HttpsResponse HttpsClient::login(std::string_view user, std::string_view password) {
  auto response = post("/api/v1/session", {{"username", user}, {"password", password}});
  if (response.status == 200) {
    const auto json = response.json();
    if (json.is_object() && json.contains("csrf_token")) {
      csrf_token_ = json["csrf_token"].get<std::string>();
    }
  }
  return response;
}

}  // namespace telecert::testing
