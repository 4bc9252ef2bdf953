// Property: over 100,000 random steps of speed, gear, ignition, validity and staleness,
// no seat command leaves cabind while the seat_motion interlock does not hold.
// The oracle recomputes the interlock from the frames the test itself delivered.
#include <random>

#include "engine_harness.hpp"

namespace cabind::engine::testing {
namespace {

struct Oracle {
  bool seen = false;
  bool valid = false;
  can::Timestamp time{};
  bool parked = false;  // speed 0 and gear P in the last valid frame

  [[nodiscard]] bool holds(can::Timestamp now) const {
    return seen && valid && now - time <= std::chrono::milliseconds(200) && parked;
  }
};

TEST(EngineInterlockProperty, NoSeatCommandWhileTheInterlockDoesNotHold) {
  Harness h;
  std::mt19937 engine_random(20261124);
  auto random = [&engine_random] { return static_cast<unsigned>(engine_random()); };
  Oracle oracle;
  can::Timestamp now = at(1.0);
  std::size_t seat_commands = 0;
  std::size_t checked_frames = 0;
  int button = 1;
  bool pressed = false;

  auto deliver = [&](const std::string& text) {
    auto frame = can::parse_frame_text(text, nullptr);
    ASSERT_TRUE(frame) << text;
    frame->set_time(now);
    h.engine->on_frame(*frame);
  };

  for (int step = 0; step < 100'000; ++step) {
    now += std::chrono::milliseconds(5 + random() % 60);
    const unsigned event = random() % 100;
    if (event < 60) {
      const unsigned kind = random() % 5;
      if (kind == 4) {
        deliver("150#");  // too short: every BodyInfo signal invalid
        oracle = {true, false, now, false};
      } else {
        const unsigned speed = kind == 0 || kind == 1 ? 0U : random() % 20000U;
        const unsigned gear = kind == 0 ? 0U : random() % 4U;
        char text[32];
        std::snprintf(text, sizeof text, "150#%02X%02X%02X00", (speed >> 8U) & 0xFFU, speed & 0xFFU,
                      gear);
        deliver(text);
        oracle = {true, true, now, speed == 0 && gear == 0};
      }
    } else if (event < 75) {
      // Seat-memory button press / release: every press of another button changes the
      // driver and asks for a seat recall.
      if (pressed) {
        deliver("121#0000");
        button = button == 1 ? 2 : 1;
      } else {
        deliver(button == 1 ? "121#0100" : "121#0200");
      }
      pressed = !pressed;
    } else if (event < 80) {
      char text[32];
      std::snprintf(text, sizeof text, "140#%02X", random() % 4U);  // ignition state
      deliver(text);
    } else if (event < 85) {
      deliver(random() % 2 ? "211#020000000000" : "211#040000000000");  // seat feedback
    } else {
      h.engine->advance(now);
    }
    for (const can::Frame& frame : h.bus.sent()) {
      if (frame.id() != 0x210) continue;
      ++checked_frames;
      const unsigned slot = frame.data()[0] & 0x0FU;
      if (slot == 0) continue;
      ++seat_commands;
      ASSERT_TRUE(oracle.holds(frame.time()))
          << "seat command (slot " << slot << ") at step " << step << " while the interlock "
          << "does not hold: seen=" << oracle.seen << " valid=" << oracle.valid
          << " parked=" << oracle.parked
          << " age_ms=" << (frame.time() - oracle.time).count() / 1'000'000;
    }
    h.bus.clear_sent();
  }
  // The property is only meaningful if seat commands were actually sent.
  EXPECT_GT(seat_commands, 100U);
  EXPECT_GE(checked_frames, seat_commands);
}

}  // namespace
}  // namespace cabind::engine::testing
