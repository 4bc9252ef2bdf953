#include "cabind/rules/symbol.hpp"

#include <gtest/gtest.h>

namespace cabind::rules {
namespace {

TEST(RulesValueType, HasAReadableName) {
  EXPECT_EQ(to_string(ValueType::number), "number");
  EXPECT_EQ(to_string(ValueType::boolean), "bool");
  EXPECT_EQ(to_string(ValueType::string), "string");
}

TEST(RulesSymbol, DefaultsToANumberSignalWithoutNames) {
  const Symbol symbol;
  EXPECT_EQ(symbol.kind, SymbolKind::signal);
  EXPECT_EQ(symbol.type, ValueType::number);
  EXPECT_TRUE(symbol.enum_names.empty());
}

}  // namespace
}  // namespace cabind::rules
