#include "cabind/rules/symbol_table.hpp"

#include <gtest/gtest.h>

namespace cabind::rules {
namespace {

TEST(RulesSymbolTable, ResolvesSignalsAndProfileFields) {
  SymbolTable names;
  names.add_signal("Vehicle.Speed", 4);
  names.add_profile_field("profile.climate.fan", 2);
  const auto speed = names.resolve("Vehicle.Speed");
  ASSERT_TRUE(speed);
  EXPECT_EQ(speed->kind, SymbolKind::signal);
  EXPECT_EQ(speed->slot, 4U);
  EXPECT_EQ(speed->type, ValueType::number);
  EXPECT_TRUE(speed->enum_names.empty());
  const auto fan = names.resolve("profile.climate.fan");
  ASSERT_TRUE(fan);
  EXPECT_EQ(fan->kind, SymbolKind::profile_field);
  EXPECT_EQ(fan->slot, 2U);
  EXPECT_FALSE(names.resolve("Vehicle.Sped"));
}

TEST(RulesSymbolTable, KeepsEnumNamesValidAfterMoreNamesAreAdded) {
  SymbolTable names;
  names.add_signal("Gear", 1, ValueType::number, {{"Park_Position_Long_Name", 0}, {"R", 1}});
  const auto gear = names.resolve("Gear");
  for (int i = 0; i < 100; ++i)
    names.add_signal("S" + std::to_string(i), 10U + static_cast<unsigned>(i));
  ASSERT_EQ(gear->enum_names.size(), 2U);
  EXPECT_EQ(gear->enum_names[0].name, "Park_Position_Long_Name");
  EXPECT_EQ(gear->enum_names[1].value, 1.0);
}

TEST(RulesSymbolTable, ListsItsNamesForSpellingSuggestions) {
  SymbolTable names;
  names.add_signal("B", 0);
  names.add_signal("A", 1, ValueType::boolean);
  EXPECT_EQ(names.known_names(), (std::vector<std::string>{"A", "B"}));
}

TEST(RulesSymbolTable, ReplacesANameAddedTwice) {
  SymbolTable names;
  names.add_signal("A", 0);
  names.add_signal("A", 7);
  EXPECT_EQ(names.resolve("A")->slot, 7U);
  EXPECT_EQ(names.known_names().size(), 1U);
}

}  // namespace
}  // namespace cabind::rules
