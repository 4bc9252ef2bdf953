#include "cabind/profile/profile.hpp"

#include <gtest/gtest.h>

namespace cabind::profile {
namespace {

Profile commuter() {
  Profile p;
  p.id = "alice";
  p.display_name = "Alice";
  p.climate.driver.temperature_c = 21.5;
  p.climate.driver.fan = 3;
  p.climate.passenger.temperature_c = 23.0;
  p.climate.air_conditioning = true;
  p.seat.memory_slot = 1;
  p.seat.positions.emplace("height", 40.0);
  p.navigation.favourites = {{"home", 52.52, 13.405}, {"work", 52.4986, 13.379}};
  p.navigation.defaults = {{0x1F, 6 * 60, 10 * 60, "work"}, {0x1F, 16 * 60, 20 * 60, "home"}};
  p.custom.emplace("greeting", Value{std::string("hi")});
  return p;
}

TEST(IdentifierKind, RoundTripsThroughItsName) {
  for (auto kind : {IdentifierKind::key_fob, IdentifierKind::seat_memory_button,
                    IdentifierKind::phone, IdentifierKind::face_id}) {
    EXPECT_EQ(identifier_kind_from_string(to_string(kind)), kind);
  }
  EXPECT_FALSE(identifier_kind_from_string("keyfob").has_value());
  EXPECT_TRUE(is_numeric(IdentifierKind::key_fob));
  EXPECT_FALSE(is_numeric(IdentifierKind::phone));
}

TEST(ProfileField, ReadsDriverZoneByDefaultAndPassengerZoneByName) {
  const Profile p = commuter();
  EXPECT_EQ(field(p, "climate.temperature"), Value{21.5});
  EXPECT_EQ(field(p, "climate.passenger.temperature"), Value{23.0});
  EXPECT_EQ(field(p, "climate.fan"), Value{3.0});
  EXPECT_EQ(field(p, "climate.ac"), Value{true});
  EXPECT_EQ(field(p, "seat.memory_slot"), Value{1.0});
  EXPECT_EQ(field(p, "seat.height"), Value{40.0});
  EXPECT_EQ(field(p, "custom.greeting"), Value{std::string("hi")});
  EXPECT_EQ(field(p, "name"), Value{std::string("Alice")});
}

TEST(ProfileField, IsEmptyForUnsetOrUnknownFields) {
  const Profile p = commuter();
  EXPECT_FALSE(field(p, "climate.seat_heat").has_value());
  EXPECT_FALSE(field(p, "seat.tilt").has_value());
  EXPECT_FALSE(field(p, "custom.missing").has_value());
  EXPECT_FALSE(field(p, "climate.temprature").has_value());
}

TEST(ProfileField, KnownFieldsIncludeEveryCustomNameButNoTypos) {
  EXPECT_TRUE(is_known_field("climate.temperature"));
  EXPECT_TRUE(is_known_field("climate.passenger.seat_heat"));
  EXPECT_TRUE(is_known_field("seat.backrest_recline"));
  EXPECT_TRUE(is_known_field("custom.anything"));
  EXPECT_FALSE(is_known_field("custom."));
  EXPECT_FALSE(is_known_field("climate.temprature"));
  EXPECT_FALSE(is_known_field("seat.wings"));
}

TEST(ProfileFieldType, AirConditioningIsABoolAndSettingsAreNumbers) {
  EXPECT_EQ(field_type("climate.ac"), FieldType::boolean);
  EXPECT_EQ(field_type("climate.temperature"), FieldType::number);
  EXPECT_EQ(field_type("climate.passenger.fan"), FieldType::number);
  EXPECT_EQ(field_type("seat.memory_slot"), FieldType::number);
  EXPECT_EQ(field_type("seat.height"), FieldType::number);
  EXPECT_EQ(field_type("id"), FieldType::text);
  EXPECT_EQ(field_type("name"), FieldType::text);
  EXPECT_EQ(to_string(FieldType::boolean), "bool");
}

TEST(ProfileFieldType, MatchesWhatFieldReturns) {
  const Profile p = commuter();
  for (const std::string_view path :
       {"climate.ac", "climate.temperature", "climate.passenger.temperature", "climate.fan",
        "seat.memory_slot", "seat.height", "name", "custom.greeting"}) {
    const auto value = field(p, path);
    ASSERT_TRUE(value) << path;
    const FieldType expected = std::holds_alternative<bool>(*value)     ? FieldType::boolean
                               : std::holds_alternative<double>(*value) ? FieldType::number
                                                                        : FieldType::text;
    const std::vector<Profile> profiles{p};
    EXPECT_EQ(field_type(path, profiles), expected) << path;
  }
}

TEST(ProfileFieldType, IsEmptyForUnknownFields) {
  EXPECT_FALSE(field_type("climate.temprature").has_value());
  EXPECT_FALSE(field_type("seat.wings").has_value());
  EXPECT_FALSE(field_type("custom.").has_value());
}

TEST(ProfileFieldType, CustomFieldsTakeTheTypeTheProfilesAgreeOn) {
  Profile a;
  a.custom.emplace("sport", Value{true});
  a.custom.emplace("mixed", Value{1.0});
  Profile b;
  b.custom.emplace("sport", Value{false});
  b.custom.emplace("mixed", Value{std::string("x")});
  const std::vector<Profile> profiles{a, b};
  EXPECT_EQ(field_type("custom.sport", profiles), FieldType::boolean);
  EXPECT_EQ(field_type("custom.unset", profiles), FieldType::number);
  EXPECT_FALSE(field_type("custom.mixed", profiles).has_value());
}

TEST(Navigation, DefaultDestinationFollowsWeekdayAndTimeWindow) {
  const Profile p = commuter();
  const auto* morning = p.navigation.default_destination(0, 7 * 60);  // Monday 07:00
  ASSERT_NE(morning, nullptr);
  EXPECT_EQ(morning->name, "work");
  const auto* evening = p.navigation.default_destination(4, 17 * 60);  // Friday 17:00
  ASSERT_NE(evening, nullptr);
  EXPECT_EQ(evening->name, "home");
  EXPECT_EQ(p.navigation.default_destination(5, 7 * 60), nullptr);   // Saturday
  EXPECT_EQ(p.navigation.default_destination(0, 10 * 60), nullptr);  // end is exclusive
  EXPECT_EQ(p.navigation.default_destination(9, 7 * 60), nullptr);
}

}  // namespace
}  // namespace cabind::profile
