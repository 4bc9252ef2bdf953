#pragma once
// Actuator: output commands -> CAN frames, safely and truthfully.
//
// - Each output's message has a shadow frame, initialised from the DBC start values
//   (GenSigStartValue) and then holding the last value sent of every signal, so encoding
//   one output never zeroes the fields of another function in the same message.
// - Interlocks are checked at every send (first send, retry, cyclic repeat). While the
//   interlock does not hold (unknown counts as not holding) the command waits, phase
//   `blocked`, and is sent when it holds again, unless it has waited longer than the
//   output's `hold` (then it is dropped, audited `expired`). A frame sent for another output
//   of the same message carries the start value in the fields of an interlocked output that
//   does not hold, so no other traffic can repeat a seat command while the vehicle moves.
// - Send status: a command is audited `sent` only when the bus took its frame
//   (SendStatus::sent, or SendStatus::queued: the bus keeps it in its backlog and retries it
//   in order). A frame the bus refused (SendStatus::dropped) leaves its commands `unsent`
//   (audited once): they are retried every max(min_interval, kUnsentRetry) from service(),
//   and at once by on_bus_up(), still subject to their interlock and hold. An output without
//   feedback is `confirmed` only once its frame was taken. A value the codec cannot encode
//   is audited `failed` and nothing is sent for it.
// - A command with a feedback signal is `awaiting` until the feedback matches (within
//   `tolerance`), resent after confirm_timeout, 2x, 4x ... for max_attempts sends in all,
//   then `failed` (reported once). Feedback that moves toward the command (closer than any
//   value seen since the send by more than the tolerance) is progress: it restarts the
//   current wait instead of letting a slow seat be resent while it moves.
// - Rate limit: two sends of the same output are at least min_interval apart; a command
//   arriving sooner is sent when the interval has passed (the latest value wins).
// - Cyclic outputs: once commanded, their message is repeated every DBC cycle.
//
// command() encodes into the shadow frame (phase `sending`); frames leave at flush()
// (service() ends with one), one per message, so outputs commanded together share a frame,
// and the send status settles each command's phase.
//
// Cost: service() and flush() visit only the outputs with something due (blocked,
// deferred, awaiting, unsent), the active cyclic messages and the messages changed since
// the last flush: O(active work), not O(DBC size) nor O(outputs).
//
// Hot path: command(), on_feedback(), service(), flush() and on_bus_up() never allocate
// and never throw (every list is reserved at construction).
// Not thread-safe: one thread (the engine's). The codecs, buses, audit sink and interlocks
// passed to the constructor must outlive the actuator.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "cabind/can/bus.hpp"
#include "cabind/dbc/codec.hpp"
#include "cabind/engine/audit.hpp"
#include "cabind/rules/compiled_expression.hpp"

