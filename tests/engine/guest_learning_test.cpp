// The guest profile is shared by every driver nobody recognises: it learns a manual change
// only on outputs that say `learn_guest: true`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "engine_harness.hpp"

namespace cabind::engine::testing {
namespace {

constexpr const char* kTemperature = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature";

// The demo vehicle with learn_guest on the driver temperature, written beside the test's
// temporary files and pointing back at the demo's DBC, profiles and rules.
std::string demo_with_guest_learning() {
  const std::filesystem::path demo = CABIND_SOURCE_DIR "/config/demo";
  std::ifstream in(demo / "vehicle.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = yaml.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    yaml.replace(at, from.size(), to);
  };
  replace("dbc: demo_body.dbc", "dbc: " + (demo / "demo_body.dbc").string());
  replace("dbc: demo_infotainment.dbc", "dbc: " + (demo / "demo_infotainment.dbc").string());
  replace("profiles: profiles/", "profiles: " + (demo / "profiles").string());
  replace("rules: rules.yaml", "rules: " + (demo / "rules.yaml").string());
  replace("    learn: true\n    send: cyclic",
          "    learn: true\n    learn_guest: true\n    send: cyclic");
  const std::filesystem::path file = std::filesystem::path(::testing::TempDir()) /
                                     ("cabind-guest-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(file) << yaml;
  return file.string();
}

// The guest drives, the HVAC confirms the guest's 21 degC, then the knob goes to 20 degC.
void guest_turns_the_knob(Harness& h) {
  h.periodic(kParked);
  h.frame(1.0, fob(9));
  h.frame(1.3, fob(9));
  ASSERT_NE(h.engine->driver(), nullptr);
  ASSERT_EQ(h.engine->driver()->id, "guest");
  h.periodic("201#2A000300");  // 21 degC, fan 3
  h.run_to(2.0);
  h.periodic("201#28000300");  // 20 degC by hand
  h.run_to(3.0);
}

TEST(EngineGuestLearning, TheGuestDoesNotLearnByDefault) {
  Harness h;
  guest_turns_the_knob(h);
  EXPECT_FALSE(h.audit_has("learned")) << h.audit();
  EXPECT_FALSE(h.preferences.preference("guest", kTemperature).has_value());
}

TEST(EngineGuestLearning, TheGuestLearnsWhereTheOutputSaysLearnGuest) {
  Harness h(demo_with_guest_learning());
  guest_turns_the_knob(h);
  EXPECT_TRUE(h.audit_has(std::string("learned output=") + kTemperature + " value=20: guest"))
      << h.audit();
  EXPECT_EQ(h.preferences.preference("guest", kTemperature), 20.0);
}

}  // namespace
}  // namespace cabind::engine::testing
