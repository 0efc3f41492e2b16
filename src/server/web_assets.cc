#include "server/web_assets.h"

#include <map>
#include <string>

namespace telecert::server {
namespace {

std::string_view content_type_for(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view extension = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (extension == "html") return "text/html; charset=utf-8";
  if (extension == "js") return "text/javascript; charset=utf-8";
  if (extension == "css") return "text/css; charset=utf-8";
  if (extension == "json") return "application/json";
  if (extension == "svg") return "image/svg+xml";
  if (extension == "png") return "image/png";
  if (extension == "ico") return "image/x-icon";
  return "application/octet-stream";
}

const std::map<std::string, Asset, std::less<>>& assets() {
  static const auto table = [] {
    std::map<std::string, Asset, std::less<>> built;
    for (std::size_t i = 0; i < detail::kEmbeddedFileCount; ++i) {
      const auto& file = detail::kEmbeddedFiles[i];
      built.emplace(file.path, Asset{file.path, content_type_for(file.path), file.bytes});
    }
    return built;
  }();
  return table;
}

}  // namespace

const Asset* find_asset(std::string_view path) {
  const auto it = assets().find(path);
  return it == assets().end() ? nullptr : &it->second;
}

std::string_view openapi_document() {
  const Asset* asset = find_asset("openapi.json");
  return asset == nullptr ? std::string_view() : asset->body;
}

}  // namespace telecert::server
