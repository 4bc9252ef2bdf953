#pragma once
// The engine benchmarks' rig, shared by engine_bench and frame_profile: a configuration
// loaded and compiled, its engine on a bus that counts what it is asked to send. Any error
// ends the program with a message (these are measuring tools, not tests).

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/can/bus.hpp"
#include "cabind/config/loader.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/engine/plan.hpp"

namespace cabind::bench {

[[noreturn]] inline void die(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::exit(1);
}

using cabind::can::Frame;
using cabind::can::Timestamp;

// A Bus that counts what it is asked to send and sends nothing.
class CountingBus final : public cabind::can::Bus {
 public:
  [[nodiscard]] std::string_view interface_name() const noexcept override { return "null0"; }
  void set_sink(cabind::can::FrameSink*) noexcept override {}
  void set_filters(std::span<const cabind::can::Filter>) override {}
  cabind::can::SendStatus send(const Frame& frame) noexcept override {
    ++counters_.tx_frames;
    last_ = frame;
    return cabind::can::SendStatus::sent;
  }
  [[nodiscard]] const cabind::can::BusCounters& counters() const noexcept override {
    return counters_;
  }
  [[nodiscard]] const Frame& last() const noexcept { return last_; }

 private:
  cabind::can::BusCounters counters_;
  Frame last_;
};

class CountingAudit final : public cabind::engine::AuditSink {
 public:
  void record(const cabind::engine::AuditEvent&) noexcept override { ++events; }
  std::size_t events = 0;
};

// A loaded configuration with its engine on a counting bus (shared by all its buses).
struct Rig {
  cabind::config::Config config;
  CountingBus bus;
  CountingAudit audit;
  cabind::engine::MemoryPreferenceStore preferences;
  std::unique_ptr<const cabind::engine::Plan> plan;
  std::unique_ptr<cabind::engine::Engine> engine;

  explicit Rig(const std::filesystem::path& vehicle) {
    cabind::config::LoadResult loaded = cabind::config::load(vehicle);
    if (!loaded.ok()) die(loaded.diagnostics.to_string());
    config = std::move(*loaded.config);
    cabind::diag::Diagnostics diagnostics;
    plan = cabind::engine::compile(config, diagnostics);
    if (!plan) die(diagnostics.to_string());
    // Every bus of the plan counts its sends on the one counting bus.
    const std::vector<cabind::can::Bus*> buses(plan->buses.size(), &bus);
    engine = std::make_unique<cabind::engine::Engine>(*plan, buses, audit, preferences);
  }
};

inline Frame frame_of(std::uint32_t id, std::span<const std::uint8_t> bytes, Timestamp time) {
  std::optional<Frame> frame = Frame::classic(id, bytes);
  if (!frame) die("bad frame");
  frame->set_time(time);
  return *frame;
}

}  // namespace cabind::bench
