// Engine benchmarks: the per-frame hot path of the daemon, measured without a bus.
//
// - BM_RouteFord: FrameRouter::route over every message of the real Ford body DBC with
//   every signal bound to a slot (id lookup, decode of the bound signals, SignalTable
//   update); the frames repeat, so values do not change after the first pass.
// - BM_OnFrameNoChange: Engine::on_frame with the demo configuration on a BodyInfo frame
//   whose values never change: advance(), routing, no rule fires, nothing is sent.
// - BM_OnFrameFireAndSend: Engine::on_frame with the latency-probe configuration
//   (bench/data/probe): each frame changes a stimulus signal, one rule fires, the actuator
//   encodes the output's frame and hands it to a counting Bus. Frame times advance so that
//   no output is ever held by the 50 ms per-output rate limit.
// - BM_OnFrameDbcSize/N: Engine::on_frame with no change, as BM_OnFrameNoChange, on a
//   generated DBC of N messages (4 signals each) with the same configuration whatever N is:
//   10 mapped signals on the first messages, 2 outputs on the last. The per-frame cost must
//   not grow with N (issue 10: 1,000 messages within 1.2x of 10).
// - BM_OnFrameBuses/N: Engine::on_frame with no change on a generated vehicle of N buses
//   (one DBC each, id 0x100 a different layout on each), frames round-robin over the buses.
//   The per-frame cost must not grow with N (issue 11: one bus vs three, same run).
// - BM_RuleScaling/P/R: P profiles x R rules, generated into a temporary directory. The
//   frames drive 10 stimulus signals with one rule each; the other R-10 rules depend on 90
//   other signals. Per frame, one rule fires and one frame is sent whatever P and R are:
//   the figure shows what rules that do not depend on the changed signal cost.
//
// Every benchmark carries allocs_per_frame (global operator new calls made during the timed
// loop, divided by the frames; must be 0) and ns_per_frame (thread CPU time: the machine is
// shared, wall time also counts other processes); decode benchmarks carry ns_per_signal.
//
//   engine_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "cabind/can/bus.hpp"
#include "cabind/config/loader.hpp"
#include "cabind/dbc/codec.hpp"
#include "cabind/dbc/parser.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/signal/frame_router.hpp"
#include "cabind/signal/signal_table.hpp"
#include "engine_rig.hpp"

namespace {

namespace fs = std::filesystem;
using cabind::can::Frame;
using cabind::can::Timestamp;
using std::chrono::milliseconds;

const fs::path source_dir = CABIND_SOURCE_DIR;
const fs::path ford_dbc = fs::path(CABIND_SHARED_DATA_DIR) / "dbc/ford_cgea1_2_bodycan_2011.dbc";

using cabind::bench::die;

double thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// Times the benchmark loop (thread CPU time) and counts its allocations.
class Meter {
 public:
  Meter() : allocations_(cabind::test_support::allocation_count()), cpu_(thread_cpu_ns()) {}
  // Sets ns_per_frame, allocs_per_frame and, when signals_per_frame > 0, ns_per_signal.
  void report(benchmark::State& state, double frames_per_iteration,
              double signals_per_frame = 0) const {
    const double allocations =
        static_cast<double>(cabind::test_support::allocation_count() - allocations_);
    const double frames = static_cast<double>(state.iterations()) * frames_per_iteration;
    const double ns = thread_cpu_ns() - cpu_;
    state.counters["ns_per_frame"] = ns / frames;
    state.counters["allocs_per_frame"] = allocations / frames;
    if (signals_per_frame > 0) state.counters["ns_per_signal"] = ns / (frames * signals_per_frame);
  }

