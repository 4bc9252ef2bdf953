// The SocketCAN bus against a real vcan0/vcan1, with can-utils as the peer.
// Run by ctest inside tools/vcan-vm (label vcan); they need a kernel with vcan.
#include "cabind/can/socketcan_bus.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cabind/can/candump_log.hpp"
#include "vcan_fixture.hpp"

namespace cabind::can {
namespace {

using cabind::testing::CollectingSink;
using cabind::testing::run_until;
using cabind::testing::shell;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SocketCanBus, ReceivesExactlyWhatCansendSends) {
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0", {.fd = true});
  CollectingSink sink;
  bus.set_sink(&sink);
  bus.start();
  ASSERT_EQ(shell("cansend vcan0 123#DEADBEEF && cansend vcan0 1ABCDEF0#0102 && "
                  "cansend vcan0 321##1" +
                  std::string(48, 'C') + " && cansend vcan0 456#R3"),
            0);
  ASSERT_TRUE(run_until(io, [&] { return sink.received.size() >= 4; }));
  const std::vector<std::string> expected{"123#DEADBEEF", "1ABCDEF0#0102",
                                          "321##1" + std::string(48, 'C'), "456#R3"};
  ASSERT_EQ(sink.received.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    std::string why;
    EXPECT_EQ(sink.received[i], *parse_frame_text(expected[i], &why)) << expected[i];
    EXPECT_GT(sink.received[i].time().count(), 0) << "batch timestamp missing";
  }
  EXPECT_TRUE(sink.received[2].is_fd());
  EXPECT_EQ(sink.received[2].size(), 24U);
  EXPECT_EQ(bus.counters().rx_frames, 4U);
  EXPECT_EQ(bus.counters().rx_malformed, 0U);
}

// Records, per frame, the engine stamp and the kernel's realtime stamp the bus offers
// beside the batch (valid only inside on_frames).
struct StampingSink : can::FrameSink {
  explicit StampingSink(const SocketCanBus& b) : bus(b) {}
  void on_frames(std::span<const Frame> frames) noexcept override {
    const auto kernel = bus.kernel_times();
    for (std::size_t i = 0; i < frames.size(); ++i) {
      engine_times.push_back(frames[i].time());
      kernel_times.push_back(i < kernel.size() ? kernel[i] : Timestamp{});
    }
  }
  void on_bus_state(BusState) noexcept override {}
  const SocketCanBus& bus;
  std::vector<Timestamp> engine_times;
  std::vector<Timestamp> kernel_times;
};

TEST(SocketCanBus, FramesCarryMonotonicTimeAndTheKernelRealtimeStampStaysBesideThem) {
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0");
  StampingSink sink(bus);
  bus.set_sink(&sink);
  bus.start();
  const Timestamp monotonic_before = monotonic_now();
  const auto wall_before = std::chrono::system_clock::now().time_since_epoch();
  ASSERT_EQ(shell("cansend vcan0 123#01 && cansend vcan0 124#02"), 0);
  ASSERT_TRUE(run_until(io, [&] { return sink.engine_times.size() >= 2; }));
  const Timestamp monotonic_after = monotonic_now();
  const auto wall_after = std::chrono::system_clock::now().time_since_epoch();
  ASSERT_EQ(sink.engine_times.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_GE(sink.engine_times[i], monotonic_before) << i;
    EXPECT_LE(sink.engine_times[i], monotonic_after) << i;
    EXPECT_GE(sink.kernel_times[i], wall_before) << i;
    EXPECT_LE(sink.kernel_times[i], wall_after) << i;
  }
  EXPECT_LE(sink.engine_times[0], sink.engine_times[1]);
  EXPECT_TRUE(bus.kernel_times().empty()) << "kernel stamps outlive their batch";
}

// Polls a shell condition every 50 ms for up to 10 s (on a loaded VM a process can take
// seconds to start).
bool shell_until(const std::string& condition) {
  return shell("for i in $(seq 200); do " + condition + " && exit 0; sleep 0.05; done; exit 1") ==
         0;
}

TEST(SocketCanBus, SentFramesAppearInCandumpAndItsLogReReadsIdentically) {
  const std::string log = "/tmp/sent.log";
  ASSERT_EQ(shell("rm -f " + log + "; (candump -L vcan0 > " + log + " &)"), 0);
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0", {.fd = true});
  bus.start();
  // candump receives only once it has bound its socket: probe (id 7FE) until it logs one.
  std::string why;
  const Frame probe = *parse_frame_text("7FE#", &why);
  std::size_t probes = 0;
  for (; probes < 200; ++probes) {
    ASSERT_EQ(bus.send(probe), SendStatus::sent);
    if (shell("sleep 0.05; grep -q ' 7FE#' " + log) == 0) break;
  }
  ASSERT_LT(probes, 200U) << "candump never started receiving";
  std::vector<Frame> sent;
  for (const char* text : {"100#0011223344556677", "1FFFFFFF#AA",
                           "7FF##0"
                           "0102030405060708090A0B0C",
                           "200#", "300#R8"}) {
    sent.push_back(*parse_frame_text(text, &why));
    ASSERT_EQ(bus.send(sent.back()), SendStatus::sent) << text;
  }
  ASSERT_TRUE(shell_until("[ $(grep -vc ' 7FE#' " + log + ") -ge 5 ]")) << read_file(log);
  shell("pkill -x candump");
  std::istringstream in(read_file(log));
  LogReader reader(in, log);
  for (const Frame& expected : sent) {
    auto record = reader.next();
    while (record && record->frame == probe)
      record = reader.next();
    ASSERT_TRUE(record);
    EXPECT_EQ(record->interface, "vcan0");
    EXPECT_EQ(record->frame, expected)
        << format_frame_text(expected) << " came back as " << format_frame_text(record->frame);
  }
  EXPECT_FALSE(reader.next()) << "candump logged more than was sent";
  EXPECT_EQ(bus.counters().tx_frames, probes + 1 + sent.size());
}

TEST(SocketCanBus, KernelFilterKeepsUnlistedIdsOut) {
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0");
  const std::array<Filter, 2> filters{Filter::exact(0x100, false), Filter::exact(0x18DAF110, true)};
  bus.set_filters(filters);
  CollectingSink sink;
  bus.set_sink(&sink);
  bus.start();
  ASSERT_EQ(shell("cansend vcan0 200#01 && cansend vcan0 101#02 && cansend vcan0 00000100#03 && "
                  "cansend vcan0 100#04 && cansend vcan0 18DAF110#05 && cansend vcan0 100#R"),
            0);
  ASSERT_TRUE(run_until(io, [&] { return sink.received.size() >= 2; }));
  // Give stray frames a chance to arrive before checking that none did.
  run_until(
      io, [] { return false; }, std::chrono::milliseconds(300));
  ASSERT_EQ(sink.received.size(), 2U);
  EXPECT_EQ(format_frame_text(sink.received[0]), "100#04");
  EXPECT_EQ(format_frame_text(sink.received[1]), "18DAF110#05");
  EXPECT_EQ(bus.counters().rx_frames, 2U);
}

TEST(SocketCanBus, TenThousandFrameCanplayerReplayArrivesCompleteAndInOrder) {
  constexpr int count = 10000;
  const std::string log = "/tmp/replay.log";
  {
    std::ofstream out(log);
    LogWriter writer(out);
    for (int i = 0; i < count; ++i) {
      const std::array<std::uint8_t, 4> seq{
          static_cast<std::uint8_t>(i >> 24), static_cast<std::uint8_t>(i >> 16),
          static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
      auto frame = *Frame::classic(static_cast<std::uint32_t>(0x100 + i % 16), seq);
      // 100 us apart: 10,000 frames/s, above a saturated 1 Mbit/s bus.
      frame.set_time(std::chrono::seconds(1700000000) + std::chrono::microseconds(i * 100));
      writer.write("vcan0", frame);
    }
  }
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0", {.receive_buffer_bytes = 4 << 20});
  CollectingSink sink;
  sink.received.reserve(count);
  bus.set_sink(&sink);
  bus.start();
  ASSERT_EQ(shell("(canplayer -I " + log + " &)"), 0);
  ASSERT_TRUE(run_until(
      io, [&] { return sink.received.size() >= count; }, std::chrono::seconds(120)))
      << "received " << sink.received.size() << " of " << count << ", kernel dropped "
      << bus.counters().rx_queue_dropped;
  for (int i = 0; i < count; ++i) {
    const auto data = sink.received[static_cast<std::size_t>(i)].data();
    ASSERT_EQ(data.size(), 4U);
    const int seq = (data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3];
    ASSERT_EQ(seq, i) << "out of order or missing at " << i;
  }
  EXPECT_EQ(bus.counters().rx_queue_dropped, 0U);
  EXPECT_GT(bus.counters().rx_batches, 0U);
  std::printf("10000 frames in %llu batches (mean %.1f frames per recvmmsg)\n",
              static_cast<unsigned long long>(bus.counters().rx_batches),
              static_cast<double>(count) / static_cast<double>(bus.counters().rx_batches));
}

TEST(SocketCanBus, ErrorFramesAndBusOffAreCountedNotDecoded) {
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan0");
  const std::array<Filter, 1> filters{Filter::exact(0x100, false)};
  bus.set_filters(filters);  // error frames pass the separate error mask, not these filters
  CollectingSink sink;
  bus.set_sink(&sink);
  bus.start();
  // A controller problem (class 0x04) and a bus-off (class 0x40), as a CAN driver reports them.
  ASSERT_EQ(shell("cansend vcan0 20000004#0000000000000000 && "
                  "cansend vcan0 20000040#0000000000000000"),
            0);
  ASSERT_TRUE(run_until(io, [&] { return sink.received.size() >= 2; }));
  EXPECT_TRUE(sink.received[0].is_error());
  EXPECT_EQ(bus.counters().rx_error_frames, 2U);
  EXPECT_EQ(bus.counters().bus_off, 1U);
}

TEST(SocketCanBus, MissingInterfaceIsNamedInTheError) {
  boost::asio::io_context io;
  try {
    SocketCanBus bus(io, "vcan9");
    FAIL() << "opened a missing interface";
  } catch (const BusOpenError& e) {
    EXPECT_STREQ(e.what(), "CAN interface 'vcan9' does not exist");
  }
}

TEST(SocketCanBus, FdOnAClassicOnlyInterfaceIsRefusedClearly) {
  ASSERT_EQ(shell("ip link set vcan1 down && ip link set vcan1 mtu 16 && ip link set vcan1 up"), 0);
  boost::asio::io_context io;
  try {
    SocketCanBus bus(io, "vcan1", {.fd = true});
    FAIL() << "FD accepted on a classic interface";
  } catch (const BusOpenError& e) {
    EXPECT_NE(std::string(e.what()).find("'vcan1' is classic CAN only"), std::string::npos)
        << e.what();
  }
  shell("ip link set vcan1 down && ip link set vcan1 mtu 72 && ip link set vcan1 up");
}

TEST(SocketCanBus, InterfaceDownIsReportedAndTrafficResumesWhenUp) {
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan1", {.recovery_poll = std::chrono::milliseconds(50)});
  CollectingSink sink;
  bus.set_sink(&sink);
  bus.start();
  ASSERT_EQ(shell("ip link set vcan1 down"), 0);
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == BusState::down; }));
  EXPECT_EQ(bus.send(*Frame::classic(0x1, {})), SendStatus::dropped);
  ASSERT_EQ(shell("ip link set vcan1 up"), 0);
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == BusState::up; }));
  ASSERT_EQ(shell("cansend vcan1 042#2A"), 0);
  ASSERT_TRUE(run_until(io, [&] { return !sink.received.empty(); }));
  EXPECT_EQ(format_frame_text(sink.received.back()), "042#2A");
  EXPECT_EQ(sink.states, (std::vector<BusState>{BusState::down, BusState::up}));
}

