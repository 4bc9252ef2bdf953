// DBC benchmarks: decode cost per signal and per frame over every message of the Ford body
// DBC, the allocation count of the decode path (must be 0), parse time of each real DBC, and
// python3-canmatrix's decode of the same frames measured in the same run.
//
//   dbc_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "cabind/dbc/codec.hpp"
#include "cabind/dbc/parser.hpp"

namespace {

using cabind::dbc::Codec;
using cabind::dbc::Decoded;

constexpr int payloads_per_message = 16;
constexpr std::size_t max_signals = 256;

const std::filesystem::path ford_dbc =
    std::filesystem::path(CABIND_SHARED_DATA_DIR) / "dbc/ford_cgea1_2_bodycan_2011.dbc";
const std::filesystem::path psa_dbc =
    std::filesystem::path(CABIND_SHARED_DATA_DIR) / "dbc/psa_aee2010_r3.dbc";

struct TestFrame {
  std::uint32_t id = 0;
  bool extended = false;
  std::array<std::uint8_t, 64> bytes{};
  std::size_t size = 0;
};

struct Workload {
  std::unique_ptr<Codec> codec;
  std::vector<TestFrame> frames;
  std::size_t signals = 0;  // signals in all frames together
};

// Ford: every message, payloads_per_message seeded random payloads of the DBC size.
const Workload& ford_workload() {
  static const Workload workload = [] {
    Workload w;
    cabind::dbc::ParseResult parsed = cabind::dbc::parse_file(ford_dbc);
    if (!parsed.ok()) {
      std::fprintf(stderr, "%s", parsed.diagnostics.to_string().c_str());
      std::exit(1);
    }
    w.codec = std::make_unique<Codec>(std::move(*parsed.database));
    std::mt19937_64 rng(7);
    for (std::uint16_t m = 0; m < w.codec->message_count(); ++m) {
      const cabind::dbc::Message& message = w.codec->message(m);
      for (int i = 0; i < payloads_per_message; ++i) {
        TestFrame frame{message.id, message.extended, {}, message.size};
        for (std::size_t b = 0; b < frame.size; ++b)
          frame.bytes[b] = static_cast<std::uint8_t>(rng());
        w.frames.push_back(frame);
        w.signals += message.signals.size();
      }
    }
    return w;
  }();
  return workload;
}

// CPU time of this thread: the machine is shared, wall time also counts other processes.
double thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// The data-plane loop: id lookup, then every signal of the message.
// Returns the signals decoded; the values stay in `out`, which the caller keeps observable.
std::size_t decode_all(const Workload& w, std::array<Decoded, max_signals>& out) {
  std::size_t decoded = 0;
  for (const TestFrame& frame : w.frames) {
    const auto message = w.codec->find_message(frame.id, frame.extended);
    if (!message) continue;
    decoded += w.codec->decode_message(
        *message, std::span<const std::uint8_t>(frame.bytes.data(), frame.size), out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  return decoded;
}

void BM_DecodeFordAllMessages(benchmark::State& state) {
  const Workload& w = ford_workload();
  std::array<Decoded, max_signals> out{};
  // Counted around the decode call only, so the framework's own bookkeeping is not charged.
  std::size_t decode_allocations = 0;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = thread_cpu_ns();
  for (auto _ : state) {
    const std::size_t before = cabind::test_support::allocation_count();
    benchmark::DoNotOptimize(decode_all(w, out));
    benchmark::ClobberMemory();
    decode_allocations += cabind::test_support::allocation_count() - before;
  }
  const double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  const auto iterations = static_cast<double>(state.iterations());
  // CPU time per signal and frame (the machine is shared: wall time counts other processes),
  // and wall time per signal for reference.
  const double cpu_ns = thread_cpu_ns() - cpu_start;
  state.counters["ns_per_signal"] = cpu_ns / (iterations * static_cast<double>(w.signals));
  state.counters["ns_per_frame"] = cpu_ns / (iterations * static_cast<double>(w.frames.size()));
  state.counters["wall_ns_per_signal"] = ns / (iterations * static_cast<double>(w.signals));
  state.counters["allocs_per_frame"] =
      static_cast<double>(decode_allocations) / (iterations * static_cast<double>(w.frames.size()));
  state.counters["signals"] = static_cast<double>(w.signals);
  state.counters["frames"] = static_cast<double>(w.frames.size());
}
BENCHMARK(BM_DecodeFordAllMessages);

// One signal addressed by SignalRef, as the daemon decodes a mapped signal.
void BM_DecodeOneSignal(benchmark::State& state) {
  const Workload& w = ford_workload();
  const cabind::dbc::SignalRef ref = *w.codec->find_signal("BCM_m_FrP01", "Veh_V_ActlEng_3A");
  const TestFrame& frame = w.frames.front();
  const std::span<const std::uint8_t> payload(frame.bytes.data(), frame.size);
  for (auto _ : state) {
    benchmark::DoNotOptimize(w.codec->decode(ref, payload));
  }
}
BENCHMARK(BM_DecodeOneSignal);

void BM_Parse(benchmark::State& state, const std::filesystem::path& path) {
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto _ : state) {
    benchmark::DoNotOptimize(cabind::dbc::parse(text, path.string()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}
BENCHMARK_CAPTURE(BM_Parse, ford, ford_dbc)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Parse, psa, psa_dbc)->Unit(benchmark::kMicrosecond);

// canmatrix decodes the Ford frames (tools/canmatrix-decode --bench, median of 5 passes);
// cabind decodes the same frames right after, so the ratio comes from one run on one machine.
void BM_CanmatrixFordRatio(benchmark::State& state) {
  const Workload& w = ford_workload();
  const std::filesystem::path log = std::filesystem::temp_directory_path() / "cabind_dbc_bench.log";
  {
    std::ofstream out(log);
    for (const TestFrame& f : w.frames) {
      char head[48];
      std::snprintf(head, sizeof head,
                    f.extended ? "(1.000000) can0 %08X#" : "(1.000000) can0 %03X#", f.id);
      out << head;
      for (std::size_t b = 0; b < f.size; ++b) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02X", f.bytes[b]);
        out << hex;
      }
      out << '\n';
    }
  }
  double canmatrix_ns = 0;
  double ours_ns = 0;
  for (auto _ : state) {
    const std::string command = "/usr/bin/python3 " CABIND_SOURCE_DIR
                                "/tools/canmatrix-decode --bench 5 '" +
                                ford_dbc.string() + "' '" + log.string() + "' 2>/dev/null";
    const std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    char line[512] = {};
    if (!pipe || std::fgets(line, sizeof line, pipe.get()) == nullptr) {
      state.SkipWithError("tools/canmatrix-decode failed (python3-canmatrix missing?)");
      return;
    }
    const char* field = std::strstr(line, "\"ns_per_signal\": ");
    if (field == nullptr) {
      state.SkipWithError("unexpected canmatrix-decode output");
      return;
    }
    canmatrix_ns = std::strtod(field + 17, nullptr);

    std::array<Decoded, max_signals> out{};
    std::vector<double> passes;
    for (int pass = 0; pass < 5; ++pass) {
      constexpr int loops = 200;
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < loops; ++i)
        benchmark::DoNotOptimize(decode_all(w, out));
      passes.push_back(
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
              .count() /
          (loops * static_cast<double>(w.signals)));
    }
    std::nth_element(passes.begin(), passes.begin() + 2, passes.end());
    ours_ns = passes[2];
  }
  std::filesystem::remove(log);
  state.counters["canmatrix_ns_per_signal"] = canmatrix_ns;
  state.counters["cabind_ns_per_signal"] = ours_ns;
  state.counters["ratio"] = canmatrix_ns / ours_ns;
}
BENCHMARK(BM_CanmatrixFordRatio)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
