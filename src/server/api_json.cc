#include "server/api_json.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <charconv>
#include <climits>
#include <limits>
#include <memory>

namespace telecert::server::api {
namespace {

struct EncodeContextFree {
  void operator()(EVP_ENCODE_CTX* context) const noexcept { EVP_ENCODE_CTX_free(context); }
};
using EncodeContext = std::unique_ptr<EVP_ENCODE_CTX, EncodeContextFree>;

std::string quoted(std::string_view field) { return "'" + std::string(field) + "'"; }

std::unexpected<Error> bad_field(std::string_view field, std::string_view what) {
  return fail(ErrorCode::InvalidArgument, "field " + quoted(field) + " " + std::string(what),
              "see /api/v1/openapi.json for the request body");
}

// The field, or nullptr when it is absent or null.
const json* find_field(const json& body, std::string_view field) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::int64_t> parse_count(std::string_view text, std::string_view name) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return fail(ErrorCode::InvalidArgument,
                "query parameter " + quoted(name) + " is not a whole number",
                "give ?limit=N&offset=M with decimal numbers");
  }
  return value;
}

}  // namespace

Result<json> parse_object(const Request& request) { return parse_object(request.body()); }

Result<json> parse_object(std::string_view text) {
  struct TooDeep {};
  json body;
  try {
    body = json::parse(
        text,
        [](int depth, json::parse_event_t event, json&) {
          if ((event == json::parse_event_t::object_start ||
               event == json::parse_event_t::array_start) &&
              depth >= kMaxJsonDepth) {
            throw TooDeep{};
          }
          return true;
        },
        false);
  } catch (const TooDeep&) {
    return fail(ErrorCode::InvalidArgument,
                "the request body nests objects or arrays more than " +
                    std::to_string(kMaxJsonDepth) + " levels deep",
                "send a flat JSON object as described in /api/v1/openapi.json");
  }
  if (body.is_discarded()) {
    return fail(ErrorCode::InvalidArgument, "the request body is not valid JSON",
                "send a JSON object with Content-Type: application/json");
  }
  if (!body.is_object()) {
    return fail(ErrorCode::InvalidArgument, "the request body is not a JSON object",
                "send a JSON object such as {\"name\": \"...\"}");
  }
  return body;
}

Result<std::string> required_string(const json& body, std::string_view field) {
  const json* value = find_field(body, field);
  if (value == nullptr) return bad_field(field, "is missing");
  if (!value->is_string()) return bad_field(field, "must be a string");
  return value->get<std::string>();
}

Result<std::optional<std::string>> optional_string(const json& body, std::string_view field) {
  const json* value = find_field(body, field);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return bad_field(field, "must be a string");
  return std::optional<std::string>(value->get<std::string>());
}

Result<bool> optional_bool(const json& body, std::string_view field, bool default_value) {
  const json* value = find_field(body, field);
  if (value == nullptr) return default_value;
  if (!value->is_boolean()) return bad_field(field, "must be true or false");
  return value->get<bool>();
}

Result<std::optional<std::int64_t>> optional_integer(const json& body, std::string_view field) {
  const json* value = find_field(body, field);
  if (value == nullptr) return std::optional<std::int64_t>();
  if (!value->is_number_integer()) return bad_field(field, "must be a whole number");
  if (value->is_number_unsigned() &&
      value->get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return bad_field(field, "is too large");
  }
  return std::optional<std::int64_t>(value->get<std::int64_t>());
}

Result<Secret> optional_secret(const json& body, std::string_view field) {
  const json* value = find_field(body, field);
  if (value == nullptr) return Secret();
  if (!value->is_string()) return bad_field(field, "must be a string");
  return Secret(value->get<std::string>());
}

Result<std::string> value_as_text(const json& value, std::string_view field, bool boolean_words) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) {
    if (boolean_words) return std::string(value.get<bool>() ? "on" : "off");
    return std::string(value.get<bool>() ? "true" : "false");
  }
  if (value.is_number_integer()) return value.dump();
  if (value.is_array()) {
    std::string joined;
    for (const auto& item : value) {
      if (!item.is_string()) return bad_field(field, "must be a list of strings");
      joined += (joined.empty() ? "" : ",") + item.get<std::string>();
    }
    return joined;
  }
  return bad_field(field, "must be a string, a whole number, true/false or a list of strings");
}

