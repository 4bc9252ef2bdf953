#pragma once
// Test harness: the demo configuration (or a test one), an engine on MemoryBuses, a
// recording audit sink and a virtual clock driven by the test.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cabind/can/candump_log.hpp"
#include "cabind/can/memory_bus.hpp"
#include "cabind/config/loader.hpp"
#include "cabind/engine/engine.hpp"

namespace cabind::engine::testing {

class RecordingSink final : public AuditSink {
 public:
  void record(const AuditEvent& event) noexcept override { lines.push_back(format_audit(event)); }
  std::vector<std::string> lines;
};

inline can::Timestamp at(double seconds) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9 + 0.5));
}

class Harness {
 public:
  explicit Harness(const std::string& vehicle = CABIND_SOURCE_DIR "/config/demo/vehicle.yaml") {
    auto loaded = config::load(vehicle);
    if (!loaded.ok()) ADD_FAILURE() << loaded.diagnostics.to_string();
    config_ = std::make_unique<config::Config>(std::move(*loaded.config));
    diag::Diagnostics diagnostics;
    plan = compile(*config_, diagnostics);
    if (!plan) ADD_FAILURE() << diagnostics.to_string();
    // One in-memory bus per configured bus; `bus` is the first (body, vcan0).
    std::vector<can::Bus*> pointers{&bus};
    for (std::size_t b = 1; plan && b < plan->buses.size(); ++b) {
      others.push_back(std::make_unique<can::MemoryBus>(plan->buses[b].interface));
      pointers.push_back(others.back().get());
    }
    engine = std::make_unique<Engine>(*plan, pointers, sink, preferences);
    // Monday 07:30 unless a test says otherwise.
    engine->set_local_time({7, 30, 1});
  }

  // Sends one frame ("150#00000000") at `seconds`, advancing the clock to it first;
  // "infotainment:230#..." names the bus it is read from (default: the first).
  void frame(double seconds, std::string text) {
    std::size_t on = 0;
    if (const auto colon = text.find(':'); colon != std::string::npos) {
      const auto named = plan->bus(text.substr(0, colon));
      ASSERT_TRUE(named) << "no bus " << text.substr(0, colon);
      on = *named;
      text.erase(0, colon + 1);
    }
    run_to(seconds);
    std::string why;
    auto parsed = can::parse_frame_text(text, &why);
    ASSERT_TRUE(parsed) << why;
    parsed->set_time(at(seconds));
    engine->on_frame(on, *parsed);
    engine->store_learned();  // as the daemon does after each batch
  }
  // A frame repeated every 100 ms while the clock runs (replaces one with the same id).
  void periodic(const std::string& text) { periodic_[text.substr(0, text.find('#'))] = text; }
  void stop_periodic(const std::string& id) { periodic_.erase(id); }

  // Advances in 10 ms ticks to `seconds`, delivering the periodic frames every 100 ms.
  void run_to(double seconds) {
    const can::Timestamp end = at(seconds);
    while (now_ + std::chrono::milliseconds(10) <= end) {
      now_ += std::chrono::milliseconds(10);
      if ((now_.count() / 1'000'000) % 100 == 0) {
        for (const auto& [id, text] : periodic_) {
          auto parsed = can::parse_frame_text(text, nullptr);
          parsed->set_time(now_);
          engine->on_frame(*parsed);
        }
      }
      engine->advance(now_);
      engine->store_learned();
    }
  }

  // Sent frames as "id#data", optionally only those of one id.
  [[nodiscard]] std::vector<std::string> sent(const std::string& id = {}) const {
    return sent_on(bus, id);
  }
  // Frames sent on the bus with this name.
  [[nodiscard]] std::vector<std::string> sent_on_bus(const std::string& name,
                                                     const std::string& id = {}) const {
    const auto index = plan->bus(name);
    if (!index) ADD_FAILURE() << "no bus " << name;
    return sent_on(!index || *index == 0 ? bus : *others[*index - 1], id);
  }
  [[nodiscard]] static std::vector<std::string> sent_on(const can::MemoryBus& on,
                                                        const std::string& id) {
    std::vector<std::string> out;
    for (const can::Frame& frame : on.sent()) {
      std::string text = can::format_frame_text(frame);
      if (id.empty() || text.substr(0, text.find('#')) == id) out.push_back(text);
    }
    return out;
  }
  [[nodiscard]] bool audit_has(const std::string& part) const {
    return std::any_of(sink.lines.begin(), sink.lines.end(), [&](const std::string& line) {
      return line.find(part) != std::string::npos;
    });
  }
  [[nodiscard]] std::size_t audit_count(const std::string& part) const {
    return static_cast<std::size_t>(std::count_if(
        sink.lines.begin(), sink.lines.end(),
        [&](const std::string& line) { return line.find(part) != std::string::npos; }));
  }
  [[nodiscard]] std::string audit() const {
    std::string all;
    for (const auto& line : sink.lines)
      all += line + "\n";
    return all;
  }

  can::MemoryBus bus{"vcan0"};
  std::vector<std::unique_ptr<can::MemoryBus>> others;  // buses after the first
  RecordingSink sink;
  MemoryPreferenceStore preferences;
  std::unique_ptr<const Plan> plan;
  std::unique_ptr<Engine> engine;

 private:
  std::unique_ptr<config::Config> config_;
  std::map<std::string, std::string> periodic_;
  can::Timestamp now_{};
};

// Frames of the demo DBC, spelled out byte by byte.
inline constexpr const char* kParked = "150#00000000";      // speed 0, gear P
inline constexpr const char* kMoving = "150#13880300";      // 50 km/h, gear D
inline constexpr const char* kStoppedInD = "150#00000300";  // speed 0, gear D
inline const std::string fob(int code) {
  char text[16];
  std::snprintf(text, sizeof text, "120#%02X000000", code);
  return text;
}

}  // namespace cabind::engine::testing
