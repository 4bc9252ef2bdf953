#pragma once
// The engine's single event stream: every decision with its rule, inputs and reason.
// The replay prints it; the daemon's control socket and future bridges (MQTT, KUKSA)
// subscribe to it through an AuditSink.
//
// An AuditEvent holds views only (names owned by the Config and the Engine, valid for the
// engine's lifetime) so that emitting one allocates nothing; a sink that keeps events
// must copy what it needs. format_audit() renders one line, e.g.
//   "3.200 blocked rule=recall_seat_when_parked output=Vehicle.Cabin.Seat.Row1.DriverSide.
//    MemoryRecall value=1: by interlock seat_motion: Vehicle.Speed=50 km/h (needs == 0)"
// Input values in a reason are those captured when the event was recorded (`explanation`),
// not re-read when it is formatted: the daemon formats after the batch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cabind/can/frame.hpp"
#include "cabind/rules/compiled_expression.hpp"

namespace cabind::engine {

enum class AuditKind : std::uint8_t {
  driver_changed,  // detail: the reason; value: the identifier code
  rule_fired,      // a rule's trigger and condition held
  rule_skipped,    // the trigger fired but the condition was false or unknown
  value_unknown,   // an action's value could not be computed; the action is dropped
  overridden,      // a higher-priority rule set the same output in the same pass
  clamped,         // the value was outside the output's range
  sent,            // the bus took a command frame (detail "queued by the bus" when backlogged)
  blocked,         // an interlock does not hold; the command waits
  confirmed,       // the feedback signal matches the command
  retry,           // no confirmation in time; sent again
  failed,          // no confirmation after the last retry
  learned,         // a manual change became the driver's preference
  cancelled,       // a pending command was dropped (e.g. manual seat switch)
  driver_left,     // identity.leave held: no driver is active; output: the profile id
  unsent,          // the bus refused the frame; the command stays pending and is retried
  expired,         // a command blocked or unsent for longer than its output's hold, dropped
  unauthentic,     // SecOC refused frames of a message (at most one per second per message);
                   // value: the message's failures so far; detail: the message
  secoc_alarm,     // a message's SecOC failures reached its alarm threshold in its window
  published,       // a rule's `publish` action: detail = the event name, payload = its
                   // fields as a JSON object (rendered at load time), output = the driver
};
// One past the last AuditKind, for tables indexed by kind.
inline constexpr std::size_t audit_kind_count = static_cast<std::size_t>(AuditKind::published) + 1;

[[nodiscard]] std::string_view to_string(AuditKind kind) noexcept;

struct AuditEvent {
  can::Timestamp time{};
  AuditKind kind = AuditKind::rule_fired;
  std::string_view rule;    // empty when no rule is involved
  std::string_view output;  // empty when no output is involved
  std::string_view detail;  // free text: driver id, interlock name, reason
  double value = 0.0;
  bool has_value = false;
  int attempt = 0;  // retry/failed: the attempt number
  // When set, format_audit renders the reason from the expression: from `explanation` when
  // it was traced (`explanation = expression->trace(context)` when recording: the operand
  // that decided and its value), else from `evaluation` (unknown: "X stale"; otherwise the
  // whole text quoted). The expression outlives the event (owned by the engine).
  const rules::CompiledExpression* expression = nullptr;
  rules::Evaluation evaluation;
  rules::Explanation explanation;
  std::string_view payload;  // published: the event's fields, a JSON object (plan-owned)
};

class AuditSink {
 public:
  AuditSink() = default;
  AuditSink(const AuditSink&) = delete;
  AuditSink& operator=(const AuditSink&) = delete;
  virtual ~AuditSink() = default;
  // Called on the engine's thread; must not throw. Views die after the call returns.
  virtual void record(const AuditEvent& event) noexcept = 0;
};

// One line, no trailing newline: "<seconds.millis> <fields>". Allocates: for sinks, not
// for the engine.
[[nodiscard]] std::string format_audit(const AuditEvent& event);
// The line without its time, for a sink that prints the time its own way (replay's
// `--time local`): "blocked rule=... output=... value=1: by interlock ...".
[[nodiscard]] std::string format_audit_fields(const AuditEvent& event);

}  // namespace cabind::engine
