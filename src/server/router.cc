#include "server/router.h"

#include <algorithm>

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
      if (value.empty()) return false;
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

void Router::add(Route route) { routes_.push_back(std::move(route)); }

std::optional<Router::Match> Router::match(http::verb method, std::string_view path,
                                           std::vector<http::verb>* allowed) const {
  std::map<std::string, std::string> parameters;
  for (const auto& route : routes_) {
    if (!matches(route.pattern, path, parameters)) continue;
    if (route.method == method) return Match{&route, std::move(parameters)};
    if (allowed != nullptr &&
        std::find(allowed->begin(), allowed->end(), route.method) == allowed->end()) {
      allowed->push_back(route.method);
    }
  }
  return std::nullopt;
}

}  // namespace telecert::server
