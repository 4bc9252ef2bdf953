#include "cabind/config/vehicle_parser.hpp"

#include <gtest/gtest.h>

namespace cabind::config {
namespace {

TEST(SignalRefText, AcceptsMessageSignalWithOptionalBus) {
  const auto plain = parse_signal_ref("HVAC_Request.DriverSetpoint", "body");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->bus, "body");
  EXPECT_EQ(plain->message, "HVAC_Request");
  EXPECT_EQ(plain->signal, "DriverSetpoint");
  const auto named = parse_signal_ref("infotainment:Nav.Lat", "body");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->bus, "infotainment");
  for (const char* bad : {"NoDot", ".Signal", "Message.", "a.b.c", ":M.S", "1M.S", "M.S-x"}) {
    EXPECT_FALSE(parse_signal_ref(bad, "body")) << bad;
  }
}

TEST(VehicleParser, AppliesDefaults) {
  diag::Diagnostics d;
  const auto v = parse_vehicle("bus: { interface: can0 }\ndbc: x.dbc\nsignals: {}\n", "v.yaml", d);
  ASSERT_TRUE(v) << d.to_string();
  EXPECT_EQ(v->config.buses.at(0).name, "body");
  EXPECT_FALSE(v->config.buses.at(0).fd);
  EXPECT_EQ(v->config.stale_factor, 10U);
  EXPECT_EQ(v->config.identity.tie_break, TieBreak::most_recent);
  EXPECT_EQ(v->profiles_dir, "profiles");
  EXPECT_TRUE(v->rules_file.empty());
}

TEST(VehicleParser, ReadsOutputsIdentityAndInterlocks) {
  diag::Diagnostics d;
  const auto v = parse_vehicle(R"(bus: { name: comfort, interface: vcan1, fd: true }
dbc: x.dbc
signals:
  Identity.KeyFob: Keyfob.Id
outputs:
  Seat.Recall:
    signal: comfort:Seat.Slot
    feedback: Seat_Status.Slot
    range: [1, 8]
    learn: false
    interlock: parked
    send: on_change
interlocks:
  parked: 'Vehicle.Speed == 0'
identity:
  tie_break: keep_current
  sources:
    - { signal: Identity.KeyFob, kind: key_fob, priority: 5, debounce_ms: 250 }
stale_factor: 4
)",
                               "v.yaml", d);
  ASSERT_TRUE(v) << d.to_string();
  const Config& c = v->config;
  EXPECT_EQ(c.buses.at(0).name, "comfort");
  EXPECT_TRUE(c.buses.at(0).fd);
  ASSERT_EQ(c.outputs.size(), 1U);
  EXPECT_EQ(c.outputs[0].signal.bus, "comfort");
  EXPECT_EQ(c.outputs[0].feedback->signal, "Slot");
  EXPECT_EQ(c.outputs[0].range->max, 8.0);
  EXPECT_EQ(c.outputs[0].interlock, "parked");
  EXPECT_EQ(c.outputs[0].where.line, 6U);
  ASSERT_EQ(c.interlocks.size(), 1U);
  EXPECT_EQ(c.interlocks[0].condition.text, "Vehicle.Speed == 0");
  EXPECT_EQ(c.interlocks[0].condition.where.line, 14U);
  EXPECT_EQ(c.interlocks[0].condition.where.column, 12U);
  ASSERT_EQ(c.identity.sources.size(), 1U);
  EXPECT_EQ(c.identity.sources[0].debounce, std::chrono::milliseconds(250));
  EXPECT_EQ(c.identity.tie_break, TieBreak::keep_current);
  EXPECT_EQ(c.stale_factor, 4U);
}

}  // namespace
}  // namespace cabind::config

