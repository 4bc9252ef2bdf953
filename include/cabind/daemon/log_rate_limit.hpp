#pragma once
// At most `per_second` log lines per one-second window, for lines a bus flood can cause
// (decisions: "never log per frame at info level", and a blocked stderr would stall the
// loop and its watchdog). The lines over the limit are counted; the first line of the next
// window reports how many were suppressed. Pure logic: the caller passes the time.
// Not thread-safe: the daemon's loop thread only.

#include <chrono>
#include <cstdint>

namespace cabind::daemon {

class LogRateLimit {
 public:
  explicit LogRateLimit(std::uint32_t per_second) noexcept : per_second_(per_second) {}

  struct Slot {
    bool log = false;              // this line may be logged now
    std::uint64_t suppressed = 0;  // lines suppressed in the window that just ended: say so
  };
  // One line wants to be logged at `now`.
  [[nodiscard]] Slot take(std::chrono::steady_clock::time_point now) noexcept;
  [[nodiscard]] std::uint64_t suppressed_total() const noexcept { return suppressed_total_; }

 private:
  std::uint32_t per_second_;
  std::chrono::steady_clock::time_point window_start_{};
  std::uint32_t lines_in_window_ = 0;
  std::uint64_t suppressed_in_window_ = 0;
  std::uint64_t suppressed_total_ = 0;
};

}  // namespace cabind::daemon
