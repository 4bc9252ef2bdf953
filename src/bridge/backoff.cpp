#include "cabind/bridge/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace cabind::bridge {

Backoff::Backoff(std::chrono::milliseconds min_delay, std::chrono::milliseconds max_delay) noexcept
    : min_(std::max(min_delay, std::chrono::milliseconds{1})), max_(std::max(max_delay, min_)) {}

std::chrono::milliseconds Backoff::ceiling() const noexcept {
  // Doubling past the cap is pointless and would overflow after ~40 attempts.
  std::chrono::milliseconds delay = min_;
  for (std::uint32_t i = 0; i < attempt_ && delay < max_; ++i)
    delay *= 2;
  return std::min(delay, max_);
}

std::chrono::milliseconds Backoff::next(double unit) noexcept {
  const double fraction = std::isnan(unit) ? 0.0 : std::clamp(unit, 0.0, 1.0);
  const auto bound = ceiling();
  if (bound < max_) ++attempt_;
  return std::chrono::milliseconds{static_cast<std::chrono::milliseconds::rep>(
      std::floor(fraction * static_cast<double>(bound.count())))};
}

}  // namespace cabind::bridge
