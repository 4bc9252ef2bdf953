// SecOC at the plan's decoded -> trusted step: only an authentic, fresh key-fob frame
// reaches identity. The vehicle is tests/engine/data/secoc/vehicle.yaml, copied with a
// freshly written key file (mode 0600) into a temporary directory.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "cabind/can/memory_bus.hpp"
#include "cabind/config/loader.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/signal/secoc_profile.hpp"

namespace cabind::engine {
namespace {

namespace fs = std::filesystem;

class Events final : public AuditSink {
 public:
  void record(const AuditEvent& event) noexcept override { lines.push_back(format_audit(event)); }
  [[nodiscard]] std::size_t count(std::string_view kind) const {
    std::size_t n = 0;
    for (const auto& line : lines)
      n += line.find(std::string(" ") + std::string(kind) + " ") != std::string::npos ? 1U : 0U;
    return n;
  }
  std::vector<std::string> lines;
};

const signal::Cmac::Key kKey{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
const signal::Cmac::Key kPhoneKey{15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};

// A vehicle of tests/engine/data/<data>, copied with `files` (relative to it; each lands
// under its own name) and freshly written key files (mode 0600) into a temporary
// directory, compiled.
class SecocVehicle : public ::testing::Test {
 protected:
  SecocVehicle(const char* data, const std::vector<std::string>& files)
      : dir_(fs::path(::testing::TempDir()) /
             ("cabind-secoc-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())),
        sender_(kKey) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const fs::path from = fs::path(CABIND_SOURCE_DIR) / "tests/engine/data" / data;
    for (const std::string& file : files)
      fs::copy_file(from / file, dir_ / fs::path(file).filename());
    fs::create_directory_symlink(fs::path(CABIND_SOURCE_DIR) / "config/demo/profiles",
                                 dir_ / "profiles");
    write_key("fob.key", "000102030405060708090a0b0c0d0e0f");
    write_key("phone.key", "0f0e0d0c0b0a09080706050403020100");
    auto loaded = config::load(dir_ / "vehicle.yaml");
    if (!loaded.ok()) ADD_FAILURE() << loaded.diagnostics.to_string();
    config_ = std::make_unique<config::Config>(std::move(*loaded.config));
    diag::Diagnostics diagnostics;
    plan_ = compile(*config_, diagnostics);
    if (!plan_) ADD_FAILURE() << diagnostics.to_string();
  }
  ~SecocVehicle() override { fs::remove_all(dir_); }

  void write_key(const char* name, const char* hex) {
    std::ofstream(dir_ / name) << hex << "\n";
    ::chmod((dir_ / name).c_str(), 0600);
  }
  // An engine on as many of vcan0 and vcan1 as the plan has buses.
  std::unique_ptr<Engine> start(FreshnessStore* freshness) {
    const std::array<can::Bus*, 2> buses{&bus_, &bus1_};
    return std::make_unique<Engine>(*plan_,
                                    std::span<can::Bus* const>(buses).first(plan_->buses.size()),
                                    events_, preferences_, freshness);
  }
  // A frame at id 0x122 of `authentic`, secured at `counter` with `sender` (profile 1).
  static can::Frame secured_frame(signal::Cmac& sender, std::uint16_t data_id,
                                  std::array<std::uint8_t, 4> authentic, std::uint64_t counter,
                                  double seconds) {
    std::array<std::uint8_t, 8> secured{};
    EXPECT_TRUE(signal::secure_payload(sender, {data_id, 24, 8}, authentic, counter, secured));
    auto frame = *can::Frame::classic(0x122, secured);
    frame.set_time(std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9)));
    return frame;
  }
  // Keyfob_Secured presenting `fob`, secured at `counter` (Data ID 257, profile 1).
  can::Frame fob_frame(std::uint8_t fob, std::uint64_t counter, double seconds) {
    return secured_frame(sender_, 257, {fob, 0, 0, 0}, counter, seconds);
  }
  static std::string driver_of(const Engine& engine) {
    return engine.driver() != nullptr ? engine.driver()->id : std::string("nobody");
  }

  fs::path dir_;
  signal::Cmac sender_;
  std::unique_ptr<config::Config> config_;
  std::unique_ptr<const Plan> plan_;
  can::MemoryBus bus_{"vcan0"};
  can::MemoryBus bus1_{"vcan1"};
  Events events_;
  MemoryPreferenceStore preferences_;
};

// tests/engine/data/secoc: one bus, the key fob authenticated.
class EngineSecoc : public SecocVehicle {
 protected:
  EngineSecoc() : SecocVehicle("secoc", {"vehicle.yaml", "secoc_body.dbc"}) {}
};

TEST_F(EngineSecoc, ASignedFobFrameSelectsTheDriver) {
  const auto engine = start(nullptr);
  engine->on_frame(fob_frame(3, 1, 1.0));
  EXPECT_EQ(driver_of(*engine), "alice");
  EXPECT_EQ(engine->unauthentic_frames(), 0U);
}

TEST_F(EngineSecoc, TheSameFrameReplayedDoesNotSelectAgain) {
  const auto engine = start(nullptr);
  const can::Frame alice = fob_frame(3, 1, 1.0);
  engine->on_frame(alice);
  engine->on_frame(fob_frame(5, 2, 2.0));
  ASSERT_EQ(driver_of(*engine), "bob");
  can::Frame replayed = alice;
  replayed.set_time(std::chrono::seconds(3));
  engine->on_frame(replayed);
  EXPECT_EQ(driver_of(*engine), "bob");
  EXPECT_EQ(engine->unauthentic_frames(), 1U);
  EXPECT_EQ(events_.count("unauthentic"), 1U);
  EXPECT_NE(events_.lines.back().find("unauthentic value=1: Keyfob_Secured (Data ID 257) failed "
                                      "SecOC verification"),
            std::string::npos)
      << events_.lines.back();
}

TEST_F(EngineSecoc, AFrameWithAFlippedPayloadBitDoesNotSelect) {
  const auto engine = start(nullptr);
  can::Frame forged = fob_frame(3, 1, 1.0);
  std::array<std::uint8_t, 8> data{};
  std::copy(forged.data().begin(), forged.data().end(), data.begin());
  data[0] ^= 0x06;  // fob 3 -> fob 5: Bob's identity on Alice's MAC
  forged = *can::Frame::classic(0x122, data);
  forged.set_time(std::chrono::seconds(1));
  engine->on_frame(forged);
  EXPECT_EQ(driver_of(*engine), "nobody");
}

TEST_F(EngineSecoc, AForgedFloodLeavesIdentityAloneAndIsReportedOncePerSecond) {
  const auto engine = start(nullptr);
  engine->on_frame(fob_frame(3, 1, 0.5));
  ASSERT_EQ(driver_of(*engine), "alice");
  std::mt19937 random(7);
  // 2,000 forged frames for Bob over 2 s (one per millisecond), random counters and MACs.
  for (int i = 0; i < 2000; ++i) {
    std::array<std::uint8_t, 8> data{5, 0, 0, 0};
    for (std::size_t b = 4; b < 8; ++b)
      data[b] = static_cast<std::uint8_t>(random());
    auto forged = *can::Frame::classic(0x122, data);
    forged.set_time(std::chrono::milliseconds(1000 + i));
    engine->on_frame(forged);
  }
  EXPECT_EQ(driver_of(*engine), "alice");
  EXPECT_EQ(engine->secoc_monitors(0)[0].failures(), 2000U);
  EXPECT_EQ(events_.count("unauthentic"), 2U);   // at 1.000 s and 2.000 s
  EXPECT_EQ(events_.count("secoc_alarm"), 1U);   // 5 failures within 10 s, once per window
  EXPECT_EQ(engine->secoc(0)[0].counter(), 1U);  // no forgery moved the counter
  // The real fob still works after the flood.
  engine->on_frame(fob_frame(5, 2, 3.5));
  EXPECT_EQ(driver_of(*engine), "bob");
}

TEST_F(EngineSecoc, ARestartDoesNotReopenTheReplayWindow) {
  MemoryFreshnessStore freshness;
  const can::Frame captured = fob_frame(3, 41, 1.0);
  {
    const auto before = start(&freshness);
    before->on_frame(captured);
    ASSERT_EQ(driver_of(*before), "alice");
    EXPECT_EQ(before->store_freshness(), 1U);
    EXPECT_EQ(before->store_freshness(), 0U);  // nothing moved since
  }
  EXPECT_EQ(freshness.freshness(257), 41U);
  const auto after = start(&freshness);
  after->on_frame(captured);
  EXPECT_EQ(driver_of(*after), "nobody");
  after->on_frame(fob_frame(3, 42, 2.0));
  EXPECT_EQ(driver_of(*after), "alice");
}

TEST_F(EngineSecoc, WithoutAStoredCounterARestartAcceptsTheReplay) {
  // What the store is for: the same capture after a restart without one.
  const can::Frame captured = fob_frame(3, 41, 1.0);
  start(nullptr)->on_frame(captured);
  const auto after = start(nullptr);
  after->on_frame(captured);
  EXPECT_EQ(driver_of(*after), "alice");
}

// tests/engine/data/secoc_two_buses: body's key fob and infotainment's phone token, both
// at id 0x122, each with its own Data ID and key.
class EngineSecocBuses : public SecocVehicle {
 protected:
  EngineSecocBuses()
      : SecocVehicle("secoc_two_buses",
                     {"vehicle.yaml", "../secoc/secoc_body.dbc", "infotainment.dbc"}),
        phone_sender_(kPhoneKey) {}
  // Carla's phone token 0xC4A1A001 (little-endian), secured at `counter` (Data ID 513).
  can::Frame carlas_phone(std::uint64_t counter, double seconds) {
    return secured_frame(phone_sender_, 513, {0x01, 0xA0, 0xA1, 0xC4}, counter, seconds);
  }
  signal::Cmac phone_sender_;
};

TEST_F(EngineSecocBuses, EachBusPlanHoldsTheSecocMessagesOfItsBus) {
  ASSERT_EQ(plan_->buses.size(), 2U);
  ASSERT_EQ(plan_->buses[0].secoc.size(), 1U);
  ASSERT_EQ(plan_->buses[1].secoc.size(), 1U);
  EXPECT_EQ(plan_->buses[0].secoc[0].params.data_id, 257U);
  EXPECT_EQ(plan_->buses[1].secoc[0].params.data_id, 513U);
  EXPECT_EQ(plan_->buses[1].secoc_alarms[0].failures, 3U);
  EXPECT_TRUE(plan_->buses[0].integrity.empty());  // SecOC only: no counter/checksum spec
}

TEST_F(EngineSecocBuses, EachBusVerifiesItsOwnSecocMessageWithItsOwnKey) {
  const auto engine = start(nullptr);
  engine->on_frame(1, carlas_phone(1, 1.0));
  EXPECT_EQ(driver_of(*engine), "carla");
  // The same bytes on the body bus are a Keyfob_Secured frame: its MAC (Data ID 257, the
  // fob's key) does not match, so body's verifier refuses it and identity is untouched.
  can::Frame on_body = carlas_phone(2, 2.0);
  engine->on_frame(0, on_body);
  EXPECT_EQ(driver_of(*engine), "carla");
  EXPECT_EQ(engine->secoc_monitors(0)[0].failures(), 1U);
  EXPECT_EQ(engine->secoc_monitors(1)[0].failures(), 0U);
  EXPECT_EQ(engine->unauthentic_frames(), 1U);
  ASSERT_FALSE(events_.lines.empty());
  EXPECT_NE(events_.lines.back().find("unauthentic value=1: body:Keyfob_Secured (Data ID 257) "
                                      "failed SecOC verification"),
            std::string::npos)
      << events_.lines.back();
  // A fob frame is authentic on body only.
  engine->on_frame(1, fob_frame(3, 1, 3.0));
  EXPECT_EQ(engine->secoc_monitors(1)[0].failures(), 1U);
  EXPECT_EQ(engine->secoc(1)[0].counter(), 1U);  // the phone's counter did not move
  EXPECT_EQ(engine->unauthentic_frames(), 2U);
}

TEST_F(EngineSecocBuses, EachBussCountersGoToTheStoreAndComeBackAfterARestart) {
  MemoryFreshnessStore freshness;
  const can::Frame captured_phone = carlas_phone(20, 1.0);
  const can::Frame captured_fob = fob_frame(3, 30, 1.5);
  {
    const auto before = start(&freshness);
    before->on_frame(1, captured_phone);
    before->on_frame(0, captured_fob);
    EXPECT_EQ(before->store_freshness(), 2U);
    EXPECT_EQ(before->store_freshness(), 0U);
  }
  EXPECT_EQ(freshness.freshness(513), 20U);
  EXPECT_EQ(freshness.freshness(257), 30U);
  const auto after = start(&freshness);
  EXPECT_EQ(after->secoc(0)[0].counter(), 30U);
  EXPECT_EQ(after->secoc(1)[0].counter(), 20U);
  after->on_frame(1, captured_phone);
  after->on_frame(0, captured_fob);
  EXPECT_EQ(driver_of(*after), "nobody");
  EXPECT_EQ(after->unauthentic_frames(), 2U);
  after->on_frame(1, carlas_phone(21, 2.0));
  EXPECT_EQ(driver_of(*after), "carla");
}

}  // namespace
}  // namespace cabind::engine

