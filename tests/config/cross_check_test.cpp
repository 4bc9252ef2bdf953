#include "cabind/config/cross_check.hpp"

#include <gtest/gtest.h>

namespace cabind::config {
namespace {

// A hand-built DBC so that these checks are tested apart from the DBC parser.
dbc::Database database() {
  dbc::Database db;
  dbc::Message hvac;
  hvac.id = 0x200;
  hvac.name = "HVAC_Request";
  hvac.size = 4;
  hvac.cycle_time_ms = 100;
  dbc::Signal setpoint;
  setpoint.name = "DriverSetpoint";
  setpoint.length = 8;
  setpoint.factor = 0.5;
  setpoint.minimum = 15;
  setpoint.maximum = 32;
  hvac.signals.push_back(setpoint);
  dbc::Message seat;
  seat.id = 0x210;
  seat.name = "Seat_Command";
  seat.size = 2;
  dbc::Signal slot;
  slot.name = "RecallSlot";
  slot.length = 4;
  seat.signals.push_back(slot);
  dbc::Message display;
  display.id = 0x300;
  display.name = "Display";
  display.size = 16;
  display.fd = true;
  dbc::Signal shown;
  shown.name = "Shown";
  display.signals.push_back(shown);
  db.messages = {hvac, seat, display};
  return db;
}

SignalRef ref(std::string message, std::string signal, std::uint32_t line) {
  return {"body", std::move(message), std::move(signal), {"v.yaml", line, 3}};
}

Config config() {
  Config c;
  Bus bus;
  bus.dbc_path = "body.dbc";
  bus.database = database();
  c.buses.push_back(std::move(bus));
  return c;
}

TEST(CheckDbcReferences, AcceptsExistingSignalsAndCopiesCycleTimes) {
  Config c = config();
  c.signals.push_back({"Seat.Slot", ref("Seat_Command", "RecallSlot", 1)});
  Output temperature;
  temperature.name = "Temp";
  temperature.signal = ref("HVAC_Request", "DriverSetpoint", 2);
  temperature.range = Range{16, 30};
  temperature.send = SendMode::cyclic;
  c.outputs.push_back(temperature);
  diag::Diagnostics d;
  check_dbc_references(c, d);
  EXPECT_TRUE(d.empty()) << d.to_string();
  EXPECT_EQ(c.outputs[0].cycle, std::chrono::milliseconds(100));
}

TEST(CheckDbcReferences, ReportsEachBadReferenceWithASuggestion) {
  Config c = config();
  c.signals.push_back({"A", ref("HVAC_Requst", "DriverSetpoint", 1)});
  c.signals.push_back({"B", ref("HVAC_Request", "DriverSetpont", 2)});
  c.signals.push_back({"C", ref("Display", "Shown", 3)});
  SignalRef other_bus = ref("HVAC_Request", "DriverSetpoint", 4);
  other_bus.bus = "infotainment";
  c.signals.push_back({"D", other_bus});
  diag::Diagnostics d;
  check_dbc_references(c, d);
  const std::string text = d.to_string();
  EXPECT_EQ(d.error_count(), 4U) << text;
  EXPECT_NE(text.find("v.yaml:1:3: error: message 'HVAC_Requst' is not in body.dbc (did you "
                      "mean 'HVAC_Request'?)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("v.yaml:2:3: error: message 'HVAC_Request' has no signal 'DriverSetpont' "
                      "(did you mean 'DriverSetpoint'?)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("v.yaml:3:3: error: message 'Display' is a CAN FD frame"), std::string::npos);
  EXPECT_NE(text.find("v.yaml:4:3: error: unknown bus 'infotainment'"), std::string::npos);
}

TEST(CheckDbcReferences, AnUnknownBusSuggestsTheClosestBus) {
  Config c = config();
  c.buses[0].name = "body";
  Bus second;
  second.name = "infotainment";
  second.dbc_path = "info.dbc";
  second.database = database();
  c.buses.push_back(std::move(second));
  SignalRef typo = ref("HVAC_Request", "DriverSetpoint", 5);
  typo.bus = "bdy";
  c.signals.push_back({"E", typo});
  diag::Diagnostics d;
  check_dbc_references(c, d);
  EXPECT_EQ(d.error_count(), 1U) << d.to_string();
  EXPECT_NE(d.to_string().find("v.yaml:5:3: error: unknown bus 'bdy' (did you mean 'body'?)"),
            std::string::npos)
      << d.to_string();
}

TEST(CheckDbcReferences, RangeMustFitTheSignalAndCyclicNeedsACycleTime) {
  Config c = config();
  Output wide;
  wide.name = "Wide";
  wide.signal = ref("HVAC_Request", "DriverSetpoint", 1);
  wide.range = Range{10, 30};
  wide.where = {"v.yaml", 7, 3};
  Output cyclic;
  cyclic.name = "Recall";
  cyclic.signal = ref("Seat_Command", "RecallSlot", 2);
  cyclic.send = SendMode::cyclic;
  cyclic.where = {"v.yaml", 9, 3};
  c.outputs = {wide, cyclic};
  diag::Diagnostics d;
  check_dbc_references(c, d);
  const std::string text = d.to_string();
  EXPECT_NE(text.find("v.yaml:7:3: error: range [10, 30] of output 'Wide' exceeds the DBC range "
                      "[15, 32]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("v.yaml:9:3: error: output 'Recall' is sent cyclic but Seat_Command has no "
                      "GenMsgCycleTime"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace cabind::config
