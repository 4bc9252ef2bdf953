#include "cabind/engine/learned_ring.hpp"

namespace cabind::engine {

LearnedRing::LearnedRing(std::size_t capacity) : entries_(capacity == 0 ? 1 : capacity) {}

bool LearnedRing::push(const LearnedValue& value) noexcept {
  if (count_ == entries_.size()) {
    ++overflow_;
    return false;
  }
  entries_[(head_ + count_) % entries_.size()] = value;
  ++count_;
  return true;
}

}  // namespace cabind::engine
