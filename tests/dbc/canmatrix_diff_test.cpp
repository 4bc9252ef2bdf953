// Differential test: cabind's codec against python3-canmatrix (tools/canmatrix-decode
// --signal-list) on every message of every DBC file the python3-canmatrix package ships
// (on every machine: tools/setup installs it) and, where ../shared/data exists, of the
// real vehicle files; seeded random payloads of each message's size.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
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

// The DBC files of the installed python3-canmatrix package (its tests and j1939.dbc).
std::vector<std::string> canmatrix_package_dbc_files() {
  std::vector<std::string> files;
  for (std::string& line : run("dpkg -L python3-canmatrix 2>/dev/null")) {
    if (line.ends_with(".dbc")) files.push_back(std::move(line));
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// The first value canmatrix gives for each name (a name written twice in a message: cabind
// keeps the first signal of that name, and so does this map).
std::map<std::string, nlohmann::json> first_by_name(const nlohmann::json& signals) {
  std::map<std::string, nlohmann::json> values;
  for (const nlohmann::json& pair : signals)
    values.emplace(pair.at(0).get<std::string>(), pair.at(1));
  return values;
}

TEST(CanmatrixPackage, ShipsDbcFilesToCompareWith) {
  ASSERT_TRUE(canmatrix_available()) << "python3-canmatrix is missing: run tools/setup";
  EXPECT_GE(canmatrix_package_dbc_files().size(), 2U);
}

struct Tally {
  std::size_t compared = 0;        // equal values
  std::size_t inactive = 0;        // multiplexed out, by both
  std::size_t outside = 0;         // past the end of the message: never decoded by cabind
  std::size_t refused_frames = 0;  // frames canmatrix did not decode at all
};

class CanmatrixDifferential : public testing::TestWithParam<std::string> {};

TEST_P(CanmatrixDifferential, EverySignalMatchesCanmatrix) {
  const std::filesystem::path dbc = GetParam();
  ASSERT_TRUE(std::filesystem::exists(dbc)) << dbc << " missing";
  ASSERT_TRUE(canmatrix_available()) << "python3-canmatrix is missing: run tools/setup";

  ParseResult parsed = parse_file(dbc);
  ASSERT_TRUE(parsed.ok()) << parsed.diagnostics.to_string();
  const Codec codec(std::move(*parsed.database));

  std::mt19937_64 rng(0xCAB1DU);
  std::vector<Frame> frames;
  const std::filesystem::path log =
      std::filesystem::temp_directory_path() /
      ("cabind_dbc_diff_" + std::to_string(::getpid()) + "_" + dbc.filename().string() + ".log");
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
      run("/usr/bin/python3 " CABIND_SOURCE_DIR "/tools/canmatrix-decode --signal-list '" +
          dbc.string() + "' '" + log.string() + "' 2>/dev/null");
  std::filesystem::remove(log);
  ASSERT_EQ(lines.size(), frames.size());

  Tally tally;
  std::vector<Decoded> decoded;
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const nlohmann::json theirs = nlohmann::json::parse(lines[f]);
    const Frame& frame = frames[f];
    const Message& message = codec.message(frame.message);
    ASSERT_EQ(theirs.at("message"), message.name);
    decoded.resize(message.signals.size());
    codec.decode_message(frame.message, frame.data, decoded);
    if (theirs.contains("error")) {
      // canmatrix refuses a whole frame with a signal past its payload; cabind decodes the
      // others and reports that one as too short. Nothing else may make canmatrix refuse.
      const bool has_outside = std::any_of(message.signals.begin(), message.signals.end(),
                                           [](const Signal& s) { return s.outside_message; });
      ASSERT_TRUE(has_outside) << message.name << ": " << theirs.at("error");
      tally.refused_frames += 1;
      continue;
    }
    const std::map<std::string, nlohmann::json> values = first_by_name(theirs.at("signals"));
    for (std::size_t s = 0; s < message.signals.size(); ++s) {
      const Signal& signal = message.signals[s];
      const auto it = values.find(std::string(signal.name));
      if (signal.outside_message) {
        EXPECT_EQ(decoded[s].status, SignalStatus::payload_too_short) << signal.name;
        tally.outside += 1;
      } else if (decoded[s].status == SignalStatus::mux_inactive) {
        EXPECT_EQ(it, values.end())
            << message.name << "." << signal.name
            << ": canmatrix selects it, cabind does not (frame " << f << ")";
        tally.inactive += 1;
      } else {
        ASSERT_TRUE(decoded[s].ok()) << message.name << "." << signal.name;
        ASSERT_NE(it, values.end())
            << message.name << "." << signal.name
            << ": cabind selects it, canmatrix does not (frame " << f << ")";
        ASSERT_TRUE(it->second.is_number()) << message.name << "." << signal.name;
        const double expected = it->second.get<double>();
        ASSERT_TRUE(close(decoded[s].physical, expected, signal))
            << message.name << "." << signal.name << " ours " << decoded[s].physical
            << " canmatrix " << expected << " frame " << f;
        tally.compared += 1;
      }
    }
  }
  EXPECT_GT(tally.compared, 0U);
  RecordProperty("signals_compared", static_cast<int>(tally.compared));
  RecordProperty("multiplexed_out", static_cast<int>(tally.inactive));
  RecordProperty("outside_message", static_cast<int>(tally.outside));
  RecordProperty("frames_canmatrix_refused", static_cast<int>(tally.refused_frames));
  std::printf(
      "%s: %zu signal values equal, %zu multiplexed out in both, %zu outside their "
      "message, %zu frames canmatrix refused\n",
      dbc.filename().c_str(), tally.compared, tally.inactive, tally.outside, tally.refused_frames);
}

INSTANTIATE_TEST_SUITE_P(CanmatrixPackage, CanmatrixDifferential,
                         testing::ValuesIn(canmatrix_package_dbc_files()), test_name);

#ifdef CABIND_SHARED_DATA_DIR
INSTANTIATE_TEST_SUITE_P(SharedData, CanmatrixDifferential,
                         testing::Values(CABIND_SHARED_DATA_DIR
                                         "/dbc/ford_cgea1_2_bodycan_2011.dbc",
                                         CABIND_SHARED_DATA_DIR "/dbc/psa_aee2010_r3.dbc"),
                         test_name);
#endif

}  // namespace
}  // namespace cabind::dbc
