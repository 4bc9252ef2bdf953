#pragma once
// AuthenticationMonitor: what one SecOC message's verification failures become, so that a
// flood of forged frames is counted in full but reported sparingly:
//
//  - a report (audit event `unauthentic`, which the daemon logs) at most once per
//    `report_interval` (1 s); the failures in between are only counted;
//  - an alarm (audit event `secoc_alarm`) when `alarm_failures` failures fall within one
//    `alarm_window`, once per window. The windows are fixed: one starts at the first
//    failure after the previous window ended.
//
//   failures=3, window=10 s:  t=0 report · t=0.2 · t=0.4 alarm · t=0.6 · t=1.0 report ...
//
// Pure logic on the engine's monotonic time: no allocation, no exception. Not thread-safe.

#include <chrono>
#include <cstdint>

#include "cabind/can/frame.hpp"

namespace cabind::engine {

struct AuthenticationReport {
  bool report = false;  // emit the rate-limited report now
  bool alarm = false;   // the window's threshold was reached by this failure
};

class AuthenticationMonitor {
 public:
  AuthenticationMonitor(std::uint32_t alarm_failures, std::chrono::nanoseconds alarm_window,
                        std::chrono::nanoseconds report_interval = std::chrono::seconds(1)) noexcept
      : alarm_failures_(alarm_failures), window_(alarm_window), interval_(report_interval) {}

  AuthenticationReport failed(can::Timestamp now) noexcept;

  [[nodiscard]] std::uint64_t failures() const noexcept { return failures_; }
  [[nodiscard]] std::uint64_t alarms() const noexcept { return alarms_; }
  // Failures since the last report (what the next report will cover).
  [[nodiscard]] std::uint64_t unreported() const noexcept { return unreported_; }

 private:
  std::uint32_t alarm_failures_;
  std::chrono::nanoseconds window_;
  std::chrono::nanoseconds interval_;
  std::uint64_t failures_ = 0;
  std::uint64_t alarms_ = 0;
  std::uint64_t unreported_ = 0;
  bool reported_ = false;
  can::Timestamp last_report_{};
  bool in_window_ = false;
  can::Timestamp window_start_{};
  std::uint32_t window_failures_ = 0;
  bool alarmed_ = false;
};

}  // namespace cabind::engine
