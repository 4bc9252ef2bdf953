// libFuzzer target: the expression compiler over a small vehicle's names; a compiled
// expression is evaluated and traced with every signal valid, then with every one stale.
#include <array>
#include <cstdint>
#include <string_view>

#include "cabind/rules/compiler.hpp"
#include "cabind/rules/symbol_table.hpp"

namespace {

cabind::rules::SymbolTable names() {
  using cabind::rules::ValueType;
  cabind::rules::SymbolTable table;
  table.add_signal("Vehicle.Speed", 0, ValueType::number, {}, "km/h");
  table.add_signal("Gear", 1, ValueType::number, {{"P", 0}, {"R", 1}, {"N", 2}, {"D", 3}});
  table.add_signal("Door.Open", 2, ValueType::boolean);
  table.add_profile_field("profile.climate.temperature", 0);
  return table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cabind;
  static const rules::SymbolTable table = names();
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto type = data[0] % 2 == 0 ? rules::ValueType::boolean : rules::ValueType::number;
  diag::Diagnostics diagnostics;
  const auto compiled = rules::compile_expression(text, {"fuzz", 1, 1}, table, type, diagnostics);
  if (!compiled) return 0;
  std::array<double, 3> values{12.5, 3, 1};
  std::array<std::uint8_t, 3> validity{};
  std::array<double, 1> profile_values{21.5};
  std::array<std::uint8_t, 1> profile_validity{};
  for (const std::uint8_t state : {std::uint8_t{0}, std::uint8_t{2}}) {
    validity.fill(state);
    rules::EvalContext context;
    context.signals = {values, validity};
    context.profile = {profile_values, profile_validity};
    context.hour = 7;
    context.weekday = 1;
    (void)compiled->evaluate(context);
    (void)compiled->describe(compiled->trace(context));
  }
  return 0;
}
