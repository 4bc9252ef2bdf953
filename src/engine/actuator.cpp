#include "cabind/engine/actuator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace cabind::engine {

namespace {

constexpr double kNoDistance = std::numeric_limits<double>::infinity();

// Inserts `value` keeping `list` ascending, so lists visit in index order as the full scans
// they replace did (same audit and frame order). Capacity is reserved: no allocation.
template <typename T>
void insert_sorted(std::vector<T>& list, T value) noexcept {
  list.insert(std::upper_bound(list.begin(), list.end(), value), value);
}

bool written(dbc::EncodeStatus status) noexcept {
  return status == dbc::EncodeStatus::ok || status == dbc::EncodeStatus::clamped;
}

std::string_view encode_failure(dbc::EncodeStatus status) noexcept {
  switch (status) {
    case dbc::EncodeStatus::not_finite:
      return "not encodable: not a finite number";
    case dbc::EncodeStatus::payload_too_short:
      return "not encodable: the signal lies beyond the frame";
    case dbc::EncodeStatus::out_of_range:
      return "not encodable: out of range";
    case dbc::EncodeStatus::ok:
    case dbc::EncodeStatus::clamped:
      break;
  }
  return "not encodable";
}

// Sorts a bus's messages after those of lower buses (one bus: the codec's order).
std::uint32_t message_key(const OutputSpec& spec) noexcept {
  return std::uint32_t{spec.bus} << 16U | spec.ref.message;
}

bool is_due(Phase phase) noexcept {
  return phase == Phase::blocked || phase == Phase::deferred || phase == Phase::unsent ||
         phase == Phase::awaiting;
}

}  // namespace

std::string_view to_string(Phase phase) noexcept {
  switch (phase) {
    case Phase::idle:
      return "idle";
    case Phase::sending:
      return "sending";
    case Phase::blocked:
      return "blocked";
    case Phase::deferred:
      return "deferred";
    case Phase::unsent:
      return "unsent";
    case Phase::awaiting:
      return "awaiting";
    case Phase::confirmed:
      return "confirmed";
    case Phase::failed:
      return "failed";
  }
  return "?";
}

Actuator::Actuator(const dbc::Codec& codec, can::Bus& bus, AuditSink& audit,
                   std::vector<OutputSpec> outputs, const std::vector<Interlock>& interlocks)
    : Actuator(std::array<const dbc::Codec*, 1>{&codec}, std::array<can::Bus*, 1>{&bus}, audit,
               std::move(outputs), interlocks) {}

Actuator::Actuator(std::span<const dbc::Codec* const> codecs, std::span<can::Bus* const> buses,
                   AuditSink& audit, std::vector<OutputSpec> outputs,
                   const std::vector<Interlock>& interlocks)
    : codecs_(codecs.begin(), codecs.end()),
      buses_(buses.begin(), buses.end()),
      audit_(audit),
      specs_(std::move(outputs)),
      interlocks_(interlocks),
      states_(specs_.size()) {
  if (codecs_.size() != buses_.size()) throw std::invalid_argument("one codec per bus");
  // Dense message indices in (bus, codec index) order, for only the messages outputs write.
  std::vector<std::uint32_t> written_messages;
  for (const OutputSpec& spec : specs_) {
    if (spec.bus >= buses_.size()) throw std::invalid_argument("output on an unknown bus");
    written_messages.push_back(message_key(spec));
  }
  std::sort(written_messages.begin(), written_messages.end());
  written_messages.erase(std::unique(written_messages.begin(), written_messages.end()),
                         written_messages.end());
  messages_.resize(written_messages.size());
  for (std::size_t m = 0; m < written_messages.size(); ++m) {
    messages_[m].bus = static_cast<std::uint8_t>(written_messages[m] >> 16U);
    init_shadow(messages_[m], static_cast<std::uint16_t>(written_messages[m] & 0xFFFFU));
  }
  for (std::size_t o = 0; o < specs_.size(); ++o) {
    const auto it =
        std::lower_bound(written_messages.begin(), written_messages.end(), message_key(specs_[o]));
    states_[o].message = static_cast<std::uint16_t>(it - written_messages.begin());
    MessageState& message = messages_[states_[o].message];
    message.outputs.push_back(o);
    if (specs_[o].cyclic && specs_[o].cycle.count() > 0) message.cycle = specs_[o].cycle;
  }
  due_.reserve(specs_.size());
  sending_.reserve(specs_.size());
  cyclic_.reserve(messages_.size());
  dirty_.reserve(messages_.size());
}

