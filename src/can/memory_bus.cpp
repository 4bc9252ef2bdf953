#include "cabind/can/memory_bus.hpp"

#include <algorithm>

namespace cabind::can {

std::string_view to_string(BusState state) noexcept {
  switch (state) {
    case BusState::up:
      return "up";
    case BusState::down:
      return "down";
    case BusState::gone:
      return "gone";
  }
  return "unknown";
}

MemoryBus::MemoryBus(std::string_view name) : name_(name) {}

void MemoryBus::set_filters(std::span<const Filter> filters) {
  filters_.assign(filters.begin(), filters.end());
}

bool MemoryBus::accepted(const Frame& frame) const noexcept {
  return filters_.empty() || std::any_of(filters_.begin(), filters_.end(),
                                         [&](const Filter& f) { return f.matches(frame); });
}

SendStatus MemoryBus::send(const Frame& frame) noexcept {
  if (state_ != BusState::up || answer_ == SendStatus::dropped) {
    ++counters_.tx_dropped;
    return SendStatus::dropped;
  }
  // Test-only bus: a failed allocation here ends the test run, like any other.
  sent_.push_back(frame);
  ++counters_.tx_frames;
  return answer_;
}

void MemoryBus::deliver(std::span<const Frame> frames) {
  batch_.clear();
  for (const Frame& frame : frames) {
    if (accepted(frame)) {
      batch_.push_back(frame);
    } else {
      ++counters_.rx_filtered;
    }
  }
  if (batch_.empty()) return;
  counters_.rx_frames += batch_.size();
  counters_.rx_error_frames += static_cast<std::uint64_t>(
      std::count_if(batch_.begin(), batch_.end(), [](const Frame& f) { return f.is_error(); }));
  ++counters_.rx_batches;
  if (sink_ != nullptr) sink_->on_frames(batch_);
}

void MemoryBus::set_state(BusState state) {
  if (state == state_) return;
  state_ = state;
  if (state != BusState::up) ++counters_.bus_errors;
  if (sink_ != nullptr) sink_->on_bus_state(state);
}

}  // namespace cabind::can
