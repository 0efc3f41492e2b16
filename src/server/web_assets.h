// The files of the web UI (src/web/) and the OpenAPI document (src/server/openapi.json), embedded
// in the binary at build time (cmake/embed_files.cmake), so the daemon serves them without any
// file on disk and without an npm build step.
#pragma once

#include <cstddef>
#include <string_view>

namespace telecert::server {

struct Asset {
  std::string_view path;          // "index.html", "app.js", "openapi.json"
  std::string_view content_type;  // from the file's extension
  std::string_view body;
};

// The embedded file at `path` (relative, no leading slash); nullptr when there is none.
const Asset* find_asset(std::string_view path);
// The OpenAPI 3 document of the REST API (served at /api/v1/openapi.json).
std::string_view openapi_document();

namespace detail {
struct EmbeddedFile {
  const char* path;
  std::string_view bytes;
};
extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;
}  // namespace detail

}  // namespace telecert::server
