// Time comes from an injected clock so expiry, renewal and freshness are testable without sleeping.
#pragma once

#include <chrono>

#include "pki/certificate.h"

namespace telecert::service {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual pki::TimePoint now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  pki::TimePoint now() const override;
};

// A clock that stands still until moved; for tests.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(pki::TimePoint now) : now_(now) {}
  pki::TimePoint now() const override { return now_; }
  void advance(std::chrono::seconds by) { now_ += by; }

 private:
  pki::TimePoint now_;
};

}  // namespace telecert::service