namespace cabind::engine {

inline constexpr int kNoInterlock = -1;
inline constexpr int kNoFeedback = -1;
// OutputSpec::hold when a blocked command stays wanted until its interlock holds.
inline constexpr std::chrono::nanoseconds kHoldForever = std::chrono::nanoseconds::max();
// Interval between retries of a command the bus refused (min_interval when that is longer).
inline constexpr std::chrono::nanoseconds kUnsentRetry = std::chrono::milliseconds(100);

struct OutputSpec {
  std::string_view name;
  std::uint8_t bus = 0;       // index into the actuator's codecs and buses
  dbc::SignalRef ref;         // in that bus's codec
  std::optional<double> min;  // the configured range, already applied by the engine
  std::optional<double> max;
  int interlock = kNoInterlock;  // index into the interlock list
  int feedback_slot = kNoFeedback;
  double tolerance = 0.0;  // feedback matches when |feedback - command| <= tolerance
  bool cyclic = false;
  std::chrono::nanoseconds cycle{0};
  std::chrono::nanoseconds confirm_timeout{std::chrono::milliseconds(300)};  // first wait
  std::chrono::nanoseconds min_interval{std::chrono::milliseconds(50)};
  int max_attempts = 3;  // sends in all (first send and retries), >= 1
  // How long a command that has not left yet (blocked by its interlock, or refused by the
  // bus) stays wanted, from when it was commanded; then it is dropped (`expired`).
  std::chrono::nanoseconds hold = kHoldForever;
};

struct Interlock {
  std::string_view name;
  rules::CompiledExpression condition;
};

// idle: nothing in progress. sending: encoded, leaves at the next flush(). blocked: waits
// for its interlock. deferred: waits for min_interval. unsent: the bus refused the frame;
// retried. awaiting: sent, waits for feedback. confirmed: sent (no feedback) or confirmed
// by feedback. failed: no confirmation after the last attempt, or not encodable.
enum class Phase : std::uint8_t {
  idle,
  sending,
  blocked,
  deferred,
  unsent,
  awaiting,
  confirmed,
  failed
};
[[nodiscard]] std::string_view to_string(Phase phase) noexcept;

struct FeedbackResult {
  bool confirmed = false;
  bool manual_change = false;  // differs from a settled command: someone else changed it
};

class Actuator {
 public:
  // One bus: every spec's `bus` is 0. Everything referenced must outlive the actuator.
  Actuator(const dbc::Codec& codec, can::Bus& bus, AuditSink& audit,
           std::vector<OutputSpec> outputs, const std::vector<Interlock>& interlocks);
  // Several buses: spec.bus indexes `codecs` and `buses` (same size; the pointers are
  // copied, what they point to must outlive the actuator). Each message's frames go to its
  // own bus, encoded with its own codec. Throws std::invalid_argument on a bad index.
  Actuator(std::span<const dbc::Codec* const> codecs, std::span<can::Bus* const> buses,
           AuditSink& audit, std::vector<OutputSpec> outputs,
           const std::vector<Interlock>& interlocks);

  // Asks for `value` on `output` on behalf of `rule`. A value equal to the command already
  // in progress or confirmed is not sent again.
  void command(std::size_t output, double value, std::string_view rule,
               const rules::EvalContext& context, can::Timestamp now) noexcept;
  // A feedback value of `output` arrived.
  FeedbackResult on_feedback(std::size_t output, double value, can::Timestamp now) noexcept;
  // Adopts a value set by hand as the current command, so cyclic frames do not undo it.
  void adopt(std::size_t output, double value) noexcept;
  // Drops a command that is not settled (blocked, deferred, unsent or awaiting feedback).
  bool cancel(std::size_t output, std::string_view reason, can::Timestamp now) noexcept;
  // Sends what is due at `now`: unblocked commands, deferred commands, unsent commands,
  // retries, cycles; expires held commands; then flushes.
  void service(const rules::EvalContext& context, can::Timestamp now) noexcept;
  // The bus is back: sends the unsent commands now (interlocks still apply), then flushes.
  void on_bus_up(const rules::EvalContext& context, can::Timestamp now) noexcept;
  // As above for the commands of one bus only (the others keep their retry times).
  void on_bus_up(std::size_t bus, const rules::EvalContext& context, can::Timestamp now) noexcept;
  // Sends one frame per message that commands since the last flush changed, so outputs of
  // one message commanded together (latitude and longitude) leave in a single frame.
  void flush(const rules::EvalContext& context, can::Timestamp now) noexcept;

  [[nodiscard]] Phase phase(std::size_t output) const noexcept { return states_[output].phase; }
  [[nodiscard]] std::size_t output_count() const noexcept { return specs_.size(); }
  [[nodiscard]] const OutputSpec& spec(std::size_t output) const noexcept { return specs_[output]; }
  // Outputs with something due and cyclic messages repeating (what service() visits).
  [[nodiscard]] std::size_t due_count() const noexcept { return due_.size(); }
  [[nodiscard]] std::size_t cyclic_count() const noexcept { return cyclic_.size(); }

