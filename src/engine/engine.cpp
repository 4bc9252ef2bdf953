#include "cabind/engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include "cabind/rules/compiler.hpp"
#include "cabind/rules/symbol_table.hpp"

namespace cabind::engine {

namespace {

constexpr std::string_view kProfilePrefix = "profile.";
constexpr std::string_view kRecallSuffix = ".MemoryRecall";
constexpr std::string_view kManualSwitchSuffix = ".ManualSwitch";
constexpr std::string_view kLatitudeSuffix = ".DestinationSet.Latitude";
constexpr std::string_view kLongitudeSuffix = ".DestinationSet.Longitude";
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Signals by semantic name (from a SymbolTable) plus every known profile field, each
// profile field getting the next free profile slot the first time it is named.
class EngineSymbols final : public rules::SymbolResolver {
 public:
  rules::SymbolTable signals;
  mutable std::vector<std::string> profile_paths;  // slot -> path after "profile."

  [[nodiscard]] std::optional<rules::Symbol> resolve(std::string_view name) const override {
    if (name.substr(0, kProfilePrefix.size()) != kProfilePrefix) return signals.resolve(name);
    const std::string_view path = name.substr(kProfilePrefix.size());
    if (!profile::is_known_field(path)) return std::nullopt;
    const auto it = std::find(profile_paths.begin(), profile_paths.end(), path);
    const auto slot = static_cast<std::uint32_t>(it - profile_paths.begin());
    if (it == profile_paths.end()) profile_paths.emplace_back(path);
    return rules::Symbol{rules::SymbolKind::profile_field, rules::ValueType::number, slot, {}};
  }
  [[nodiscard]] std::vector<std::string> known_names() const override {
    return signals.known_names();
  }
};

}  // namespace

enum class ActionKind : std::uint8_t { set, recall, navigate };

struct CompiledAction {
  ActionKind kind = ActionKind::set;
  std::size_t output = kNone;  // set: the output; recall: the recall output
  std::optional<rules::CompiledExpression> value;
  std::optional<std::uint8_t> slot;  // recall: fixed slot, else the profile's
  std::string favourite;             // navigate: name, empty or "default" = by time
};

struct CompiledRule {
  const config::Rule* source = nullptr;
  std::optional<rules::CompiledExpression> when;
  std::optional<rules::CompiledExpression> edge;  // became_true condition
  bool edge_state = false;
  std::uint32_t signal_trigger = UINT32_MAX;  // SignalChanged: the slot
  bool on_driver = false;
  std::optional<std::chrono::nanoseconds> after;
  bool timer_armed = false;
  can::Timestamp timer_due{};
  std::vector<CompiledAction> actions;
};

struct PendingSet {
  bool set = false;
  int priority = 0;
  double value = 0.0;
  std::size_t rule = kNone;
  std::string_view note;
};

struct Engine::Impl {
  std::vector<CompiledRule> rules;
  can::Timestamp next_timer_due = can::Timestamp::max();  // earliest armed `after` timer
  std::vector<std::uint32_t> dep_begin;                   // slot -> range in dep_rules (CSR)
  std::vector<std::uint32_t> dep_rules;
  std::vector<int> identity_source;  // slot -> identity source index or -1
  std::vector<int> feedback_output;  // slot -> output index or -1
  std::vector<std::string> profile_paths;
  std::vector<double> profile_values;
  std::vector<std::uint8_t> profile_validity;
  std::vector<PendingSet> pending;  // per output, for the current pass
  std::vector<const config::Output*> outputs;
  std::size_t recall = kNone;
  std::uint32_t manual_switch = UINT32_MAX;  // slot of "<seat>.ManualSwitch", if mapped
  std::size_t latitude = kNone;
  std::size_t longitude = kNone;
  std::size_t slot_count = 0;
};

Engine::Engine(const config::Config& config, can::Bus& /*bus*/, AuditSink& audit,
               PreferenceStore& preferences, std::unique_ptr<dbc::Codec> codec,
               std::vector<std::chrono::nanoseconds> timeouts)
    : config_(config),
      audit_(audit),
      preferences_(preferences),
      codec_(std::move(codec)),
      table_(std::move(timeouts)),
      impl_(std::make_unique<Impl>()) {}

Engine::~Engine() = default;

std::unique_ptr<Engine> Engine::build(const config::Config& config, can::Bus& bus, AuditSink& audit,
                                      PreferenceStore& preferences,
                                      diag::Diagnostics& diagnostics) {
  if (config.buses.empty()) {
    diagnostics.error({config.file, 0, 0}, "the configuration has no bus");
    return nullptr;
  }
  const config::Bus& bus_config = config.buses.front();
  auto codec = std::make_unique<dbc::Codec>(bus_config.database);

  // Slots: the semantic signals first, then one per output feedback signal.
  std::vector<signal::Binding> bindings;
  std::vector<std::chrono::nanoseconds> timeouts;
  auto bind = [&](const config::SignalRef& ref) -> std::optional<std::uint32_t> {
    if (!ref.bus.empty() && ref.bus != bus_config.name) {
      diagnostics.error(ref.where, "signal '" + ref.message + "." + ref.signal + "' is on bus '" +
                                       ref.bus + "': only the default bus is supported");
      return std::nullopt;
    }
    const auto found = codec->find_signal(ref.message, ref.signal);
    if (!found) {
      diagnostics.error(ref.where, "unknown DBC signal '" + ref.message + "." + ref.signal + "'");
      return std::nullopt;
    }
    const auto slot = static_cast<std::uint32_t>(timeouts.size());
    const auto cycle = codec->message(found->message).cycle_time_ms.value_or(0);
    timeouts.push_back(std::chrono::milliseconds(std::uint64_t{cycle} * config.stale_factor));
    bindings.push_back({slot, *found});
    return slot;
  };

  EngineSymbols symbols;
  for (const config::SignalMapping& mapping : config.signals) {
    const auto slot = bind(mapping.source);
    if (!slot) continue;
    const dbc::SignalRef ref = bindings.back().ref;
    const dbc::Signal& dbc_signal = codec->signal(ref);
    std::vector<rules::NamedValue> names;
    for (const auto& value : dbc_signal.values) {
      names.push_back(
          {value.name, static_cast<double>(value.raw) * dbc_signal.factor + dbc_signal.offset});
    }
    symbols.signals.add_signal(mapping.name, *slot, rules::ValueType::number, std::move(names));
  }
  if (diagnostics.has_errors()) return nullptr;

  std::vector<OutputSpec> specs;
  std::vector<std::uint32_t> feedback_slots;
  for (const config::Output& output : config.outputs) {
    OutputSpec spec;
    spec.name = output.name;
    const auto ref = codec->find_signal(output.signal.message, output.signal.signal);
    if (!ref) {
      diagnostics.error(output.signal.where, "unknown DBC signal '" + output.signal.message + "." +
                                                 output.signal.signal + "'");
      continue;
    }
    spec.ref = *ref;
    if (output.range) {
      spec.min = output.range->min;
      spec.max = output.range->max;
    }
    spec.cyclic = output.send == config::SendMode::cyclic;
    const auto cycle_ms = codec->message(ref->message).cycle_time_ms.value_or(0);
    spec.cycle = output.cycle.count() > 0
                     ? std::chrono::nanoseconds(output.cycle)
                     : std::chrono::nanoseconds(std::chrono::milliseconds(cycle_ms));
    if (output.feedback) {
      if (const auto slot = bind(*output.feedback)) {
        spec.feedback_slot = static_cast<int>(*slot);
        const dbc::Signal& fb = codec->signal(bindings.back().ref);
        spec.tolerance = std::fabs(fb.factor) / 2.0;
        const auto fb_cycle = codec->message(bindings.back().ref.message).cycle_time_ms.value_or(0);
        spec.confirm_timeout =
            std::chrono::milliseconds(std::max<std::uint32_t>(3 * fb_cycle, 100));
      }
    }
    if (!output.interlock.empty()) {
      const auto it =
          std::find_if(config.interlocks.begin(), config.interlocks.end(),
                       [&](const config::Interlock& i) { return i.name == output.interlock; });
      if (it == config.interlocks.end()) {
        diagnostics.error(output.where, "unknown interlock '" + output.interlock + "'");
        continue;
      }
      spec.interlock = static_cast<int>(it - config.interlocks.begin());
    }
    specs.push_back(spec);
  }
  if (diagnostics.has_errors()) return nullptr;

  std::unique_ptr<Engine> engine(
      new Engine(config, bus, audit, preferences, std::move(codec), std::move(timeouts)));
  Impl& impl = *engine->impl_;
  impl.slot_count = engine->table_.size();

  for (const config::Interlock& interlock : config.interlocks) {
    auto compiled = rules::compile_expression(interlock.condition.text, interlock.condition.where,
                                              symbols, rules::ValueType::boolean, diagnostics);
    if (compiled) engine->interlocks_.push_back({interlock.name, std::move(*compiled)});
  }
  for (const config::Output& output : config.outputs)
    impl.outputs.push_back(&output);
  std::size_t recall = kNone;
  for (std::size_t o = 0; o < config.outputs.size(); ++o) {
    const std::string_view name = config.outputs[o].name;
    if (ends_with(name, kRecallSuffix)) recall = o;
    if (ends_with(name, kLatitudeSuffix)) impl.latitude = o;
    if (ends_with(name, kLongitudeSuffix)) impl.longitude = o;
  }

  for (const config::Rule& rule : config.rules) {
    CompiledRule compiled;
    compiled.source = &rule;
    if (rule.when) {
      compiled.when = rules::compile_expression(rule.when->text, rule.when->where, symbols,
                                                rules::ValueType::boolean, diagnostics);
    }
    if (std::holds_alternative<config::DriverIdentified>(rule.on)) compiled.on_driver = true;
    if (const auto* changed = std::get_if<config::SignalChanged>(&rule.on)) {
      const auto symbol = symbols.resolve(changed->signal);
      if (!symbol || symbol->kind != rules::SymbolKind::signal) {
        diagnostics.error(changed->where, "unknown signal '" + changed->signal + "'");
      } else {
        compiled.signal_trigger = symbol->slot;
      }
    }
    if (const auto* edge = std::get_if<config::BecameTrue>(&rule.on)) {
      compiled.edge = rules::compile_expression(edge->condition.text, edge->condition.where,
                                                symbols, rules::ValueType::boolean, diagnostics);
    }
    if (const auto* after = std::get_if<config::AfterIdentified>(&rule.on)) {
      compiled.after = std::chrono::nanoseconds(after->delay);
    }
    for (const config::Action& action : rule.actions) {
      CompiledAction out;
      if (const auto* set = std::get_if<config::SetOutput>(&action)) {
        const auto it =
            std::find_if(config.outputs.begin(), config.outputs.end(),
                         [&](const config::Output& o) { return o.name == set->output; });
        if (it == config.outputs.end()) {
          diagnostics.error(set->where, "unknown output '" + set->output + "'");
          continue;
        }
        out.output = static_cast<std::size_t>(it - config.outputs.begin());
        // A one-bit output (an on/off request) takes a boolean, every other a number.
        const auto ref = engine->codec_->find_signal(it->signal.message, it->signal.signal);
        const bool flag = ref && engine->codec_->signal(*ref).length == 1;
        out.value = rules::compile_expression(
            set->value.text, set->value.where, symbols,
            flag ? rules::ValueType::boolean : rules::ValueType::number, diagnostics);
      } else if (const auto* seat = std::get_if<config::RecallSeat>(&action)) {
        out.kind = ActionKind::recall;
        out.output = recall;
        out.slot = seat->slot;
        if (recall == kNone) {
          diagnostics.error(rule.where, "rule '" + rule.name +
                                            "' recalls a seat slot but no output ends in '" +
                                            std::string(kRecallSuffix) + "'");
        }
      } else if (const auto* navigate = std::get_if<config::Navigate>(&action)) {
        out.kind = ActionKind::navigate;
        out.favourite = navigate->favourite;
        if (impl.latitude == kNone || impl.longitude == kNone) {
          diagnostics.error(navigate->where, "navigation needs outputs ending in '" +
                                                 std::string(kLatitudeSuffix) + "' and '" +
                                                 std::string(kLongitudeSuffix) + "'");
        }
      }
      compiled.actions.push_back(std::move(out));
    }
    impl.rules.push_back(std::move(compiled));
  }
  if (diagnostics.has_errors()) return nullptr;

  // Which rules to re-evaluate when a slot changes, as a flat CSR table.
  std::vector<std::vector<std::uint32_t>> dependants(impl.slot_count);
  for (std::uint32_t r = 0; r < impl.rules.size(); ++r) {
    const CompiledRule& rule = impl.rules[r];
    if (rule.signal_trigger != UINT32_MAX) dependants[rule.signal_trigger].push_back(r);
    if (rule.edge) {
      for (const std::uint32_t slot : rule.edge->signal_slots())
        dependants[slot].push_back(r);
    }
  }
  impl.dep_begin.push_back(0);
  for (const auto& list : dependants) {
    impl.dep_rules.insert(impl.dep_rules.end(), list.begin(), list.end());
    impl.dep_begin.push_back(static_cast<std::uint32_t>(impl.dep_rules.size()));
  }

  impl.identity_source.assign(impl.slot_count, -1);
  for (std::size_t s = 0; s < config.identity.sources.size(); ++s) {
    const auto symbol = symbols.resolve(config.identity.sources[s].signal);
    if (!symbol) {
      diagnostics.error(config.identity.sources[s].where,
                        "unknown identity signal '" + config.identity.sources[s].signal + "'");
      continue;
    }
    impl.identity_source[symbol->slot] = static_cast<int>(s);
  }
  impl.feedback_output.assign(impl.slot_count, -1);
  for (std::size_t o = 0; o < specs.size(); ++o) {
    if (specs[o].feedback_slot != kNoFeedback) {
      impl.feedback_output[static_cast<std::size_t>(specs[o].feedback_slot)] = static_cast<int>(o);
    }
  }
  if (diagnostics.has_errors()) return nullptr;
  impl.recall = recall;
  if (recall != kNone) {
    // The seat's manual switch, named after the recall output: "...DriverSide.MemoryRecall"
    // -> "...DriverSide.ManualSwitch".
    const std::string_view recall_name = config.outputs[recall].name;
    const std::string switch_name =
        std::string(recall_name.substr(0, recall_name.size() - kRecallSuffix.size())) +
        std::string(kManualSwitchSuffix);
    if (const auto symbol = symbols.resolve(switch_name)) impl.manual_switch = symbol->slot;
  }

  impl.profile_paths = symbols.profile_paths;
  impl.profile_values.assign(impl.profile_paths.size(), 0.0);
  impl.profile_validity.assign(impl.profile_paths.size(), signal::kMissing);
  impl.pending.assign(config.outputs.size(), PendingSet{});

  std::vector<signal::IntegritySpec> integrity;
  for (const config::MessageIntegrity& check : config.integrity) {
    // The loader has checked every name against the DBC; only the default bus is routed.
    const auto message = engine->codec_->find_message(check.message);
    if (check.bus != bus_config.name || !message) {
      diagnostics.error(check.where, "integrity: message '" + check.message +
                                         "' is not on the default bus '" + bus_config.name + "'");
      continue;
    }
    signal::IntegritySpec spec;
    spec.message = *message;
    if (!check.counter.empty())
      spec.counter = engine->codec_->find_signal(check.message, check.counter);
    if (!check.checksum_signal.empty()) {
      spec.checksum = engine->codec_->find_signal(check.message, check.checksum_signal);
    }
    switch (check.checksum_algorithm) {
      case config::ChecksumAlgorithm::xor8:
        spec.algorithm = signal::ChecksumAlgorithm::xor8;
        break;
      case config::ChecksumAlgorithm::sum8:
        spec.algorithm = signal::ChecksumAlgorithm::sum8;
        break;
      case config::ChecksumAlgorithm::crc8_sae_j1850:
        spec.algorithm = signal::ChecksumAlgorithm::crc8_sae_j1850;
        break;
    }
    spec.max_counter_skips = check.max_counter_skips;
    spec.recovery_frames = check.recovery_frames;
    integrity.push_back(spec);
  }
  if (diagnostics.has_errors()) return nullptr;
  try {
    engine->router_ = std::make_unique<signal::FrameRouter>(*engine->codec_, bindings, integrity);
  } catch (const std::invalid_argument& error) {
    diagnostics.error({config.file, 0, 0}, error.what());
    return nullptr;
  }
  engine->identity_ = std::make_unique<IdentityResolver>(config.identity, config.profiles);
  engine->actuator_ = std::make_unique<Actuator>(*engine->codec_, bus, audit, std::move(specs),
                                                 engine->interlocks_);
  engine->scratch_.assign(impl.slot_count + 1, 0);
  return engine;
}

const profile::Profile* Engine::driver() const noexcept {
  return identity_->driver();
}

std::optional<std::uint32_t> Engine::slot(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < config_.signals.size(); ++i) {
    if (config_.signals[i].name == name) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

bool Engine::interlock_holds(std::string_view name) const noexcept {
  for (const Interlock& interlock : interlocks_) {
    if (interlock.name == name) return interlock.condition.evaluate(context()).holds();
  }
  return false;
}

rules::EvalContext Engine::context() const noexcept {
  rules::EvalContext ctx;
  ctx.signals = table_.view();
  if (identity_->driver() != nullptr) {
    ctx.profile = {impl_->profile_values, impl_->profile_validity};
  }
  ctx.hour = local_time_.hour;
  ctx.weekday = local_time_.weekday;
  return ctx;
}

void Engine::on_frame(const can::Frame& frame) noexcept {
  // The frame is applied before anything is sent at its time: what it says is the truth
  // at that instant (a BodyInfo "moving" must stop a seat command due at the same time).
  const can::Timestamp now = std::max(frame.time(), now_);
  now_ = now;
  const std::size_t stale = table_.expire(now, scratch_);
  handle_changes(std::span<const std::uint32_t>(scratch_.data(), stale), now);
  can::Frame timed = frame;
  timed.set_time(now);
  const std::size_t count = router_->route(timed, table_, scratch_);
  handle_changes(std::span<const std::uint32_t>(scratch_.data(), count), now);
  advance(now);
}

void Engine::advance(can::Timestamp now) noexcept {
  if (now < now_) now = now_;  // time never runs backwards inside the engine
  now_ = now;
  const std::size_t stale = table_.expire(now, scratch_);
  handle_changes(std::span<const std::uint32_t>(scratch_.data(), stale), now);
  if (const auto change = identity_->poll(now)) on_driver_change(*change, now);
  Impl& impl = *impl_;
  if (now >= impl.next_timer_due) {  // most frames: no timer is due, skip the rule scan
    impl.next_timer_due = can::Timestamp::max();
    for (std::size_t r = 0; r < impl.rules.size(); ++r) {
      CompiledRule& rule = impl.rules[r];
      if (!rule.timer_armed) continue;
      if (now < rule.timer_due) {
        impl.next_timer_due = std::min(impl.next_timer_due, rule.timer_due);
        continue;
      }
      rule.timer_armed = false;
      run_rule(r, now);
    }
  }
  commit(now);
  actuator_->service(context(), now);
}

void Engine::handle_changes(std::span<const std::uint32_t> slots, can::Timestamp now) noexcept {
  Impl& impl = *impl_;
  for (const std::uint32_t slot : slots) {
    const bool valid = table_.is_valid(slot);
    if (const int source = impl.identity_source[slot]; source >= 0 && valid) {
      const auto change =
          identity_->observe(static_cast<std::size_t>(source), table_.value(slot), now);
      if (change) on_driver_change(*change, now);
    }
    if (const int output = impl.feedback_output[slot]; output >= 0 && valid) {
      const auto o = static_cast<std::size_t>(output);
      const FeedbackResult result = actuator_->on_feedback(o, table_.value(slot), now);
      const profile::Profile* driver = identity_->driver();
      if (result.manual_change && driver != nullptr && impl.outputs[o]->learn) {
        actuator_->adopt(o, table_.value(slot));
        learned_.push({driver->id, impl.outputs[o]->name, table_.value(slot), now});
        AuditEvent event;
        event.time = now;
        event.kind = AuditKind::learned;
        event.output = impl.outputs[o]->name;
        event.detail = driver->id;
        event.value = table_.value(slot);
        event.has_value = true;
        audit_.record(event);
      }
    }
    if (slot == impl.manual_switch && valid && table_.value(slot) != 0.0) {
      actuator_->cancel(impl.recall, "manual seat switch pressed", now);
    }
    for (std::uint32_t i = impl.dep_begin[slot]; i < impl.dep_begin[slot + 1]; ++i) {
      const std::uint32_t r = impl.dep_rules[i];
      CompiledRule& rule = impl.rules[r];
      if (rule.edge) {
        const bool now_true = rule.edge->evaluate(context()).holds();
        const bool rising = now_true && !rule.edge_state;
        rule.edge_state = now_true;
        if (!rising) continue;
      }
      run_rule(r, now);
    }
  }
  commit(now);
}

bool Engine::restore_driver(std::string_view profile_id) noexcept {
  const profile::Profile* driver = config_.profiles.find_by_id(profile_id);
  if (driver == nullptr) return false;
  identity_->restore(driver);
  load_profile_values(*driver);
  return true;
}

void Engine::on_driver_change(const DriverChange& change, can::Timestamp now) noexcept {
  load_profile_values(*change.driver);
  Impl& impl = *impl_;
  AuditEvent event;
  event.time = now;
  event.kind = AuditKind::driver_changed;
  event.output = change.driver->id;
  event.detail = to_string(change.reason);
  event.rule = profile::to_string(change.claim.kind);
  event.value = static_cast<double>(change.claim.code);
  event.has_value = true;
  audit_.record(event);
  for (std::size_t r = 0; r < impl.rules.size(); ++r) {
    CompiledRule& rule = impl.rules[r];
    if (rule.after) {
      rule.timer_armed = true;
      rule.timer_due = now + *rule.after;
      impl.next_timer_due = std::min(impl.next_timer_due, rule.timer_due);
    }
    if (rule.on_driver) run_rule(r, now);
  }
  commit(now);
}

void Engine::load_profile_values(const profile::Profile& driver) noexcept {
  Impl& impl = *impl_;
  for (std::size_t i = 0; i < impl.profile_paths.size(); ++i) {
    impl.profile_values[i] = 0.0;
    impl.profile_validity[i] = signal::kMissing;
    const auto value = profile::field(driver, impl.profile_paths[i]);
    if (!value) continue;
    if (const auto* number = std::get_if<double>(&*value)) {
      impl.profile_values[i] = *number;
      impl.profile_validity[i] = signal::kValid;
    } else if (const auto* flag = std::get_if<bool>(&*value)) {
      impl.profile_values[i] = *flag ? 1.0 : 0.0;
      impl.profile_validity[i] = signal::kValid;
    }
  }
}

void Engine::run_rule(std::size_t r, can::Timestamp now) noexcept {
  Impl& impl = *impl_;
  const CompiledRule& rule = impl.rules[r];
  const rules::EvalContext ctx = context();
  AuditEvent event;
  event.time = now;
  event.rule = rule.source->name;
  if (rule.when) {
    const rules::Evaluation when = rule.when->evaluate(ctx);
    if (!when.holds()) {
      event.kind = AuditKind::rule_skipped;
      event.expression = &*rule.when;
      event.evaluation = when;
      audit_.record(event);
      return;
    }
  }
  event.kind = AuditKind::rule_fired;
  audit_.record(event);
  const profile::Profile* driver = identity_->driver();
  auto propose = [&](std::size_t output, double value, std::string_view note) {
    PendingSet& pending = impl.pending[output];
    if (pending.set && pending.priority >= rule.source->priority) {
      AuditEvent lost{.time = now,
                      .kind = AuditKind::overridden,
                      .rule = rule.source->name,
                      .output = impl.outputs[output]->name,
                      .detail = impl.rules[pending.rule].source->name,
                      .value = value,
                      .has_value = true};
      audit_.record(lost);
      return;
    }
    if (pending.set) {
      AuditEvent lost{.time = now,
                      .kind = AuditKind::overridden,
                      .rule = impl.rules[pending.rule].source->name,
                      .output = impl.outputs[output]->name,
                      .detail = rule.source->name,
                      .value = pending.value,
                      .has_value = true};
      audit_.record(lost);
    }
    pending = PendingSet{true, rule.source->priority, value, r, note};
  };
  for (const CompiledAction& action : rule.actions) {
    switch (action.kind) {
      case ActionKind::set: {
        const rules::Evaluation value = action.value->evaluate(ctx);
        const config::Output& output = *impl.outputs[action.output];
        if (rule.on_driver && output.learn && driver != nullptr) {
          if (const auto learned = preferences_.preference(driver->id, output.name)) {
            propose(action.output, *learned, "learned preference");
            break;
          }
        }
        if (!value.known) {
          AuditEvent unknown{.time = now,
                             .kind = AuditKind::value_unknown,
                             .rule = rule.source->name,
                             .output = output.name,
                             .expression = &*action.value,
                             .evaluation = value};
          audit_.record(unknown);
          break;
        }
        propose(action.output, value.value, {});
        break;
      }
      case ActionKind::recall: {
        std::optional<std::uint8_t> slot = action.slot;
        if (!slot && driver != nullptr) slot = driver->seat.memory_slot;
        if (!slot) {
          AuditEvent unknown{.time = now,
                             .kind = AuditKind::value_unknown,
                             .rule = rule.source->name,
                             .output = impl.outputs[action.output]->name,
                             .detail = "the profile has no seat memory slot"};
          audit_.record(unknown);
          break;
        }
        propose(action.output, *slot, {});
        break;
      }
      case ActionKind::navigate: {
        if (driver == nullptr) break;
        const profile::Favourite* favourite = nullptr;
        if (action.favourite.empty() || action.favourite == "default") {
          if (local_time_.weekday >= 1 && local_time_.hour >= 0) {
            favourite = driver->navigation.default_destination(
                local_time_.weekday - 1, local_time_.hour * 60 + local_time_.minute);
          }
        } else {
          favourite = driver->navigation.find_favourite(action.favourite);
        }
        if (favourite == nullptr) {
          AuditEvent unknown{.time = now,
                             .kind = AuditKind::value_unknown,
                             .rule = rule.source->name,
                             .detail = "no favourite destination for this driver and time"};
          audit_.record(unknown);
          break;
        }
        propose(impl.latitude, favourite->latitude, favourite->name);
        propose(impl.longitude, favourite->longitude, favourite->name);
        break;
      }
    }
  }
}

void Engine::commit(can::Timestamp now) noexcept {
  Impl& impl = *impl_;
  const rules::EvalContext ctx = context();
  for (std::size_t o = 0; o < impl.pending.size(); ++o) {
    PendingSet& pending = impl.pending[o];
    if (!pending.set) continue;
    pending.set = false;
    const config::Output& output = *impl.outputs[o];
    double value = pending.value;
    if (output.range) {
      const double clamped = std::clamp(value, output.range->min, output.range->max);
      if (clamped != value) {
        AuditEvent event{.time = now,
                         .kind = AuditKind::clamped,
                         .rule = impl.rules[pending.rule].source->name,
                         .output = output.name,
                         .detail = "to the output's range",
                         .value = value,
                         .has_value = true};
        audit_.record(event);
        value = clamped;
      }
    }
    actuator_->command(o, value, impl.rules[pending.rule].source->name, ctx, now);
  }
  actuator_->flush(ctx, now);
}

}  // namespace cabind::engine
