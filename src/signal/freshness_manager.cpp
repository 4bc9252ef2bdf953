#include "cabind/signal/freshness_manager.hpp"

#include <limits>

namespace cabind::signal {

FreshnessManager::FreshnessManager(unsigned truncated_bits,
                                   std::optional<std::uint64_t> last_accepted) noexcept
    : bits_(truncated_bits), last_(last_accepted) {}

std::optional<std::uint64_t> FreshnessManager::candidate(std::uint64_t truncated,
                                                         unsigned window) const noexcept {
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t step = std::uint64_t{1} << bits_;
  const std::uint64_t low = truncated & (step - 1U);
  std::uint64_t value = low;
  if (last_) {
    value = (*last_ & ~(step - 1U)) | low;
    if (value <= *last_) {
      if (value > max - step) return std::nullopt;
      value += step;
    }
  }
  if (window > (max - value) / step) return std::nullopt;
  return value + window * step;
}

}  // namespace cabind::signal