TEST(SocketCanBus, StateChangeFoundBySendReachesTheSinkFromTheLoopNotFromInsideSend) {
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan1", {.recovery_poll = std::chrono::milliseconds(50)});
  CollectingSink sink;
  bus.set_sink(&sink);
  bus.start();
  // The loop does not run between the link going down and the send: send() finds out.
  ASSERT_EQ(shell("ip link set vcan1 down"), 0);
  EXPECT_EQ(bus.send(*Frame::classic(0x1, {})), SendStatus::dropped);
  EXPECT_EQ(bus.state(), BusState::down);
  EXPECT_TRUE(sink.states.empty()) << "the sink was called from inside send()";
  ASSERT_TRUE(run_until(io, [&] { return !sink.states.empty(); }));
  EXPECT_EQ(sink.states.front(), BusState::down);
  ASSERT_EQ(shell("ip link set vcan1 up"), 0);
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == BusState::up; }));
}

TEST(SocketCanBus, InterfaceDeletedAndRecreatedIsReopened) {
  ASSERT_EQ(shell("ip link add dev vcan2 type vcan && ip link set up vcan2"), 0);
  boost::asio::io_context io;
  SocketCanBus bus(io, "vcan2", {.recovery_poll = std::chrono::milliseconds(50)});
  CollectingSink sink;
  bus.set_sink(&sink);
  bus.start();
  ASSERT_EQ(shell("ip link del vcan2"), 0);
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == BusState::gone; }));
  ASSERT_EQ(shell("ip link add dev vcan2 type vcan && ip link set up vcan2"), 0);
  ASSERT_TRUE(run_until(io, [&] { return bus.state() == BusState::up; }));
  ASSERT_EQ(shell("cansend vcan2 043#2B"), 0);
  ASSERT_TRUE(run_until(io, [&] { return !sink.received.empty(); }));
  EXPECT_EQ(format_frame_text(sink.received.back()), "043#2B");
  shell("ip link del vcan2");
}

}  // namespace
}  // namespace cabind::can
