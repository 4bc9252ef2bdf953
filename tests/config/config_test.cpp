#include "cabind/config/config.hpp"

#include <gtest/gtest.h>

namespace cabind::config {
namespace {

TEST(Config, FindsSectionsByName) {
  Config c;
  c.buses.push_back(Bus{});
  c.signals.push_back({"Vehicle.Speed", {"body", "BodyInfo", "VehicleSpeed", {}}});
  Output output;
  output.name = "Out";
  c.outputs.push_back(output);
  c.interlocks.push_back({"parked", {"Vehicle.Speed == 0", {}}});
  EXPECT_EQ(c.find_bus("body"), &c.buses[0]);
  EXPECT_EQ(c.find_signal("Vehicle.Speed")->source.signal, "VehicleSpeed");
  EXPECT_EQ(c.find_output("Out"), &c.outputs[0]);
  EXPECT_EQ(c.find_interlock("parked")->condition.text, "Vehicle.Speed == 0");
  EXPECT_EQ(c.find_bus("infotainment"), nullptr);
  EXPECT_EQ(c.find_signal("Vehicle.Sped"), nullptr);
  EXPECT_EQ(c.find_output("out"), nullptr);
  EXPECT_EQ(c.find_interlock(""), nullptr);
}

}  // namespace
}  // namespace cabind::config
