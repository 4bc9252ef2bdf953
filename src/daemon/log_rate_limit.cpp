#include "cabind/daemon/log_rate_limit.hpp"

namespace cabind::daemon {

LogRateLimit::Slot LogRateLimit::take(std::chrono::steady_clock::time_point now) noexcept {
  Slot slot;
  if (lines_in_window_ == 0 && suppressed_in_window_ == 0) {
    window_start_ = now;
  } else if (now - window_start_ >= std::chrono::seconds(1)) {
    slot.suppressed = suppressed_in_window_;
    window_start_ = now;
    lines_in_window_ = 0;
    suppressed_in_window_ = 0;
  }
  if (lines_in_window_ < per_second_) {
    ++lines_in_window_;
    slot.log = true;
  } else {
    ++suppressed_in_window_;
    ++suppressed_total_;
  }
  return slot;
}

}  // namespace cabind::daemon
