#include "cabind/config/usable_part.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace cabind::config {

namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}

// The first unavailable name `text` mentions, if any.
std::optional<std::string> first_mention(std::string_view text, const Unavailable& unavailable) {
  for (const auto& name : unavailable.names) {
    if (mentions(text, name)) return name;
  }
  return std::nullopt;
}

std::optional<std::string> first_mention(const std::optional<Expression>& expression,
                                         const Unavailable& unavailable) {
  return expression ? first_mention(expression->text, unavailable) : std::nullopt;
}

template <typename T, typename Drop>
void drop_if(std::vector<T>& items, Drop drop) {
  items.erase(std::remove_if(items.begin(), items.end(), drop), items.end());
}

void drop_signals_and_outputs(Config& part, Unavailable& unavailable) {
  const Config& all = part;
  drop_if(part.signals, [&](const SignalMapping& mapping) {
    if (find_dbc_signal(all, mapping.source, unavailable) != nullptr) return false;
    unavailable.names.push_back(mapping.name);
    return true;
  });
  drop_if(part.interlocks, [&](const Interlock& interlock) {
    if (!first_mention(interlock.condition.text, unavailable)) return false;
    unavailable.names.push_back(interlock.name);
    return true;
  });
  drop_if(part.outputs, [&](const Output& output) {
    const bool usable =
        find_dbc_signal(all, output.signal, unavailable) != nullptr &&
        (!output.feedback || find_dbc_signal(all, *output.feedback, unavailable) != nullptr) &&
        !unavailable.has_name(output.interlock);
    if (!usable) unavailable.names.push_back(output.name);
    return !usable;
  });
}

void drop_identity(Config& part, const Unavailable& unavailable) {
  drop_if(part.seats, [&](const Seat& seat) { return unavailable.has_name(seat.manual_switch); });
  drop_if(part.identity.sources, [&](const IdentitySource& source) {
    return unavailable.has_name(source.signal) || first_mention(source.when, unavailable);
  });
  if (part.identity.leave && first_mention(part.identity.leave->when.text, unavailable)) {
    part.identity.leave.reset();
  }
  drop_if(part.integrity, [&](const MessageIntegrity& check) {
    const Bus* bus = part.find_bus(check.bus);
    return bus == nullptr || unavailable.has_bus(bus->name) ||
           bus->database.find_message(check.message) == nullptr;
  });
}

// The first name a rule uses that is unavailable, if any. A name that is merely unknown
// does not leave the rule out: compiling it repeats that error at the same position (which
// `--check` drops) and finds the rule's other mistakes.
std::optional<std::string> missing_name(const Rule& rule, const Unavailable& unavailable) {
  if (const auto* changed = std::get_if<SignalChanged>(&rule.on)) {
    if (unavailable.has_name(changed->signal)) return changed->signal;
  }
  if (const auto* edge = std::get_if<BecameTrue>(&rule.on)) {
    if (auto name = first_mention(edge->condition.text, unavailable)) return name;
  }
  if (auto name = first_mention(rule.when, unavailable)) return name;
  for (const Action& action : rule.actions) {
    const auto* set = std::get_if<SetOutput>(&action);
    if (set == nullptr) continue;
    if (unavailable.has_name(set->output)) return set->output;
    if (auto name = first_mention(set->value.text, unavailable)) return name;
  }
  return std::nullopt;
}

}  // namespace

bool mentions(std::string_view text, std::string_view name) {
  if (name.empty()) return false;
  for (auto at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    const std::size_t end = at + name.size();
    const bool starts = at == 0 || !is_name_char(text[at - 1]);
    const bool ends = end == text.size() || !is_name_char(text[end]);
    if (starts && ends) return true;
  }
  return false;
}

Config usable_part(const Config& config, Unavailable unavailable, diag::Diagnostics& diagnostics) {
  Config part = config;
  drop_signals_and_outputs(part, unavailable);
  drop_identity(part, unavailable);
  drop_if(part.rules, [&](const Rule& rule) {
    const auto missing = missing_name(rule, unavailable);
    if (missing) {
      diagnostics.warning(rule.where, "rule '" + rule.name + "' is not compiled: it uses '" +
                                          *missing + "', which has errors");
    }
    return missing.has_value();
  });
  return part;
}

}  // namespace cabind::config
