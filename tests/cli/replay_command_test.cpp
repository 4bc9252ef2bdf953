#include "cabind/cli/replay_command.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cabind::cli {
namespace {

const std::string kConfig = CABIND_SOURCE_DIR "/config/demo/vehicle.yaml";
// Monday 2023-11-13 07:30:00 UTC.
constexpr long kMonday0730 = 1699860600;

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("cabind_replay_" + std::to_string(::getpid()) + "_" + name);
}

// A log: BodyInfo every 100 ms from t0 to t0+duration with `body`, plus `extra` lines, on
// vcan0 unless they name their interface ("vcan1 230#...").
std::string write_log(const std::string& name, const std::string& body, double duration,
                      const std::vector<std::pair<double, std::string>>& extra,
                      long start = kMonday0730) {
  std::vector<std::pair<double, std::string>> lines = extra;
  for (double t = 0.0; t < duration; t += 0.1)
    lines.emplace_back(t, body);
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  const auto path = temp_file(name);
  std::ofstream out(path);
  for (const auto& [t, frame] : lines) {
    char stamp[64];
    const long micros = std::lround(t * 1e6);
    std::snprintf(stamp, sizeof stamp, "(%ld.%06ld)", start + micros / 1'000'000,
                  micros % 1'000'000);
    out << stamp << (frame.find(' ') == std::string::npos ? " vcan0 " : " ") << frame << "\n";
  }
  return path.string();
}

struct ReplayRun {
  int code = 0;
  std::string out;
  std::string err;
  std::string frames;
};

// Replays `log`; `options` default to UTC so that results do not depend on the host's zone.
ReplayRun replay(const std::string& log,
                 const std::vector<std::string>& options = {"--tz", "UTC"}) {
  const auto frames_path = temp_file("out.log");
  std::vector<std::string> args = {"--config", kConfig, "--replay",
                                   log,        "--out", frames_path.string()};
  args.insert(args.end(), options.begin(), options.end());
  std::ostringstream out;
  std::ostringstream err;
  ReplayRun run;
  run.code = run_replay(args, out, err);
  run.out = out.str();
  run.err = err.str();
  std::ifstream in(frames_path);
  run.frames.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::filesystem::remove(frames_path);
  return run;
}

TEST(ReplayCommand, AliceUnlocksAndTheFramesAndAuditTrailComeOut) {
  const auto log = write_log("alice.log", "150#00000000", 12.0,
                             {{1.0, "120#03000000"}, {1.1, "120#03000000"}, {1.2, "120#03000000"}});
  const ReplayRun run = replay(log);
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("driver rule=key_fob output=alice value=3: recognised"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("fired rule=apply_profile_climate"), std::string::npos) << run.out;
  // Her climate (demo_body.dbc): 21.5 degC = 0x2B, passenger 22.5 degC = 0x2D, byte 2 fan 3 |
  // A/C 0x10 | seat heat 2 << 5 = 0x53.
  EXPECT_NE(run.frames.find(") vcan0 200#2B2D5300"), std::string::npos) << run.frames;
  EXPECT_NE(run.frames.find(") vcan0 210#010000000000"), std::string::npos) << run.frames;
  // The destination goes out on the infotainment bus, with its interface.
  EXPECT_NE(run.frames.find(") vcan1 220#"), std::string::npos) << "navigation after 10 s";
  EXPECT_EQ(run.frames.find(") vcan0 220#"), std::string::npos) << run.frames;
  std::filesystem::remove(log);
}

TEST(ReplayCommand, IsDeterministic) {
  const auto log = write_log("twice.log", "150#13880300", 3.0,
                             {{0.5, "121#0100"}, {1.0, "160#04C800"}, {2.0, "121#0000"}});
  const ReplayRun first = replay(log);
  const ReplayRun second = replay(log);
  EXPECT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_EQ(first.frames, second.frames);
  std::filesystem::remove(log);
}

TEST(ReplayCommand, StaleSpeedIsNamedInTheAuditTrail) {
  const auto log = write_log("stale.log", "150#00000000", 0.1, {{1.0, "121#0100"}});
  const ReplayRun run = replay(log);
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("blocked rule=recall_seat_when_parked "
                         "output=Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall value=1: "
                         "by interlock seat_motion: Vehicle.Speed stale"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("Vehicle.Speed stale"), std::string::npos) << run.out;
  EXPECT_EQ(run.frames.find(" 210#"), std::string::npos) << run.frames;
  std::filesystem::remove(log);
}

TEST(ReplayCommand, WithoutOutTheFramesGoToStandardOutput) {
  const auto log = write_log("stdout.log", "150#00000000", 1.0, {{0.5, "121#0100"}});
  const std::vector<std::string> args = {"--config", kConfig, "--replay", log};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_replay(args, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("tx ("), std::string::npos) << out.str();
  std::filesystem::remove(log);
}

