#include "plan_builder.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <variant>

#include "cabind/profile/profile.hpp"
#include "cabind/rules/compiler.hpp"
#include "did_you_mean.hpp"

namespace cabind::engine {

namespace {

constexpr std::string_view kProfilePrefix = "profile.";

std::string_view role_name(config::OutputRoleKind kind) {
  switch (kind) {
    case config::OutputRoleKind::none:
      return "none";
    case config::OutputRoleKind::seat_memory_recall:
      return "seat_memory_recall";
    case config::OutputRoleKind::seat_position:
      return "seat_position";
    case config::OutputRoleKind::destination_latitude:
      return "destination_latitude";
    case config::OutputRoleKind::destination_longitude:
      return "destination_longitude";
  }
  return "?";
}

}  // namespace

std::optional<rules::Symbol> PlanSymbols::resolve(std::string_view name) const {
  if (name.substr(0, kProfilePrefix.size()) != kProfilePrefix) return signals.resolve(name);
  const std::string_view path = name.substr(kProfilePrefix.size());
  if (!profile::is_known_field(path)) return std::nullopt;
  const auto it = std::find(profile_paths.begin(), profile_paths.end(), path);
  const auto slot = static_cast<std::uint32_t>(it - profile_paths.begin());
  if (it == profile_paths.end()) profile_paths.emplace_back(path);
  // Yes/no fields (climate.ac, a custom flag every profile writes as true/false) are
  // booleans; the rest, and custom fields the profiles disagree on, read as numbers.
  const auto field = profile::field_type(path, profiles);
  const rules::ValueType type =
      field == profile::FieldType::boolean ? rules::ValueType::boolean : rules::ValueType::number;
  return rules::Symbol{rules::SymbolKind::profile_field, type, slot, {}};
}

std::vector<std::string> PlanSymbols::known_names() const {
  return signals.known_names();
}

bool PlanBuilder::build() {
  symbols_.profiles = config_.profiles.profiles();
  plan_.file = config_.file;
  // Views into these names are taken as they are filled: no reallocation afterwards.
  plan_.outputs.reserve(config_.outputs.size());
  plan_.interlock_names.reserve(config_.interlocks.size());
  plan_.rules.reserve(config_.rules.size());
  add_buses();
  if (failed()) return false;
  add_signals();
  if (failed()) return false;
  add_outputs();
  add_seats();
  add_roles();
  add_interlocks();
  if (failed()) return false;
  add_rules();
  add_dependencies();
  add_identity();
  add_integrity();
  if (failed()) return false;
  add_filters();
  warn_unaccounted_signals();
  plan_.profile_paths = symbols_.profile_paths;
  plan_.identity = config_.identity;
  plan_.profiles = config_.profiles;
  return !failed();
}

// One codec per bus, in `buses:` order (OutputSpec::bus and Plan::slot_bus are 8 bits).
void PlanBuilder::add_buses() {
  constexpr std::size_t kMaxBuses = 255;
  if (config_.buses.size() > kMaxBuses) {
    diagnostics_.error(config_.buses[kMaxBuses].where, "more than 255 buses");
    return;
  }
  plan_.buses.reserve(config_.buses.size());
  for (const config::Bus& bus : config_.buses) {
    BusPlan& compiled = plan_.buses.emplace_back();
    compiled.name = bus.name;
    compiled.interface = bus.interface;
    compiled.fd = bus.fd;
    compiled.codec = std::make_unique<dbc::Codec>(bus.database);
  }
}

std::optional<PlanBuilder::BusSignal> PlanBuilder::find(const config::SignalRef& ref) {
  const auto bus = ref.bus.empty() ? std::optional<std::size_t>(0) : plan_.bus(ref.bus);
  if (!bus) {
    diagnostics_.error(ref.where,
                       "unknown bus '" + ref.bus + "'" + bus_suggestion(ref.bus, config_.buses));
    return std::nullopt;
  }
  const auto found = codec(*bus).find_signal(ref.message, ref.signal);
  if (!found) {
    diagnostics_.error(
        ref.where,
        "unknown DBC signal '" + ref.message + "." + ref.signal + "'" +
            dbc_suggestion(codec(*bus).database(), ref.message, ref.signal) +
            (plan_.buses.size() > 1 ? " on bus '" + plan_.buses[*bus].name + "'" : std::string()));
    return std::nullopt;
  }
  return BusSignal{*bus, *found};
}

// A new slot bound to `ref`, stale after stale_factor cycle times (never without a cycle).
std::optional<PlanBuilder::Bound> PlanBuilder::bind(const config::SignalRef& ref,
                                                    std::string name) {
  const auto found = find(ref);
  if (!found) return std::nullopt;
  const auto slot = static_cast<std::uint32_t>(plan_.timeouts.size());
  const auto cycle = codec(found->bus).message(found->ref.message).cycle_time_ms.value_or(0);
  plan_.timeouts.push_back(std::chrono::milliseconds(std::uint64_t{cycle} * config_.stale_factor));
  plan_.slot_bus.push_back(static_cast<std::uint8_t>(found->bus));
  plan_.buses[found->bus].bindings.push_back({slot, found->ref});
  plan_.slot_names.push_back(std::move(name));
  return Bound{slot, *found};
}

void PlanBuilder::add_signals() {
  for (const config::SignalMapping& mapping : config_.signals) {
    const auto bound = bind(mapping.source, mapping.name);
    if (!bound) continue;
    const dbc::Signal& dbc_signal = codec(bound->signal.bus).signal(bound->signal.ref);
    std::vector<rules::NamedValue> names;
    for (const auto& value : dbc_signal.values()) {
      names.push_back({std::string(value.name),
                       static_cast<double>(value.raw) * dbc_signal.factor + dbc_signal.offset});
    }
    symbols_.signals.add_signal(mapping.name, bound->slot, rules::ValueType::number,
                                std::move(names), std::string(dbc_signal.unit));
  }
  plan_.signal_count = plan_.timeouts.size();
}

void PlanBuilder::add_outputs() {
  for (const config::Output& output : config_.outputs)
    add_output(output);
  plan_.feedback_output.assign(plan_.slot_count(), -1);
  for (std::size_t o = 0; o < plan_.specs.size(); ++o) {
    if (plan_.specs[o].feedback_slot == kNoFeedback) continue;
    plan_.feedback_output[static_cast<std::size_t>(plan_.specs[o].feedback_slot)] =
        static_cast<int>(o);
  }
}

void PlanBuilder::add_output(const config::Output& output) {
  const auto target = find(output.signal);
  if (!target) return;
  const dbc::SignalRef* ref = &target->ref;
  const dbc::Codec& bus_codec = codec(target->bus);
  OutputPlan& info = plan_.outputs.emplace_back();
  info.name = output.name;
  info.learn = output.learn;
  info.learn_guest = output.learn_guest;
  info.range = output.range;
  info.role = output.role.kind;
  OutputSpec spec;
  spec.name = info.name;
  spec.bus = static_cast<std::uint8_t>(target->bus);
  spec.ref = *ref;
  if (output.range) {
    spec.min = output.range->min;
    spec.max = output.range->max;
  }
  spec.cyclic = output.send == config::SendMode::cyclic;
  const auto cycle_ms = bus_codec.message(ref->message).cycle_time_ms.value_or(0);
  spec.cycle = output.cycle.count() > 0
                   ? std::chrono::nanoseconds(output.cycle)
                   : std::chrono::nanoseconds(std::chrono::milliseconds(cycle_ms));
  if (output.feedback) {
    if (const auto bound = bind(*output.feedback, output.name + " feedback")) {
      spec.feedback_slot = static_cast<int>(bound->slot);
      const dbc::Codec& fb_codec = codec(bound->signal.bus);
      const dbc::SignalRef fb_ref = bound->signal.ref;
      spec.tolerance = std::fabs(fb_codec.signal(fb_ref).factor) / 2.0;
      const auto fb_cycle = fb_codec.message(fb_ref.message).cycle_time_ms.value_or(0);
      spec.confirm_timeout = std::chrono::milliseconds(std::max<std::uint32_t>(3 * fb_cycle, 100));
    }
  }
  apply_timing(output, spec);
  if (!output.interlock.empty()) {
    const auto it =
        std::find_if(config_.interlocks.begin(), config_.interlocks.end(),
                     [&](const config::Interlock& i) { return i.name == output.interlock; });
    if (it == config_.interlocks.end()) {
      std::vector<std::string_view> known;
      for (const auto& interlock : config_.interlocks)
        known.emplace_back(interlock.name);
      diagnostics_.error(output.where, "unknown interlock '" + output.interlock + "'" +
                                           did_you_mean(output.interlock, known));
      return;
    }
    spec.interlock = static_cast<int>(it - config_.interlocks.begin());
  }
  plan_.specs.push_back(spec);
}

// The output's own timing keys over the defaults derived above (docs/configuration.md).
void PlanBuilder::apply_timing(const config::Output& output, OutputSpec& spec) {
  if (output.confirm_timeout) spec.confirm_timeout = *output.confirm_timeout;
  if (output.min_interval) spec.min_interval = *output.min_interval;
  if (output.attempts) spec.max_attempts = *output.attempts;
  if (output.tolerance) spec.tolerance = *output.tolerance;
  if (output.hold) spec.hold = *output.hold;
}

// Seats are named by output roles; `seats:` adds their inputs (the manual switch).
void PlanBuilder::add_seats() {
  auto seat_index = [&](const std::string& name) {
    for (std::size_t s = 0; s < plan_.seats.size(); ++s) {
      if (plan_.seats[s].name == name) return s;
    }
    plan_.seats.push_back(SeatPlan{.name = name});
    return plan_.seats.size() - 1;
  };
  for (std::size_t o = 0; o < plan_.outputs.size(); ++o) {
    const config::Output& output = config_.outputs[o];
    if (output.role.seat.empty()) continue;
    plan_.outputs[o].seat = seat_index(output.role.seat);
  }
  for (const config::Seat& seat : config_.seats) {
    const auto it = std::find_if(plan_.seats.begin(), plan_.seats.end(),
                                 [&](const SeatPlan& s) { return s.name == seat.name; });
    if (it == plan_.seats.end()) {
      diagnostics_.warning(seat.where, "seat '" + seat.name + "' is named by no output's role");
      continue;
    }
    if (seat.manual_switch.empty()) continue;
    const auto symbol = symbols_.signals.resolve(seat.manual_switch);
    if (symbol) it->manual_switch = symbol->slot;
  }
}

// Each role an output declares, checked for what the engine needs of it.
void PlanBuilder::add_roles() {
  for (std::size_t o = 0; o < plan_.outputs.size(); ++o) {
    const config::Output& output = config_.outputs[o];
    std::size_t* single = nullptr;
    switch (output.role.kind) {
      case config::OutputRoleKind::none:
        continue;
      case config::OutputRoleKind::destination_latitude:
        single = &plan_.latitude;
        break;
      case config::OutputRoleKind::destination_longitude:
        single = &plan_.longitude;
        break;
      case config::OutputRoleKind::seat_memory_recall:
        single = &plan_.seats[plan_.outputs[o].seat].recall;
        break;
      case config::OutputRoleKind::seat_position:
        plan_.seats[plan_.outputs[o].seat].positions.push_back(o);
        continue;
    }
    if (*single != kNoIndex) {
      diagnostics_.error(output.role.where,
                         "output '" + output.name + "' has role " +
                             std::string(role_name(output.role.kind)) +
                             (output.role.seat.empty() ? "" : " of seat " + output.role.seat) +
                             ", which output '" + plan_.outputs[*single].name + "' already has");
      continue;
    }
    *single = o;
  }
}

void PlanBuilder::add_interlocks() {
  for (const config::Interlock& interlock : config_.interlocks) {
    auto compiled = expression(interlock.condition, rules::ValueType::boolean);
    if (!compiled) continue;
    const std::string& name = plan_.interlock_names.emplace_back(interlock.name);
    plan_.interlocks.push_back({name, std::move(*compiled)});
  }
}

std::optional<rules::CompiledExpression> PlanBuilder::expression(
    const config::Expression& expression, rules::ValueType type) {
  return rules::compile_expression(expression.text, expression.where, symbols_, type, diagnostics_);
}

}  // namespace cabind::engine
