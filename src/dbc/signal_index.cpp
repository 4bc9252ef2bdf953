#include "signal_index.hpp"

#include <functional>

namespace cabind::dbc::detail {

std::size_t SignalIndex::hash_of(std::uint32_t message, std::string_view name) noexcept {
  return std::hash<std::string_view>{}(name) ^ (message * 0x9E37'79B9'7F4A'7C15ULL);
}

SignalIndex::Probe SignalIndex::find(const std::vector<Message>& messages, std::uint32_t message,
                                     std::string_view name) const noexcept {
  Probe probe;
  probe.hash = hash_of(message, name);
  if (slots_.empty()) return probe;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = probe.hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.message == none) {
      probe.slot = i;
      return probe;
    }
    if (slot.message == message && messages[message].signals[slot.signal].name == name) {
      probe.signal = slot.signal;
      probe.slot = i;
      return probe;
    }
  }
}

void SignalIndex::insert(const std::vector<Message>& messages, const Probe& probe,
                         std::uint32_t message, std::uint32_t signal) {
  std::size_t at = probe.slot;
  if (2 * (size_ + 1) > slots_.size()) {
    grow(messages);
    const std::size_t mask = slots_.size() - 1;
    for (at = probe.hash & mask; slots_[at].message != none; at = (at + 1) & mask) {
    }
  }
  slots_[at] = {message, signal};
  ++size_;
}

// Twice the slots (64 at first), every entry placed again by its hash.
void SignalIndex::grow(const std::vector<Message>& messages) {
  std::vector<Slot> old(slots_.empty() ? 64 : 2 * slots_.size());
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.message == none) continue;
    const std::string_view name = messages[slot.message].signals[slot.signal].name;
    std::size_t i = hash_of(slot.message, name) & mask;
    while (slots_[i].message != none)
      i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace cabind::dbc::detail
