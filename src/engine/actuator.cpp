#include "cabind/engine/actuator.hpp"

#include <array>
#include <cmath>
#include <utility>

namespace cabind::engine {

Actuator::Actuator(const dbc::Codec& codec, can::Bus& bus, AuditSink& audit,
                   std::vector<OutputSpec> outputs, const std::vector<Interlock>& interlocks)
    : codec_(codec),
      bus_(bus),
      audit_(audit),
      specs_(std::move(outputs)),
      interlocks_(interlocks),
      states_(specs_.size()),
      messages_(codec.message_count()) {
  for (std::size_t o = 0; o < specs_.size(); ++o) {
    MessageState& message = messages_[specs_[o].ref.message];
    if (message.outputs.empty()) {
      const dbc::Message& dbc_message = codec.message(specs_[o].ref.message);
      std::array<std::uint8_t, can::max_fd_size> zeros{};
      const std::span<const std::uint8_t> payload(zeros.data(), dbc_message.size);
      auto frame = dbc_message.fd
                       ? can::Frame::fd(dbc_message.id, payload, dbc_message.extended)
                       : can::Frame::classic(dbc_message.id, payload, dbc_message.extended);
      if (frame) message.shadow = *frame;
      for (std::size_t s = 0; s < dbc_message.signals.size(); ++s) {
        const auto& start = dbc_message.signals[s].start_value;
        if (!start || *start < 0) continue;
        const dbc::SignalRef ref{specs_[o].ref.message, static_cast<std::uint16_t>(s)};
        codec.encode_raw(ref, static_cast<std::uint64_t>(*start), message.shadow.mutable_data());
      }
    }
    message.outputs.push_back(o);
    if (specs_[o].cyclic && specs_[o].cycle.count() > 0) message.cycle = specs_[o].cycle;
  }
}

void Actuator::emit(AuditKind kind, std::size_t output, can::Timestamp now, std::string_view detail,
                    int attempt) noexcept {
  AuditEvent event;
  event.time = now;
  event.kind = kind;
  event.rule = states_[output].rule;
  event.output = specs_[output].name;
  event.detail = detail;
  event.value = states_[output].command;
  event.has_value = states_[output].has_command;
  event.attempt = attempt;
  audit_.record(event);
}

bool Actuator::interlock_holds(std::size_t output, const rules::EvalContext& context,
                               rules::Evaluation* result) const noexcept {
  const int index = specs_[output].interlock;
  if (index == kNoInterlock) return true;
  const rules::Evaluation evaluation =
      interlocks_[static_cast<std::size_t>(index)].condition.evaluate(context);
  if (result != nullptr) *result = evaluation;
  return evaluation.holds();
}

void Actuator::command(std::size_t output, double value, std::string_view rule,
                       const rules::EvalContext& context, can::Timestamp now) noexcept {
  State& state = states_[output];
  const bool same = state.has_command && state.command == value;
  if (same && state.phase != Phase::idle && state.phase != Phase::failed) return;
  state.command = value;
  state.has_command = true;
  state.attempts = 0;
  state.rule = rule;
  state.phase = Phase::idle;
  try_send(output, context, now);
}

void Actuator::try_send(std::size_t output, const rules::EvalContext& context,
                        can::Timestamp now) noexcept {
  State& state = states_[output];
  const OutputSpec& spec = specs_[output];
  rules::Evaluation evaluation;
  if (!interlock_holds(output, context, &evaluation)) {
    if (state.phase != Phase::blocked) {
      state.phase = Phase::blocked;
      const Interlock& interlock = interlocks_[static_cast<std::size_t>(spec.interlock)];
      AuditEvent event;
      event.time = now;
      event.kind = AuditKind::blocked;
      event.rule = state.rule;
      event.output = spec.name;
      event.detail = interlock.name;
      event.value = state.command;
      event.has_value = true;
      event.expression = &interlock.condition;
      event.evaluation = evaluation;
      // Capture the deciding operands now: the sink formats after the batch.
      event.explanation = interlock.condition.trace(context);
      audit_.record(event);
    }
    return;
  }
  if (state.ever_sent && now - state.last_sent < spec.min_interval) {
    state.phase = Phase::deferred;
    state.due = state.last_sent + spec.min_interval;
    return;
  }
  MessageState& message = messages_[spec.ref.message];
  codec_.encode(spec.ref, state.command, message.shadow.mutable_data(), dbc::RangePolicy::clamp);
  state.in_shadow = true;
  ++state.attempts;
  state.last_sent = now;
  state.ever_sent = true;
  if (spec.cyclic && message.cycle.count() > 0 && !message.cyclic_active) {
    message.cyclic_active = true;
    message.next_cycle = now + message.cycle;
  }
  message.dirty = true;  // sent by flush(), once for all outputs of the message
  any_dirty_ = true;
  emit(state.attempts > 1 ? AuditKind::retry : AuditKind::sent, output, now, {}, state.attempts);
  if (spec.feedback_slot == kNoFeedback) {
    state.phase = Phase::confirmed;
  } else {
    state.phase = Phase::awaiting;
    state.due = now + spec.confirm_timeout * (1LL << (state.attempts - 1));
  }
}

void Actuator::transmit(std::uint16_t index, const rules::EvalContext& context,
                        can::Timestamp now) noexcept {
  MessageState& message = messages_[index];
  can::Frame frame = message.shadow;
  // Never let this frame repeat a command whose interlock does not hold now.
  for (const std::size_t other : message.outputs) {
    if (!states_[other].in_shadow || interlock_holds(other, context, nullptr)) continue;
    const auto& start = codec_.signal(specs_[other].ref).start_value;
    codec_.encode_raw(specs_[other].ref,
                      start && *start > 0 ? static_cast<std::uint64_t>(*start) : 0U,
                      frame.mutable_data());
  }
  frame.set_time(now);
  bus_.send(frame);
}

FeedbackResult Actuator::on_feedback(std::size_t output, double value,
                                     can::Timestamp now) noexcept {
  State& state = states_[output];
  const OutputSpec& spec = specs_[output];
  FeedbackResult result;
  const bool matches = state.has_command && std::fabs(value - state.command) <= spec.tolerance;
  if (state.phase == Phase::awaiting) {
    if (matches) {
      state.phase = Phase::confirmed;
      result.confirmed = true;
      emit(AuditKind::confirmed, output, now, {}, state.attempts);
    }
    return result;
  }
  // Settled (or never commanded): a different value was set by someone else.
  if (state.phase == Phase::confirmed || state.phase == Phase::idle ||
      state.phase == Phase::failed) {
    result.manual_change = !matches;
  }
  return result;
}

void Actuator::adopt(std::size_t output, double value) noexcept {
  State& state = states_[output];
  const OutputSpec& spec = specs_[output];
  state.command = value;
  state.has_command = true;
  state.phase = Phase::confirmed;
  codec_.encode(spec.ref, value, messages_[spec.ref.message].shadow.mutable_data(),
                dbc::RangePolicy::clamp);
  state.in_shadow = true;
}

bool Actuator::cancel(std::size_t output, std::string_view reason, can::Timestamp now) noexcept {
  State& state = states_[output];
  if (state.phase != Phase::blocked && state.phase != Phase::deferred &&
      state.phase != Phase::awaiting) {
    return false;
  }
  emit(AuditKind::cancelled, output, now, reason);
  state.phase = Phase::idle;
  state.has_command = false;
  return true;
}

bool Actuator::feedback_shows_command(std::size_t output,
                                      const rules::EvalContext& context) const noexcept {
  const OutputSpec& spec = specs_[output];
  const State& state = states_[output];
  if (spec.feedback_slot == kNoFeedback || !state.has_command) return false;
  const auto slot = static_cast<std::size_t>(spec.feedback_slot);
  if (slot >= context.signals.value.size() || slot >= context.signals.validity.size()) return false;
  return context.signals.validity[slot] == 0 &&
         std::fabs(context.signals.value[slot] - state.command) <= spec.tolerance;
}

void Actuator::service(const rules::EvalContext& context, can::Timestamp now) noexcept {
  for (std::size_t o = 0; o < states_.size(); ++o) {
    State& state = states_[o];
    switch (state.phase) {
      case Phase::blocked:
        if (interlock_holds(o, context, nullptr)) {
          state.phase = Phase::idle;
          try_send(o, context, now);
        }
        break;
      case Phase::deferred:
        if (now >= state.due) try_send(o, context, now);
        break;
      case Phase::awaiting:
        // Feedback that already shows the commanded value (the ECU was there before, so
        // its next frames do not change the signal) confirms as well as a change would.
        if (feedback_shows_command(o, context)) {
          state.phase = Phase::confirmed;
          emit(AuditKind::confirmed, o, now, {}, state.attempts);
          break;
        }
        if (now < state.due) break;
        if (state.attempts >= specs_[o].max_attempts) {
          state.phase = Phase::failed;
          emit(AuditKind::failed, o, now, "feedback never confirmed", state.attempts);
        } else {
          try_send(o, context, now);
        }
        break;
      case Phase::idle:
      case Phase::confirmed:
      case Phase::failed:
        break;
    }
  }
  for (std::size_t m = 0; m < messages_.size(); ++m) {
    MessageState& message = messages_[m];
    if (!message.cyclic_active || now < message.next_cycle) continue;
    message.dirty = true;
    any_dirty_ = true;
    while (message.next_cycle <= now)
      message.next_cycle += message.cycle;
  }
  flush(context, now);
}

void Actuator::flush(const rules::EvalContext& context, can::Timestamp now) noexcept {
  if (!any_dirty_) return;
  any_dirty_ = false;
  for (std::size_t m = 0; m < messages_.size(); ++m) {
    if (!messages_[m].dirty) continue;
    messages_[m].dirty = false;
    transmit(static_cast<std::uint16_t>(m), context, now);
  }
}

}  // namespace cabind::engine