TEST(ReplayCommand, RejectsBadArgumentsAndMissingFiles) {
  std::ostringstream out;
  std::ostringstream err;
  const std::vector<std::string> no_log = {"--config", kConfig};
  EXPECT_EQ(run_replay(no_log, out, err), 2);
  EXPECT_NE(err.str().find("usage: cabind --config FILE --replay LOG [--out OUT] [--tz ZONE] "
                           "[--time log|local]"),
            std::string::npos);
  const std::vector<std::string> missing = {"--config", kConfig, "--replay", "/nonexistent.log"};
  EXPECT_EQ(run_replay(missing, out, err), 1);
  const std::vector<std::string> bad_config = {"--config", "/nonexistent.yaml", "--replay",
                                               "/nonexistent.log"};
  EXPECT_EQ(run_replay(bad_config, out, err), 1);
}

TEST(ReplayCommand, ReportsAMalformedLogLine) {
  const auto path = temp_file("bad.log");
  std::ofstream(path) << "(1.000000) vcan0 150#00000000\nthis is not a log line\n";
  std::ostringstream out;
  std::ostringstream err;
  const std::vector<std::string> args = {"--config", kConfig, "--replay", path.string()};
  EXPECT_EQ(run_replay(args, out, err), 1);
  EXPECT_FALSE(err.str().empty());
  std::filesystem::remove(path);
}

TEST(ReplayCommand, ABlockedRecallNamesTheOperandThatFailedAndItsValue) {
  const auto log = write_log("moving.log", "150#13880300", 1.0, {{0.5, "121#0100"}});
  const ReplayRun run = replay(log);
  EXPECT_EQ(run.code, 0) << run.err;
  // 50 km/h in D: the first conjunct of seat_motion decides.
  EXPECT_NE(run.out.find("output=Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall value=1: "
                         "by interlock seat_motion: Vehicle.Speed=50"),
            std::string::npos)
      << run.out;
  std::filesystem::remove(log);
}

// Carla's phone on the infotainment bus (vcan1) for 0.8 s (its debounce is 500 ms), the
// body bus on vcan0, and a third interface no bus of the demo has.
const std::vector<std::pair<double, std::string>> kTwoInterfaces = {
    {0.3, "vcan1 230#0101A0A1C4"}, {0.5, "vcan1 230#0101A0A1C4"}, {0.7, "vcan1 230#0101A0A1C4"},
    {0.9, "vcan1 230#0101A0A1C4"}, {1.1, "vcan1 230#0101A0A1C4"}, {0.4, "can7 120#05000000"},
    {0.6, "can7 120#05000000"},    {0.8, "can7 120#05000000"}};

TEST(ReplayCommand, ATwoInterfaceLogFeedsEachBusAndIsByteIdenticalAcrossRuns) {
  const auto log = write_log("two.log", "150#00000000", 12.0, kTwoInterfaces);
  const ReplayRun first = replay(log);
  const ReplayRun second = replay(log);
  EXPECT_EQ(first.code, 0) << first.err;
  // The phone token of vcan1 selects Carla; Bob's fob on can7 is no bus's and selects nobody.
  EXPECT_NE(first.out.find("driver rule=phone output=carla"), std::string::npos) << first.out;
  EXPECT_EQ(first.out.find("output=bob"), std::string::npos) << first.out;
  EXPECT_NE(first.err.find("replay: 3 frames of interface can7 not replayed (not a configured "
                           "bus; --map can7=BUS to replay them)"),
            std::string::npos)
      << first.err;
  // Her climate on the body bus (vcan0): 23 degC = 0x2E.
  EXPECT_NE(first.frames.find(") vcan0 200#2E"), std::string::npos) << first.frames;
  EXPECT_EQ(first.frames.find(" vcan1 200#"), std::string::npos) << first.frames;
  EXPECT_EQ(first.frames.find("can7"), std::string::npos) << first.frames;
  EXPECT_EQ(first.out, second.out);
  EXPECT_EQ(first.frames, second.frames);
  EXPECT_EQ(first.err, second.err);
  std::filesystem::remove(log);
}

