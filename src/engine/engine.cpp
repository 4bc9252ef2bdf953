#include "cabind/engine/engine.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <variant>

namespace cabind::engine {

namespace {

std::vector<const dbc::Codec*> codecs_of(const Plan& plan) {
  std::vector<const dbc::Codec*> codecs;
  for (const BusPlan& bus : plan.buses)
    codecs.push_back(bus.codec.get());
  return codecs;
}

std::span<can::Bus* const> checked(const Plan& plan, std::span<can::Bus* const> buses) {
  if (buses.size() != plan.buses.size()) {
    throw std::invalid_argument("the plan has " + std::to_string(plan.buses.size()) +
                                " buses, the engine was given " + std::to_string(buses.size()));
  }
  return buses;
}

// A bus's SecOC specs with the counters the store kept.
std::vector<signal::SecocSpec> restored(const BusPlan& bus, const FreshnessStore* freshness) {
  std::vector<signal::SecocSpec> specs = bus.secoc;
  if (freshness != nullptr) {
    for (signal::SecocSpec& spec : specs)
      spec.last_counter = freshness->freshness(spec.params.data_id);
  }
  return specs;
}

}  // namespace

Engine::Engine(const Plan& plan, std::span<can::Bus* const> buses, AuditSink& audit,
               PreferenceStore& preferences, FreshnessStore* freshness)
    : plan_(plan),
      audit_(audit),
      preferences_(preferences),
      freshness_(freshness),
      table_(plan.timeouts),
      frames_seen_(plan.buses.size(), 0),
      identity_(plan.identity, plan.profiles, plan.identity_windows),
      actuator_(codecs_of(plan), checked(plan, buses), audit, plan.specs, plan.interlocks),
      rule_states_(plan.rules.size()),
      profile_values_(plan.profile_paths.size(), 0.0),
      profile_validity_(plan.profile_paths.size(), signal::kMissing),
      pending_(plan.outputs.size()),
      pending_words_((plan.outputs.size() + 63) / 64, 0),
      scratch_(plan.slot_count() + 1, 0),
      presented_(plan.slot_count() + 1, 0) {
  routers_.reserve(plan.buses.size());
  for (std::size_t b = 0; b < plan.buses.size(); ++b) {
    const BusPlan& bus = plan.buses[b];
    routers_.emplace_back(*bus.codec, bus.bindings, bus.integrity, restored(bus, freshness));
    watch_secoc(b);
  }
  secoc_begin_.push_back(monitors_.size());
  update_lifecycle(can::Timestamp{});
}

Engine::Engine(const Plan& plan, can::Bus& bus, AuditSink& audit, PreferenceStore& preferences,
               FreshnessStore* freshness)
    : Engine(plan, std::array<can::Bus*, 1>{&bus}, audit, preferences, freshness) {}

// A monitor, the event texts and the counter last stored for each SecOC message of `bus`.
void Engine::watch_secoc(std::size_t bus) {
  const BusPlan& plan = plan_.buses[bus];
  secoc_begin_.push_back(monitors_.size());
  for (std::size_t i = 0; i < plan.secoc.size(); ++i) {
    const signal::SecocVerifier& verifier = routers_[bus].secoc()[i];
    const SecocAlarm& alarm = plan.secoc_alarms[i];
    // Named as vehicle.yaml names it: with its bus when the vehicle has several.
    const std::string bus_prefix = plan_.buses.size() > 1 ? plan.name + ":" : std::string();
    const std::string name = bus_prefix +
                             std::string(plan.codec->message(verifier.message()).name) +
                             " (Data ID " + std::to_string(verifier.data_id()) + ")";
    monitors_.emplace_back(alarm.failures, alarm.window);
    secoc_report_details_.push_back(name + " failed SecOC verification");
    secoc_alarm_details_.push_back(
        name + ": " + std::to_string(alarm.failures) + " failures within " +
        std::to_string(
            std::chrono::duration_cast<std::chrono::milliseconds>(alarm.window).count()) +
        " ms");
    stored_.push_back(verifier.counter());
  }
}

std::uint64_t Engine::unauthentic_frames() const noexcept {
  std::uint64_t frames = 0;
  for (const signal::FrameRouter& router : routers_)
    frames += router.unauthentic_frames();
  return frames;
}

std::span<const signal::SecocVerifier> Engine::secoc(std::size_t bus) const noexcept {
  if (bus >= routers_.size()) return {};
  return routers_[bus].secoc();
}

std::span<const AuthenticationMonitor> Engine::secoc_monitors(std::size_t bus) const noexcept {
  if (bus >= routers_.size()) return {};
  return std::span<const AuthenticationMonitor>(monitors_).subspan(
      secoc_begin_[bus], secoc_begin_[bus + 1] - secoc_begin_[bus]);
}

std::size_t Engine::store_freshness() {
  std::size_t stored = 0;
  for (std::size_t bus = 0; bus < routers_.size(); ++bus) {
    const std::span<const signal::SecocVerifier> verifiers = routers_[bus].secoc();
    for (std::size_t i = 0; i < verifiers.size(); ++i) {
      const signal::SecocVerifier& verifier = verifiers[i];
      std::optional<std::uint64_t>& last = stored_[secoc_begin_[bus] + i];
      if (verifier.counter() == last) continue;
      if (freshness_ != nullptr)
        freshness_->keep_freshness(verifier.data_id(), *verifier.counter());
      last = verifier.counter();
      ++stored;
    }
  }
  return stored;
}

void Engine::on_unauthentic(std::size_t bus, std::uint16_t secoc, can::Timestamp now) noexcept {
  const std::size_t index = secoc_begin_[bus] + secoc;
  AuthenticationMonitor& monitor = monitors_[index];
  const AuthenticationReport report = monitor.failed(now);
  AuditEvent event;
  event.time = now;
  if (report.report) {
    event.kind = AuditKind::unauthentic;
    event.detail = secoc_report_details_[index];
    event.value = static_cast<double>(monitor.failures());
    event.has_value = true;
    audit_.record(event);
  }
  if (report.alarm) {
    event.kind = AuditKind::secoc_alarm;
    event.detail = secoc_alarm_details_[index];
    event.value = static_cast<double>(monitor.failures());
    event.has_value = true;
    audit_.record(event);
  }
}

Engine::~Engine() = default;

const profile::Profile* Engine::driver() const noexcept {
  return identity_.driver();
}

bool Engine::interlock_holds(std::string_view name) const noexcept {
  for (const Interlock& interlock : plan_.interlocks) {
    if (interlock.name == name) return interlock.condition.evaluate(context()).holds();
  }
  return false;
}

rules::EvalContext Engine::context() const noexcept {
  rules::EvalContext ctx;
  ctx.signals = table_.view();
  if (identity_.driver() != nullptr) ctx.profile = {profile_values_, profile_validity_};
  ctx.hour = local_time_.hour;
  ctx.weekday = local_time_.weekday;
  return ctx;
}

std::uint64_t Engine::integrity_failures() const noexcept {
  std::uint64_t failures = 0;
  for (const signal::FrameRouter& router : routers_)
    failures += router.integrity_failures();
  return failures;
}

void Engine::on_frame(std::size_t bus, const can::Frame& frame) noexcept {
  on_frames(bus, std::span<const can::Frame>(&frame, 1));
}

void Engine::on_frames(std::size_t bus, std::span<const can::Frame> frames) noexcept {
  if (bus >= routers_.size()) return;
  frames_seen_[bus] += frames.size();
  for (const can::Frame& frame : frames)
    apply(bus, frame);
  advance(now_);  // once per batch: timers, one commit pass, actuation
}

void Engine::apply(std::size_t bus, const can::Frame& frame) noexcept {
  // The frame is applied before anything is sent at its time: what it says is the truth
  // at that instant (a BodyInfo "moving" must stop a seat command due at the same time).
  const can::Timestamp now = std::max(frame.time(), now_);
  now_ = now;
  const std::size_t stale = table_.expire(now, scratch_);
  handle_changes(std::span<const std::uint32_t>(scratch_.data(), stale), now);
  can::Frame timed = frame;
  timed.set_time(now);
  const signal::Routed routed = routers_[bus].route(timed, table_, scratch_, presented_);
  if (routed.unauthentic) {
    on_unauthentic(bus, routed.secoc, now);
    return;
  }
  handle_changes(std::span<const std::uint32_t>(scratch_.data(), routed.changed), now);
  // Every frame that presents an identifier counts (debounce, presence window), not only
  // the ones that change its value.
  for (std::size_t i = 0; i < routed.presented; ++i) {
    const std::uint32_t slot = presented_[i];
    const auto source = static_cast<std::size_t>(plan_.identity_source[slot]);
    if (const auto change = identity_.observe(source, table_.value(slot), now)) {
      on_driver_change(*change, now);
    }
  }
}

void Engine::advance(can::Timestamp now) noexcept {
  if (now < now_) now = now_;  // monotonic: never runs backwards inside the engine
  now_ = now;
  const std::size_t stale = table_.expire(now, scratch_);
  handle_changes(std::span<const std::uint32_t>(scratch_.data(), stale), now);
  if (const auto change = identity_.poll(now)) on_driver_change(*change, now);
  if (leave_armed_ && now >= leave_due_) on_driver_left(now);
  if (now >= next_timer_due_) run_timers(now);  // most calls: nothing due, no rule scan
  commit(now);
  actuator_.service(context(), now);
}

void Engine::run_timers(can::Timestamp now) noexcept {
  next_timer_due_ = can::Timestamp::max();
  for (std::size_t r = 0; r < rule_states_.size(); ++r) {
    RuleState& state = rule_states_[r];
    if (!state.timer_armed) continue;
    if (now < state.timer_due) {
      next_timer_due_ = std::min(next_timer_due_, state.timer_due);
      continue;
    }
    state.timer_armed = false;
    run_rule(r, now);
  }
}

void Engine::on_bus_up() noexcept {
  actuator_.on_bus_up(context(), now_);
}

void Engine::on_bus_up(std::size_t bus) noexcept {
  actuator_.on_bus_up(bus, context(), now_);
}

void Engine::on_bus_down(std::size_t bus) noexcept {
  std::size_t changed = 0;
  for (std::uint32_t slot = 0; slot < plan_.slot_bus.size(); ++slot) {
    if (plan_.slot_bus[slot] == bus && table_.invalidate(slot, now_)) scratch_[changed++] = slot;
  }
  handle_changes(std::span<const std::uint32_t>(scratch_.data(), changed), now_);
}

void Engine::handle_changes(std::span<const std::uint32_t> slots, can::Timestamp now) noexcept {
  bool lifecycle_changed = false;
  for (const std::uint32_t slot : slots) {
    const bool valid = table_.is_valid(slot);
    // Stale, invalid or withdrawn: the claim ends and a debounce in progress is cancelled.
    if (const int source = plan_.identity_source[slot]; source >= 0 && !valid) {
      identity_.withdraw(static_cast<std::size_t>(source), now);
    }
    lifecycle_changed = lifecycle_changed || plan_.lifecycle_reader[slot] != 0;
    if (const int output = plan_.feedback_output[slot]; output >= 0 && valid) {
      on_feedback(static_cast<std::size_t>(output), table_.value(slot), now);
    }
    for (const SeatPlan& seat : plan_.seats) {
      if (slot == seat.manual_switch && valid && table_.value(slot) != 0.0) {
        on_manual_switch(seat, now);
      }
    }
    for (std::uint32_t i = plan_.dep_begin[slot]; i < plan_.dep_begin[slot + 1]; ++i) {
      const std::uint32_t r = plan_.dep_rules[i];
      if (const auto& edge = plan_.rules[r].edge) {
        const bool now_true = edge->evaluate(context()).holds();
        const bool rising = now_true && !rule_states_[r].edge_state;
        rule_states_[r].edge_state = now_true;
        if (!rising) continue;
      }
      run_rule(r, now);
    }
  }
  if (lifecycle_changed) update_lifecycle(now);
}

// Re-evaluates the identity sources' `when:` conditions and identity.leave.
void Engine::update_lifecycle(can::Timestamp now) noexcept {
  const rules::EvalContext ctx = context();
  for (std::size_t s = 0; s < plan_.identity_conditions.size(); ++s) {
    const auto& condition = plan_.identity_conditions[s];
    if (!condition) continue;
    if (const auto change = identity_.set_condition(s, condition->evaluate(ctx).holds(), now)) {
      on_driver_change(*change, now);
    }
  }
  update_leave(now);
}

// identity.leave's `for:` runs while its condition holds with a driver active, from the
// later of the condition starting to hold and the driver being selected.
void Engine::update_leave(can::Timestamp now) noexcept {
  if (!plan_.leave_when) return;
  const bool holds = plan_.leave_when->evaluate(context()).holds();
  if (!holds || identity_.driver() == nullptr) {
    leave_armed_ = false;
  } else if (!leave_armed_) {
    leave_armed_ = true;
    leave_due_ = now + plan_.leave_hold;
  }
}

// identity.leave held for its time: nobody drives. The commands still pending for the driver
// who left are dropped, their `after` timers disarmed, and `driver_left` rules run.
void Engine::on_driver_left(can::Timestamp now) noexcept {
  leave_armed_ = false;
  const auto left = identity_.leave(now);
  if (!left) return;
  audit_.record(
      AuditEvent{.time = now, .kind = AuditKind::driver_left, .output = left->driver->id});
  std::fill(profile_validity_.begin(), profile_validity_.end(), signal::kMissing);
  for (RuleState& state : rule_states_)
    state.timer_armed = false;
  for (std::size_t o = 0; o < plan_.outputs.size(); ++o)
    actuator_.cancel(o, "the driver left", now);
  for (std::size_t r = 0; r < plan_.rules.size(); ++r) {
    if (plan_.rules[r].trigger == TriggerKind::driver_left) run_rule(r, now);
  }
  commit(now);
}

void Engine::on_feedback(std::size_t output, double value, can::Timestamp now) noexcept {
  const FeedbackResult result = actuator_.on_feedback(output, value, now);
  const profile::Profile* driver = identity_.driver();
  const OutputPlan& plan = plan_.outputs[output];
  // The guest profile is shared by every unknown driver: it learns only where configured.
  if (!result.manual_change || driver == nullptr || !plan.learn) return;
  if (driver->guest && !plan.learn_guest) return;
  actuator_.adopt(output, value);
  learned_.push({driver->id, plan.name, value, now});  // stored after the batch
  audit_.record(AuditEvent{.time = now,
                           .kind = AuditKind::learned,
                           .output = plan_.outputs[output].name,
                           .detail = driver->id,
                           .value = value,
                           .has_value = true});
}

// The occupant moves the seat by hand: a recall or position still on its way would fight
// them, so it is dropped.
void Engine::on_manual_switch(const SeatPlan& seat, can::Timestamp now) noexcept {
  if (seat.recall != kNoIndex) actuator_.cancel(seat.recall, "manual seat switch pressed", now);
  for (const std::size_t position : seat.positions)
    actuator_.cancel(position, "manual seat switch pressed", now);
}

bool Engine::restore_driver(std::string_view profile_id) noexcept {
  const profile::Profile* driver = plan_.profiles.find_by_id(profile_id);
  if (driver == nullptr) return false;
  identity_.restore(driver);
  load_profile_values(*driver);
  return true;
}

void Engine::on_driver_change(const DriverChange& change, can::Timestamp now) noexcept {
  load_profile_values(*change.driver);
  leave_armed_ = false;
  update_leave(now);
  audit_.record(AuditEvent{.time = now,
                           .kind = AuditKind::driver_changed,
                           .rule = profile::to_string(change.claim.kind),
                           .output = change.driver->id,
                           .detail = to_string(change.reason),
                           .value = static_cast<double>(change.claim.code),
                           .has_value = true});
  for (std::size_t r = 0; r < plan_.rules.size(); ++r) {
    const RulePlan& rule = plan_.rules[r];
    if (rule.trigger == TriggerKind::after_identified) {
      rule_states_[r].timer_armed = true;
      rule_states_[r].timer_due = now + rule.after;
      next_timer_due_ = std::min(next_timer_due_, rule_states_[r].timer_due);
    }
    if (rule.trigger == TriggerKind::driver_identified) run_rule(r, now);
  }
  commit(now);
}

void Engine::load_profile_values(const profile::Profile& driver) noexcept {
  for (std::size_t i = 0; i < plan_.profile_paths.size(); ++i) {
    profile_values_[i] = 0.0;
    profile_validity_[i] = signal::kMissing;
    const auto value = profile::field(driver, plan_.profile_paths[i]);
    if (!value) continue;
    if (const auto* number = std::get_if<double>(&*value)) {
      profile_values_[i] = *number;
      profile_validity_[i] = signal::kValid;
    } else if (const auto* flag = std::get_if<bool>(&*value)) {
      profile_values_[i] = *flag ? 1.0 : 0.0;
      profile_validity_[i] = signal::kValid;
    }
  }
}

void Engine::run_rule(std::size_t r, can::Timestamp now) noexcept {
  const RulePlan& rule = plan_.rules[r];
  const rules::EvalContext ctx = context();
  if (rule.when) {
    const rules::Evaluation when = rule.when->evaluate(ctx);
    if (!when.holds()) {
      audit_.record(AuditEvent{.time = now,
                               .kind = AuditKind::rule_skipped,
                               .rule = rule.name,
                               .expression = &*rule.when,
                               .evaluation = when,
                               .explanation = rule.when->trace(ctx)});  // values now
      return;
    }
  }
  audit_.record(AuditEvent{.time = now, .kind = AuditKind::rule_fired, .rule = rule.name});
  for (const ActionPlan& action : rule.actions)
    run_action(r, action, ctx, now);
}

void Engine::run_action(std::size_t r, const ActionPlan& action, const rules::EvalContext& ctx,
                        can::Timestamp now) noexcept {
  const RulePlan& rule = plan_.rules[r];
  const profile::Profile* driver = identity_.driver();
  switch (action.kind) {
    case ActionKind::set: {
      const OutputPlan& output = plan_.outputs[action.output];
      if (rule.trigger == TriggerKind::driver_identified && output.learn && driver != nullptr) {
        if (const auto learned = preferences_.preference(driver->id, output.name)) {
          propose(r, action.output, *learned, now);
          return;
        }
      }
      const rules::Evaluation value = action.value->evaluate(ctx);
      if (!value.known) {
        audit_.record(AuditEvent{.time = now,
                                 .kind = AuditKind::value_unknown,
                                 .rule = rule.name,
                                 .output = output.name,
                                 .expression = &*action.value,
                                 .evaluation = value});
        return;
      }
      propose(r, action.output, value.value, now);
      return;
    }
    case ActionKind::recall: {
      std::optional<std::uint8_t> slot = action.slot;
      if (!slot && driver != nullptr) slot = driver->seat.memory_slot;
      if (!slot) {
        report_unknown(r, action.output, "the profile has no seat memory slot", now);
        return;
      }
      propose(r, action.output, *slot, now);
      return;
    }
    case ActionKind::navigate:
      navigate(r, action, now);
      return;
    case ActionKind::publish:
      // Views into the plan: nothing is rendered or copied here; the bridge builds the
      // message after the batch.
      audit_.record(AuditEvent{
          .time = now,
          .kind = AuditKind::published,
          .rule = rule.name,
          .output = driver != nullptr ? std::string_view(driver->id) : std::string_view(),
          .detail = action.event,
          .payload = action.fields});
      return;
  }
}

void Engine::navigate(std::size_t r, const ActionPlan& action, can::Timestamp now) noexcept {
  const profile::Profile* driver = identity_.driver();
  if (driver == nullptr) return;
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
    report_unknown(r, kNoIndex, "no favourite destination for this driver and time", now);
    return;
  }
  propose(r, plan_.latitude, favourite->latitude, now);
  propose(r, plan_.longitude, favourite->longitude, now);
}

