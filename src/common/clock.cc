#include "service/clock.h"

namespace telecert::service {

pki::TimePoint SystemClock::now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace telecert::service
