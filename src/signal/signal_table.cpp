#include "cabind/signal/signal_table.hpp"

#include <utility>

namespace cabind::signal {

SignalTable::SignalTable(std::vector<std::chrono::nanoseconds> timeouts)
    : values_(timeouts.size(), 0.0),
      validity_(timeouts.size(), kMissing),
      received_(timeouts.size(), Timestamp{}),
      timeouts_(std::move(timeouts)) {}

bool SignalTable::update(std::uint32_t slot, double value, Timestamp now) noexcept {
  const bool changed = validity_[slot] != kValid || values_[slot] != value;
  values_[slot] = value;
  validity_[slot] = kValid;
  received_[slot] = now;
  return changed;
}

bool SignalTable::invalidate(std::uint32_t slot, Timestamp now) noexcept {
  const bool changed = validity_[slot] != kInvalid;
  validity_[slot] = kInvalid;
  received_[slot] = now;
  return changed;
}

std::size_t SignalTable::expire(Timestamp now, std::span<std::uint32_t> changed) noexcept {
  std::size_t count = 0;
  for (std::uint32_t slot = 0; slot < values_.size(); ++slot) {
    const auto timeout = timeouts_[slot];
    if (validity_[slot] != kValid || timeout.count() == 0) continue;
    if (now - received_[slot] <= timeout) continue;
    validity_[slot] = kStale;
    if (count < changed.size()) changed[count++] = slot;
  }
  return count;
}

}  // namespace cabind::signal
