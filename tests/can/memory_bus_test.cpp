#include "cabind/can/memory_bus.hpp"

#include <gtest/gtest.h>

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