void Engine::report_unknown(std::size_t r, std::size_t output, std::string_view detail,
                            can::Timestamp now) noexcept {
  audit_.record(
      AuditEvent{.time = now,
                 .kind = AuditKind::value_unknown,
                 .rule = plan_.rules[r].name,
                 .output = output == kNoIndex ? std::string_view() : plan_.outputs[output].name,
                 .detail = detail});
}

// Within a pass the highest-priority rule setting an output wins; equal priorities keep
// the earlier rule. The loser is audited `overridden`.
void Engine::propose(std::size_t r, std::size_t output, double value, can::Timestamp now) noexcept {
  propose_as(r, plan_.rules[r].priority, output, value, now);
}

// `r` is kNoIndex for a command from home (Engine::command), which is alone in its pass.
void Engine::propose_as(std::size_t r, int priority, std::size_t output, double value,
                        can::Timestamp now) noexcept {
  PendingSet& pending = pending_[output];
  const bool loses = pending.set && pending.priority >= priority;
  if (pending.set) {
    audit_.record(AuditEvent{.time = now,
                             .kind = AuditKind::overridden,
                             .rule = loses ? rule_name(r) : rule_name(pending.rule),
                             .output = plan_.outputs[output].name,
                             .detail = loses ? rule_name(pending.rule) : rule_name(r),
                             .value = loses ? value : pending.value,
                             .has_value = true});
  }
  if (loses) return;
  pending = PendingSet{true, priority, value, r};
  pending_words_[output / 64] |= std::uint64_t{1} << (output % 64);
}