 private:
  std::size_t allocations_;
  double cpu_;
};

using cabind::bench::CountingAudit;
using cabind::bench::CountingBus;
using cabind::bench::frame_of;
using cabind::bench::Rig;

// Stimulus_k (id 0x100 + k) of the probe DBC carrying `value` in its 16-bit signal.
Frame stimulus(std::uint32_t k, std::uint16_t value, Timestamp time) {
  const std::array<std::uint8_t, 2> bytes{static_cast<std::uint8_t>(value & 0xFF),
                                          static_cast<std::uint8_t>(value >> 8)};
  return frame_of(0x100 + k, bytes, time);
}

// ---------------------------------------------------------------------------------------

struct FordRouting {
  std::unique_ptr<cabind::dbc::Codec> codec;
  std::unique_ptr<cabind::signal::FrameRouter> router;
  std::unique_ptr<cabind::signal::SignalTable> table;
  std::vector<Frame> frames;
  std::size_t signals_in_frames = 0;
};

const FordRouting& ford_routing() {
  static const FordRouting routing = [] {
    FordRouting r;
    cabind::dbc::ParseResult parsed = cabind::dbc::parse_file(ford_dbc);
    if (!parsed.ok()) die(parsed.diagnostics.to_string());
    r.codec = std::make_unique<cabind::dbc::Codec>(std::move(*parsed.database));
    std::vector<cabind::signal::Binding> bindings;
    std::mt19937_64 rng(7);
    for (std::uint16_t m = 0; m < r.codec->message_count(); ++m) {
      const cabind::dbc::Message& message = r.codec->message(m);
      for (const auto& signal : message.signals) {
        const auto ref = r.codec->find_signal(message.name, signal.name);
        if (!ref) die("unresolved Ford signal");
        bindings.push_back({static_cast<std::uint32_t>(bindings.size()), *ref});
      }
      std::array<std::uint8_t, 64> bytes{};
      for (std::size_t b = 0; b < message.size; ++b)
        bytes[b] = static_cast<std::uint8_t>(rng());
      std::optional<Frame> frame =
          Frame::make({message.id, message.extended, cabind::can::Kind::data,
                       message.size > 8 ? cabind::can::Format::fd : cabind::can::Format::classic, 0,
                       static_cast<std::uint8_t>(message.size),
                       std::span<const std::uint8_t>(bytes.data(), message.size), Timestamp{1}});
      if (!frame) die("bad Ford frame");
      r.frames.push_back(*frame);
      r.signals_in_frames += message.signals.size();
    }
    r.router = std::make_unique<cabind::signal::FrameRouter>(*r.codec, bindings);
    r.table = std::make_unique<cabind::signal::SignalTable>(
        std::vector<std::chrono::nanoseconds>(bindings.size(), std::chrono::nanoseconds{0}));
    return r;
  }();
  return routing;
}

void BM_RouteFord(benchmark::State& state) {
  const FordRouting& r = ford_routing();
  cabind::signal::SignalTable& table = *r.table;
  std::array<std::uint32_t, 256> changed{};
  for (const Frame& frame : r.frames)
    r.router->route(frame, table, changed);  // first values
  std::size_t changes = 0;
  const Meter meter;
  for (auto _ : state) {
    for (const Frame& frame : r.frames)
      changes += r.router->route(frame, table, changed);
    benchmark::ClobberMemory();
  }
  meter.report(state, static_cast<double>(r.frames.size()),
               static_cast<double>(r.signals_in_frames) / static_cast<double>(r.frames.size()));
  state.counters["changes"] = static_cast<double>(changes);
  state.counters["frames"] = static_cast<double>(r.frames.size());
}
BENCHMARK(BM_RouteFord);

void BM_OnFrameNoChange(benchmark::State& state) {
  Rig rig(source_dir / "config/demo/vehicle.yaml");
  // BodyInfo (0x100): speed 0, gear P, the same bytes every time.
  const std::array<std::uint8_t, 8> bytes{};
  Timestamp now = milliseconds(1'000'000);
  rig.engine->on_frame(frame_of(0x100, bytes, now));
  const std::size_t sent_before = rig.bus.counters().tx_frames;
  const Meter meter;
  for (auto _ : state) {
    now += milliseconds(10);
    rig.engine->on_frame(frame_of(0x100, bytes, now));
  }
  meter.report(state, 1);
  state.counters["sent"] = static_cast<double>(rig.bus.counters().tx_frames - sent_before);
}
BENCHMARK(BM_OnFrameNoChange);

// Drives `rig` with stimuli round-robin over `ids` stimulus messages, each frame changing
// its value and `step` apart; reports the frames sent per frame.
void drive_stimuli(benchmark::State& state, Rig& rig, std::uint32_t ids, milliseconds step) {
  Timestamp now = milliseconds(1'000'000);
  std::uint32_t k = 0;
  std::uint16_t value = 1;
  const std::size_t sent_before = rig.bus.counters().tx_frames;
  const Meter meter;
  for (auto _ : state) {
    now += step;
    rig.engine->on_frame(stimulus(k, value, now));
    if (++k == ids) {
      k = 0;
      value = static_cast<std::uint16_t>(value == 60000 ? 1 : value + 1);
    }
  }
  meter.report(state, 1);
  state.counters["sent_per_frame"] =
      static_cast<double>(rig.bus.counters().tx_frames - sent_before) /
      static_cast<double>(state.iterations());
}

void BM_OnFrameFireAndSend(benchmark::State& state) {
  Rig rig(source_dir / "bench/data/probe/vehicle.yaml");
  if (!rig.engine->restore_driver("probe")) die("no probe profile");
  // 100 outputs round-robin, 1 ms apart: each output is sent every 100 ms.
  drive_stimuli(state, rig, 100, milliseconds(1));
}
BENCHMARK(BM_OnFrameFireAndSend);

// A vehicle on a generated DBC of `messages` messages, in a fresh temporary directory.
fs::path make_dbc_size_config(int messages) {
  const fs::path dir =
      fs::temp_directory_path() /
      ("cabind-engine-bench-dbc" + std::to_string(messages) + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "profiles");
  std::ofstream dbc(dir / "generated.dbc");
  dbc << "VERSION \"\"\n\nNS_ :\n\nBS_:\n\nBU_: ECU HU\n\n";
  for (int m = 0; m < messages; ++m) {
    dbc << "BO_ " << 0x100 + m << " M" << m << ": 8 ECU\n";
    for (int s = 0; s < 4; ++s) {
      dbc << " SG_ S" << s << " : " << 16 * s << "|16@1+ (1,0) [0|65535] \"\" HU\n";
    }
    dbc << "\n";
  }
  dbc.close();
  std::ofstream vehicle(dir / "vehicle.yaml");
  vehicle << "bus: { interface: vcan0 }\ndbc: generated.dbc\nsignals:\n";
  for (int m = 0; m < 10; ++m)
    vehicle << "  Gen.In" << m << ": M" << m << ".S0\n";
  vehicle << "outputs:\n";
  for (int m = messages - 2; m < messages; ++m)
    vehicle << "  Gen.Out" << m << ": { signal: M" << m << ".S1, feedback: M" << m << ".S2 }\n";
  vehicle.close();
  std::ofstream(dir / "profiles/guest.yaml") << "id: guest\nname: Guest\nguest: true\n";
  return dir;
}

void BM_OnFrameDbcSize(benchmark::State& state) {
  const int messages = static_cast<int>(state.range(0));
  const fs::path dir = make_dbc_size_config(messages);
  {
    Rig rig(dir / "vehicle.yaml");
    const std::array<std::uint8_t, 8> bytes{};  // M0 (0x100), the same bytes every time
    Timestamp now = milliseconds(1'000'000);
    rig.engine->on_frame(frame_of(0x100, bytes, now));
    const Meter meter;
    for (auto _ : state) {
      now += milliseconds(10);
      rig.engine->on_frame(frame_of(0x100, bytes, now));
    }
    meter.report(state, 1);
    state.counters["messages"] = messages;
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_OnFrameDbcSize)->Arg(10)->Arg(1000);

// A vehicle on `buses` buses, each with its own generated DBC of 10 messages in which id
// 0x100 + m has a layout of its own per bus, 4 mapped signals and one output per bus.
fs::path make_bus_config(int buses) {
  const fs::path dir =
      fs::temp_directory_path() /
      ("cabind-engine-bench-buses" + std::to_string(buses) + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "profiles");
  std::ofstream vehicle(dir / "vehicle.yaml");
  vehicle << "buses:\n";
  for (int b = 0; b < buses; ++b) {
    vehicle << "  - { name: bus" << b << ", interface: vcan" << b << ", dbc: bus" << b
            << ".dbc }\n";
    std::ofstream dbc(dir / ("bus" + std::to_string(b) + ".dbc"));
    dbc << "VERSION \"\"\n\nNS_ :\n\nBS_:\n\nBU_: ECU HU\n\n";
    for (int m = 0; m < 10; ++m) {
      dbc << "BO_ " << 0x100 + m << " B" << b << "M" << m << ": 8 ECU\n";
      for (int s = 0; s < 4; ++s) {
        // Each bus places its signals at other bits: one id, a layout per bus.
        dbc << " SG_ S" << s << " : " << 16 * s + 2 * (b % 3) << "|12@1+ (1,0) [0|4095] \"\" HU\n";
      }
      dbc << "\n";
    }
  }
  vehicle << "signals:\n";
  for (int b = 0; b < buses; ++b) {
    for (int m = 0; m < 4; ++m)
      vehicle << "  Gen.B" << b << "In" << m << ": bus" << b << ":B" << b << "M" << m << ".S0\n";
  }
  vehicle << "outputs:\n";
  for (int b = 0; b < buses; ++b) {
    vehicle << "  Gen.B" << b << "Out: { signal: bus" << b << ":B" << b << "M9.S1, feedback: bus"
            << b << ":B" << b << "M9.S2 }\n";
  }
  vehicle.close();
  std::ofstream(dir / "profiles/guest.yaml") << "id: guest\nname: Guest\nguest: true\n";
  return dir;
}

// Engine::on_frames with no change, frames round-robin over every bus (id 0x100 on each):
// the per-frame cost must not grow with the number of buses (issue 11: 3 within 1.1x of 1).
void BM_OnFrameBuses(benchmark::State& state) {
  const int buses = static_cast<int>(state.range(0));
  const fs::path dir = make_bus_config(buses);
  {
    Rig rig(dir / "vehicle.yaml");
    const std::array<std::uint8_t, 8> bytes{};
    Timestamp now = milliseconds(1'000'000);
    for (int b = 0; b < buses; ++b)
      rig.engine->on_frame(static_cast<std::size_t>(b), frame_of(0x100, bytes, now));
    std::size_t bus = 0;
    const Meter meter;
    for (auto _ : state) {
      now += milliseconds(10);
      rig.engine->on_frame(bus, frame_of(0x100, bytes, now));
      bus = bus + 1 == static_cast<std::size_t>(buses) ? 0 : bus + 1;
    }
    meter.report(state, 1);
    state.counters["buses"] = buses;
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_OnFrameBuses)->Arg(1)->Arg(3);

// P profiles and R rules over the probe DBC, written into a fresh temporary directory.
fs::path make_scaling_config(int profiles, int rules) {
  const fs::path dir =
      fs::temp_directory_path() / ("cabind-engine-bench-" + std::to_string(profiles) + "x" +
                                   std::to_string(rules) + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "profiles");
  const fs::path probe = source_dir / "bench/data/probe";
  fs::copy_file(probe / "probe.dbc", dir / "probe.dbc");
  fs::copy_file(probe / "vehicle.yaml", dir / "vehicle.yaml");
  std::ofstream(dir / "profiles/guest.yaml") << "id: guest\nname: Guest\nguest: true\n";
  for (int p = 0; p < profiles; ++p) {
    std::ofstream(dir / "profiles" / ("p" + std::to_string(p) + ".yaml"))
        << "id: p" << p << "\nname: Driver " << p << "\nidentify: { key_fob: [" << p + 1
        << "] }\nclimate: { temperature: " << 18 + p % 8 << ", fan: " << p % 6 << " }\n";
  }
  std::ofstream out(dir / "rules.yaml");
  out << "rules:\n";
  char name[8];
  for (int i = 0; i < rules; ++i) {
    // Rules 0..9 on the 10 driven stimuli, the rest spread over the 90 others.
    const int k = i < 10 ? i : 10 + (i - 10) % 90;
    std::snprintf(name, sizeof name, "%02d", k);
    out << "  - name: rule_" << i << "\n    on: { signal: Bench.Stimulus.S" << name
        << " }\n    when: \"Bench.Stimulus.S" << name << " > " << i % 3
        << "\"\n    do:\n      - set: Bench.Reaction.R" << name
        << "\n        value: \"Bench.Stimulus.S" << name << "\"\n";
  }
  return dir;
}

void BM_RuleScaling(benchmark::State& state) {
  const int profiles = static_cast<int>(state.range(0));
  const int rules = static_cast<int>(state.range(1));
  const fs::path dir = make_scaling_config(profiles, rules);
  {
    Rig rig(dir / "vehicle.yaml");
    if (!rig.engine->restore_driver("p0")) die("no p0 profile");
    // 10 driven outputs, 6 ms apart: each output is sent every 60 ms, over the rate limit.
    drive_stimuli(state, rig, 10, milliseconds(6));
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_RuleScaling)->ArgsProduct({{1, 10, 100, 1000}, {10, 100, 1000}});

}  // namespace

BENCHMARK_MAIN();
