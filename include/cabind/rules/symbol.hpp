#pragma once
// What a name in a rule expression refers to, and the interface through which the
// caller (configuration loader, engine) tells the compiler which names exist.
//
//   "Vehicle.Speed"               -> signal slot 4, number
//   "Vehicle.Powertrain.Transmission.CurrentGear"
//                                 -> signal slot 7, number with names {'P': 0, 'R': 1, ...}
//   "profile.climate.temperature" -> profile field 2, number
//
// `hour` and `weekday` are built into the language and are never asked of a resolver.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cabind::rules {

// Compile-time types. Values of type `string` exist only as literals: a string literal
// is compared with an enum-typed value and compiles to that value's number, so no
// string is ever touched at evaluation time.
enum class ValueType : std::uint8_t { number, boolean, string };

[[nodiscard]] std::string_view to_string(ValueType type) noexcept;

// An owned enum name, as a SymbolTable and a compiled expression keep them.
struct NamedValue {
  std::string name;
  double value = 0.0;
};

// One name of an enum-typed value, e.g. a DBC value table entry `0 "P"`.
// `value` is in the units the evaluator reads for the symbol: for a DBC signal that is
// the physical value (raw * factor + offset) of the entry's raw value.
struct EnumName {
  std::string_view name;
  double value = 0.0;
};

enum class SymbolKind : std::uint8_t {
  signal,         // read from EvalContext::signals at `slot`
  profile_field,  // read from EvalContext::profile at `slot`
};

struct Symbol {
  SymbolKind kind = SymbolKind::signal;
  ValueType type = ValueType::number;  // number or boolean
  std::uint32_t slot = 0;
  // Non-empty: the value is enum-typed and may be compared with these names.
  // The storage must stay alive for the duration of the compile call only.
  std::span<const EnumName> enum_names;
  // The physical unit for audit lines ("km/h" from the DBC signal), empty when none.
  // Same lifetime as enum_names; the compiled expression keeps its own copy.
  std::string_view unit;
};

// Resolves the names an expression uses. Called only while compiling (load time).
class SymbolResolver {
 public:
  SymbolResolver() = default;
  SymbolResolver(const SymbolResolver&) = default;
  SymbolResolver& operator=(const SymbolResolver&) = default;
  virtual ~SymbolResolver() = default;

  [[nodiscard]] virtual std::optional<Symbol> resolve(std::string_view name) const = 0;

  // Every name resolve() accepts; used only to suggest a spelling after an error.
  [[nodiscard]] virtual std::vector<std::string> known_names() const = 0;
};

}  // namespace cabind::rules
