// Property: over random steps of speed, gear, ignition, malformed frames, silence (stale
// inputs), seat-memory buttons, seat feedback and wall-clock steps, no seat command
// leaves cabind while the seat_motion interlock ("Vehicle.Speed == 0 and gear P") does not
// hold.
//
// The oracle does not ask the engine: it keeps its own record of the last BodyInfo frame
// the test delivered (when, whether it was well formed, what it said) and, for every seat
// command frame on the bus, checks that the car was stationary, in P, with that record
// fresh at the frame's time. Breaking the engine's interlock check makes this test fail
// (docs/engine.md, "Interlock property test").
//
// CI runs a seeded slice of 20,000 steps. CABIND_SOAK_STEPS and CABIND_SOAK_SEED change
// both (tools/soak-interlocks runs 10^6 steps); the test prints the figures it measured.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

#include "engine_harness.hpp"

namespace cabind::engine::testing {
namespace {

constexpr std::uint32_t kBodyInfoId = 0x150;
constexpr std::uint32_t kSeatCommandId = 0x210;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') {
    ADD_FAILURE() << name << "=" << text << " is not a number";
    return fallback;
  }
  return value;
}

// How long a BodyInfo frame keeps its signals fresh: its DBC cycle time times the
// configuration's stale factor (20 ms x 10 in the demo), read from the same files the
// engine loads.
std::chrono::nanoseconds body_info_freshness() {
  const auto loaded = config::load(CABIND_SOURCE_DIR "/config/demo/vehicle.yaml");
  EXPECT_TRUE(loaded.ok()) << loaded.diagnostics.to_string();
  if (!loaded.ok()) return {};
  const dbc::Message* body = loaded.config->buses.front().database.find_message(kBodyInfoId, false);
  EXPECT_NE(body, nullptr);
  if (body == nullptr || !body->cycle_time_ms) return {};
  return std::chrono::milliseconds(std::uint64_t{*body->cycle_time_ms} *
                                   loaded.config->stale_factor);
}

// What the test knows about the car from the frames it sent.
class Oracle {
 public:
  explicit Oracle(std::chrono::nanoseconds freshness) : freshness_(freshness) {}

  void well_formed(can::Timestamp at, unsigned raw_speed, unsigned gear) {
    last_ = at;
    valid_ = true;
    parked_ = raw_speed == 0 && gear == 0;  // gear 0 = 'P' in the demo DBC's value table
  }
  void malformed(can::Timestamp at) {
    last_ = at;
    valid_ = false;
    parked_ = false;
  }

  // Whether a seat may move at `at`: a frame is fresh up to and including `freshness`
  // after it (SignalTable's staleness rule).
  [[nodiscard]] bool seat_may_move(can::Timestamp at) const {
    const bool fresh = last_ && at - *last_ <= freshness_;
    return fresh && valid_ && parked_;
  }
  [[nodiscard]] std::string describe(can::Timestamp at) const {
    if (!last_) return "no BodyInfo frame sent yet";
    const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(at - *last_);
    return std::string("last BodyInfo ") + std::to_string(age.count()) + " ms ago, " +
           (valid_ ? "well formed" : "malformed") + ", " + (parked_ ? "parked" : "not parked");
  }

 private:
  std::chrono::nanoseconds freshness_;
  std::optional<can::Timestamp> last_;
  bool valid_ = false;
  bool parked_ = false;
};

class Steps {
 public:
  Steps(Harness& h, std::uint64_t seed, Oracle& oracle)
      : h_(h), random_(seed), oracle_(oracle), now_(at(1.0)) {}

  // One random step: time passes, then one thing happens on the bus or the clock.
  void run_one() {
    now_ += std::chrono::milliseconds(5 + draw(60));
    const unsigned event = draw(100);
    if (event < 55) {
      body_info();
    } else if (event < 70) {
      seat_memory_button();
    } else if (event < 75) {
      deliver("140#0" + std::to_string(draw(4)));  // ignition state
    } else if (event < 80) {
      deliver(draw(2) != 0 ? "211#020000000000" : "211#040000000000");  // seat feedback
    } else if (event < 85) {
      wall_clock_step();
    } else if (event < 90) {
      now_ += std::chrono::milliseconds(150 + draw(200));  // silence: BodyInfo may go stale
      h_.engine->advance(now_);
    } else {
      h_.engine->advance(now_);
    }
  }
  [[nodiscard]] std::size_t clock_steps() const { return clock_steps_; }

