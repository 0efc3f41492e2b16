#include "server/authenticator.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace telecert::server {

std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("the random number generator failed");
  }
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3f]);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return out;
}

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

Authenticator::Authenticator(std::shared_ptr<const Clock> clock, Options options)
    : clock_(std::move(clock)), options_(std::move(options)) {}

bool Authenticator::expired(const SessionEntry& entry, std::chrono::sys_seconds now) const {
  return now - entry.last_used >= options_.idle_timeout ||
         now - entry.created >= options_.absolute_timeout;
}

void Authenticator::drop_expired_sessions(std::chrono::sys_seconds now) {
  std::erase_if(sessions_, [&](const auto& item) { return expired(item.second, now); });
}

Authenticator::NewSession Authenticator::create_session(const service::Principal& principal) {
  NewSession session{random_token(), random_token()};
  const auto now = clock_->now();
  const std::lock_guard lock(mutex_);
  if (sessions_.size() >= options_.max_sessions) drop_expired_sessions(now);
  if (sessions_.size() >= options_.max_sessions && !sessions_.empty()) {
    // Still full: the session that would end first (least recently used) makes room.
    const auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    sessions_.erase(oldest);
  }
  std::optional<pki::TimePoint> bound;
  if (const auto known = password_changed_at_.find(principal.name);
      known != password_changed_at_.end()) {
    bound = known->second;
  }
  sessions_[sha256_hex(session.id)] =
      SessionEntry{principal, session.csrf_token, now, now, bound, false};
  return session;
}

std::optional<Authenticator::Session> Authenticator::find_session(std::string_view id) {
  if (id.empty()) return std::nullopt;
  const auto key = sha256_hex(id);
  const auto now = clock_->now();
  const std::lock_guard lock(mutex_);
  const auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (expired(it->second, now)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return Session{it->second.principal, it->second.csrf_token};
}

void Authenticator::end_session(std::string_view id) {
  const auto key = sha256_hex(id);
  const std::lock_guard lock(mutex_);
  sessions_.erase(key);
}

void Authenticator::end_sessions_of(std::string_view user, std::string_view except_id) {
  const std::string kept = except_id.empty() ? std::string() : sha256_hex(except_id);
  const std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& item) {
    return item.second.principal.name == user && item.first != kept;
  });
}

void Authenticator::retain_sessions_of(const std::vector<service::UserView>& users) {
  const std::lock_guard lock(mutex_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto& entry = it->second;
    const auto user = std::find_if(users.begin(), users.end(), [&](const service::UserView& one) {
      return one.name == entry.principal.name;
    });
    bool ends = user == users.end() || user->role != entry.principal.role;
    if (!ends && !entry.password_changed_at) {
      // First seen: bound now, unless the password changed after the login.
      ends = !entry.held && user->password_changed_at > entry.created;
      entry.password_changed_at = user->password_changed_at;
      entry.held = false;
    } else if (!ends) {
      ends = *entry.password_changed_at != user->password_changed_at;
    }
    it = ends ? sessions_.erase(it) : std::next(it);
  }
  password_changed_at_.clear();
  for (const auto& user : users) password_changed_at_[user.name] = user.password_changed_at;
}

void Authenticator::hold_session_through_password_change(std::string_view id) {
  const auto key = sha256_hex(id);
  const std::lock_guard lock(mutex_);
  if (const auto it = sessions_.find(key); it != sessions_.end()) {
    it->second.password_changed_at.reset();
    it->second.held = true;
  }
}

std::size_t Authenticator::session_count() const {
  const std::lock_guard lock(mutex_);
  return sessions_.size();
}

bool Authenticator::csrf_matches(std::string_view expected, std::string_view given) {
  if (expected.empty() || expected.size() != given.size()) return false;
  return CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

std::int64_t Authenticator::login_retry_after(std::string_view source) {
  const auto now = clock_->now();
  const std::lock_guard lock(mutex_);
  const auto it = failures_.find(source);
  if (it == failures_.end()) return 0;
  const auto ends = it->second.started + options_.login_window;
  if (now >= ends) {
    failures_.erase(it);
    return 0;
  }
  if (it->second.failures < options_.max_login_failures) return 0;
  return (ends - now).count();
}

std::int64_t Authenticator::record_login_failure(std::string_view source) {
  const auto now = clock_->now();
  const std::lock_guard lock(mutex_);
  auto it = failures_.find(source);
  if (it != failures_.end() && now >= it->second.started + options_.login_window) {
    failures_.erase(it);
    it = failures_.end();
  }
  if (it == failures_.end()) {
    if (failures_.size() >= options_.max_tracked_sources) {
      std::erase_if(failures_, [&](const auto& item) {
        return now >= item.second.started + options_.login_window;
      });
    }
    if (failures_.size() >= options_.max_tracked_sources && !failures_.empty()) {
      const auto oldest =
          std::min_element(failures_.begin(), failures_.end(),
                           [](auto& a, auto& b) { return a.second.started < b.second.started; });
      failures_.erase(oldest);
    }
    it = failures_.emplace(std::string(source), FailureWindow{now, 0}).first;
  }
  ++it->second.failures;
  if (it->second.failures < options_.max_login_failures) return 0;
  return std::max<std::int64_t>(1, (it->second.started + options_.login_window - now).count());
}

std::optional<service::Principal> Authenticator::cached_token(std::string_view token) {
  const auto key = sha256_hex(token);
  const auto now = options_.monotonic_now();
  const std::lock_guard lock(mutex_);
  const auto it = token_cache_.find(key);
  if (it == token_cache_.end()) return std::nullopt;
  if (now >= it->second.expires) {
    token_cache_.erase(it);
    return std::nullopt;
  }
  return it->second.principal;
}

void Authenticator::cache_token(std::string_view token, const service::Principal& principal) {
  if (options_.token_cache_ttl.count() <= 0) return;
  const auto key = sha256_hex(token);
  const auto now = options_.monotonic_now();
  const std::lock_guard lock(mutex_);
  if (token_cache_.size() >= options_.max_cached_tokens) {
    std::erase_if(token_cache_, [&](const auto& item) { return now >= item.second.expires; });
    if (token_cache_.size() >= options_.max_cached_tokens) token_cache_.clear();
  }
  token_cache_[key] = CachedToken{principal, now + options_.token_cache_ttl};
}

void Authenticator::clear_token_cache() {
  const std::lock_guard lock(mutex_);
  token_cache_.clear();
}

}  // namespace telecert::server
