// Scenario tests on the demo configuration: frames in, frames and audit lines out.
#include <array>
#include <cstdint>
#include <cstdio>

#include "cabind/signal/checksum.hpp"
#include "engine_harness.hpp"

namespace cabind::engine::testing {
namespace {

// HVAC_Request 0x200 (demo_body.dbc): DriverSetpoint byte 0 and PassengerSetpoint byte 1
// (0.5 degC, start value 44 = 22 degC), byte 2: FanLevel bits 0..3 (start 3), AcRequest bit 4
// (0x10), DriverSeatHeat bits 5..6 (level << 5), DriverSeatVent bit 7 and byte 3 bit 0.
// Seat_Command 0x210: RecallSlot byte 0 bits 0..3; PositionTarget bytes 1..2 and
// HeightTarget bytes 3..4 (big-endian, 0.1 mm), BackrestTarget byte 5 (0.5 deg).
TEST(EngineScenario, AliceUnlocksWithHerFobAndGetsHerClimateSeatAndNavigation) {
  Harness h;
  h.periodic(kParked);
  h.frame(1.0, fob(3));
  h.frame(1.1, fob(3));
  EXPECT_EQ(h.engine->driver(), nullptr) << "the 200 ms fob debounce has not passed";
  h.frame(1.2, fob(3));
  ASSERT_NE(h.engine->driver(), nullptr);
  EXPECT_EQ(h.engine->driver()->id, "alice");
  EXPECT_TRUE(h.audit_has("driver rule=key_fob output=alice value=3: recognised")) << h.audit();

  // 21.5 degC = 43 = 0x2B, passenger 22.5 degC = 45 = 0x2D; byte 2: fan 3 | A/C 0x10 |
  // seat heat 2 << 5 = 0x40 = 0x53; no ventilation in her profile: its start value 0.
  const auto hvac = h.sent("200");
  ASSERT_FALSE(hvac.empty());
  EXPECT_EQ(hvac.back(), "200#2B2D5300");
  EXPECT_TRUE(
      h.audit_has("unknown rule=apply_profile_climate "
                  "output=Vehicle.Cabin.Seat.Row1.DriverSide.Ventilation"))
      << h.audit();
  // Seat memory slot 1, parked: the recall goes out at once. Her profile gives no
  // positions, so no targets (0 = none).
  EXPECT_EQ(h.sent("210"), (std::vector<std::string>{"210#010000000000"}));
  EXPECT_TRUE(
      h.audit_has("unknown rule=apply_profile_seat "
                  "output=Vehicle.Cabin.Seat.Row1.DriverSide.PositionTarget"))
      << h.audit();
  EXPECT_TRUE(h.audit_has("skipped rule=cold_morning")) << h.audit();

  // Ten seconds later: Monday 07:30 -> her "work" favourite (52.4986, 13.3790).
  h.bus.clear_sent();
  h.run_to(11.3);
  const auto nav = h.sent_on_bus("infotainment", "220");
  ASSERT_EQ(nav.size(), 1U) << "latitude and longitude leave in one frame\n" << h.audit();
  EXPECT_TRUE(h.sent("220").empty()) << "the destination is on the infotainment bus only";
  std::string why;
  auto frame = can::parse_frame_text(nav.back(), &why);
  ASSERT_TRUE(frame);
  float latitude = 0;
  float longitude = 0;
  std::memcpy(&latitude, frame->data().data(), 4);
  std::memcpy(&longitude, frame->data().data() + 4, 4);
  EXPECT_FLOAT_EQ(latitude, 52.4986F);
  EXPECT_FLOAT_EQ(longitude, 13.3790F);
}

TEST(EngineScenario, BobGetsHisSettings) {
  Harness h;
  h.periodic(kParked);
  h.frame(1.0, fob(5));
  h.frame(1.3, fob(5));
  ASSERT_NE(h.engine->driver(), nullptr);
  EXPECT_EQ(h.engine->driver()->id, "bob");
  // 19 degC = 38 = 0x26, no passenger temperature: start 0x2C; byte 2: fan 5 | A/C off |
  // no seat heat | ventilation 1 at bit 7 = 0x85.
  EXPECT_EQ(h.sent("200").back(), "200#262C8500");
  EXPECT_TRUE(
      h.audit_has("sent rule=apply_profile_climate "
                  "output=Vehicle.Cabin.HVAC.IsAirConditioningActive value=0"))
      << h.audit();
  // Slot 2 and his positions in one frame: 180 mm = 1800 = 0x0708, 42 mm = 420 = 0x01A4,
  // 24 deg = 48 = 0x30.
  EXPECT_EQ(h.sent("210"), (std::vector<std::string>{"210#02070801A430"}));
}

TEST(EngineScenario, UnknownFobSelectsTheGuest) {
  Harness h;
  h.periodic(kParked);
  h.frame(1.0, fob(9));
  h.frame(1.3, fob(9));
  ASSERT_NE(h.engine->driver(), nullptr);
  EXPECT_EQ(h.engine->driver()->id, "guest");
  EXPECT_TRUE(h.audit_has("output=guest value=9: unknown identifier, guest profile")) << h.audit();
  // Guest: 21 degC = 0x2A, fan 3; no memory slot -> no recall, said so.
  EXPECT_EQ(h.sent("200").back(), "200#2A2C0300");
  EXPECT_TRUE(h.sent("210").empty());
  EXPECT_TRUE(h.audit_has("the profile has no seat memory slot")) << h.audit();
}

TEST(EngineScenario, ColdMorningRaisesTheSetpointOverTheProfile) {
  Harness h;
  h.periodic(kParked);
  h.periodic("160#04C800");  // outside 2 degC, cabin 20 degC
  h.run_to(0.5);
  h.frame(1.0, fob(3));
  h.frame(1.3, fob(3));
  // max(21.5, 23) = 23 degC = 46 = 0x2E wins over apply_profile_climate (priority 0).
  EXPECT_EQ(h.sent("200").back(), "200#2E2D5300");
  EXPECT_TRUE(h.audit_has("fired rule=cold_morning")) << h.audit();
  EXPECT_TRUE(
      h.audit_has("overridden rule=apply_profile_climate "
                  "output=Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature value=21.5: "
                  "cold_morning"))
      << h.audit();
}

TEST(EngineScenario, ColdMorningDoesNotApplyInTheAfternoon) {
  Harness h;
  h.engine->set_local_time({15, 0, 1});
  h.periodic(kParked);
  h.periodic("160#04C800");
  h.frame(1.0, fob(3));
  h.frame(1.3, fob(3));
  EXPECT_EQ(h.sent("200").back(), "200#2B2D5300");
  EXPECT_TRUE(h.audit_has("skipped rule=cold_morning")) << h.audit();
}

TEST(EngineScenario, SeatRecallBlockedWhileMovingRunsOnceParked) {
  Harness h;
  h.periodic(kMoving);
  h.frame(1.0, fob(3));
  h.frame(1.3, fob(3));
  EXPECT_TRUE(h.sent("210").empty());
  EXPECT_TRUE(
      h.audit_has("blocked rule=recall_seat_when_parked "
                  "output=Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall value=1: "
                  "by interlock seat_motion: Vehicle.Speed=50"))
      << h.audit();
  h.run_to(5.0);
  EXPECT_TRUE(h.sent("210").empty());
  h.periodic(kStoppedInD);
  h.run_to(6.0);
  EXPECT_TRUE(h.sent("210").empty()) << "speed 0 in D is not parked";
  h.periodic(kParked);
  h.run_to(6.2);
  EXPECT_EQ(h.sent("210"), (std::vector<std::string>{"210#010000000000"}));
}

TEST(EngineScenario, StaleSpeedBlocksTheSeat) {
  Harness h;
  h.frame(0.5, kParked);  // one frame only: stale 200 ms later (10 x 20 ms)
  h.frame(1.0, fob(3));
  h.frame(1.3, fob(3));
  EXPECT_TRUE(h.sent("210").empty());
  EXPECT_TRUE(h.audit_has("seat_motion")) << h.audit();
  EXPECT_TRUE(h.audit_has("Vehicle.Speed stale")) << h.audit();
  EXPECT_FALSE(h.engine->interlock_holds("seat_motion"));
}

TEST(EngineScenario, FeedbackThatNeverConfirmsGivesBoundedRetriesThenAFailure) {
  Harness h;
  h.periodic(kParked);
  h.frame(1.0, fob(3));
  h.frame(1.3, fob(3));
  h.run_to(10.0);
  const std::string seat = "output=Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall";
  EXPECT_EQ(h.audit_count("sent rule=recall_seat_when_parked " + seat), 1U) << h.audit();
  EXPECT_EQ(h.audit_count("retry rule=recall_seat_when_parked " + seat), 2U) << h.audit();
  EXPECT_TRUE(h.audit_has("failed rule=recall_seat_when_parked " + seat +
                          " value=1 attempt=3: feedback never confirmed"))
      << h.audit();
  EXPECT_EQ(h.sent("210").size(), 3U);
}

TEST(EngineScenario, FeedbackConfirmsTheCommand) {
  Harness h;
  h.periodic(kParked);
  h.frame(1.0, fob(3));
  h.frame(1.3, fob(3));
  h.frame(1.35, "211#020000000000");  // Seat_Status.ActiveSlot = 1
  h.run_to(5.0);
  EXPECT_TRUE(h.audit_has("confirmed rule=recall_seat_when_parked")) << h.audit();
  EXPECT_FALSE(h.audit_has("retry rule=recall_seat_when_parked")) << h.audit();
  EXPECT_EQ(h.sent("210").size(), 1U);
}

TEST(EngineScenario, ManualTemperatureChangeIsLearnedAndReappliedNextTime) {
  Harness h;
  h.periodic(kParked);
  h.frame(1.0, fob(3));
  h.frame(1.3, fob(3));
  h.periodic("201#2B2D5300");  // HVAC confirms all of Alice's climate
  h.run_to(2.0);
  EXPECT_TRUE(
      h.audit_has("confirmed rule=apply_profile_climate "
                  "output=Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"))
      << h.audit();
  h.periodic("201#282D5300");  // the driver turns the knob to 20 degC
  h.run_to(3.0);
  EXPECT_TRUE(h.audit_has(
      "learned output=Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature value=20: alice"))
      << h.audit();
  EXPECT_EQ(h.preferences.preference("alice", "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"),
            20.0);
  // The cyclic request now carries 20 degC: cabind does not fight the driver.
  EXPECT_EQ(h.sent("200").back(), "200#282D5300");

  // Bob drives, then Alice again: her learned 20 degC is applied.
  h.frame(4.0, "121#0200");
  h.frame(4.5, "121#0000");
  EXPECT_EQ(h.engine->driver()->id, "bob");
  h.frame(5.0, "121#0100");
  EXPECT_EQ(h.engine->driver()->id, "alice");
  // Her learned 20 degC = 0x28. Bob's ventilation 1 stays on (bit 7: 0x53 | 0x80 = 0xD3):
  // her profile does not set ventilation, and nobody left in between.
  EXPECT_EQ(h.sent("200").back(), "200#282DD300");
}

TEST(EngineScenario, SeatMemoryButtonBeatsAFob) {
  Harness h;
  h.periodic(kParked);
  h.frame(1.0, "121#0200");  // Bob's button, priority 30, no debounce
  EXPECT_EQ(h.engine->driver()->id, "bob");
  h.frame(1.1, fob(3));
  h.frame(1.5, fob(3));  // Alice's fob, priority 10: does not replace Bob
  EXPECT_EQ(h.engine->driver()->id, "bob");
}

TEST(EngineScenario, TwoFobsPresentTheLaterWinsDeterministically) {
  Harness h;  // tie_break: most_recent
  h.periodic(kParked);
  h.frame(1.0, fob(3));
  h.frame(1.05, fob(5));  // the body controller alternates between the two fobs
  h.frame(1.1, fob(3));
  h.frame(1.15, fob(5));
  EXPECT_EQ(h.engine->driver(), nullptr) << "neither fob has been seen steadily for 200 ms";
  h.frame(1.2, fob(5));
  h.frame(1.45, fob(5));
  ASSERT_NE(h.engine->driver(), nullptr);
  EXPECT_EQ(h.engine->driver()->id, "bob");
  h.frame(1.5, fob(3));
  h.frame(1.75, fob(3));
  EXPECT_EQ(h.engine->driver()->id, "alice");
}

TEST(EngineScenario, HotCabinTurnsTheAirConditioningOnOnTheRisingEdgeOnly) {
  Harness h;
  h.periodic(kParked);
  h.frame(1.0, fob(5));  // Bob: his profile turns A/C off (Alice's turns it on already)
  h.frame(1.3, fob(5));
  h.frame(2.0, "160#285E01");  // cabin 35 degC (350 = 0x015E)
  EXPECT_EQ(h.audit_count("fired rule=hot_cabin_ac"), 1U) << h.audit();
  h.frame(3.0, "160#286001");  // still hot: no new edge
  EXPECT_EQ(h.audit_count("fired rule=hot_cabin_ac"), 1U) << h.audit();
  EXPECT_TRUE(
      h.audit_has("sent rule=hot_cabin_ac output=Vehicle.Cabin.HVAC.IsAirConditioningActive "
                  "value=1"))
      << h.audit();
}

}  // namespace
}  // namespace cabind::engine::testing

