#include "cabind/engine/authentication_monitor.hpp"

namespace cabind::engine {

AuthenticationReport AuthenticationMonitor::failed(can::Timestamp now) noexcept {
  AuthenticationReport result;
  ++failures_;
  ++unreported_;
  if (!reported_ || now - last_report_ >= interval_) {
    result.report = true;
    reported_ = true;
    last_report_ = now;
    unreported_ = 0;
  }
  if (!in_window_ || now - window_start_ >= window_) {
    in_window_ = true;
    window_start_ = now;
    window_failures_ = 0;
    alarmed_ = false;
  }
  if (++window_failures_ >= alarm_failures_ && !alarmed_) {
    alarmed_ = true;
    ++alarms_;
    result.alarm = true;
  }
  return result;
}

}  // namespace cabind::engine