namespace cabind::engine {
namespace {

can::Timestamp ms(int value) {
  return std::chrono::milliseconds(value);
}

TEST(EngineAuthenticationMonitor, ReportsOncePerSecondAndAlarmsOncePerWindow) {
  AuthenticationMonitor monitor(3, std::chrono::seconds(10));
  EXPECT_TRUE(monitor.failed(ms(0)).report);
  EXPECT_FALSE(monitor.failed(ms(200)).report);
  const AuthenticationReport third = monitor.failed(ms(400));
  EXPECT_FALSE(third.report);
  EXPECT_TRUE(third.alarm);
  EXPECT_EQ(monitor.unreported(), 2U);
  EXPECT_FALSE(monitor.failed(ms(600)).alarm);  // once per window
  const AuthenticationReport later = monitor.failed(ms(1000));
  EXPECT_TRUE(later.report);
  EXPECT_FALSE(later.alarm);
  EXPECT_EQ(monitor.unreported(), 0U);
  // A new window starts at the first failure after 10 s: it needs 3 failures again.
  EXPECT_FALSE(monitor.failed(ms(10'500)).alarm);
  EXPECT_FALSE(monitor.failed(ms(10'600)).alarm);
  EXPECT_TRUE(monitor.failed(ms(10'700)).alarm);
  EXPECT_EQ(monitor.failures(), 8U);
  EXPECT_EQ(monitor.alarms(), 2U);
}

}  // namespace
}  // namespace cabind::engine
