#pragma once
// Plan: one vehicle configuration compiled for the run time. Everything the engine needs,
// checked once, in dense tables indexed by small integers:
//
//   buses    in `buses:` order, each with its own codec, bindings and filters;
//   slots    0 .. signal_count-1 are the semantic signals of `signals:` in file order,
//            then one slot per output feedback signal (one table over every bus);
//   outputs  in `outputs:` order; rules in rules.yaml order; interlocks in file order.
//
//   diag::Diagnostics diagnostics;
//   const std::unique_ptr<const Plan> plan = compile(config, diagnostics);  // nullptr: errors
//   Engine engine(*plan, bus, audit, preferences);
//
// compile() is pure (no I/O, no clock): the daemon compiles a new plan beside the running one
// on reload, `cabind --check` compiles one and stops, replay and tests compile their own.
// A Plan owns every name, codec and compiled expression it holds and refers to nothing of the
// Config it came from, so the Config may be dropped once the plan is built. It is immutable
// and not movable (OutputSpec and Interlock keep views into its own strings); share it by
// const reference. Thread safety: const use from several threads is safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/can/bus.hpp"
#include "cabind/config/config.hpp"
#include "cabind/dbc/codec.hpp"
#include "cabind/diag/diagnostic.hpp"
#include "cabind/engine/actuator.hpp"
#include "cabind/profile/directory.hpp"
#include "cabind/rules/compiled_expression.hpp"
#include "cabind/signal/frame_router.hpp"
#include "cabind/signal/integrity_check.hpp"
#include "cabind/signal/secoc_verifier.hpp"

namespace cabind::engine {

inline constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
inline constexpr std::uint32_t kNoSlot = UINT32_MAX;

enum class ActionKind : std::uint8_t { set, recall, navigate, publish };

struct ActionPlan {
  ActionKind kind = ActionKind::set;
  std::size_t output = kNoIndex;  // set: the output; recall: the seat's recall output
  std::optional<rules::CompiledExpression> value;  // set
  std::optional<std::uint8_t> slot;                // recall: fixed slot, else the profile's
  std::string favourite;  // navigate: name; empty or "default" = by weekday and time
  std::string event;      // publish: the event name
  std::string fields;     // publish: its fields as a JSON object, e.g. {"lights":"on"}
};

enum class TriggerKind : std::uint8_t {
  driver_identified,  // the active driver changed to a driver
  driver_left,        // the active driver left (identity.leave held for its time)
  signal_changed,     // `signal_trigger` changed value or validity
  became_true,        // `edge` went from not-true to true
  after_identified,   // `after` elapsed since the driver changed
};

struct RulePlan {
  std::string name;
  int priority = 0;
  TriggerKind trigger = TriggerKind::driver_identified;
  std::optional<rules::CompiledExpression> when;
  std::optional<rules::CompiledExpression> edge;  // became_true
  std::uint32_t signal_trigger = kNoSlot;         // signal_changed
  std::chrono::nanoseconds after{0};              // after_identified
  std::vector<ActionPlan> actions;
};

// What an output is, from its `role:` in vehicle.yaml (nothing is inferred from names).
struct OutputPlan {
  std::string name;
  bool learn = false;
  bool learn_guest = false;  // the guest profile learns too (off: shared by every stranger)
  std::optional<config::Range> range;
  config::OutputRoleKind role = config::OutputRoleKind::none;
  std::size_t seat = kNoIndex;  // index into Plan::seats for seat roles
};

// A seat (or station) that outputs name in their role.
struct SeatPlan {
  std::string name;                       // e.g. "Row1.DriverSide"
  std::size_t recall = kNoIndex;          // its seat_memory_recall output
  std::vector<std::size_t> positions;     // its seat_position outputs
  std::uint32_t manual_switch = kNoSlot;  // a non-zero value cancels its pending moves
};

// When a SecOC message's failures become an alarm (config::Secoc).
struct SecocAlarm {
  std::uint32_t failures = 10;  // this many within `window`
  std::chrono::nanoseconds window{std::chrono::seconds(10)};
};

// One bus: its DBC compiled once, the slots bound to its messages, its integrity checks, its
// SecOC-authenticated messages and the kernel filters for the messages it reads. Bindings and
// specs index its own codec.
struct BusPlan {
  std::string name;
  std::string interface;
  bool fd = false;
  std::unique_ptr<dbc::Codec> codec;
  std::vector<can::Filter> filters;
  std::vector<signal::Binding> bindings;
  std::vector<signal::IntegritySpec> integrity;
  // Each with its key (the plan holds secret material: it is never printed) and no counter
  // (the engine takes those from its FreshnessStore).
  std::vector<signal::SecocSpec> secoc;
  std::vector<SecocAlarm> secoc_alarms;  // per secoc entry
};

struct Plan {
  Plan() = default;
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  std::string file;  // the vehicle file