// The message's frame at its DBC start values (zeros where the DBC gives none).
void Actuator::init_shadow(MessageState& state, std::uint16_t message) const {
  const dbc::Codec& codec = *codecs_[state.bus];
  const dbc::Message& dbc_message = codec.message(message);
  std::array<std::uint8_t, can::max_fd_size> zeros{};
  const std::span<const std::uint8_t> payload(zeros.data(), dbc_message.size);
  auto frame = dbc_message.fd ? can::Frame::fd(dbc_message.id, payload, dbc_message.extended)
                              : can::Frame::classic(dbc_message.id, payload, dbc_message.extended);
  if (frame) state.shadow = *frame;
  for (std::size_t s = 0; s < dbc_message.signals.size(); ++s) {
    const auto& start = dbc_message.signals[s].start_value();
    if (!start || *start < 0) continue;
    const dbc::SignalRef ref{message, static_cast<std::uint16_t>(s)};
    codec.encode_raw(ref, static_cast<std::uint64_t>(*start), state.shadow.mutable_data());
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

void Actuator::mark_due(std::size_t output) noexcept {
  State& state = states_[output];
  if (state.listed_due) return;
  state.listed_due = true;
  insert_sorted(due_, static_cast<std::uint32_t>(output));
}

void Actuator::mark_dirty(std::uint16_t message) noexcept {
  if (messages_[message].dirty) return;
  messages_[message].dirty = true;
  insert_sorted(dirty_, message);
}

void Actuator::command(std::size_t output, double value, std::string_view rule,
                       const rules::EvalContext& context, can::Timestamp now) noexcept {
  State& state = states_[output];
  const bool same = state.has_command && state.command == value;
  if (same && state.phase != Phase::idle && state.phase != Phase::failed) return;
  state.command = value;
  state.has_command = true;
  state.attempts = 0;
  state.reported_unsent = false;
  state.commanded = now;
  state.rule = rule;
  state.phase = Phase::idle;
  try_send(output, context, now);
}

void Actuator::block(std::size_t output, const rules::EvalContext& context,
                     const rules::Evaluation& evaluation, can::Timestamp now) noexcept {
  State& state = states_[output];
  mark_due(output);
  if (state.phase == Phase::blocked) return;  // reported once per wait
  state.phase = Phase::blocked;
  const Interlock& interlock = interlocks_[static_cast<std::size_t>(specs_[output].interlock)];
  AuditEvent event;
  event.time = now;
  event.kind = AuditKind::blocked;
  event.rule = state.rule;
  event.output = specs_[output].name;
  event.detail = interlock.name;
  event.value = state.command;
  event.has_value = true;
  event.expression = &interlock.condition;
  event.evaluation = evaluation;
  // Capture the deciding operands now: the sink formats after the batch.
  event.explanation = interlock.condition.trace(context);
  audit_.record(event);
}

void Actuator::try_send(std::size_t output, const rules::EvalContext& context,
                        can::Timestamp now) noexcept {
  State& state = states_[output];
  const OutputSpec& spec = specs_[output];
  rules::Evaluation evaluation;
  if (!interlock_holds(output, context, &evaluation)) {
    block(output, context, evaluation, now);
    return;
  }
  if (state.ever_sent && now - state.last_sent < spec.min_interval) {
    state.phase = Phase::deferred;
    state.due = state.last_sent + spec.min_interval;
    mark_due(output);
    return;
  }
  MessageState& message = messages_[state.message];
  const dbc::EncodeStatus status = codec_of(output).encode(
      spec.ref, state.command, message.shadow.mutable_data(), dbc::RangePolicy::clamp);
  if (!written(status)) {
    state.phase = Phase::failed;
    emit(AuditKind::failed, output, now, encode_failure(status), state.attempts);
    return;
  }
  state.in_shadow = true;
  state.phase = Phase::sending;  // settled by flush() from the bus's answer
  if (!state.listed_sending) {
    state.listed_sending = true;
    sending_.push_back(static_cast<std::uint32_t>(output));
  }
  mark_dirty(state.message);
}

can::SendStatus Actuator::transmit(std::uint16_t index, const rules::EvalContext& context,
                                   can::Timestamp now) noexcept {
  const MessageState& message = messages_[index];
  can::Frame frame = message.shadow;
  // Never let this frame repeat a command whose interlock does not hold now.
  for (const std::size_t other : message.outputs) {
    if (!states_[other].in_shadow || interlock_holds(other, context, nullptr)) continue;
    const auto& start = codec_of(other).signal(specs_[other].ref).start_value();
    codec_of(other).encode_raw(specs_[other].ref,
                               start && *start > 0 ? static_cast<std::uint64_t>(*start) : 0U,
                               frame.mutable_data());
  }
  frame.set_time(now);
  return buses_[message.bus]->send(frame);
}

void Actuator::settle_sent(std::size_t output, can::SendStatus status,
                           can::Timestamp now) noexcept {
  State& state = states_[output];
  const OutputSpec& spec = specs_[output];
  MessageState& message = messages_[state.message];
  ++state.attempts;
  state.last_sent = now;
  state.ever_sent = true;
  if (spec.cyclic && message.cycle.count() > 0 && !message.cyclic_active) {
    message.cyclic_active = true;
    message.next_cycle = now + message.cycle;
    insert_sorted(cyclic_, state.message);
  }
  // queued: the bus keeps the frame in its backlog and sends it in order (SocketCanBus
  // retries it and counts a later loss in tx_dropped); the command has left our hands.
  const std::string_view detail = status == can::SendStatus::queued
                                      ? std::string_view("queued by the bus")
                                      : std::string_view();
  emit(state.attempts > 1 ? AuditKind::retry : AuditKind::sent, output, now, detail,
       state.attempts);
  if (spec.feedback_slot == kNoFeedback) {
    state.phase = Phase::confirmed;
    return;
  }
  state.phase = Phase::awaiting;
  state.due = now + spec.confirm_timeout * (1LL << (state.attempts - 1));
  state.best_distance = kNoDistance;
  mark_due(output);
}

void Actuator::settle_refused(std::size_t output, can::Timestamp now) noexcept {
  State& state = states_[output];
  state.phase = Phase::unsent;
  state.due = now + std::max(specs_[output].min_interval, kUnsentRetry);
  mark_due(output);
  if (state.reported_unsent) return;  // once per command, not once per retry
  state.reported_unsent = true;
  emit(AuditKind::unsent, output, now, "the bus refused the frame", state.attempts);
}

void Actuator::settle(const rules::EvalContext& context, can::Timestamp now) noexcept {
  for (const std::uint32_t output : sending_) {
    State& state = states_[output];
    state.listed_sending = false;
    if (state.phase != Phase::sending) continue;
    const can::SendStatus status = messages_[state.message].status;
    if (status == can::SendStatus::dropped) {
      settle_refused(output, now);
    } else {
      settle_sent(output, status, now);
    }
  }
  sending_.clear();
  // An unsent command is in its shadow frame: a frame the bus took for another output of
  // the message (or a cyclic repeat) carried it, unless its interlock neutralised it.
  for (const std::uint16_t m : dirty_) {
    if (messages_[m].status == can::SendStatus::dropped) continue;
    for (const std::size_t output : messages_[m].outputs) {
      if (states_[output].phase != Phase::unsent) continue;
      if (!interlock_holds(output, context, nullptr)) continue;
      settle_sent(output, messages_[m].status, now);
    }
  }
}

FeedbackResult Actuator::on_feedback(std::size_t output, double value,
                                     can::Timestamp now) noexcept {
  State& state = states_[output];
  const OutputSpec& spec = specs_[output];
  FeedbackResult result;
  const double distance = std::fabs(value - state.command);
  const bool matches = state.has_command && distance <= spec.tolerance;
  if (state.phase == Phase::awaiting) {
    if (matches) {
      state.phase = Phase::confirmed;
      result.confirmed = true;
      emit(AuditKind::confirmed, output, now, {}, state.attempts);
    } else if (distance < state.best_distance - spec.tolerance) {
      // Moving toward the command (a seat travelling): restart this attempt's wait. The
      // first value after a send is only the baseline. Each restart needs the feedback a
      // tolerance closer than ever before, so an oscillation cannot hold it off for ever.
      if (state.best_distance != kNoDistance) {
        state.due = now + spec.confirm_timeout * (1LL << (state.attempts - 1));
      }
      state.best_distance = distance;
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
  const dbc::EncodeStatus status = codec_of(output).encode(
      specs_[output].ref, value, messages_[state.message].shadow.mutable_data(),
      dbc::RangePolicy::clamp);
  if (!written(status)) return;  // a decoded feedback value is finite; keep the old command
  state.command = value;
  state.has_command = true;
  state.phase = Phase::confirmed;
  state.in_shadow = true;
}

bool Actuator::cancel(std::size_t output, std::string_view reason, can::Timestamp now) noexcept {
  State& state = states_[output];
  if (state.phase != Phase::blocked && state.phase != Phase::deferred &&
      state.phase != Phase::unsent && state.phase != Phase::awaiting) {
    return false;
  }
  emit(AuditKind::cancelled, output, now, reason);
  state.phase = Phase::idle;
  state.has_command = false;
  return true;
}

void Actuator::expire(std::size_t output, can::Timestamp now) noexcept {
  emit(AuditKind::expired, output, now, "not sent within the output's hold");
  states_[output].phase = Phase::idle;
  states_[output].has_command = false;
}

bool Actuator::hold_expired(std::size_t output, can::Timestamp now) const noexcept {
  const std::chrono::nanoseconds hold = specs_[output].hold;
  return hold != kHoldForever && now - states_[output].commanded >= hold;
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

void Actuator::service_awaiting(std::size_t output, const rules::EvalContext& context,
                                can::Timestamp now) noexcept {
  State& state = states_[output];
  // Feedback that already shows the commanded value (the ECU was there before, so its
  // next frames do not change the signal) confirms as well as a change would.
  if (feedback_shows_command(output, context)) {
    state.phase = Phase::confirmed;
    emit(AuditKind::confirmed, output, now, {}, state.attempts);
    return;
  }
  if (now < state.due) return;
  if (state.attempts >= specs_[output].max_attempts) {
    state.phase = Phase::failed;
    emit(AuditKind::failed, output, now, "feedback never confirmed", state.attempts);
  } else {
    try_send(output, context, now);
  }
}

bool Actuator::service_output(std::size_t output, const rules::EvalContext& context,
                              can::Timestamp now) noexcept {
  State& state = states_[output];
  switch (state.phase) {
    case Phase::blocked:
      if (hold_expired(output, now)) {
        expire(output, now);
      } else if (interlock_holds(output, context, nullptr)) {
        state.phase = Phase::idle;
        try_send(output, context, now);
      }
      break;
    case Phase::unsent:
      if (hold_expired(output, now)) {
        expire(output, now);
      } else if (now >= state.due) {
        try_send(output, context, now);
      }
      break;
    case Phase::deferred:
      if (now >= state.due) try_send(output, context, now);
      break;
    case Phase::awaiting:
      service_awaiting(output, context, now);
      break;
    case Phase::idle:
    case Phase::sending:
    case Phase::confirmed:
    case Phase::failed:
      break;
  }
  return is_due(state.phase);
}

void Actuator::service_cycles(can::Timestamp now) noexcept {
  for (const std::uint16_t m : cyclic_) {
    MessageState& message = messages_[m];
    if (now < message.next_cycle) continue;
    mark_dirty(m);
    while (message.next_cycle <= now)
      message.next_cycle += message.cycle;
  }
}

void Actuator::service(const rules::EvalContext& context, can::Timestamp now) noexcept {
  // Stable compaction: outputs that still have something due keep their (index) order.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < due_.size(); ++i) {
    const std::uint32_t output = due_[i];
    if (service_output(output, context, now)) {
      due_[kept++] = output;
    } else {
      states_[output].listed_due = false;
    }
  }
  due_.resize(kept);
  service_cycles(now);
  flush(context, now);
}

void Actuator::on_bus_up(const rules::EvalContext& context, can::Timestamp now) noexcept {
  for (const std::uint32_t output : due_) {
    if (states_[output].phase == Phase::unsent) states_[output].due = now;
  }
  service(context, now);
}

void Actuator::on_bus_up(std::size_t bus, const rules::EvalContext& context,
                         can::Timestamp now) noexcept {
  for (const std::uint32_t output : due_) {
    if (states_[output].phase == Phase::unsent && specs_[output].bus == bus) {
      states_[output].due = now;
    }
  }
  service(context, now);
}

void Actuator::flush(const rules::EvalContext& context, can::Timestamp now) noexcept {
  if (dirty_.empty()) return;
  for (const std::uint16_t m : dirty_) {
    messages_[m].dirty = false;
    messages_[m].status = transmit(m, context, now);
  }
  settle(context, now);
  dirty_.clear();
}

}  // namespace cabind::engine
