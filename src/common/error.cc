#include "common/error.h"

namespace telecert {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "invalid_argument";
    case ErrorCode::MalformedInput:
      return "malformed_input";
    case ErrorCode::WrongPassphrase:
      return "wrong_passphrase";
    case ErrorCode::KeyMismatch:
      return "key_mismatch";
    case ErrorCode::LimitExceeded:
      return "limit_exceeded";
    case ErrorCode::OutOfRange:
      return "out_of_range";
    case ErrorCode::NotFound:
      return "not_found";
    case ErrorCode::AlreadyExists:
      return "already_exists";
    case ErrorCode::Forbidden:
      return "forbidden";
    case ErrorCode::Unauthenticated:
      return "unauthenticated";
    case ErrorCode::TooManyRequests:
      return "too_many_requests";
    case ErrorCode::WeakAlgorithm:
      return "weak_algorithm";
    case ErrorCode::Unsupported:
      return "unsupported";
    case ErrorCode::Io:
      return "io";
    case ErrorCode::Unreachable:
      return "unreachable";
    case ErrorCode::Storage:
      return "storage";
    case ErrorCode::Internal:
      return "internal";
  }
  return "internal";
}

Error Error::with_context(std::string_view context) const& {
  Error copy = *this;
  return std::move(copy).with_context(context);
}

Error Error::with_context(std::string_view context) && {
  message = std::string(context) + ": " + message;
  return std::move(*this);
}

int exit_status(ErrorCode code) { return code == ErrorCode::Unreachable ? 2 : 1; }

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::MalformedInput:
    case ErrorCode::WrongPassphrase:
    case ErrorCode::KeyMismatch:
    case ErrorCode::OutOfRange:
    case ErrorCode::WeakAlgorithm:
      return 422;
    case ErrorCode::LimitExceeded:
      return 413;
    case ErrorCode::NotFound:
      return 404;
    case ErrorCode::AlreadyExists:
      return 409;
    case ErrorCode::Forbidden:
      return 403;
    case ErrorCode::Unauthenticated:
      return 401;
    case ErrorCode::TooManyRequests:
      return 429;
    case ErrorCode::Unsupported:
      return 415;
    case ErrorCode::Unreachable:
      return 502;
    case ErrorCode::Io:
    case ErrorCode::Storage:
    case ErrorCode::Internal:
      return 500;
  }
  return 500;
}

}  // namespace telecert