 private:
  struct State {
    Phase phase = Phase::idle;
    double command = 0.0;
    bool has_command = false;
    bool in_shadow = false;        // the command has been written into the shadow frame
    bool listed_due = false;       // in due_
    bool listed_sending = false;   // in sending_
    bool reported_unsent = false;  // `unsent` audited for this command
    int attempts = 0;              // frames taken by the bus for this command
    std::uint16_t message = 0;     // index into messages_
    can::Timestamp commanded{};    // when the command arrived (hold counts from here)
    can::Timestamp last_sent{};
    bool ever_sent = false;
    can::Timestamp due{};        // deferred/unsent: when to send; awaiting: when to retry
    double best_distance = 0.0;  // awaiting: closest feedback to the command so far
    std::string_view rule;
  };
  struct MessageState {
    can::Frame shadow;
    std::uint8_t bus = 0;
    std::vector<std::size_t> outputs;
    can::Timestamp next_cycle{};
    bool cyclic_active = false;
    bool dirty = false;                              // in dirty_: to be sent by the next flush
    can::SendStatus status = can::SendStatus::sent;  // of the last frame given to the bus
    std::chrono::nanoseconds cycle{0};
  };

  void init_shadow(MessageState& state, std::uint16_t message) const;
  [[nodiscard]] bool feedback_shows_command(std::size_t output,
                                            const rules::EvalContext& context) const noexcept;
  bool interlock_holds(std::size_t output, const rules::EvalContext& context,
                       rules::Evaluation* result) const noexcept;
  void try_send(std::size_t output, const rules::EvalContext& context, can::Timestamp now) noexcept;
  void block(std::size_t output, const rules::EvalContext& context,
             const rules::Evaluation& evaluation, can::Timestamp now) noexcept;
  void expire(std::size_t output, can::Timestamp now) noexcept;
  // Visits one due output; false when it has nothing due any more.
  bool service_output(std::size_t output, const rules::EvalContext& context,
                      can::Timestamp now) noexcept;
  void service_awaiting(std::size_t output, const rules::EvalContext& context,
                        can::Timestamp now) noexcept;
  [[nodiscard]] bool hold_expired(std::size_t output, can::Timestamp now) const noexcept;
  void mark_due(std::size_t output) noexcept;
  void mark_dirty(std::uint16_t message) noexcept;
  void service_cycles(can::Timestamp now) noexcept;
  can::SendStatus transmit(std::uint16_t message, const rules::EvalContext& context,
                           can::Timestamp now) noexcept;
  // After the frames of a flush went to the bus: settles the phase of every output whose
  // command rode in one (in the order they were commanded, so the audit reads as before).
  void settle(const rules::EvalContext& context, can::Timestamp now) noexcept;
  void settle_sent(std::size_t output, can::SendStatus status, can::Timestamp now) noexcept;
  void settle_refused(std::size_t output, can::Timestamp now) noexcept;
  void emit(AuditKind kind, std::size_t output, can::Timestamp now, std::string_view detail = {},
            int attempt = 0) noexcept;

  [[nodiscard]] const dbc::Codec& codec_of(std::size_t output) const noexcept {
    return *codecs_[specs_[output].bus];
  }

  std::vector<const dbc::Codec*> codecs_;  // per bus
  std::vector<can::Bus*> buses_;           // per bus
  AuditSink& audit_;
  std::vector<OutputSpec> specs_;
  const std::vector<Interlock>& interlocks_;
  std::vector<State> states_;
  std::vector<MessageState> messages_;  // one per message some output writes
  std::vector<std::uint32_t> due_;      // outputs with something due, each once
  std::vector<std::uint16_t> cyclic_;   // messages_ repeating, each once
  std::vector<std::uint16_t> dirty_;    // messages_ to send at the next flush, each once
  std::vector<std::uint32_t> sending_;  // outputs encoded since the last flush, in order
};

}  // namespace cabind::engine
