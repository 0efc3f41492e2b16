// Time comes from an injected clock so expiry, renewal and freshness are testable without sleeping.
#pragma once

#include <chrono>

namespace telecert {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::sys_seconds now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  std::chrono::sys_seconds now() const override;
};

// A clock that stands still until moved; for tests.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::chrono::sys_seconds now) : now_(now) {}
  std::chrono::sys_seconds now() const override { return now_; }
  void advance(std::chrono::seconds by) { now_ += by; }

 private:
  std::chrono::sys_seconds now_;
};

}  // namespace telecert
