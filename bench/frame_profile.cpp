// frame_profile MODE FRAMES
// A fixed amount of frame-path work for callgrind, whose instruction counts (unlike times on
// this shared machine) repeat from run to run. MODE:
//   reaction  Engine::on_frames with bench/data/probe, one stimulus frame per batch: its
//             signal rule fires, the output's frame is encoded and handed to a null Bus
//             (the path of one tools/latency-probe reaction, without the daemon and kernel)
//   nochange  Engine::on_frames with config/demo, one BodyInfo frame per batch whose bytes
//             never change, 10 ms apart: nothing fires, nothing is sent
// The measured loop is run_frames(); profile only it and divide by FRAMES:
//   valgrind --tool=callgrind --toggle-collect='*run_frames*' frame_profile reaction 10000
// Prints the frames sent and audit events recorded, so a run that did not do the work shows.

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "cabind/can/bus.hpp"
#include "cabind/config/loader.hpp"
#include "cabind/engine/engine.hpp"
#include "engine_rig.hpp"

namespace {

namespace fs = std::filesystem;
using cabind::can::Frame;
using cabind::can::Timestamp;
using std::chrono::milliseconds;

using cabind::bench::die;
using cabind::bench::frame_of;
using cabind::bench::Rig;

// The frames, built before the measured loop so that only the engine's work is counted.
struct Frames {
  std::unique_ptr<Frame[]> frames;
  std::size_t count = 0;
};

Frames reaction_frames(std::size_t count) {
  Frames out{std::make_unique<Frame[]>(count), count};
  Timestamp now = milliseconds(1'000'000);
  std::uint16_t value = 1;
  for (std::size_t n = 0; n < count; ++n) {
    // 100 stimuli round-robin 1 ms apart: each output every 100 ms, over its rate limit.
    const auto k = static_cast<std::uint32_t>(n % 100);
    if (k == 0) value = static_cast<std::uint16_t>(value == 60000 ? 1 : value + 1);
    now += milliseconds(1);
    const std::array<std::uint8_t, 2> bytes{static_cast<std::uint8_t>(value & 0xFF),
                                            static_cast<std::uint8_t>(value >> 8)};
    out.frames[n] = frame_of(0x100 + k, bytes, now);
  }
  return out;
}

Frames nochange_frames(std::size_t count) {
  Frames out{std::make_unique<Frame[]>(count), count};
  const std::array<std::uint8_t, 8> bytes{};  // BodyInfo: speed 0, gear P
  Timestamp now = milliseconds(1'000'000);
  for (std::size_t n = 0; n < count; ++n) {
    now += milliseconds(10);
    out.frames[n] = frame_of(0x100, bytes, now);
  }
  return out;
}

// The measured loop: one batch of one frame each, as the daemon hands a recvmmsg batch that
// holds one frame (the latency probe's case).
[[gnu::noinline]] void run_frames(cabind::engine::Engine& engine, std::span<const Frame> frames) {
  for (const Frame& frame : frames)
    engine.on_frames(std::span<const Frame>(&frame, 1));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc == 3 ? argv[1] : "";
  const long count = argc == 3 ? std::atol(argv[2]) : 0;
  if ((mode != "reaction" && mode != "nochange") || count <= 0) {
    std::fprintf(stderr, "usage: frame_profile reaction|nochange FRAMES\n");
    return 2;
  }
  const fs::path source = CABIND_SOURCE_DIR;
  const bool reaction = mode == "reaction";
  Rig rig(source / (reaction ? "bench/data/probe/vehicle.yaml" : "config/demo/vehicle.yaml"));
  if (reaction && !rig.engine->restore_driver("probe")) die("no probe profile");
  const auto n = static_cast<std::size_t>(count);
  // A first round outside the measured loop: first values, first sends.
  const std::size_t warm = reaction ? 100 : 1;
  const Frames frames = reaction ? reaction_frames(warm + n) : nochange_frames(warm + n);
  const std::span<const Frame> all(frames.frames.get(), frames.count);
  run_frames(*rig.engine, all.first(warm));
  const std::size_t sent = rig.bus.counters().tx_frames;
  const std::size_t events = rig.audit.events;
  run_frames(*rig.engine, all.subspan(warm));
  std::printf("{\"mode\":\"%s\",\"frames\":%zu,\"sent\":%zu,\"audit_events\":%zu}\n", argv[1], n,
              rig.bus.counters().tx_frames - sent, rig.audit.events - events);
  return 0;
}