namespace cabind::engine::testing {
namespace {

// identity.leave of the demo: ignition off (140#00) and the driver's door open (130#01)
// for 3 s.
TEST(EngineScenario, AliceLeavesAndHerSeatHeatingGoesOff) {
  Harness h;
  h.periodic(kParked);
  h.periodic("140#02");  // ignition on
  h.periodic("130#00");  // door shut
  h.frame(1.0, fob(3));
  h.frame(1.3, fob(3));
  ASSERT_NE(h.engine->driver(), nullptr);
  ASSERT_EQ(h.sent("200").back(), "200#2B2D5300") << "seat heat 2 = 0x40 in byte 2";

  h.run_to(1.95);
  h.periodic("140#00");  // she switches off and opens the door: from 2.0 s
  h.periodic("130#01");
  h.run_to(4.95);
  EXPECT_NE(h.engine->driver(), nullptr) << "2.95 s is not yet a departure\n" << h.audit();
  h.run_to(5.05);
  EXPECT_EQ(h.engine->driver(), nullptr);
  EXPECT_EQ(h.audit_count("left output=alice"), 1U) << h.audit();
  EXPECT_TRUE(h.audit_has("fired rule=seat_comfort_off_when_left")) << h.audit();
  EXPECT_TRUE(
      h.audit_has("sent rule=seat_comfort_off_when_left "
                  "output=Vehicle.Cabin.Seat.Row1.DriverSide.HeatingCooling value=0"))
      << h.audit();
  // Seat heat and ventilation 0: byte 2 keeps fan 3 | A/C 0x10 = 0x13.
  EXPECT_EQ(h.sent("200").back(), "200#2B2D1300");
}

TEST(EngineScenario, GettingInWithTheDoorOpenForLessThanTheLeaveTimeKeepsTheDriver) {
  Harness h;
  h.periodic(kParked);
  h.periodic("140#00");  // ignition off
  h.periodic("130#00");
  h.frame(1.0, fob(3));
  h.frame(1.3, fob(3));
  ASSERT_NE(h.engine->driver(), nullptr);
  h.run_to(1.95);
  h.periodic("130#01");  // she opens the door at 2.0 s and gets in
  h.run_to(4.75);
  h.periodic("130#00");  // door shut at 4.8 s, 2.8 s later: a departure needs 3 s
  h.periodic("140#02");
  h.run_to(9.0);
  ASSERT_NE(h.engine->driver(), nullptr);
  EXPECT_EQ(h.engine->driver()->id, "alice");
  EXPECT_FALSE(h.audit_has("left output=")) << h.audit();
  EXPECT_FALSE(h.audit_has("rule=seat_comfort_off_when_left")) << h.audit();
}

TEST(EngineScenario, ManualSeatSwitchCancelsARecallInProgress) {
  Harness h(CABIND_SOURCE_DIR "/tests/engine/data/vehicle_manual_switch.yaml");
  h.periodic(kParked);
  h.frame(1.0, fob(3));
  h.frame(1.3, fob(3));
  ASSERT_EQ(h.sent("210").size(), 1U);
  h.frame(1.35, "121#1000");  // Memory_Switch.SetPressed: the driver moves the seat by hand
  h.run_to(5.0);
  EXPECT_TRUE(
      h.audit_has("cancelled rule=recall_seat_when_parked "
                  "output=Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall value=1: "
                  "manual seat switch pressed"))
      << h.audit();
  EXPECT_EQ(h.sent("210").size(), 1U) << "no retry after the cancel";
  EXPECT_FALSE(h.audit_has("failed rule=recall_seat_when_parked")) << h.audit();
}

}  // namespace
}  // namespace cabind::engine::testing

