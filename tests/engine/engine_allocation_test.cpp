// The hot path must not allocate: this executable links cabind_alloc_counter, which
// replaces the global operator new and counts every allocation. It also prints rough per-frame
// timings for the record; they are not asserted (shared CI machines are noisy).

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <vector>

#include "alloc_counter.hpp"
#include "cabind/can/candump_log.hpp"
#include "cabind/config/loader.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/signal/checksum.hpp"
#include "cabind/signal/frame_router.hpp"

namespace cabind::engine {
namespace {

// Counts sends without storing them (MemoryBus keeps a vector, which allocates).
class CountingBus final : public can::Bus {
 public:
  [[nodiscard]] std::string_view interface_name() const noexcept override { return "count0"; }
  void set_sink(can::FrameSink*) noexcept override {}
  void set_filters(std::span<const can::Filter>) override {}
  can::SendStatus send(const can::Frame&) noexcept override {
    ++sent;
    return can::SendStatus::sent;
  }
  [[nodiscard]] const can::BusCounters& counters() const noexcept override { return counters_; }
  std::size_t sent = 0;

 private:
  can::BusCounters counters_;
};

class CountingSink final : public AuditSink {
 public:
  void record(const AuditEvent& event) noexcept override {
    ++events;
    if (event.kind == AuditKind::published) ++published;
  }
  std::size_t events = 0;
  std::size_t published = 0;
};

can::Frame frame(const char* text, double seconds) {
  auto parsed = can::parse_frame_text(text, nullptr);
  parsed->set_time(std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9)));
  return *parsed;
}

class EngineAllocation : public ::testing::Test {
 protected:
  explicit EngineAllocation(const char* vehicle = CABIND_SOURCE_DIR "/config/demo/vehicle.yaml") {
    auto loaded = config::load(vehicle);
    EXPECT_TRUE(loaded.ok()) << loaded.diagnostics.to_string();
    config_ = std::move(*loaded.config);
    diag::Diagnostics diagnostics;
    plan_ = compile(config_, diagnostics);
    EXPECT_TRUE(plan_) << diagnostics.to_string();
    // Every bus of the plan counts its sends on the one counting bus.
    const std::vector<can::Bus*> buses(plan_ ? plan_->buses.size() : 1, &bus_);
    engine_ = std::make_unique<Engine>(*plan_, buses, sink_, preferences_);
    engine_->set_local_time({7, 30, 1});
  }
  config::Config config_;
  CountingBus bus_;
  CountingSink sink_;
  MemoryPreferenceStore preferences_;
  std::unique_ptr<const Plan> plan_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineAllocation, FramesThatChangeNoRuleInputAllocateNothing) {
  engine_->on_frame(frame("150#00000000", 1.0));
  const can::Frame same = frame("150#00000000", 1.0);
  constexpr int kFrames = 200'000;
  const std::size_t allocations_before = test_support::allocation_count();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kFrames; ++i)
    engine_->on_frame(same);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(test_support::allocation_count() - allocations_before, 0U);
  std::printf("unchanged frame: %.1f ns/frame\n",
              static_cast<double>(std::chrono::nanoseconds(elapsed).count()) / kFrames);
}

TEST_F(EngineAllocation, RouterLookupDecodeAndTableUpdateAllocateNothing) {
  const dbc::Codec codec(config_.buses.front().database);
  const std::array<signal::Binding, 2> bindings{
      signal::Binding{0, *codec.find_signal("BodyInfo", "VehicleSpeed")},
      signal::Binding{1, *codec.find_signal("BodyInfo", "Gear")}};
  signal::FrameRouter router(codec, bindings);
  signal::SignalTable table({std::chrono::milliseconds(200), std::chrono::milliseconds(200)});
  std::array<std::uint32_t, 4> changed{};
  const can::Frame body = frame("150#13880300", 1.0);
  constexpr int kFrames = 1'000'000;
  std::size_t total = 0;
  const std::size_t allocations_before = test_support::allocation_count();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kFrames; ++i)
    total += router.route(body, table, changed);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(test_support::allocation_count() - allocations_before, 0U);
  EXPECT_EQ(total, 2U) << "only the first frame changes the slots";
  std::printf("router (lookup + decode 2 signals + table update): %.1f ns/frame\n",
              static_cast<double>(std::chrono::nanoseconds(elapsed).count()) / kFrames);
}