 private:
  unsigned draw(unsigned bound) { return static_cast<unsigned>(random_() % bound); }

  void deliver(const std::string& text) {
    auto frame = can::parse_frame_text(text, nullptr);
    ASSERT_TRUE(frame) << text;
    frame->set_time(now_);
    h_.engine->on_frame(*frame);
  }

  void body_info() {
    const unsigned kind = draw(5);
    if (kind == 4) {
      deliver("150#");  // shorter than its DBC length: every BodyInfo signal invalid
      oracle_.malformed(now_);
      return;
    }
    // Mostly parked or stopped in another gear, so that commands do go out.
    const unsigned speed = kind <= 1 ? 0U : draw(20000);
    const unsigned gear = kind == 0 ? 0U : draw(4);
    char text[32];
    std::snprintf(text, sizeof text, "150#%02X%02X%02X00", (speed >> 8U) & 0xFFU, speed & 0xFFU,
                  gear);
    deliver(text);
    oracle_.well_formed(now_, speed, gear);
  }

  // Press / release: every press of the other button changes the driver and asks for a
  // seat recall.
  void seat_memory_button() {
    if (pressed_) {
      deliver("121#0000");
      button_ = button_ == 1 ? 2 : 1;
    } else {
      deliver(button_ == 1 ? "121#0100" : "121#0200");
    }
    pressed_ = !pressed_;
  }

  // The head unit's clock set from GNSS/NTP: local time jumps back or forward by up to a
  // day. Engine time (the frames' stamps) does not move.
  void wall_clock_step() {
    minute_of_week_ =
        (minute_of_week_ + 7 * 1440 + static_cast<int>(draw(2881)) - 1440) % (7 * 1440);
    const int minute_of_day = minute_of_week_ % 1440;
    h_.engine->set_local_time({minute_of_day / 60, minute_of_day % 60, minute_of_week_ / 1440 + 1});
    h_.engine->advance(now_);
    ++clock_steps_;
  }

  Harness& h_;
  std::mt19937_64 random_;
  Oracle& oracle_;
  can::Timestamp now_;
  int button_ = 1;
  bool pressed_ = false;
  int minute_of_week_ = 7 * 60 + 30;  // Monday 07:30, as the harness starts
  std::size_t clock_steps_ = 0;
};

TEST(EngineInterlockProperty, NoSeatCommandWhileTheCarIsNotParkedWithFreshInputs) {
  const std::uint64_t steps = env_number("CABIND_SOAK_STEPS", 20'000);
  const std::uint64_t seed = env_number("CABIND_SOAK_SEED", 20261124);
  Harness h;
  Oracle oracle(body_info_freshness());
  Steps random_steps(h, seed, oracle);
  std::size_t seat_commands = 0;
  const auto started = std::chrono::steady_clock::now();
  for (std::uint64_t step = 0; step < steps; ++step) {
    random_steps.run_one();
    if (::testing::Test::HasFatalFailure()) return;
    for (const can::Frame& frame : h.bus.sent()) {
      if (frame.id() != kSeatCommandId) continue;
      const unsigned slot = frame.data()[0] & 0x0FU;
      if (slot == 0) continue;  // RecallSlot 0 moves nothing
      ++seat_commands;
      ASSERT_TRUE(oracle.seat_may_move(frame.time()))
          << "seat command (slot " << slot << ") at step " << step << " (seed " << seed
          << ") while " << oracle.describe(frame.time());
    }
    h.bus.clear_sent();
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  std::cout << "interlock property: " << steps << " steps, seed " << seed << ", " << seat_commands
            << " seat commands, " << random_steps.clock_steps() << " wall-clock steps, "
            << took.count() << " s, " << static_cast<double>(steps) / took.count() << " steps/s\n";
  // The property is only meaningful if seat commands were actually sent, often.
  EXPECT_GT(seat_commands, steps / 200) << "too few seat commands to exercise the interlock";
  EXPECT_GT(random_steps.clock_steps(), steps / 40);
}

}  // namespace
}  // namespace cabind::engine::testing
