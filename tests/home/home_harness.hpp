#pragma once
// The home module on a real engine: tests/home/data (the demo vehicle, profiles whose ids
// are not their names), an engine on in-memory buses, a sink that keeps the batch's events
// as the daemon does and hands them to HomeAssistant after each batch, and an in-memory
// transport. Time is virtual, driven by the test.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "cabind/can/memory_bus.hpp"
#include "cabind/config/loader.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/home/command_target.hpp"
#include "cabind/home/home_assistant.hpp"
#include "engine_harness.hpp"
#include "memory_transport.hpp"

namespace cabind::home::testing {

using engine::testing::at;
using engine::testing::fob;
using engine::testing::kMoving;
using engine::testing::kParked;

// Keeps copies of the batch's events (views into the plan, which outlives them).
class BatchSink final : public engine::AuditSink {
 public:
  void record(const engine::AuditEvent& event) noexcept override {
    events.push_back(event);
    lines.push_back(engine::format_audit(event));
  }
  std::vector<engine::AuditEvent> events;
  std::vector<std::string> lines;
};

inline HomeOptions test_options() {
  HomeOptions options;
  options.thing = "car-7";
  options.commands = {"Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature",
                      "Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall"};
  options.profiles = {"guest", "p-19c0", "p-7f3a"};
  options.software_version = "0.1.0";
  return options;
}

class HomeHarness {
 public:
  explicit HomeHarness(HomeOptions options = test_options()) {
    auto loaded = config::load(CABIND_SOURCE_DIR "/tests/home/data/vehicle.yaml");
    if (!loaded.ok()) ADD_FAILURE() << loaded.diagnostics.to_string();
    config_ = std::make_unique<config::Config>(std::move(*loaded.config));
    diag::Diagnostics diagnostics;
    plan = engine::compile(*config_, diagnostics);
    if (!plan) ADD_FAILURE() << diagnostics.to_string();
    std::vector<can::Bus*> buses{&body, &infotainment};
    engine = std::make_unique<engine::Engine>(*plan, buses, sink, preferences);
    target = std::make_unique<EngineCommandTarget>(*engine, [this] { return now; });
    home = std::make_unique<HomeAssistant>(std::move(options), transport, *target);
    transport.attach(*home);
    home->start();
    transport.connect();
  }

  // One frame on the body bus at `seconds`, then the batch's events to the home.
  void frame(double seconds, const std::string& text) {
    now = at(seconds);
    auto parsed = can::parse_frame_text(text, nullptr);
    ASSERT_TRUE(parsed) << text;
    parsed->set_time(now);
    engine->on_frame(0, *parsed);
    after_batch();
  }
  void advance(double seconds) {
    now = at(seconds);
    engine->advance(now);
    after_batch();
  }
  // The fob presented twice (its 200 ms debounce): the driver is identified.
  void identify(int code, double seconds) {
    frame(seconds, kParked);
    frame(seconds, fob(code));
    frame(seconds + 0.3, fob(code));
  }
  // A command from home at the current time, then its events to the home (as the daemon).
  void command(const std::string& payload) {
    transport.deliver(home->topics().command(), payload);
    after_batch();
  }
  [[nodiscard]] nlohmann::json last_json(const std::string& topic) const {
    const bridge::Message* message = transport.last(topic);
    if (message == nullptr) {
      ADD_FAILURE() << "nothing on " << topic;
      return nullptr;
    }
    return nlohmann::json::parse(message->payload);
  }
  [[nodiscard]] nlohmann::json reply() const { return last_json(home->topics().reply()); }
  [[nodiscard]] std::string audit() const {
    std::string all;
    for (const auto& line : sink.lines)
      all += line + "\n";
    return all;
  }
  [[nodiscard]] bool audit_has(const std::string& part) const {
    for (const auto& line : sink.lines)
      if (line.find(part) != std::string::npos) return true;
    return false;
  }

  can::MemoryBus body{"vcan0"};
  can::MemoryBus infotainment{"vcan1"};
  BatchSink sink;
  engine::MemoryPreferenceStore preferences;
  std::unique_ptr<const engine::Plan> plan;
  std::unique_ptr<engine::Engine> engine;
  can::Timestamp now{};
  cabind::testing::MemoryTransport transport;
  std::unique_ptr<EngineCommandTarget> target;
  std::unique_ptr<HomeAssistant> home;

 private:
  void after_batch() {
    for (const engine::AuditEvent& event : sink.events)
      home->on_audit(event);
    sink.events.clear();
  }
  std::unique_ptr<config::Config> config_;
};

}  // namespace cabind::home::testing
