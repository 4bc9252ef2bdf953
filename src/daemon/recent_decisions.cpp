#include "cabind/daemon/recent_decisions.hpp"

namespace cabind::daemon {

void RecentDecisions::keep(const engine::AuditEvent& event) noexcept {
  std::size_t slot = 0;
  if (count_ < capacity) {
    slot = (first_ + count_) % capacity;
    ++count_;
  } else {
    slot = first_;
    first_ = (first_ + 1) % capacity;
  }
  Entry& entry = entries_[slot];
  entry.event = event;
  entry.is_frozen = false;  // the old line's buffer is reused by the next freeze()
}

void RecentDecisions::freeze() {
  for (std::size_t i = 0; i < count_; ++i) {
    Entry& entry = entries_[(first_ + i) % capacity];
    if (entry.is_frozen) continue;
    entry.frozen = engine::format_audit(entry.event);
    entry.event = {};  // no view of the dying generation stays behind
    entry.is_frozen = true;
  }
}

std::vector<std::string> RecentDecisions::lines() const {
  std::vector<std::string> result;
  result.reserve(count_);
  for (std::size_t i = 0; i < count_; ++i) {
    const Entry& entry = at(i);
    result.push_back(entry.is_frozen ? entry.frozen : engine::format_audit(entry.event));
  }
  return result;
}

}  // namespace cabind::daemon
