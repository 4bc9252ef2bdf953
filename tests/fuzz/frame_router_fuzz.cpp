// libFuzzer target: the demo vehicle (config/demo: its real DBCs, rules and interlocks) fed
// the frames the input spells: per frame 2 bytes of id (11 bits; the top bit picks the bus:
// 0 the first, 1 the second), 1 length byte (0..8), the data and 2 bytes of time step in ms.
// Exercises routing, integrity, identity, rules and actuation; the engine must never crash and
// never run backwards.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "cabind/can/memory_bus.hpp"
#include "cabind/config/loader.hpp"
#include "cabind/engine/engine.hpp"

namespace {

class NullSink final : public cabind::engine::AuditSink {
 public:
  void record(const cabind::engine::AuditEvent&) noexcept override {}
};

struct Vehicle {
  Vehicle() {
    auto loaded = cabind::config::load(CABIND_SOURCE_DIR "/config/demo/vehicle.yaml");
    if (!loaded.ok()) std::abort();
    config = std::make_unique<cabind::config::Config>(std::move(*loaded.config));
    cabind::diag::Diagnostics diagnostics;
    plan = cabind::engine::compile(*config, diagnostics);
    if (!plan) std::abort();
  }
  std::unique_ptr<cabind::config::Config> config;
  std::unique_ptr<const cabind::engine::Plan> plan;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cabind;
  static const Vehicle vehicle;
  std::vector<std::unique_ptr<can::MemoryBus>> buses;
  std::vector<can::Bus*> pointers;
  for (const engine::BusPlan& plan : vehicle.plan->buses) {
    buses.push_back(std::make_unique<can::MemoryBus>(plan.interface));
    pointers.push_back(buses.back().get());
  }
  NullSink sink;
  engine::MemoryPreferenceStore preferences;
  engine::Engine engine(*vehicle.plan, pointers, sink, preferences);
  can::Timestamp now{};
  std::size_t at = 0;
  while (at + 3 <= size) {
    const std::uint32_t id = (std::uint32_t{data[at]} << 8U | data[at + 1]) & 0x7FFU;
    const std::size_t bus = (std::size_t{data[at]} >> 7U) % buses.size();
    const std::size_t len = std::min<std::size_t>(data[at + 2] % 9U, size - at - 3);
    at += 3;
    auto frame = can::Frame::classic(id, {data + at, len});
    at += len;
    if (at + 2 <= size) {
      now += std::chrono::milliseconds(std::uint32_t{data[at]} << 8U | data[at + 1]);
      at += 2;
    }
    if (!frame) continue;
    frame->set_time(now);
    engine.on_frame(bus, *frame);
    engine.advance(now);
    (void)engine.store_learned();
    for (const auto& sent : buses)
      sent->clear_sent();
  }
  return 0;
}
