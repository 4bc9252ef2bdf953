#pragma once
// Actuator: output commands -> CAN frames, safely.
//
// - Each output's message has a shadow frame, initialised from the DBC start values
//   (GenSigStartValue) and then holding the last value sent of every signal, so encoding
//   one output never zeroes the fields of another function in the same message.
// - Interlocks are checked at every send (first send, retry, cyclic repeat). While the
//   interlock does not hold (unknown counts as not holding) the command waits, phase
//   `blocked`, and is sent when it holds again. A frame sent for another output of the same
//   message carries the start value in the fields of an interlocked output that does not
//   hold, so no other traffic can repeat a seat command while the vehicle moves.
// - A command with a feedback signal is `awaiting` until the feedback matches (within half
//   a feedback resolution step), resent after confirm_timeout, 2x, 4x ... for max_attempts
//   sends in all, then `failed` (reported once).
// - Rate limit: two sends of the same output are at least min_interval apart; a command
//   arriving sooner is sent when the interval has passed (the latest value wins).
// - Cyclic outputs: once commanded, their message is repeated every DBC cycle.
//
// command() encodes into the shadow frame; frames leave at flush() (service() ends with one),
// one per message, so outputs commanded together share a frame.
//
// Hot path: command(), on_feedback(), service() and flush() never allocate and never throw.

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

struct OutputSpec {
  std::string_view name;
  dbc::SignalRef ref;
  std::optional<double> min;  // the configured range, already applied by the engine
  std::optional<double> max;
  int interlock = kNoInterlock;  // index into the interlock list
  int feedback_slot = kNoFeedback;
  double tolerance = 0.0;  // feedback matches when |feedback - command| <= tolerance
  bool cyclic = false;
  std::chrono::nanoseconds cycle{0};
  std::chrono::nanoseconds confirm_timeout{std::chrono::milliseconds(300)};
  std::chrono::nanoseconds min_interval{std::chrono::milliseconds(50)};
  int max_attempts = 3;
};

struct Interlock {
  std::string_view name;
  rules::CompiledExpression condition;
};

enum class Phase : std::uint8_t { idle, blocked, deferred, awaiting, confirmed, failed };

struct FeedbackResult {
  bool confirmed = false;
  bool manual_change = false;  // differs from a settled command: someone else changed it
};

class Actuator {
 public:
  // Everything referenced must outlive the actuator.
  Actuator(const dbc::Codec& codec, can::Bus& bus, AuditSink& audit,
           std::vector<OutputSpec> outputs, const std::vector<Interlock>& interlocks);

  // Asks for `value` on `output` on behalf of `rule`. A value equal to the command already
  // in progress or confirmed is not sent again.
  void command(std::size_t output, double value, std::string_view rule,
               const rules::EvalContext& context, can::Timestamp now) noexcept;
  // A feedback value of `output` arrived.
  FeedbackResult on_feedback(std::size_t output, double value, can::Timestamp now) noexcept;
  // Adopts a value set by hand as the current command, so cyclic frames do not undo it.
  void adopt(std::size_t output, double value) noexcept;
  // Drops a command that is not settled (blocked, deferred or awaiting feedback).
  bool cancel(std::size_t output, std::string_view reason, can::Timestamp now) noexcept;
  // Sends what is due at `now`: unblocked commands, deferred commands, retries, cycles;
  // then flushes.
  void service(const rules::EvalContext& context, can::Timestamp now) noexcept;
  // Sends one frame per message that commands since the last flush changed, so outputs of
  // one message commanded together (latitude and longitude) leave in a single frame.
  void flush(const rules::EvalContext& context, can::Timestamp now) noexcept;

  [[nodiscard]] Phase phase(std::size_t output) const noexcept { return states_[output].phase; }
  [[nodiscard]] std::size_t output_count() const noexcept { return specs_.size(); }
  [[nodiscard]] const OutputSpec& spec(std::size_t output) const noexcept { return specs_[output]; }

 private:
  struct State {
    Phase phase = Phase::idle;
    double command = 0.0;
    bool has_command = false;
    bool in_shadow = false;  // the command has been written into the shadow frame
    int attempts = 0;
    can::Timestamp last_sent{};
    bool ever_sent = false;
    can::Timestamp due{};  // deferred: when to send; awaiting: when to retry
    std::string_view rule;
  };
  struct MessageState {
    can::Frame shadow;
    std::vector<std::size_t> outputs;
    can::Timestamp next_cycle{};
    bool cyclic_active = false;
    bool dirty = false;  // to be sent by the next flush
    std::chrono::nanoseconds cycle{0};
  };

  // The output's feedback signal is valid now and equals the command.
  [[nodiscard]] bool feedback_shows_command(std::size_t output,
                                            const rules::EvalContext& context) const noexcept;
  bool interlock_holds(std::size_t output, const rules::EvalContext& context,
                       rules::Evaluation* result) const noexcept;
  void try_send(std::size_t output, const rules::EvalContext& context, can::Timestamp now) noexcept;
  void transmit(std::uint16_t message, const rules::EvalContext& context,
                can::Timestamp now) noexcept;
  void emit(AuditKind kind, std::size_t output, can::Timestamp now, std::string_view detail = {},
            int attempt = 0) noexcept;

  const dbc::Codec& codec_;
  can::Bus& bus_;
  AuditSink& audit_;
  std::vector<OutputSpec> specs_;
  const std::vector<Interlock>& interlocks_;
  std::vector<State> states_;
  std::vector<MessageState> messages_;  // indexed by the codec's message index
  bool any_dirty_ = false;
};

}  // namespace cabind::engine
