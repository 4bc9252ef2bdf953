// LiveView over the demo vehicle (config/demo): what a snapshot says after real frames.
#include "cabind/web/live_view.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cabind/can/memory_bus.hpp"
#include "cabind/config/loader.hpp"

namespace cabind::web {
namespace {

using nlohmann::json;

class Recorder final : public engine::AuditSink {
 public:
  void record(const engine::AuditEvent& event) noexcept override { events.push_back(event); }
  std::vector<engine::AuditEvent> events;
};

can::Frame frame(std::uint32_t id, const std::vector<std::uint8_t>& data, double seconds) {
  const auto time =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
  return *can::Frame::make({.id = id,
                            .len = static_cast<std::uint8_t>(data.size()),
                            .data = data,
                            .time = can::Timestamp(time)});
}

json find(const json& list, const std::string& name) {
  for (const auto& item : list)
    if (item["name"] == name) return item;
  return {};
}

TEST(LiveView, ShowsTheDriverItsSourceTheMessagesAndAStaleSignal) {
  const auto loaded = config::load(std::string(CABIND_SOURCE_DIR) + "/config/demo/vehicle.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.to_string();
  diag::Diagnostics diagnostics;
  const auto plan = engine::compile(*loaded.config, diagnostics);
  ASSERT_TRUE(plan);
  std::vector<std::unique_ptr<can::MemoryBus>> buses;
  std::vector<can::Bus*> pointers;
  for (const auto& bus : plan->buses) {
    buses.push_back(std::make_unique<can::MemoryBus>(bus.interface));
    pointers.push_back(buses.back().get());
  }
  Recorder recorder;
  engine::MemoryPreferenceStore preferences;
  engine::Engine engine(*plan, pointers, recorder, preferences);
  LiveView view;
  const auto t0 = std::chrono::steady_clock::now();
  view.snapshot(engine, {}, t0);
  // Alice's key fob (id 3) every 100 ms for a second: past the source's debounce.
  for (int i = 0; i <= 10; ++i)
    engine.on_frame(0,
                    frame(0x120, {0x03, 0x01, 0xc8, static_cast<std::uint8_t>(i)}, 1.0 + 0.1 * i));
  for (const auto& event : recorder.events)
    view.on_event(event);
  auto taken = view.snapshot(engine, {}, t0 + std::chrono::seconds(1));
  const json live = json::parse(*taken.live);
  ASSERT_TRUE(live["driver"].is_object()) << live.dump();
  EXPECT_EQ(live["driver"]["id"], "alice");
  EXPECT_EQ(live["driver"]["source"], "key_fob");
  const json fob = find(live["messages"], "Keyfob_Status");
  EXPECT_EQ(fob["count"], 11);
  EXPECT_EQ(fob["data"], "0301c80a");
  EXPECT_DOUBLE_EQ(fob["rate"].get<double>(), 11.0);  // eleven frames in the second since
  EXPECT_EQ(find(live["signals"], "Identity.KeyFob")["validity"], "valid");
  EXPECT_FALSE(live.contains("events"));
  const json greeting = json::parse(*taken.greeting);
  ASSERT_FALSE(greeting["events"].empty());
  EXPECT_EQ(greeting["events"][0]["kind"], "driver");
  // Much later, with no fob frame: the fob signal is stale.
  engine.advance(can::Timestamp(std::chrono::seconds(30)));
  const json later = json::parse(*view.snapshot(engine, {}, t0 + std::chrono::seconds(2)).live);
  EXPECT_EQ(find(later["signals"], "Identity.KeyFob")["validity"], "stale");
  EXPECT_DOUBLE_EQ(find(later["messages"], "Keyfob_Status")["rate"].get<double>(), 0.0);
}

}  // namespace
}  // namespace cabind::web
