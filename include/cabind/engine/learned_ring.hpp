#pragma once
// The preferences the engine learned on the frame path, waiting to be stored.
//
// Learning happens inside the noexcept frame handler, where the store (SQLite: allocates,
// takes a mutex) must not be called. The engine pushes each learned value into this
// preallocated, fixed-capacity ring instead; the daemon drains it after each batch and
// each tick, off the frame path, into the PreferenceStore.
//
//   push({"alice", "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature", 20.0, t})
//   drain([&](const LearnedValue& v) { store.learn(v.profile_id, v.output, v.value); })
//
// A push into a full ring is refused and counted (overflow()): the newest value is lost,
// the ones already queued keep their order. Entries hold views: the profile id and the
// output name must outlive the entry (they point into the engine's configuration, which
// outlives the engine; drain before replacing the engine).
//
// Not thread-safe: push and drain from one thread (the engine's).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "cabind/can/frame.hpp"

namespace cabind::engine {

struct LearnedValue {
  std::string_view profile_id;  // the driver's profile id
  std::string_view output;      // the output's semantic name
  double value = 0.0;
  can::Timestamp time{};  // engine time of the frame that carried the change
};

class LearnedRing {
 public:
  // Allocates room for `capacity` entries (at least one), once.
  explicit LearnedRing(std::size_t capacity);

  // Queues a value; false (and overflow() counts it) when the ring is full. Never
  // allocates or throws.
  bool push(const LearnedValue& value) noexcept;

  // Calls visit(entry) for each queued entry, oldest first, removing it before the call;
  // returns how many were visited. visit may allocate and throw: an entry it throws on
  // is gone, the rest stay queued.
  template <typename Visit>
  std::size_t drain(Visit&& visit) {
    std::size_t visited = 0;
    while (count_ > 0) {
      const LearnedValue entry = entries_[head_];
      head_ = (head_ + 1) % entries_.size();
      --count_;
      ++visited;
      visit(entry);
    }
    return visited;
  }

  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  [[nodiscard]] std::size_t capacity() const noexcept { return entries_.size(); }
  // Values refused because the ring was full, since construction.
  [[nodiscard]] std::uint64_t overflow() const noexcept { return overflow_; }

 private:
  std::vector<LearnedValue> entries_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::uint64_t overflow_ = 0;
};

}  // namespace cabind::engine