Result<Bytes> decode_base64(std::string_view text, std::string_view field) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) {
    return fail(ErrorCode::LimitExceeded, "field " + quoted(field) + " is too large",
                "upload a smaller file");
  }
  EncodeContext context(EVP_ENCODE_CTX_new());
  if (!context) return fail(ErrorCode::Internal, "out of memory decoding base64");
  EVP_DecodeInit(context.get());
  Bytes out(text.size() / 4 * 3 + 80);
  int written = 0;
  const int updated = EVP_DecodeUpdate(context.get(), out.data(), &written,
                                       reinterpret_cast<const unsigned char*>(text.data()),
                                       static_cast<int>(text.size()));
  int tail = 0;
  if (updated < 0 || EVP_DecodeFinal(context.get(), out.data() + written, &tail) < 0) {
    ERR_clear_error();
    return bad_field(field, "is not valid base64");
  }
  out.resize(static_cast<std::size_t>(written) + static_cast<std::size_t>(tail));
  return out;
}

Result<Bytes> required_base64(const json& body, std::string_view field) {
  auto text = required_string(body, field);
  if (!text) return std::unexpected(text.error());
  return decode_base64(*text, field);
}

Result<std::optional<Bytes>> optional_base64(const json& body, std::string_view field) {
  auto text = optional_string(body, field);
  if (!text) return std::unexpected(text.error());
  if (!*text) return std::optional<Bytes>();
  auto bytes = decode_base64(**text, field);
  if (!bytes) return std::unexpected(bytes.error());
  return std::optional<Bytes>(std::move(*bytes));
}

Response respond(const RequestContext& context, const Result<void>& result) {
  if (!result) return error_response(context.request(), result.error());
  Response response = make_response(context.request(), http::status::no_content, "", "text/plain");
  response.erase(http::field::content_type);
  return response;
}

Response respond_error(const RequestContext& context, const Error& error) {
  return error_response(context.request(), error);
}

Response attachment(const RequestContext& context, std::string body, std::string_view content_type,
                    std::string_view filename) {
  Response response =
      make_response(context.request(), http::status::ok, std::move(body), content_type);
  std::string safe;
  for (const char c : filename) safe.push_back(c == '"' || c == '\\' || c < ' ' ? '_' : c);
  response.set(http::field::content_disposition, "attachment; filename=\"" + safe + "\"");
  return response;
}

Result<Page> page_of(const RequestContext& context) {
  Page page;
  if (auto limit = context.query("limit")) {
    auto value = parse_count(*limit, "limit");
    if (!value) return std::unexpected(value.error());
    if (*value < 1 || *value > kMaxPageLimit) {
      return fail(
          ErrorCode::InvalidArgument,
          "limit must be between 1 and " + std::to_string(kMaxPageLimit),
          "ask for at most " + std::to_string(kMaxPageLimit) + " items and page on with offset");
    }
    page.limit = *value;
  }
  if (auto offset = context.query("offset")) {
    auto value = parse_count(*offset, "offset");
    if (!value) return std::unexpected(value.error());
    if (*value < 0) {
      return fail(ErrorCode::InvalidArgument, "offset must not be negative", "start at offset 0");
    }
    page.offset = *value;
  }
  return page;
}

Response paged_response(const RequestContext& context, const json& items, std::int64_t total,
                        const Page& page) {
  Response response = json_response(context.request(), http::status::ok, items);
  response.set("X-Total-Count", std::to_string(total));
  // offset >= total: an empty page and no next; offset + limit is not computed when it would
  // pass total (and could overflow).
  if (page.offset < total && page.limit < total - page.offset) {
    const std::int64_t next = page.offset + page.limit;
    const std::string_view target(context.request().target().data(),
                                  context.request().target().size());
    std::string link(target_path(target));
    std::string query;
    const auto question = target.find('?');
    std::string_view rest = question == std::string_view::npos ? "" : target.substr(question + 1);
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      if (!pair.starts_with("limit=") && !pair.starts_with("offset=") && pair != "limit" &&
          pair != "offset" && !pair.empty()) {
        query.append(pair).push_back('&');
      }
      if (amp == std::string_view::npos) break;
      rest.remove_prefix(amp + 1);
    }
    link += "?" + query + "limit=" + std::to_string(page.limit) + "&offset=" + std::to_string(next);
    response.set(http::field::link, "<" + link + ">; rel=\"next\"");
  }
  return response;
}

}  // namespace telecert::server::api