TEST_F(EngineAllocation, CounterAndChecksumChecksAllocateNothing) {
  // Keyfob_Status: FobCounter (bits 12..15) checked, FobBattery (byte 2) used as a
  // CRC-8 over bytes 0, 1 and 3; the counter advances by one every frame.
  const dbc::Codec codec(config_.buses.front().database);
  const std::array<signal::Binding, 1> bindings{
      signal::Binding{0, *codec.find_signal("Keyfob_Status", "FobId")}};
  signal::IntegritySpec spec;
  spec.message = *codec.find_message("Keyfob_Status");
  spec.counter = codec.find_signal("Keyfob_Status", "FobCounter");
  spec.checksum = codec.find_signal("Keyfob_Status", "FobBattery");
  spec.algorithm = signal::ChecksumAlgorithm::crc8_sae_j1850;
  const std::array<signal::IntegritySpec, 1> specs{spec};
  signal::FrameRouter router(codec, bindings, specs);
  signal::SignalTable table({std::chrono::milliseconds(0)});
  std::array<std::uint32_t, 4> changed{};
  std::array<can::Frame, 16> frames;
  for (std::size_t c = 0; c < frames.size(); ++c) {
    std::array<std::uint8_t, 4> bytes{0x03, static_cast<std::uint8_t>(c << 4U), 0x00, 0x00};
    bytes[2] = signal::checksum_crc8_sae_j1850(bytes, 2);
    char text[16];
    std::snprintf(text, sizeof text, "120#%02X%02X%02X%02X", bytes[0], bytes[1], bytes[2],
                  bytes[3]);
    frames[c] = frame(text, 1.0);
  }
  constexpr int kFrames = 1'000'000;
  const std::size_t allocations_before = test_support::allocation_count();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kFrames; ++i)
    router.route(frames[static_cast<std::size_t>(i) % frames.size()], table, changed);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(test_support::allocation_count() - allocations_before, 0U);
  EXPECT_EQ(router.integrity_failures(), 0U);
  EXPECT_TRUE(table.is_valid(0));
  std::printf("router with counter + CRC-8 check: %.1f ns/frame\n",
              static_cast<double>(std::chrono::nanoseconds(elapsed).count()) / kFrames);
}

TEST_F(EngineAllocation, DriverChangesFiringRulesAndSendingAllocateNothing) {
  // Warm up: every code path once (first sends, blocked, timers).
  double t = 1.0;
  for (int i = 0; i < 4; ++i, t += 0.05) {
    engine_->on_frame(frame("150#00000000", t));
    engine_->on_frame(frame(i % 2 ? "121#0100" : "121#0200", t));
    engine_->on_frame(frame("121#0000", t));
  }
  constexpr int kChanges = 2'000;
  const std::size_t sent_before = bus_.sent;
  const std::size_t allocations_before = test_support::allocation_count();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kChanges; ++i, t += 0.06) {
    engine_->on_frame(frame("150#00000000", t));
    engine_->on_frame(frame(i % 2 ? "121#0100" : "121#0200", t));
    engine_->on_frame(frame("121#0000", t));
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(test_support::allocation_count() - allocations_before, 0U);
  EXPECT_GT(bus_.sent - sent_before, static_cast<std::size_t>(kChanges));
  std::printf("driver change (4 rules, ~3 frames sent): %.0f ns/change\n",
              static_cast<double>(std::chrono::nanoseconds(elapsed).count()) / kChanges);
}

// tests/home/data: the same vehicle with a rule that publishes `arrived_home` for the home.
class EngineAllocationHome : public EngineAllocation {
 protected:
  EngineAllocationHome() : EngineAllocation(CABIND_SOURCE_DIR "/tests/home/data/vehicle.yaml") {}
};