TEST(ReplayCommand, MapFeedsAnotherInterfaceToTheNamedBus) {
  const auto log = write_log("map.log", "150#00000000", 2.0, kTwoInterfaces);
  const ReplayRun run = replay(log, {"--tz", "UTC", "--map", "can7=body"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err.find("not replayed"), std::string::npos) << run.err;
  // Bob's fob (priority 10) is heard now; Carla's phone (20) still wins.
  EXPECT_NE(run.out.find("output=bob"), std::string::npos) << run.out;
  const ReplayRun unknown = replay(log, {"--map", "can7=chassis"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("--map can7=chassis: no bus named 'chassis'"), std::string::npos)
      << unknown.err;
  const ReplayRun twice = replay(log, {"--map", "vcan1=body"});
  EXPECT_EQ(twice.code, 2);
  EXPECT_NE(twice.err.find("interface 'vcan1' already goes to bus 'infotainment'"),
            std::string::npos)
      << twice.err;
  const ReplayRun malformed = replay(log, {"--map", "can7"});
  EXPECT_EQ(malformed.code, 2);
  EXPECT_NE(malformed.err.find("--map: expected INTERFACE=BUS, got 'can7'"), std::string::npos);
  std::filesystem::remove(log);
}

// Monday 2023-11-13 09:30:00 UTC = 10:30 in Berlin (CET, +01:00). Outside 2 degC.
constexpr long kMonday0930 = kMonday0730 + 2 * 3600;
const std::vector<std::pair<double, std::string>> kColdArrival = {
    {0.2, "160#04C800"}, {0.5, "120#03000000"}, {0.6, "120#03000000"}, {0.7, "120#03000000"}};

TEST(ReplayCommand, HourIsTheLocalHourOfTheZoneGiven) {
  const auto log = write_log("tz.log", "150#00000000", 1.0, kColdArrival, kMonday0930);
  const ReplayRun utc = replay(log, {"--tz", "UTC"});
  EXPECT_EQ(utc.code, 0) << utc.err;
  EXPECT_NE(utc.out.find("fired rule=cold_morning"), std::string::npos) << utc.out;
  const ReplayRun berlin = replay(log, {"--tz", "Europe/Berlin"});
  EXPECT_EQ(berlin.code, 0) << berlin.err;
  EXPECT_NE(berlin.out.find("skipped rule=cold_morning: hour=10 (needs < 10)"), std::string::npos)
      << berlin.out;
  std::filesystem::remove(log);
}

TEST(ReplayCommand, WithoutTzUsesTheSystemZoneAndRestoresItAfterATz) {
  const auto log = write_log("systz.log", "150#00000000", 1.0, kColdArrival, kMonday0930);
  const char* before = std::getenv("TZ");
  const std::string saved = before != nullptr ? before : "";
  ::setenv("TZ", "Europe/Berlin", 1);
  ::tzset();
  const ReplayRun system = replay(log, {});
  EXPECT_NE(system.out.find("skipped rule=cold_morning: hour=10"), std::string::npos) << system.out;
  const ReplayRun utc = replay(log, {"--tz", "UTC"});
  EXPECT_NE(utc.out.find("fired rule=cold_morning"), std::string::npos) << utc.out;
  ASSERT_NE(std::getenv("TZ"), nullptr);
  EXPECT_STREQ(std::getenv("TZ"), "Europe/Berlin");
  if (before != nullptr) {
    ::setenv("TZ", saved.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
  std::filesystem::remove(log);
}

TEST(ReplayCommand, RejectsAnUnknownTimeZone) {
  const auto log = write_log("badtz.log", "150#00000000", 0.2, {});
  for (const std::string zone : {"Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime"}) {
    const ReplayRun run = replay(log, {"--tz", zone});
    EXPECT_EQ(run.code, 2) << zone;
    EXPECT_NE(run.err.find("--tz: unknown time zone '" + zone + "'"), std::string::npos) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
  }
  std::filesystem::remove(log);
}

TEST(ReplayCommand, TimeLocalPrintsReadableLocalTimesAndTheDefaultStaysTheLogsSeconds) {
  const auto log =
      write_log("localtime.log", "150#00000000", 1.0,
                {{0.25, "120#03000000"}, {0.35, "120#03000000"}, {0.45, "120#03000000"}});
  const ReplayRun local = replay(log, {"--tz", "Europe/Berlin", "--time", "local"});
  EXPECT_EQ(local.code, 0) << local.err;
  EXPECT_NE(local.out.find("2023-11-13T08:30:00.450+01:00 driver rule=key_fob output=alice"),
            std::string::npos)
      << local.out;
  const ReplayRun seconds = replay(log, {"--tz", "Europe/Berlin"});
  EXPECT_NE(seconds.out.find("1699860600.450 driver rule=key_fob output=alice"), std::string::npos)
      << seconds.out;
  EXPECT_EQ(local.frames, seconds.frames);  // the frames keep the log's time
  const ReplayRun bad = replay(log, {"--time", "utc"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--time: expected 'log' or 'local', got 'utc'"), std::string::npos);
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace cabind::cli