namespace cabind::engine::testing {
namespace {

// BodyInfo of tests/engine/data/integrity_body.dbc, parked (speed 0, gear P), with its
// 4-bit counter and a CRC-8/SAE-J1850 over bytes 0..2 in byte 3; `corrupt` flips the CRC.
std::string protected_body_info(unsigned counter, bool corrupt = false) {
  std::array<std::uint8_t, 4> bytes{0x00, 0x00, static_cast<std::uint8_t>((counter & 0xFU) << 4U),
                                    0x00};
  bytes[3] = signal::checksum_crc8_sae_j1850(bytes, 3);
  if (corrupt) bytes[3] = static_cast<std::uint8_t>(bytes[3] ^ 0x01U);
  char text[16];
  std::snprintf(text, sizeof text, "150#%02X%02X%02X%02X", bytes[0], bytes[1], bytes[2], bytes[3]);
  return text;
}

TEST(EngineIntegrity, AnInterlockInputFailingItsChecksumReadsInvalidAndBlocksTheSeat) {
  Harness h(CABIND_SOURCE_DIR "/tests/engine/data/vehicle_integrity.yaml");
  const std::uint32_t speed = *h.engine->slot("Vehicle.Speed");
  const std::uint32_t gear = *h.engine->slot("Vehicle.Powertrain.Transmission.CurrentGear");
  h.frame(1.00, protected_body_info(1));
  h.frame(1.02, protected_body_info(2));
  ASSERT_TRUE(h.engine->interlock_holds("seat_motion"));

  h.frame(1.04, protected_body_info(3, /*corrupt=*/true));
  EXPECT_EQ(h.engine->signals().validity(speed), signal::kInvalid);
  EXPECT_EQ(h.engine->signals().validity(gear), signal::kInvalid);
  EXPECT_FALSE(h.engine->interlock_holds("seat_motion")) << "parked, but the frame is corrupt";

  // Hysteresis: the corrupt frame counts as lost (skip 1 tolerated); one good frame is not
  // enough, the second one restores the signals.
  h.frame(1.06, protected_body_info(4));
  EXPECT_FALSE(h.engine->interlock_holds("seat_motion"));
  h.frame(1.08, protected_body_info(5));
  EXPECT_TRUE(h.engine->interlock_holds("seat_motion"));
  EXPECT_EQ(h.engine->signals().validity(speed), signal::kValid);
}

TEST(EngineIntegrity, AFrozenCounterBlocksTheSeat) {
  Harness h(CABIND_SOURCE_DIR "/tests/engine/data/vehicle_integrity.yaml");
  h.frame(1.00, protected_body_info(7));
  h.frame(1.02, protected_body_info(8));
  ASSERT_TRUE(h.engine->interlock_holds("seat_motion"));
  h.frame(1.04, protected_body_info(8));  // a sender stuck on one frame
  EXPECT_FALSE(h.engine->interlock_holds("seat_motion"));
  h.frame(1.06, protected_body_info(8));
  EXPECT_FALSE(h.engine->interlock_holds("seat_motion"));
}

}  // namespace
}  // namespace cabind::engine::testing
