#include "cabind/can/memory_bus.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace cabind::can {
namespace {

struct RecordingSink : FrameSink {
  void on_frames(std::span<const Frame> frames) noexcept override {
    received.insert(received.end(), frames.begin(), frames.end());
    ++batches;
  }
  void on_bus_state(BusState state) noexcept override { states.push_back(state); }
  std::vector<Frame> received;
  std::vector<BusState> states;
  int batches = 0;
};

TEST(MemoryBus, DeliversOnlyFramesThatPassTheFilters) {
  MemoryBus bus;
  RecordingSink sink;
  bus.set_sink(&sink);
  const std::array<Filter, 2> filters{Filter::exact(0x100, false), Filter::exact(0x100, true)};
  bus.set_filters(filters);
  const std::vector<Frame> frames{*Frame::classic(0x100, {}), *Frame::classic(0x101, {}),
                                  *Frame::classic(0x100, {}, true)};
  bus.deliver(frames);
  ASSERT_EQ(sink.received.size(), 2U);
  EXPECT_FALSE(sink.received[0].extended());
  EXPECT_TRUE(sink.received[1].extended());
  EXPECT_EQ(bus.counters().rx_filtered, 1U);
  EXPECT_EQ(sink.batches, 1);
}

TEST(MemoryBus, RecordsSentFramesAndDropsWhileDown) {
  MemoryBus bus;
  RecordingSink sink;
  bus.set_sink(&sink);
  EXPECT_EQ(bus.send(*Frame::classic(1, {})), SendStatus::sent);
  bus.set_state(BusState::down);
  EXPECT_EQ(bus.send(*Frame::classic(2, {})), SendStatus::dropped);
  ASSERT_EQ(bus.sent().size(), 1U);
  EXPECT_EQ(bus.counters().tx_dropped, 1U);
  EXPECT_EQ(sink.states, std::vector<BusState>{BusState::down});
}

}  // namespace
}  // namespace cabind::can

namespace cabind::can {
namespace {

// Totals over several buses (cabinctl metrics' `bus.*`) sum every counter, none forgotten.
TEST(BusCountersSum, AddsEveryCounterFieldByField) {
  BusCounters a{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  const BusCounters b{100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300};
  a += b;
  const BusCounters expected{101, 202, 303, 404, 505, 606, 707, 808, 909, 1010, 1111, 1212, 1313};
  static_assert(sizeof(BusCounters) == 13 * sizeof(std::uint64_t),
                "a counter was added: give it a value here and sum it in operator+=");
  EXPECT_EQ(std::memcmp(&a, &expected, sizeof a), 0);
}

}  // namespace
}  // namespace cabind::can
