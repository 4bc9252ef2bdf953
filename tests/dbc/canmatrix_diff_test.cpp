// Differential test: cabind's codec against python3-canmatrix (tools/canmatrix-decode) on
// every message of the real DBC files, 200 seeded random payloads each.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "cabind/dbc/codec.hpp"
#include "cabind/dbc/parser.hpp"

namespace cabind::dbc {
namespace {

constexpr int payloads_per_message = 200;
constexpr double relative_tolerance = 1e-9;

struct Frame {
  std::uint16_t message = 0;
  std::vector<std::uint8_t> data;
};

std::string candump_line(const Message& m, const std::vector<std::uint8_t>& data, std::size_t n) {
  char head[64];
  std::snprintf(head, sizeof head,
                m.extended ? "(%zu.000000) can0 %08X#" : "(%zu.000000) can0 %03X#",
                1'700'000'000 + n, m.id);
  std::string line = head;
  for (const std::uint8_t byte : data) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02X", byte);
    line += hex;
  }
  return line;
}

std::vector<std::string> run(const std::string& command) {
  std::vector<std::string> lines;
  const std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return lines;
  std::string line;
  for (int c = std::fgetc(pipe.get()); c != EOF; c = std::fgetc(pipe.get())) {
    if (c == '\n') {
      lines.push_back(std::move(line));
      line.clear();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  return lines;
}

bool canmatrix_available() {
  return std::system("/usr/bin/python3 -c 'import canmatrix' >/dev/null 2>&1") == 0;
}

// canmatrix computes raw * factor + offset exactly (Decimal); we compute it in doubles, whose
// error scales with the larger term, so a result that cancels to ~0 is compared at that scale.
bool close(double ours, double theirs, const Signal& s) {
  const double scale = std::max({std::fabs(ours), std::fabs(theirs), std::fabs(s.offset)});
  return std::fabs(ours - theirs) <= relative_tolerance * scale;
}

class CanmatrixDifferential : public testing::TestWithParam<const char*> {};

TEST_P(CanmatrixDifferential, EverySignalMatchesCanmatrix) {
  const std::filesystem::path dbc =
      std::filesystem::path(CABIND_SHARED_DATA_DIR) / "dbc" / GetParam();
  ASSERT_TRUE(std::filesystem::exists(dbc))
      << dbc << " missing: the real DBC files live in shared/ beside the checkout";
  ASSERT_TRUE(canmatrix_available()) << "python3-canmatrix is missing: run tools/setup";

  ParseResult parsed = parse_file(dbc);
  ASSERT_TRUE(parsed.ok()) << parsed.diagnostics.to_string();
  const Codec codec(std::move(*parsed.database));

  std::mt19937_64 rng(0xCAB1DU);
  std::vector<Frame> frames;
  const std::filesystem::path log =
      std::filesystem::temp_directory_path() /
      ("cabind_dbc_diff_" + std::to_string(::getpid()) + "_" + GetParam() + ".log");
  {
    std::ofstream out(log);
    for (std::uint16_t m = 0; m < codec.message_count(); ++m) {
      for (int i = 0; i < payloads_per_message; ++i) {
        Frame frame{m, std::vector<std::uint8_t>(codec.message(m).size)};
        for (auto& byte : frame.data)
          byte = static_cast<std::uint8_t>(rng());
        out << candump_line(codec.message(m), frame.data, frames.size()) << '\n';
        frames.push_back(std::move(frame));
      }
    }
  }
  const std::vector<std::string> lines =
      run("/usr/bin/python3 " CABIND_SOURCE_DIR "/tools/canmatrix-decode '" + dbc.string() + "' '" +
          log.string() + "' 2>/dev/null");
  std::filesystem::remove(log);
  ASSERT_EQ(lines.size(), frames.size());

  std::size_t compared = 0;
  std::vector<Decoded> decoded;
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const nlohmann::json theirs = nlohmann::json::parse(lines[f]);
    const Frame& frame = frames[f];
    const Message& message = codec.message(frame.message);
    ASSERT_EQ(theirs.at("message"), message.name);
    decoded.resize(message.signals.size());
    codec.decode_message(frame.message, frame.data, decoded);
    const nlohmann::json& values = theirs.at("signals");
    ASSERT_EQ(values.size(), message.signals.size()) << message.name;
    for (std::size_t s = 0; s < message.signals.size(); ++s) {
      const Signal& signal = message.signals[s];
      ASSERT_TRUE(decoded[s].ok()) << message.name << "." << signal.name;
      const double expected = values.at(signal.name).get<double>();
      ASSERT_TRUE(close(decoded[s].physical, expected, signal))
          << message.name << "." << signal.name << " ours " << decoded[s].physical << " canmatrix "
          << expected << " frame " << f;
      ++compared;
    }
  }
  std::size_t signals = 0;
  for (std::uint16_t m = 0; m < codec.message_count(); ++m)
    signals += codec.signal_count(m);
  EXPECT_EQ(compared, signals * payloads_per_message);
  RecordProperty("signals_compared", static_cast<int>(compared));
}

INSTANTIATE_TEST_SUITE_P(SharedData, CanmatrixDifferential,
                         testing::Values("ford_cgea1_2_bodycan_2011.dbc", "psa_aee2010_r3.dbc"));

}  // namespace
}  // namespace cabind::dbc
