// Private to tls/: small text helpers shared by the context definition's parser and its checks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace telecert::tls::detail {

inline std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

inline std::unexpected<Error> invalid(std::string message, std::string hint) {
  return fail(ErrorCode::InvalidArgument, std::move(message), std::move(hint));
}

// The non-empty parts of `text` between any of `separators` ("a:b,,c" -> a, b, c).
inline std::vector<std::string> split(std::string_view text, std::string_view separators) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find_first_of(separators, start);
    const std::string_view part =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!part.empty()) parts.emplace_back(part);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace telecert::tls::detail
