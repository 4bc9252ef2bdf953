#include "cabind/config/profile_parser.hpp"

#include <gtest/gtest.h>

namespace cabind::config {
namespace {

constexpr const char* kFull = R"(id: dana
name: "Dana M."
identify:
  key_fob: [7, 4000000000]
  seat_memory_button: 3
  phone: ["d4a4a001"]
  face_id: ["face-dana"]
climate:
  temperature: 20.5
  fan: 4
  ac: false
  seat_heat: 1
  seat_ventilation: 2
  passenger: { temperature: 22, fan: 2 }
seat:
  memory_slot: 3
  positions: { position: 150.5, backrest_recline: 20 }
navigation:
  favourites:
    home: [-33.8688, 151.2093]
    work: [-33.8600, 151.2000]
  defaults:
    - { days: [mon, wed], from: "07:30", to: "09:00", destination: work }
    - { days: every_day, destination: home }
custom:
  greeting: Hello
  level: 3
  sporty: true
  note: "yes"
)";

TEST(ProfileParser, ReadsEveryField) {
  diag::Diagnostics d;
  const auto p = parse_profile(kFull, "dana.yaml", d);
  ASSERT_TRUE(p) << d.to_string();
  EXPECT_EQ(p->id, "dana");
  EXPECT_EQ(p->display_name, "Dana M.");
  EXPECT_FALSE(p->guest);
  EXPECT_EQ(p->source.file, "dana.yaml");
  EXPECT_EQ(p->source.line, 1U);
  ASSERT_EQ(p->identifiers.size(), 5U);
  EXPECT_EQ(p->identifiers[1].code, 4000000000U);
  EXPECT_EQ(p->identifiers[2].kind, profile::IdentifierKind::seat_memory_button);
  EXPECT_EQ(p->identifiers[2].where.line, 5U);
  EXPECT_EQ(p->identifiers[4].token, "face-dana");
  EXPECT_EQ(p->climate.driver.temperature_c, 20.5);
  EXPECT_EQ(p->climate.driver.fan, 4);
  EXPECT_EQ(p->climate.air_conditioning, false);
  EXPECT_EQ(p->climate.driver.seat_ventilation, 2);
  EXPECT_EQ(p->climate.passenger.temperature_c, 22.0);
  EXPECT_FALSE(p->climate.passenger.seat_heat.has_value());
  EXPECT_EQ(p->seat.memory_slot, 3);
  EXPECT_EQ(p->seat.positions.at("position"), 150.5);
  ASSERT_EQ(p->navigation.favourites.size(), 2U);
  EXPECT_EQ(p->navigation.favourites[0].latitude, -33.8688);
  ASSERT_EQ(p->navigation.defaults.size(), 2U);
  EXPECT_EQ(p->navigation.defaults[0].weekdays, 0b0000101);
  EXPECT_EQ(p->navigation.defaults[0].from_minute, 7 * 60 + 30);
  EXPECT_EQ(p->navigation.defaults[1].weekdays, 0x7F);
  EXPECT_EQ(p->navigation.defaults[1].to_minute, 1440);
  EXPECT_EQ(p->custom.at("greeting"), profile::Value{std::string("Hello")});
  EXPECT_EQ(p->custom.at("level"), profile::Value{3.0});
  EXPECT_EQ(p->custom.at("sporty"), profile::Value{true});
  EXPECT_EQ(p->custom.at("note"), profile::Value{std::string("yes")});
}

TEST(ProfileParser, ReportsAllErrorsOfAFileTogether) {
  diag::Diagnostics d;
  EXPECT_FALSE(parse_profile("id: x\nname: X\nclimate: { fan: 20, seat_heat: yes }\nsaet: {}\n",
                             "x.yaml", d));
  EXPECT_EQ(d.error_count(), 3U) << d.to_string();
}

}  // namespace
}  // namespace cabind::config
