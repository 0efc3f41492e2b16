// Errors are values: every failure that input, files, the network or configuration can cause is
// returned as `Result<T>` (std::expected<T, Error>) with a stable code, a message a phone admin
// understands and a hint that says what to do. Exit statuses and HTTP statuses are derived from the
// code in error.cc and nowhere else.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace telecert {

enum class ErrorCode {
  InvalidArgument,  // a value the caller gave is not acceptable (bad SAN, unknown key type)
  MalformedInput,   // bytes that do not parse (junk, truncated PEM/DER)
  WrongPassphrase,  // a passphrase that does not open the file
  KeyMismatch,      // a private key that does not belong to the certificate
  LimitExceeded,    // a size or count limit from the settings
  OutOfRange,       // a setting or validity outside its allowed range
  NotFound,         // no such identity, root, setting
  AlreadyExists,    // a name or certificate that is already in the store
  Forbidden,        // an operation the rules or the caller's role refuse (HTTP 403)
  Unauthenticated,  // no credentials, or credentials that are not valid (HTTP 401)
  TooManyRequests,  // a rate limit (failed logins from one source) is in force (HTTP 429)
  WeakAlgorithm,    // SHA-1 / RSA-1024 without the legacy switch
  Unsupported,      // a well-formed input we do not handle
  Io,               // a file or directory could not be read or written
  Unreachable,  // a peer (TLS server, OCSP responder, CA) could not be reached or answered badly
  Storage,      // the database refused an operation
  Internal,     // a bug or an OpenSSL failure we did not expect
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;  // what is wrong, in words; never contains key material or passphrases
  std::string hint;     // what to do about it

  // Adds context in front of the message: "reading chain.pem: <message>".
  Error with_context(std::string_view context) const&;
  Error with_context(std::string_view context) &&;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message, std::string hint = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(hint)});
}

// Returns the error of a failed Result from the enclosing function (which must return a Result).
#define TELECERT_RETURN_IF_ERROR(expression)                       \
  do {                                                             \
    if (auto telecert_result_ = (expression); !telecert_result_) { \
      return std::unexpected(std::move(telecert_result_).error()); \
    }                                                              \
  } while (false)

// CLI exit status: 1 for every refused operation; 2 when a peer could not be reached (usage errors,
// also status 2, are the CLI parser's).
int exit_status(ErrorCode code);
// HTTP status for the REST API.
int http_status(ErrorCode code);

}  // namespace telecert