std::string_view Engine::rule_name(std::size_t r) const noexcept {
  return r == kNoIndex ? kCommandFromHome : std::string_view(plan_.rules[r].name);
}

std::optional<std::size_t> Engine::output_index(std::string_view name) const noexcept {
  for (std::size_t o = 0; o < plan_.outputs.size(); ++o) {
    if (plan_.outputs[o].name == name) return o;
  }
  return std::nullopt;
}

// The rule path, as one pass of its own: propose, commit (range clamp, interlock at the
// send), so a command from home can do nothing a rule could not. A command its interlock
// blocks is not kept waiting: it is cancelled and refused, so a seat never moves later
// because somebody at home asked while the car was moving.
CommandResult Engine::command(std::string_view output, double value, can::Timestamp now) noexcept {
  const std::optional<std::size_t> o = output_index(output);
  if (!o) return {CommandOutcome::unknown_output, "no such output"};
  if (!std::isfinite(value)) return {CommandOutcome::invalid_value, "the value is not finite"};
  advance(now);  // staleness and timers first: the interlock judges what holds now
  CommandResult result{CommandOutcome::accepted, {}, value};
  if (const auto& range = plan_.outputs[*o].range) {
    result.value = std::clamp(value, range->min, range->max);
    if (result.value != value) result.reason = "clamped to the output's range";
  }
  propose_as(kNoIndex, std::numeric_limits<int>::max(), *o, value, now_);
  commit(now_);
  if (actuator_.phase(*o) == Phase::blocked) {
    actuator_.cancel(*o, "a command from home is not kept waiting", now_);
    const int interlock = actuator_.spec(*o).interlock;
    return {CommandOutcome::blocked,
            interlock >= 0 ? plan_.interlocks[static_cast<std::size_t>(interlock)].name
                           : std::string_view("blocked"),
            result.value};
  }
  return result;
}

