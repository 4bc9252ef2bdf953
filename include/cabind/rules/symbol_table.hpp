#pragma once
// A SymbolResolver backed by an owned name -> Symbol map. The configuration loader
// fills one from the signal map, the DBC value tables and the profile schema; tests
// fill one by hand.
//
//   SymbolTable names;
//   names.add_signal("Vehicle.Speed", 0);
//   names.add_signal("Gear", 1, ValueType::number, {{"P", 0}, {"R", 1}, {"N", 2}, {"D", 3}});
//   names.add_signal("Vehicle.Speed", 0, ValueType::number, {}, "km/h");  // unit for audits
//   names.add_profile_field("profile.climate.temperature", 0);
//
// Not thread-safe for concurrent add/resolve; resolving concurrently is fine.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cabind/rules/symbol.hpp"

namespace cabind::rules {

class SymbolTable final : public SymbolResolver {
 public:
  // Adding a name twice replaces the earlier entry.
  // `unit` is the DBC signal's unit; audit lines print it after the value.
  void add_signal(std::string name, std::uint32_t slot, ValueType type = ValueType::number,
                  std::vector<NamedValue> enum_names = {}, std::string unit = {});
  void add_profile_field(std::string name, std::uint32_t slot, ValueType type = ValueType::number,
                         std::vector<NamedValue> enum_names = {});

  [[nodiscard]] std::optional<Symbol> resolve(std::string_view name) const override;
  [[nodiscard]] std::vector<std::string> known_names() const override;

 private:
  struct Entry {
    Symbol symbol;
    std::vector<NamedValue> owned_names;
    std::vector<EnumName> views;  // point into owned_names; built once, never resized
    std::string unit;             // Symbol::unit points here
  };
  void add(std::string name, Symbol symbol, std::vector<NamedValue> enum_names,
           std::string unit = {});

  // unique_ptr keeps each Entry (and the views into it) at a stable address.
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_;
};

}  // namespace cabind::rules