  // The buses in `buses:` order (index = the engine's bus index; 0 is the first listed).
  std::vector<BusPlan> buses;

  // Slots.
  std::size_t signal_count = 0;                    // semantic signals; feedback slots follow
  std::vector<std::string> slot_names;             // per slot: semantic name or "<output> feedback"
  std::vector<std::chrono::nanoseconds> timeouts;  // per slot: staleness, 0 = never
  std::vector<std::uint8_t> slot_bus;              // per slot: the bus its signal is read from
  std::vector<int> identity_source;                // per slot: identity source index or -1
  std::vector<int> feedback_output;                // per slot: output index or -1
  // Which rules a slot's change re-evaluates, as a flat CSR table: rules
  // dep_rules[dep_begin[s] .. dep_begin[s+1]) depend on slot s.
  std::vector<std::uint32_t> dep_begin;
  std::vector<std::uint32_t> dep_rules;

  // Outputs, their actuation specs (views into outputs[].name) and the interlocks.
  std::vector<OutputPlan> outputs;
  std::vector<OutputSpec> specs;
  std::vector<std::string> interlock_names;
  std::vector<Interlock> interlocks;  // names view into interlock_names
  std::vector<SeatPlan> seats;
  std::size_t latitude = kNoIndex;   // destination_latitude output
  std::size_t longitude = kNoIndex;  // destination_longitude output

  std::vector<RulePlan> rules;
  std::vector<std::string> profile_paths;  // profile slot -> path after "profile."

  config::Identity identity;
  std::vector<std::chrono::milliseconds> identity_windows;  // per source: presence window
  // Per source: its `when:` condition, compiled (empty: the claim always counts).
  std::vector<std::optional<rules::CompiledExpression>> identity_conditions;
  // identity.leave: the driver has left once `leave_when` has held for `leave_hold`.
  std::optional<rules::CompiledExpression> leave_when;
  std::chrono::nanoseconds leave_hold{0};
  // Per slot: 1 when an identity condition or the leave condition reads it.
  std::vector<std::uint8_t> lifecycle_reader;
  profile::ProfileDirectory profiles;

  [[nodiscard]] std::optional<std::uint32_t> slot(std::string_view name) const noexcept;
  // The index of the bus with this name, or of the bus on this interface.
  [[nodiscard]] std::optional<std::size_t> bus(std::string_view name) const noexcept;
  [[nodiscard]] std::optional<std::size_t> bus_of_interface(
      std::string_view interface) const noexcept;
  [[nodiscard]] std::size_t slot_count() const noexcept { return timeouts.size(); }
};

// Compiles `config`. Returns nullptr after adding every error (file:line:column) to
// `diagnostics`; warnings (for example a command message with signals no output or start
// value accounts for) are added as well and do not stop the compile.
[[nodiscard]] std::unique_ptr<const Plan> compile(const config::Config& config,
                                                  diag::Diagnostics& diagnostics);

}  // namespace cabind::engine
