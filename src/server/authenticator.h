// Who is calling the daemon: browser sessions (id in the telecert_session cookie, a CSRF token
// per session), the login rate limiter, and a short-lived cache of API token lookups.
//
// Sessions: the id is 256 random bits (RAND_bytes, base64url) handed out once in the cookie; the
// table is keyed by the SHA-256 of the id, so the ids themselves are not kept. A session ends
// after `idle_timeout` without a request, `absolute_timeout` after login, or on logout. Sessions
// live in memory only: a restart logs everyone out.
//
// Each session is bound to its user's password_changed_at: retain_sessions_of (the daemon calls it
// at start, after every committed change and every 5 s) ends the sessions whose user is gone, whose
// role changed or whose password changed since login, so `telecert user passwd` in another process
// logs the user out within that refresh. A session is bound to the value the last
// retain_sessions_of saw for its user, or (a user not seen yet) at the next retain_sessions_of,
// which ends it instead when the password changed after the login.
//
// Login rate limit: at most `max_login_failures` failed logins per source address within
// `login_window` (a fixed window starting at the first failure); then the source is refused until
// the window ends. A success from one source does not reset anyone's count. The table is bounded
// (`max_tracked_sources`; the oldest windows are dropped first).
//
// Token cache: a successful token lookup is remembered (by the token's SHA-256) for
// `token_cache_ttl` (measured on `monotonic_now`), so a token revoked by `telecert token revoke` in
// another process stops working within that time; the daemon clears the cache after every
// committed change of its own, so an API revocation works at once.
//
// Threading: every member function may be called from any thread (one mutex).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "service/accounts.h"

namespace telecert::server {

class Authenticator {
 public:
  struct Options {
    std::chrono::seconds idle_timeout{30 * 60};
    std::chrono::seconds absolute_timeout{12 * 60 * 60};
    std::size_t max_sessions = 10000;
    int max_login_failures = 5;
    std::chrono::seconds login_window{5 * 60};
    std::size_t max_tracked_sources = 10000;
    std::chrono::seconds token_cache_ttl{2};
    std::size_t max_cached_tokens = 1000;
    // The monotonic clock of the token cache (tests advance their own).
    std::function<std::chrono::steady_clock::time_point()> monotonic_now = [] {
      return std::chrono::steady_clock::now();
    };
  };

  struct NewSession {
    std::string id;          // the cookie value; never logged
    std::string csrf_token;  // sent back in X-CSRF-Token on writes
  };

  struct Session {
    service::Principal principal;
    std::string csrf_token;
  };

  explicit Authenticator(std::shared_ptr<const Clock> clock)
      : Authenticator(std::move(clock), Options{}) {}
  Authenticator(std::shared_ptr<const Clock> clock, Options options);

  // --- sessions ---
  // Starts a session for `principal` (a user). When the table is full the session closest to its
  // end is dropped.
  NewSession create_session(const service::Principal& principal);
  // The live session with cookie value `id` (and marks it used now); nullopt when unknown or
  // expired (an expired one is removed).
  std::optional<Session> find_session(std::string_view id);
  void end_session(std::string_view id);
  // Ends every session of `user` but the one with cookie value `except_id` (none when empty).
  void end_sessions_of(std::string_view user, std::string_view except_id = {});
  // Ends the sessions whose user is not in `users` any more, whose role changed, or whose
  // password_changed_at differs from the one the session is bound to; binds unbound sessions to
  // their user's current value (the daemon calls it at start, after every change and every 5 s,
  // so a user deleted or given a new password by the API or the CLI is logged out within that
  // time).
  void retain_sessions_of(const std::vector<service::UserView>& users);
  // Unbinds the session with cookie value `id` from its user's password_changed_at, so the next
  // retain_sessions_of binds it to the new value instead of ending it: called before a user
  // changes its own password through this session (then end_sessions_of(user, id) ends the others).
  void hold_session_through_password_change(std::string_view id);
  std::size_t session_count() const;

  // Constant-time comparison of a CSRF token (CRYPTO_memcmp); false when either is empty.
  static bool csrf_matches(std::string_view expected, std::string_view given);

  // --- login rate limit ---
  // Seconds until `source` may try again (> 0) while it is blocked; 0 when it may log in.
  std::int64_t login_retry_after(std::string_view source);
  // Counts a failed login from `source`; returns the seconds to wait when this failure used up the
  // allowance (0 otherwise).
  std::int64_t record_login_failure(std::string_view source);

  // --- API token cache ---
  std::optional<service::Principal> cached_token(std::string_view token);
  void cache_token(std::string_view token, const service::Principal& principal);
  // Forgets every cached token (after a committed change: a token revoked through the API stops
  // working at once).
  void clear_token_cache();

 private:
  struct SessionEntry {
    service::Principal principal;
    std::string csrf_token;
    std::chrono::sys_seconds created;
    std::chrono::sys_seconds last_used;
    std::optional<pki::TimePoint> password_changed_at;  // nullopt: bound at the next retain
    bool held = false;  // hold_session_through_password_change: bound to the next value seen
  };
  struct FailureWindow {
    std::chrono::sys_seconds started;
    int failures = 0;
  };
  struct CachedToken {
    service::Principal principal;
    std::chrono::steady_clock::time_point expires;
  };

  bool expired(const SessionEntry& entry, std::chrono::sys_seconds now) const;
  void drop_expired_sessions(std::chrono::sys_seconds now);  // mutex_ held

  std::shared_ptr<const Clock> clock_;
  Options options_;
  mutable std::mutex mutex_;
  std::map<std::string, SessionEntry, std::less<>> sessions_;    // guarded by mutex_
  std::map<std::string, FailureWindow, std::less<>> failures_;   // guarded by mutex_
  std::map<std::string, CachedToken, std::less<>> token_cache_;  // guarded by mutex_
  // Each user's password_changed_at as the last retain_sessions_of saw it; guarded by mutex_.
  std::map<std::string, pki::TimePoint, std::less<>> password_changed_at_;
};

// 256 random bits, base64url without padding (43 characters).
std::string random_token();
// Lowercase hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

}  // namespace telecert::server
