#include "cabind/signal/signal_table.hpp"

#include <algorithm>
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
  if (const auto timeout = timeouts_[slot]; timeout.count() != 0) {
    next_expiry_ = std::min(next_expiry_, now + timeout);
  }
  return changed;
}

bool SignalTable::invalidate(std::uint32_t slot, Timestamp now) noexcept {
  const bool changed = validity_[slot] != kInvalid;
  validity_[slot] = kInvalid;
  received_[slot] = now;
  return changed;
}

bool SignalTable::withdraw(std::uint32_t slot, Timestamp now) noexcept {
  const bool changed = validity_[slot] != kMissing;
  validity_[slot] = kMissing;
  received_[slot] = now;
  return changed;
}

std::size_t SignalTable::expire(Timestamp now, std::span<std::uint32_t> changed) noexcept {
  if (now <= next_expiry_) return 0;  // the common case: nothing can be stale yet
  std::size_t count = 0;
  Timestamp next = Timestamp::max();
  for (std::uint32_t slot = 0; slot < values_.size(); ++slot) {
    const auto timeout = timeouts_[slot];
    if (validity_[slot] != kValid || timeout.count() == 0) continue;
    const Timestamp deadline = received_[slot] + timeout;
    if (now <= deadline) {
      next = std::min(next, deadline);
      continue;
    }
    if (count < changed.size()) {
      validity_[slot] = kStale;
      changed[count++] = slot;
    } else {
      next = now;  // no room to report it: mark it stale on the next call
    }
  }
  next_expiry_ = next;
  return count;
}

}  // namespace cabind::signal
