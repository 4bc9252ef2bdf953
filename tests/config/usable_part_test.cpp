#include "cabind/config/usable_part.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace cabind::config {
namespace {

TEST(Mentions, FindsWholeNamesOnly) {
  EXPECT_TRUE(mentions("Vehicle.Speed > 3", "Vehicle.Speed"));
  EXPECT_TRUE(mentions("max(1, Vehicle.Speed)", "Vehicle.Speed"));
  EXPECT_TRUE(mentions("a and Vehicle.Speed", "Vehicle.Speed"));
  EXPECT_FALSE(mentions("Vehicle.SpeedLimit > 3", "Vehicle.Speed"));
  EXPECT_FALSE(mentions("Vehicle.Speed.Max > 3", "Vehicle.Speed"));
  EXPECT_FALSE(mentions("My.Vehicle.Speed > 3", "Vehicle.Speed"));
  EXPECT_TRUE(mentions("Vehicle.SpeedLimit > Vehicle.Speed", "Vehicle.Speed"));
  EXPECT_FALSE(mentions("anything", ""));
}

// One bus with one message and signal: enough to tell resolving from unresolving refs.
Config config() {
  dbc::Signal speed;
  speed.name = "VehicleSpeed";
  speed.length = 16;
  dbc::Message info;
  info.id = 0x150;
  info.name = "BodyInfo";
  info.size = 4;
  info.signals.push_back(speed);
  Config c;
  Bus bus;
  bus.database.messages.push_back(info);
  c.buses.push_back(std::move(bus));
  c.signals.push_back({"Vehicle.Speed", {"body", "BodyInfo", "VehicleSpeed", {"v.yaml", 2, 3}}});
  c.signals.push_back({"Vehicle.Gear", {"body", "BodyInfo", "Geer", {"v.yaml", 3, 3}}});
  return c;
}

Rule rule(std::string name, std::string when) {
  Rule r;
  r.name = std::move(name);
  r.when = Expression{std::move(when), {}};
  r.where = {"rules.yaml", 1, 5};
  return r;
}

TEST(UsablePart, LeavesOutWhatDependsOnAnErrorAndKeepsTheRest) {
  Config c = config();
  c.identity.sources.push_back({.signal = "Vehicle.Gear"});
  c.identity.sources.push_back({.signal = "Vehicle.Speed"});
  c.interlocks.push_back({"slow", {"Vehicle.Speed < 5", {}}});
  c.interlocks.push_back({"parked", {"Vehicle.Gear == 0", {}}});
  c.rules.push_back(rule("uses_gear", "Vehicle.Gear > 1"));
  c.rules.push_back(rule("uses_door", "Vehicle.Door"));
  c.rules.push_back(rule("uses_speed", "Vehicle.Speeed > 1"));
  diag::Diagnostics d;
  const Config part = usable_part(c, Unavailable{.buses = {}, .names = {"Vehicle.Door"}}, d);
  ASSERT_EQ(part.signals.size(), 1U);
  EXPECT_EQ(part.signals[0].name, "Vehicle.Speed");
  ASSERT_EQ(part.identity.sources.size(), 1U);
  EXPECT_EQ(part.identity.sources[0].signal, "Vehicle.Speed");
  ASSERT_EQ(part.interlocks.size(), 1U);
  EXPECT_EQ(part.interlocks[0].name, "slow");
  // A misspelt name stays, for the compiler to report it with its suggestion.
  ASSERT_EQ(part.rules.size(), 1U);
  EXPECT_EQ(part.rules[0].name, "uses_speed");
  EXPECT_EQ(d.error_count(), 0U);
  EXPECT_EQ(d.to_string(),
            "rules.yaml:1:5: warning: rule 'uses_gear' is not compiled: it uses 'Vehicle.Gear', "
            "which has errors\n"
            "rules.yaml:1:5: warning: rule 'uses_door' is not compiled: it uses 'Vehicle.Door', "
            "which has errors\n");
}

TEST(UsablePart, ABusWhoseDbcDidNotLoadTakesItsSignalsAlong) {
  Config c = config();
  diag::Diagnostics d;
  const Config part = usable_part(c, Unavailable{.buses = {"body"}, .names = {}}, d);
  EXPECT_TRUE(part.signals.empty());
  EXPECT_EQ(part.buses.size(), 1U);
}

}  // namespace
}  // namespace cabind::config
