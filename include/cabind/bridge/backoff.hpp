#pragma once
// Capped exponential backoff with full jitter (the AWS Architecture Blog's "full jitter"):
// attempt n waits a uniformly random time in [0, min(max, min_delay * 2^n)]. Pure logic;
// the caller supplies the random number, so tests choose it.
//
//   Backoff b{500ms, 60s};
//   b.next(0.5)  -> 250ms  (ceiling 500ms)
//   b.next(0.5)  -> 500ms  (ceiling 1s)
//   b.next(1.0)  -> 2s     (ceiling 2s)
//   ... the ceiling stops at 60s; reset() after a session was established.
//
// Full jitter spreads the reconnects of a fleet of cars that lost the same broker at the
// same moment, instead of having them all return at min_delay, 2 * min_delay, ...

#include <chrono>
#include <cstdint>

namespace cabind::bridge {

class Backoff {
 public:
  // min_delay > 0 and max_delay >= min_delay (a smaller max_delay is raised to min_delay).
  Backoff(std::chrono::milliseconds min_delay, std::chrono::milliseconds max_delay) noexcept;

  // The upper bound of the next delay: min_delay doubled once per failed attempt, capped.
  [[nodiscard]] std::chrono::milliseconds ceiling() const noexcept;
  // The delay before the next attempt, `unit` (in [0, 1], clamped) of the ceiling; then
  // the ceiling doubles (up to max_delay).
  std::chrono::milliseconds next(double unit) noexcept;
  // After a success: the next delay is drawn under min_delay again.
  void reset() noexcept { attempt_ = 0; }
  [[nodiscard]] std::uint32_t attempt() const noexcept { return attempt_; }

 private:
  std::chrono::milliseconds min_;
  std::chrono::milliseconds max_;
  std::uint32_t attempt_ = 0;
};

}  // namespace cabind::bridge
