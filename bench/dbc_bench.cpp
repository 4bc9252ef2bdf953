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
// The codec is held by reference, as the daemon's frame router holds it.
std::size_t decode_all(const Workload& w, std::array<Decoded, max_signals>& out) {
  const Codec& codec = *w.codec;
  std::size_t decoded = 0;
  for (const TestFrame& frame : w.frames) {
    const auto message = codec.find_message(frame.id, frame.extended);
    if (!message) continue;
    decoded += codec.decode_message(
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

// The floor: what decoding the same Ford frames costs with nothing but the arithmetic. One
// plan per signal, computed here from the DBC alone (not from the codec): one 8-byte load,
// a byte swap for Motorola, shift, mask, sign extension, multiply-add. No size check, no
// multiplexing, no status. Setup checks that it yields the codec's values bit for bit.
struct FloorSignal {
  std::uint8_t window = 0;  // first byte of the 8-byte load
  bool big_endian = false;
  std::uint8_t left = 0;  // raw = (word << left) >> right
  std::uint8_t right = 0;
  std::uint8_t sign = 0;  // 64 - length when signed, else 0
  double factor = 1.0;
  double offset = 0.0;
};

FloorSignal floor_signal(const cabind::dbc::Signal& signal) {
  unsigned first_byte = 0;
  unsigned shift = 0;
  const unsigned length = signal.length;
  FloorSignal f;
  f.big_endian = signal.byte_order == cabind::dbc::ByteOrder::big_endian;
  if (!f.big_endian) {
    first_byte = signal.start_bit / 8U;
    shift = signal.start_bit % 8U;
    const unsigned last = first_byte + (shift + length - 1U) / 8U;
    f.window = static_cast<std::uint8_t>(last >= 7 ? last - 7 : 0);
    shift += 8U * (first_byte - f.window);
  } else {
    // Count bits from the most significant bit of byte 0: the lsb is length - 1 after the msb.
    const unsigned msb = 8U * (signal.start_bit / 8U) + 7U - signal.start_bit % 8U;
    const unsigned lsb = msb + length - 1U;
    first_byte = lsb / 8U;
    shift = 7U - lsb % 8U;
    f.window = static_cast<std::uint8_t>(first_byte >= 7 ? first_byte - 7 : 0);
    shift += 8U * (f.window + 7U - first_byte);
  }
  f.left = static_cast<std::uint8_t>(64U - shift - length);
  f.right = static_cast<std::uint8_t>(64U - length);
  f.sign = signal.is_signed() ? static_cast<std::uint8_t>(64U - length) : std::uint8_t{0};
  f.factor = signal.factor;
  f.offset = signal.offset;
  return f;
}

struct FloorFrame {
  const std::uint8_t* bytes = nullptr;
  std::uint32_t begin = 0;  // into the plan
  std::uint32_t end = 0;
};

inline void floor_decode(const FloorSignal& f, const std::uint8_t* bytes, Decoded& out) {
  std::uint64_t word = 0;
  std::memcpy(&word, bytes + f.window, sizeof word);
  if (f.big_endian) word = __builtin_bswap64(word);
  const std::uint64_t raw = (word << f.left) >> f.right;
  out.raw = raw;
  out.physical =
      static_cast<double>(static_cast<std::int64_t>(raw << f.sign) >> f.sign) * f.factor + f.offset;
}

void BM_DecodeFordFloor(benchmark::State& state) {
  const Workload& w = ford_workload();
  // Signals outside the floor's shape (IEEE floats, multiplexed, wider than 57 bits) are
  // left out of it; `floor_signals` counts those it decodes.
  std::vector<FloorSignal> plan;
  std::vector<std::uint16_t> plan_index;  // the signal's index in its message
  std::vector<std::uint32_t> message_begin;
  for (std::uint16_t m = 0; m < w.codec->message_count(); ++m) {
    message_begin.push_back(static_cast<std::uint32_t>(plan.size()));
    const auto& signals = w.codec->message(m).signals;
    for (std::size_t i = 0; i < signals.size(); ++i) {
      const auto& signal = signals[i];
      if (signal.is_float() || signal.mux_role != cabind::dbc::MuxRole::none || signal.length > 57)
        continue;
      plan.push_back(floor_signal(signal));
      plan_index.push_back(static_cast<std::uint16_t>(i));
    }
  }
  message_begin.push_back(static_cast<std::uint32_t>(plan.size()));
  std::vector<FloorFrame> frames;
  std::size_t floor_signals = 0;
  for (const TestFrame& frame : w.frames) {
    const auto m = *w.codec->find_message(frame.id, frame.extended);
    frames.push_back({frame.bytes.data(), message_begin[m], message_begin[m + 1U]});
    floor_signals += message_begin[m + 1U] - message_begin[m];
  }
  // Bit for bit what the codec decodes, or the floor is not measuring the same work.
  std::array<Decoded, max_signals> ours{};
  std::array<Decoded, max_signals> floor{};
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const TestFrame& frame = w.frames[i];
    const auto m = *w.codec->find_message(frame.id, frame.extended);
    w.codec->decode_message(m, std::span<const std::uint8_t>(frame.bytes.data(), frame.size), ours);
    for (std::uint32_t s = frames[i].begin; s < frames[i].end; ++s) {
      Decoded& mine = floor[s - frames[i].begin];
      floor_decode(plan[s], frames[i].bytes, mine);
      const Decoded& theirs = ours[plan_index[s]];
      if (!theirs.ok() || theirs.raw != mine.raw ||
          std::memcmp(&theirs.physical, &mine.physical, sizeof(double)) != 0) {
        state.SkipWithError("the floor decodes differently from the codec");
        return;
      }
    }
  }
  const double cpu_start = thread_cpu_ns();
  for (auto _ : state) {
    for (const FloorFrame& frame : frames) {
      for (std::uint32_t s = frame.begin; s < frame.end; ++s)
        floor_decode(plan[s], frame.bytes, floor[s - frame.begin]);
      benchmark::DoNotOptimize(floor.data());
      benchmark::ClobberMemory();
    }
  }
  const double cpu_ns = thread_cpu_ns() - cpu_start;
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["ns_per_signal"] = cpu_ns / (iterations * static_cast<double>(floor_signals));
  state.counters["ns_per_frame"] = cpu_ns / (iterations * static_cast<double>(w.frames.size()));
  state.counters["floor_signals"] = static_cast<double>(floor_signals);
}
BENCHMARK(BM_DecodeFordFloor);

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
