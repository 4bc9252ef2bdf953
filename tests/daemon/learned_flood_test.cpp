// Issue 14's flood soak, in process: the demo engine learning into the real SQLite store
// (as the daemon wires them) while random payloads flood HVAC_Status, each frame a manual
// change of the driver's temperature and fan. The soak's RSS grew by 8 MiB a minute
// because the store's writer queue kept every learned value; it must stay bounded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <vector>

#include "cabind/can/candump_log.hpp"
#include "cabind/can/memory_bus.hpp"
#include "cabind/config/loader.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/store/sqlite_preference_store.hpp"

namespace cabind::daemon {
namespace {

class CountingSink final : public engine::AuditSink {
 public:
  void record(const engine::AuditEvent& event) noexcept override {
    if (event.kind == engine::AuditKind::learned) ++learned;
  }
  std::uint64_t learned = 0;
};

can::Frame frame_at(const char* text, std::chrono::nanoseconds time) {
  auto parsed = can::parse_frame_text(text, nullptr);
  EXPECT_TRUE(parsed) << text;
  parsed->set_time(time);
  return *parsed;
}

TEST(LearnedFlood, AFloodOfManualChangesKeepsTheStoreQueueBounded) {
  auto loaded = config::load(CABIND_SOURCE_DIR "/config/demo/vehicle.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.to_string();
  diag::Diagnostics diagnostics;
  const auto plan = engine::compile(*loaded.config, diagnostics);
  ASSERT_TRUE(plan) << diagnostics.to_string();
  std::vector<std::unique_ptr<can::MemoryBus>> buses;
  std::vector<can::Bus*> pointers;
  for (const auto& bus : plan->buses) {
    buses.push_back(std::make_unique<can::MemoryBus>(bus.interface));
    pointers.push_back(buses.back().get());
  }
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    ("cabind-learned-flood-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  CountingSink sink;
  std::size_t most_pending = 0;
  {
    store::SqlitePreferenceStore store(dir / "preferences.sqlite");
    engine::Engine engine(*plan, pointers, sink, store);
    engine.set_local_time({7, 30, 1});
    using std::chrono::milliseconds;
    std::chrono::nanoseconds now{};
    const auto advance_to = [&](std::chrono::nanoseconds end) {
      while (now + milliseconds(10) <= end) {
        now += milliseconds(10);
        if (now.count() % 100'000'000 == 0) engine.on_frame(frame_at("150#00000000", now));
        engine.advance(now);
        engine.store_learned();
      }
    };
    // Parked, Alice's fob twice (her debounce), then the flood.
    for (const auto ms : {1000, 1300, 1600}) {
      advance_to(milliseconds(ms));
      engine.on_frame(frame_at("120#03000000", now));
    }
    advance_to(milliseconds(3000));
    ASSERT_NE(engine.driver(), nullptr);
    ASSERT_EQ(engine.driver()->id, "alice");
    std::mt19937 random(14);
    std::vector<can::Frame> batch;
    char text[32];
    for (int b = 0; b < 2000; ++b) {  // batches of 32 frames, 10 ms apart: 20 s of flood
      advance_to(now + milliseconds(10));
      batch.clear();
      for (int i = 0; i < 32; ++i) {
        std::snprintf(text, sizeof text, "201#%08X", static_cast<unsigned>(random()));
        batch.push_back(frame_at(text, now));
      }
      engine.on_frames(0, batch);
      engine.store_learned();  // as the daemon does after each batch
      most_pending = std::max(most_pending, store.pending());
    }
    EXPECT_GT(sink.learned, 10000U) << "the flood must be learned to test the store";
    EXPECT_GT(store.superseded(), 0U);
    EXPECT_TRUE(store.flush());
  }
  // One row per (driver, learned output) of the demo at most; before the fix, thousands.
  EXPECT_LE(most_pending, 4U);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cabind::daemon
