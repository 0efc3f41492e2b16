#include "server/router.h"

#include <algorithm>
#include <limits>

namespace telecert::server {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of one path segment ('+' stays a plus in paths).
std::string decode_segment(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// RFC 3629 §4: well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (byte < 0x80) {
      ++i;
      continue;
    }
    if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      if (byte == 0xE0) low = 0xA0;
      if (byte == 0xED) high = 0x9F;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      if (byte == 0xF0) low = 0x90;
      if (byte == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return false;
    }
    i += length;
  }
  return true;
}

// Matches `path` against `pattern`, filling `parameters` on success.
bool matches(std::string_view pattern, std::string_view path,
             std::map<std::string, std::string>& parameters) {
  const auto want = segments(pattern);
  const auto have = segments(path);
  if (want.size() != have.size()) return false;
  // A trailing slash is a different resource ("/api/v1/identities/" is not the list).
  if (path.size() > 1 && path.back() == '/') return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      auto value = decode_segment(have[i]);
      if (value.empty() || !valid_utf8(value)) return false;
      found.emplace(std::string(want[i].substr(1, want[i].size() - 2)), std::move(value));
    } else if (want[i] != have[i]) {
      return false;
    }
  }
  parameters = std::move(found);
  return true;
}

}  // namespace

const std::string& RequestContext::parameter(const std::string& name) const {
  static const std::string kEmpty;
  const auto it = path_parameters_.find(name);
  return it == path_parameters_.end() ? kEmpty : it->second;
}

std::optional<std::string> RequestContext::query(std::string_view key) const {
  return query_parameter(std::string_view(request_.target().data(), request_.target().size()), key);
}

service::CertificateService& RequestContext::service() {
  if (!acting_service_) {
    acting_service_ =
        base_service_->with_actor(principal_ ? principal_->actor() : std::string("web:anonymous"));
  }
  return *acting_service_;
}

std::uint64_t body_limit(Body body, std::uint64_t max_upload_bytes) {
  if (body != Body::Upload) return kJsonBodyLimit;
  if (max_upload_bytes > (std::numeric_limits<std::uint64_t>::max() - kJsonBodyLimit) / 2) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return 2 * max_upload_bytes + kJsonBodyLimit;
}

void Router::add(Route route) {
  // A GET or DELETE takes no body: whatever comes along (at most kJsonBodyLimit) is ignored.
  if (route.method == http::verb::get || route.method == http::verb::delete_) {
    route.body = Body::None;
  }
  routes_.push_back(std::move(route));
}

std::optional<Router::Match> Router::match(http::verb method, std::string_view path,
                                           std::vector<http::verb>* allowed) const {
  std::map<std::string, std::string> parameters;
  const auto wanted = method == http::verb::head ? http::verb::get : method;
  for (const auto& route : routes_) {
    if (!matches(route.pattern, path, parameters)) continue;
    if (route.method == wanted) return Match{&route, std::move(parameters)};
    if (allowed != nullptr &&
        std::find(allowed->begin(), allowed->end(), route.method) == allowed->end()) {
      allowed->push_back(route.method);
    }
  }
  return std::nullopt;
}

}  // namespace telecert::server
