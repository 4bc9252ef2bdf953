// An engine on two buses (tests/engine/data/two_buses): body and infotainment give ids 0x150
// and 0x200 different messages, identity comes from either, outputs leave on their own bus.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_harness.hpp"

namespace cabind::engine::testing {
namespace {

const std::string kTwoBuses = CABIND_SOURCE_DIR "/tests/engine/data/two_buses/vehicle.yaml";
constexpr const char* kSpeed = "Vehicle.Speed";
constexpr const char* kVolume = "Vehicle.Cabin.Infotainment.Media.Volume";
// Carla's phone token 0xC4A1A001 (little-endian after TokenType 1), on the infotainment bus.
constexpr const char* kCarlasPhone = "infotainment:230#0101A0A1C4";

double value(const Harness& h, const char* name) {
  return h.engine->signals().value(*h.engine->slot(name));
}
bool valid(const Harness& h, const char* name) {
  return h.engine->signals().is_valid(*h.engine->slot(name));
}

TEST(EngineMultiBus, ThePlanHasEachBusWithItsOwnCodecAndFilters) {
  Harness h(kTwoBuses);
  ASSERT_EQ(h.plan->buses.size(), 2U);
  EXPECT_EQ(h.plan->buses[1].name, "infotainment");
  EXPECT_EQ(h.plan->buses[1].interface, "vcan1");
  EXPECT_EQ(h.plan->bus_of_interface("vcan1"), 1U);
  EXPECT_EQ(h.plan->slot_bus[*h.engine->slot(kVolume)], 1U);
  EXPECT_EQ(h.plan->slot_bus[*h.engine->slot(kSpeed)], 0U);
  // Each bus's kernel filters list only the ids it reads: 0x150 on both, 0x120 on body,
  // 0x230 on infotainment.
  auto ids = [&](std::size_t bus) {
    std::vector<std::uint32_t> out;
    for (const can::Filter& f : h.plan->buses[bus].filters)
      out.push_back(f.id);
    return out;
  };
  EXPECT_EQ(ids(0), (std::vector<std::uint32_t>{0x150, 0x120}));
  EXPECT_EQ(ids(1), (std::vector<std::uint32_t>{0x150, 0x230, 0x250}));
}

TEST(EngineMultiBus, TheSameIdOnTwoBusesDecodesToEachBussOwnSignals) {
  Harness h(kTwoBuses);
  h.frame(1.0, "150#13880300");  // body BodyInfo: 50 km/h, D
  EXPECT_DOUBLE_EQ(value(h, kSpeed), 50.0);
  EXPECT_FALSE(valid(h, kVolume)) << "a body frame must not decode as Media_Status";
  h.frame(1.1, "infotainment:150#0C00");  // Media_Status: volume 12
  EXPECT_DOUBLE_EQ(value(h, kVolume), 12.0);
  EXPECT_DOUBLE_EQ(value(h, kSpeed), 50.0) << "an infotainment frame must not decode as BodyInfo";
  // The very bytes of the body frame, read on infotainment: volume 0x13 & 0x3F = 19.
  h.frame(1.2, "infotainment:150#13880300");
  EXPECT_DOUBLE_EQ(value(h, kVolume), 19.0);
  EXPECT_DOUBLE_EQ(value(h, kSpeed), 50.0);
  EXPECT_EQ(h.engine->frames_seen(0), 1U);
  EXPECT_EQ(h.engine->frames_seen(1), 2U);
}

TEST(EngineMultiBus, IdentityOnTheInfotainmentBusSendsOnBothBusesWithEachBussLayout) {
  Harness h(kTwoBuses);
  h.frame(1.0, "infotainment:150#0C00");  // volume 12: quiet_cabin holds
  h.frame(1.1, kCarlasPhone);
  ASSERT_NE(h.engine->driver(), nullptr) << h.audit();
  EXPECT_EQ(h.engine->driver()->id, "carla");
  h.run_to(1.2);
  // Her fan 2 in body's Comfort_Request (0x200, 2 bytes, FanLevel at bit 0) on body only...
  EXPECT_EQ(h.sent(), (std::vector<std::string>{"200#0200"})) << h.audit();
  // ...and brightness 80 in infotainment's Display_Request (0x200, 4 bytes, bit 16) there.
  EXPECT_EQ(h.sent_on_bus("infotainment"), (std::vector<std::string>{"200#00005000"})) << h.audit();
}

TEST(EngineMultiBus, AnIdentityFrameOnTheWrongBusSelectsNobody) {
  Harness h(kTwoBuses);
  h.frame(1.0, "230#0101A0A1C4");  // 0x230 is not a message of the body bus
  h.run_to(2.0);
  EXPECT_EQ(h.engine->driver(), nullptr) << h.audit();
  EXPECT_TRUE(h.sent().empty());
}

TEST(EngineMultiBus, ABusDownInvalidatesOnlyItsSignalsAndBlocksTheInterlocksReadingThem) {
  Harness h(kTwoBuses);
  h.frame(1.0, "150#00000000");
  h.frame(1.0, "infotainment:150#0C00");
  ASSERT_TRUE(h.engine->interlock_holds("quiet_cabin"));
  h.engine->on_bus_down(1);
  EXPECT_FALSE(valid(h, kVolume));
  EXPECT_TRUE(valid(h, kSpeed)) << "the body bus is still up";
  EXPECT_FALSE(h.engine->interlock_holds("quiet_cabin"));
  // Alice's fob on the body bus: her fan goes out on body, the brightness waits.
  h.frame(1.1, "120#03000000");
  h.run_to(1.2);
  EXPECT_EQ(h.sent(), (std::vector<std::string>{"200#0300"})) << h.audit();
  EXPECT_TRUE(h.sent_on_bus("infotainment").empty()) << h.audit();
  EXPECT_TRUE(
      h.audit_has("blocked rule=welcome output=Vehicle.Cabin.Infotainment."
                  "DisplayBrightness value=80: by interlock quiet_cabin"))
      << h.audit();
  // The bus is back and the volume known again: the brightness follows.
  h.engine->on_bus_up(1);
  h.frame(1.5, "infotainment:150#0C00");
  h.run_to(1.6);
  EXPECT_EQ(h.sent_on_bus("infotainment"), (std::vector<std::string>{"200#00005000"})) << h.audit();
}

TEST(EngineMultiBus, SignalsOfABusThatFallsSilentGoStaleWhileTheOtherBusFlows) {
  Harness h(kTwoBuses);
  h.periodic("150#00000000");  // body keeps sending BodyInfo every 100 ms
  h.frame(0.5, "infotainment:150#0C00");
  h.run_to(1.0);
  EXPECT_TRUE(valid(h, kVolume));
  // Media_Status cycles at 200 ms: stale after 10 x 200 ms without a frame.
  h.run_to(3.0);
  EXPECT_FALSE(valid(h, kVolume));
  EXPECT_TRUE(valid(h, kSpeed));
  EXPECT_FALSE(h.engine->interlock_holds("quiet_cabin"));
}

TEST(EngineMultiBus, AnIntegrityCheckOnTheSecondBusRefusesASkippedCounter) {
  Harness h(kTwoBuses);
  constexpr const char* kGuiding = "Vehicle.Cabin.Infotainment.Navigation.IsGuiding";
  h.frame(1.0, "infotainment:250#0100");  // counter 0
  h.frame(1.1, "infotainment:250#0110");  // counter 1
  EXPECT_TRUE(valid(h, kGuiding));
  EXPECT_EQ(h.engine->integrity_failures(), 0U);
  h.frame(1.2, "infotainment:250#0140");  // counter 4: two frames lost, none tolerated
  EXPECT_FALSE(valid(h, kGuiding));
  EXPECT_EQ(h.engine->integrity_failures(), 1U);
  h.frame(1.3, "250#0150");  // 0x250 is nothing on the body bus: no check runs there
  EXPECT_EQ(h.engine->integrity_failures(), 1U);
}

TEST(EngineMultiBus, AFrameForABusTheEngineDoesNotHaveIsIgnored) {
  Harness h(kTwoBuses);
  auto frame = can::parse_frame_text("150#13880300", nullptr);
  frame->set_time(at(1.0));
  h.engine->on_frame(7, *frame);
  EXPECT_FALSE(valid(h, kSpeed));
  EXPECT_FALSE(valid(h, kVolume));
}

TEST(EngineMultiBus, TheOneBusConstructorRefusesAPlanWithSeveral) {
  Harness h(kTwoBuses);
  can::MemoryBus only("vcan0");
  MemoryPreferenceStore preferences;
  RecordingSink sink;
  EXPECT_THROW(Engine(*h.plan, only, sink, preferences), std::invalid_argument);
}

}  // namespace
}  // namespace cabind::engine::testing
