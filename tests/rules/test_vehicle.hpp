#pragma once
// A small vehicle for the rules tests: a symbol table and a signal/profile state that
// tests set value by value.

#include <array>
#include <cstdint>
#include <string>

#include "cabind/rules/compiler.hpp"
#include "cabind/rules/symbol_table.hpp"

namespace cabind::rules::testing {

enum Slot : std::uint32_t { kSpeed = 0, kGear = 1, kOutsideTemp = 2, kDoorOpen = 3, kFan = 4 };
enum ProfileSlot : std::uint32_t { kTemperature = 0, kSeatHeat = 1, kMode = 2 };

inline SymbolTable test_names() {
  SymbolTable names;
  names.add_signal("Vehicle.Speed", kSpeed, ValueType::number, {}, "km/h");
  names.add_signal("Gear", kGear, ValueType::number, {{"P", 0}, {"R", 1}, {"N", 2}, {"D", 3}});
  names.add_signal("Vehicle.Exterior.AirTemperature", kOutsideTemp);
  names.add_signal("Door.Open", kDoorOpen, ValueType::boolean);
  names.add_signal("Fan", kFan);
  names.add_profile_field("profile.climate.temperature", kTemperature);
  names.add_profile_field("profile.climate.seat_heat", kSeatHeat);
  names.add_profile_field("profile.climate.mode", kMode, ValueType::number,
                          {{"auto", 0}, {"eco", 1}, {"max", 2}});
  return names;
}

// Mutable state behind an EvalContext. Everything starts valid and zero; gear 'P'.
struct TestState {
  std::array<double, 5> signal_values{};
  std::array<std::uint8_t, 5> signal_validity{};
  std::array<double, 3> profile_values{21.5, 2, 0};
  std::array<std::uint8_t, 3> profile_validity{};
  int hour = 12;
  int weekday = 3;

  [[nodiscard]] EvalContext context() const {
    return {{signal_values, signal_validity}, {profile_values, profile_validity}, hour, weekday};
  }
};

}  // namespace cabind::rules::testing