namespace cabind::config {
namespace {

TEST(VehicleParser, ReadsIntegrityChecksWithTheirDefaults) {
  diag::Diagnostics d;
  const auto v = parse_vehicle(R"(bus: { interface: can0 }
dbc: x.dbc
signals: {}
integrity:
  Keyfob_Status:
    counter: FobCounter
    checksum: { signal: FobChecksum, algorithm: crc8_sae_j1850 }
    max_counter_skips: 2
    recovery_frames: 5
  body:BodyInfo: { checksum: { signal: Crc, algorithm: sum8 } }
  Door_Status: { counter: Alive }
)",
                               "v.yaml", d);
  ASSERT_TRUE(v) << d.to_string();
  const auto& checks = v->config.integrity;
  ASSERT_EQ(checks.size(), 3U);
  EXPECT_EQ(checks[0].bus, "body");
  EXPECT_EQ(checks[0].message, "Keyfob_Status");
  EXPECT_EQ(checks[0].counter, "FobCounter");
  EXPECT_EQ(checks[0].counter_where.line, 6U);
  EXPECT_EQ(checks[0].checksum_signal, "FobChecksum");
  EXPECT_EQ(checks[0].checksum_algorithm, ChecksumAlgorithm::crc8_sae_j1850);
  EXPECT_EQ(checks[0].max_counter_skips, 2U);
  EXPECT_EQ(checks[0].recovery_frames, 5U);
  EXPECT_EQ(checks[1].message, "BodyInfo");
  EXPECT_TRUE(checks[1].counter.empty());
  EXPECT_EQ(checks[1].checksum_algorithm, ChecksumAlgorithm::sum8);
  EXPECT_EQ(checks[2].checksum_signal, "");
  EXPECT_EQ(checks[2].max_counter_skips, 0U);
  EXPECT_EQ(checks[2].recovery_frames, 2U);
}

TEST(VehicleParser, ReadsOutputTimingAndGuestLearning) {
  diag::Diagnostics d;
  const auto v = parse_vehicle(R"(bus: { interface: vcan0 }
dbc: x.dbc
signals: {}
outputs:
  Seat.Recall:
    signal: Seat.Slot
    feedback: Seat_Status.Slot
    confirm_timeout_ms: 4000
    min_interval_ms: 0
    attempts: 2
    tolerance: 0.5
    hold_ms: 30000
  Cabin.Temp:
    signal: HVAC.Setpoint
    learn: true
    learn_guest: true
)",
                               "v.yaml", d);
  ASSERT_TRUE(v) << d.to_string();
  const Output& recall = v->config.outputs.at(0);
  EXPECT_EQ(recall.confirm_timeout, std::chrono::milliseconds(4000));
  EXPECT_EQ(recall.min_interval, std::chrono::milliseconds(0));
  EXPECT_EQ(recall.attempts, 2);
  EXPECT_EQ(recall.tolerance, 0.5);
  EXPECT_EQ(recall.hold, std::chrono::milliseconds(30000));
  EXPECT_FALSE(recall.learn_guest);
  const Output& temp = v->config.outputs.at(1);
  EXPECT_FALSE(temp.confirm_timeout || temp.min_interval || temp.attempts || temp.tolerance ||
               temp.hold)
      << "unset: the plan's defaults apply";
  EXPECT_TRUE(temp.learn_guest);
}

}  // namespace
}  // namespace cabind::config

namespace cabind::config {
namespace {

TEST(VehicleParser, ReadsIdentityPresenceConditionsAndLeave) {
  diag::Diagnostics d;
  const auto v = parse_vehicle(R"(bus: { interface: can0 }
dbc: x.dbc
signals:
  Identity.Phone: Identity_Token.PhoneToken
  Identity.KeyFob: Keyfob_Status.FobId
identity:
  sources:
    - { signal: Identity.Phone, kind: phone, present_ms: 1500 }
    - { signal: Identity.KeyFob, kind: key_fob, when: "Keyless.Authorised == 1" }
  leave: { when: "Vehicle.Ignition == 0 and Door.Open", for: 3s }
)",
                               "v.yaml", d);
  ASSERT_TRUE(v) << d.to_string();
  const Identity& identity = v->config.identity;
  ASSERT_EQ(identity.sources.size(), 2U);
  EXPECT_EQ(identity.sources[0].present, std::chrono::milliseconds(1500));
  EXPECT_FALSE(identity.sources[0].when);
  EXPECT_FALSE(identity.sources[1].present) << "not given: the engine's default applies";
  ASSERT_TRUE(identity.sources[1].when);
  EXPECT_EQ(identity.sources[1].when->text, "Keyless.Authorised == 1");
  EXPECT_EQ(identity.sources[1].when->where.line, 9U);
  EXPECT_EQ(identity.sources[1].when->where.column, 56U) << "after the opening quote";
  ASSERT_TRUE(identity.leave);
  EXPECT_EQ(identity.leave->when.text, "Vehicle.Ignition == 0 and Door.Open");
  EXPECT_EQ(identity.leave->when.where.line, 10U);
  EXPECT_EQ(identity.leave->when.where.column, 19U);
  EXPECT_EQ(identity.leave->hold, std::chrono::milliseconds(3000));
  EXPECT_EQ(identity.leave->where.line, 10U);
}

TEST(VehicleParser, IdentityWithoutLeaveHasNone) {
  diag::Diagnostics d;
  const auto v = parse_vehicle(R"(bus: { interface: can0 }
dbc: x.dbc
signals: { Identity.KeyFob: Keyfob_Status.FobId }
identity: { sources: [ { signal: Identity.KeyFob, kind: key_fob } ] }
)",
                               "v.yaml", d);
  ASSERT_TRUE(v) << d.to_string();
  EXPECT_FALSE(v->config.identity.leave);
}

}  // namespace
}  // namespace cabind::config