// Only the outputs a rule set in this pass are visited, in output order (as a scan of every
// output would visit them): one bit per output, so a pass costs what was set, not the plan.
void Engine::commit(can::Timestamp now) noexcept {
  const rules::EvalContext ctx = context();
  for (std::size_t w = 0; w < pending_words_.size(); ++w) {
    while (pending_words_[w] != 0) {
      const auto bit = static_cast<std::size_t>(std::countr_zero(pending_words_[w]));
      pending_words_[w] &= pending_words_[w] - 1;
      commit_output(w * 64 + bit, ctx, now);
    }
  }
  actuator_.flush(ctx, now);
}

void Engine::commit_output(std::size_t o, const rules::EvalContext& ctx,
                           can::Timestamp now) noexcept {
  PendingSet& pending = pending_[o];
  pending.set = false;
  const OutputPlan& output = plan_.outputs[o];
  const std::string_view rule = rule_name(pending.rule);
  double value = pending.value;
  if (output.range) {
    const double clamped = std::clamp(value, output.range->min, output.range->max);
    if (clamped != value) {
      audit_.record(AuditEvent{.time = now,
                               .kind = AuditKind::clamped,
                               .rule = rule,
                               .output = output.name,
                               .detail = "to the output's range",
                               .value = value,
                               .has_value = true});
      value = clamped;
    }
  }
  actuator_.command(o, value, rule, ctx, now);
}

}  // namespace cabind::engine