TEST_F(EngineAllocationHome, APublishActionAndACommandFromHomeAllocateNothing) {
  double t = 1.0;
  const auto change_driver = [&](int i) {
    engine_->on_frame(frame("150#00000000", t));
    engine_->on_frame(frame(i % 2 ? "121#0100" : "121#0200", t));
    engine_->on_frame(frame("121#0000", t));
    engine_->command("Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature", 20 + i % 5,
                     can::Timestamp(std::chrono::nanoseconds(static_cast<std::int64_t>(t * 1e9))));
  };
  for (int i = 0; i < 4; ++i, t += 0.06)
    change_driver(i);  // warm up
  constexpr int kChanges = 500;
  const std::size_t published_before = sink_.published;
  const std::size_t allocations_before = test_support::allocation_count();
  for (int i = 0; i < kChanges; ++i, t += 0.06)
    change_driver(i);
  EXPECT_EQ(test_support::allocation_count() - allocations_before, 0U);
  EXPECT_EQ(sink_.published - published_before, static_cast<std::size_t>(kChanges));
}

TEST_F(EngineAllocation, LearningOnTheFramePathAllocatesNothingAndReachesTheStoreAfterADrain) {
  const std::string output = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature";
  double t = 1.0;
  engine_->on_frame(frame("150#00000000", t));
  engine_->on_frame(frame("121#0100", t += 0.05));  // Alice's seat-memory button
  engine_->on_frame(frame("121#0000", t += 0.05));
  ASSERT_NE(engine_->driver(), nullptr);
  ASSERT_EQ(engine_->driver()->id, "alice");
  engine_->on_frame(frame("201#2B000300", t += 0.1));  // HVAC confirms Alice's 21.5 degC
  // Warm up: one manual change learned and stored.
  engine_->on_frame(frame("201#28000300", t += 0.1));
  ASSERT_EQ(engine_->learned().size(), 1U);
  engine_->store_learned();
  ASSERT_EQ(preferences_.preference("alice", output), 20.0);

  // The driver turns the knob back and forth: each change is learned on the frame path.
  constexpr int kChanges = 20;
  static_assert(kChanges <= static_cast<int>(Engine::learned_capacity));
  const std::array<const char*, 2> knob{"201#2A000300", "201#29000300"};  // 21, 20.5 degC
  std::array<can::Frame, kChanges> frames;
  for (std::size_t i = 0; i < frames.size(); ++i)
    frames[i] = frame(knob[i % 2], t += 0.1);
  const std::size_t allocations = test_support::allocations_during([&] {
    for (const can::Frame& f : frames)
      engine_->on_frame(f);
  });
  EXPECT_EQ(allocations, 0U);
  EXPECT_EQ(engine_->learned().size(), static_cast<std::size_t>(kChanges));
  EXPECT_EQ(preferences_.preference("alice", output), 20.0)
      << "the store was called on the frame path";
  EXPECT_EQ(engine_->store_learned(), static_cast<std::size_t>(kChanges));
  EXPECT_EQ(preferences_.preference("alice", output), 20.5);
  EXPECT_EQ(engine_->learned().overflow(), 0U);
}

TEST_F(EngineAllocation, InfotainmentFramesPhoneIdentityAndABusGoingDownAllocateNothing) {
  // The demo's second bus: Media_Status (its 0x150), Carla's phone token and the
  // destination it commands all live there; the body bus goes on beside it.
  double t = 1.0;
  auto warm_up = [&] {
    for (int i = 0; i < 12; ++i, t += 0.1) {
      engine_->on_frame(0, frame("150#00000000", t));
      engine_->on_frame(1, frame(i % 2 ? "150#0C00" : "150#0D00", t));
      engine_->on_frame(1, frame("230#0101A0A1C4", t));
    }
    engine_->on_bus_down(1);
    engine_->advance(std::chrono::nanoseconds(static_cast<std::int64_t>(t * 1e9)));
    engine_->on_bus_up(1);
  };
  warm_up();
  ASSERT_NE(engine_->driver(), nullptr);
  EXPECT_EQ(engine_->driver()->id, "carla");
  const std::size_t allocations = test_support::allocations_during(warm_up);
  EXPECT_EQ(allocations, 0U);
  EXPECT_GT(engine_->frames_seen(1), 0U);
}

}  // namespace
}  // namespace cabind::engine
