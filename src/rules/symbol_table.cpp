#include "cabind/rules/symbol_table.hpp"

namespace cabind::rules {

std::string_view to_string(ValueType type) noexcept {
  switch (type) {
    case ValueType::number:
      return "number";
    case ValueType::boolean:
      return "bool";
    case ValueType::string:
      return "string";
  }
  return "?";
}

void SymbolTable::add_signal(std::string name, std::uint32_t slot, ValueType type,
                             std::vector<NamedValue> enum_names, std::string unit) {
  add(std::move(name), Symbol{SymbolKind::signal, type, slot, {}}, std::move(enum_names),
      std::move(unit));
}

void SymbolTable::add_profile_field(std::string name, std::uint32_t slot, ValueType type,
                                    std::vector<NamedValue> enum_names) {
  add(std::move(name), Symbol{SymbolKind::profile_field, type, slot, {}}, std::move(enum_names));
}

void SymbolTable::add(std::string name, Symbol symbol, std::vector<NamedValue> enum_names,
                      std::string unit) {
  auto entry = std::make_unique<Entry>();
  entry->unit = std::move(unit);
  entry->owned_names = std::move(enum_names);
  entry->views.reserve(entry->owned_names.size());
  for (const auto& named : entry->owned_names)
    entry->views.push_back({named.name, named.value});
  entry->symbol = symbol;
  entry->symbol.enum_names = entry->views;
  entry->symbol.unit = entry->unit;
  entries_.insert_or_assign(std::move(name), std::move(entry));
}

std::optional<Symbol> SymbolTable::resolve(std::string_view name) const {
  const auto found = entries_.find(name);
  if (found == entries_.end()) return std::nullopt;
  return found->second->symbol;
}

std::vector<std::string> SymbolTable::known_names() const {
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const auto& [name, entry] : entries_)
    names.push_back(name);
  return names;
}

}  // namespace cabind::rules
