// PlanBuilder: rules, their triggers and actions, and which slots re-evaluate which rules.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <variant>

#include "did_you_mean.hpp"
#include "plan_builder.hpp"

namespace cabind::engine {

namespace {

// Rendered once, at load time: firing the action then only points at this text.
std::string fields_json(const config::PublishEvent& publish) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (const config::PublishField& field : publish.fields) {
    const auto* number = std::get_if<double>(&field.value);
    if (number != nullptr && std::trunc(*number) == *number && std::abs(*number) < 1e15) {
      fields[field.name] = static_cast<std::int64_t>(*number);  // 80, not 80.0
    } else {
      std::visit([&](const auto& value) { fields[field.name] = value; }, field.value);
    }
  }
  return fields.dump();
}

}  // namespace

void PlanBuilder::add_rules() {
  for (const config::Rule& rule : config_.rules)
    add_rule(rule);
}

void PlanBuilder::add_rule(const config::Rule& rule) {
  RulePlan& compiled = plan_.rules.emplace_back();
  compiled.name = rule.name;
  compiled.priority = rule.priority;
  if (rule.when) compiled.when = expression(*rule.when, rules::ValueType::boolean);
  if (std::holds_alternative<config::DriverIdentified>(rule.on)) {
    compiled.trigger = TriggerKind::driver_identified;
  } else if (std::holds_alternative<config::DriverLeft>(rule.on)) {
    compiled.trigger = TriggerKind::driver_left;
  } else if (const auto* changed = std::get_if<config::SignalChanged>(&rule.on)) {
    compiled.trigger = TriggerKind::signal_changed;
    const auto symbol = symbols_.resolve(changed->signal);
    if (!symbol || symbol->kind != rules::SymbolKind::signal) {
      diagnostics_.error(changed->where, "unknown signal '" + changed->signal + "'" +
                                             did_you_mean(changed->signal, symbols_.known_names()));
    } else {
      compiled.signal_trigger = symbol->slot;
    }
  } else if (const auto* edge = std::get_if<config::BecameTrue>(&rule.on)) {
    compiled.trigger = TriggerKind::became_true;
    compiled.edge = expression(edge->condition, rules::ValueType::boolean);
    // Edges are looked for when a signal the condition reads changes: without one it
    // could never fire.
    if (compiled.edge && compiled.edge->signal_slots().empty()) {
      diagnostics_.error(edge->condition.where,
                         "rule '" + rule.name +
                             "': a became_true condition must read at least one signal (it is "
                             "re-evaluated only when one of its signals changes)");
    }
  } else if (const auto* after = std::get_if<config::AfterIdentified>(&rule.on)) {
    compiled.trigger = TriggerKind::after_identified;
    compiled.after = std::chrono::nanoseconds(after->delay);
  }
  for (const config::Action& action_config : rule.actions) {
    if (auto out = action(rule, action_config)) compiled.actions.push_back(std::move(*out));
  }
}

std::optional<ActionPlan> PlanBuilder::action(const config::Rule& rule,
                                              const config::Action& action) {
  if (const auto* recall_action = std::get_if<config::RecallSeat>(&action)) {
    return recall(*recall_action);
  }
  if (const auto* publish = std::get_if<config::PublishEvent>(&action)) {
    return ActionPlan{
        .kind = ActionKind::publish, .event = publish->event, .fields = fields_json(*publish)};
  }
  if (const auto* navigate = std::get_if<config::Navigate>(&action)) {
    if (plan_.latitude == kNoIndex || plan_.longitude == kNoIndex) {
      diagnostics_.error(navigate->where,
                         "rule '" + rule.name +
                             "' navigates, but no output has role destination_latitude and "
                             "destination_longitude");
      return std::nullopt;
    }
    return ActionPlan{.kind = ActionKind::navigate, .favourite = navigate->favourite};
  }
  const auto& set = std::get<config::SetOutput>(action);
  const auto it = std::find_if(config_.outputs.begin(), config_.outputs.end(),
                               [&](const config::Output& o) { return o.name == set.output; });
  if (it == config_.outputs.end()) {
    diagnostics_.error(set.where, "unknown output '" + set.output + "'" +
                                      output_suggestion(set.output, config_.outputs));
    return std::nullopt;
  }
  ActionPlan out;
  out.output = static_cast<std::size_t>(it - config_.outputs.begin());
  // A one-bit output (an on/off request) takes a boolean, every other a number.
  const OutputSpec& spec = plan_.specs[out.output];
  const bool flag = codec(spec.bus).signal(spec.ref).length == 1;
  out.value = expression(set.value, flag ? rules::ValueType::boolean : rules::ValueType::number);
  if (!out.value) return std::nullopt;
  return out;
}

// The recall output of the named seat, or of the only seat that has one.
std::optional<ActionPlan> PlanBuilder::recall(const config::RecallSeat& recall) {
  std::vector<std::size_t> candidates;
  for (const SeatPlan& seat : plan_.seats) {
    if (seat.recall == kNoIndex) continue;
    if (recall.seat.empty() || seat.name == recall.seat) candidates.push_back(seat.recall);
  }
  if (candidates.size() == 1) {
    return ActionPlan{
        .kind = ActionKind::recall, .output = candidates.front(), .slot = recall.slot};
  }
  if (!recall.seat.empty()) {
    diagnostics_.error(
        recall.where,
        "recall_seat: no output has role seat_memory_recall of seat '" + recall.seat + "'");
  } else if (candidates.empty()) {
    diagnostics_.error(recall.where, "recall_seat: no output has role seat_memory_recall");
  } else {
    diagnostics_.error(recall.where,
                       "recall_seat: several seats have a memory recall output; name one with "
                       "{seat: ..., slot: ...}");
  }
  return std::nullopt;
}

void PlanBuilder::add_dependencies() {
  std::vector<std::vector<std::uint32_t>> dependants(plan_.slot_count());
  for (std::uint32_t r = 0; r < plan_.rules.size(); ++r) {
    const RulePlan& rule = plan_.rules[r];
    if (rule.signal_trigger != kNoSlot) dependants[rule.signal_trigger].push_back(r);
    if (rule.edge) {
      for (const std::uint32_t slot : rule.edge->signal_slots())
        dependants[slot].push_back(r);
    }
  }
  plan_.dep_begin.push_back(0);
  for (const auto& list : dependants) {
    plan_.dep_rules.insert(plan_.dep_rules.end(), list.begin(), list.end());
    plan_.dep_begin.push_back(static_cast<std::uint32_t>(plan_.dep_rules.size()));
  }
}

}  // namespace cabind::engine
