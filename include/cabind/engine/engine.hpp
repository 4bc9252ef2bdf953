#pragma once
// Engine: decoded signals -> driver identity -> rule decisions -> actuation, with the
// safety interlocks in between. One engine drives one vehicle configuration on all of its
// buses: frames come in tagged with their bus, outputs leave on theirs.
//
// Semantics (see docs/engine.md):
// - Triggers: `driver_identified` rules run when the driver changes; `signal` rules when
//   that signal's value or validity changes; `became_true` rules on the false -> true edge
//   of their condition (unknown counts as false), re-evaluated only when one of the
//   condition's signals changes; `after` rules once, the delay after the driver changed.
// - A rule's `when` is evaluated when the trigger fires; unknown = the rule does not fire.
// - All rules fired by one event form a pass. Within a pass, the highest-priority rule
//   setting an output wins (equal priorities: the earlier rule in rules.yaml).
// - Set values are clamped to the output's configured range.
// - A learnable output whose feedback changes while a driver is active and not because of
//   our command queues that value in learned() (a preallocated ring: the frame path never
//   calls the store); store_learned(), called off the frame path after each batch and
//   tick, moves it into the PreferenceStore as the driver's preference. The driver's later
//   `driver_identified` settings of that output use the stored preference.
// - SecOC: a frame of an authenticated message that fails verification changes nothing; it
//   is counted per message and reported through the AuditSink as `unauthentic` at most once
//   per second per message, and as `secoc_alarm` when the message's failures reach its
//   threshold in its window (authentication_monitor.hpp). The counters of accepted frames
//   come from the FreshnessStore when the engine is built and go back to it in
//   store_freshness(), off the frame path.
// - Time: frames carry their time; advance(now) runs staleness, timers and actuation
//   deadlines. local_time() feeds `hour` and `weekday`.
//
// Hot path: on_frame() and advance() neither allocate nor throw.
// Not thread-safe: call it from one thread (the bus's).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "cabind/can/bus.hpp"
#include "cabind/engine/actuator.hpp"
#include "cabind/engine/audit.hpp"
#include "cabind/engine/authentication_monitor.hpp"
#include "cabind/engine/freshness_store.hpp"
#include "cabind/engine/identity_resolver.hpp"
#include "cabind/engine/learned_ring.hpp"
#include "cabind/engine/plan.hpp"
#include "cabind/engine/preference_store.hpp"
#include "cabind/rules/compiled_expression.hpp"
#include "cabind/signal/frame_router.hpp"
#include "cabind/signal/signal_table.hpp"

namespace cabind::engine {

// The name a command from home goes by in the audit (where a rule's name would be).
inline constexpr std::string_view kCommandFromHome = "command from home";

enum class CommandOutcome : std::uint8_t {
  accepted,        // committed like a rule's set (clamped to the range; sent, or already so)
  unknown_output,  // no output has that name
  invalid_value,   // not a finite number
  blocked,         // its interlock does not hold now; nothing was sent or kept
};

struct CommandResult {
  CommandOutcome outcome = CommandOutcome::accepted;
  std::string_view reason;  // blocked: the interlock's name; accepted: "" or the clamp
  double value = 0.0;       // the value commanded, after the range clamp
};

struct LocalTime {
  int hour = -1;     // 0..23, -1 = unknown
  int minute = 0;    // 0..59
  int weekday = -1;  // ISO 8601: 1 = Monday .. 7 = Sunday, -1 = unknown
};

class Engine {
 public:
  // The run-time state of one compiled plan. `plan`, the buses, `audit`, `preferences` and
  // `freshness` must outlive the engine; nothing of the Config is used. Allocates only here.
  // `buses[b]` carries plan.buses[b] (the pointers are copied); throws std::invalid_argument
  // when the counts differ. The one-bus form is for plans with a single bus. Without a
  // freshness store, SecOC counters start from nothing and are not kept. Throws
  // std::runtime_error when OpenSSL has no CMAC (a plan with SecOC only).
  Engine(const Plan& plan, std::span<can::Bus* const> buses, AuditSink& audit,
         PreferenceStore& preferences, FreshnessStore* freshness = nullptr);
  Engine(const Plan& plan, can::Bus& bus, AuditSink& audit, PreferenceStore& preferences,
         FreshnessStore* freshness = nullptr);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  ~Engine();

  // A batch of received frames in arrival order; each frame's time() is "now" (monotonic)
  // when it is applied. Every frame's changes re-evaluate the rules that read them; then,
  // once for the batch, advance(): timers, one commit pass and actuation, so what a batch
  // decides leaves in one frame per message, with the interlocks judged on the batch's
  // latest values.
  // Frames read from bus `bus` (an index into plan().buses): decoded with that bus's codec
  // only, so the same id on two buses is two messages. An index out of range is ignored.
  void on_frames(std::size_t bus, std::span<const can::Frame> frames) noexcept;
  // on_frames() of the first bus.
  void on_frames(std::span<const can::Frame> frames) noexcept { on_frames(0, frames); }
  // on_frames() of one frame.
  void on_frame(std::size_t bus, const can::Frame& frame) noexcept;
  void on_frame(const can::Frame& frame) noexcept { on_frame(0, frame); }
  // Moves time forward: staleness, debounced identity, timers, retries and cyclic frames.
  void advance(can::Timestamp now) noexcept;
  void set_local_time(LocalTime time) noexcept { local_time_ = time; }
  // The bus came back up: commands it refused meanwhile are sent now (interlocks apply).
  void on_bus_up() noexcept;
  void on_bus_up(std::size_t bus) noexcept;
  // The bus went down or away: every signal read from it is invalid now (not only once its
  // timeout passes), so the interlocks and rules that read one see it unknown; the signals
  // of the other buses are untouched.
  void on_bus_down(std::size_t bus) noexcept;
  // A command from outside the car (a home automation, through the bridge's allow-list):
  // advance(now), then the output is set as a rule's `set` action would be, alone in its
  // pass: clamped to its range, its interlock judged at the send. A blocked command is
  // cancelled (audited `blocked`, then `cancelled`) and refused, not kept for later.
  // Audited with rule = kCommandFromHome. Off the frame path (between batches); does not
  // allocate or throw.
  CommandResult command(std::string_view output, double value, can::Timestamp now) noexcept;
  // Selects the profile with this id as the active driver without firing any rule (the
  // daemon keeps the driver across a reload). False when no profile has that id.
  bool restore_driver(std::string_view profile_id) noexcept;

  [[nodiscard]] const Plan& plan() const noexcept { return plan_; }
  [[nodiscard]] const profile::Profile* driver() const noexcept;
  [[nodiscard]] const signal::SignalTable& signals() const noexcept { return table_; }
  // The slot of a semantic signal name, for tests and tools. Allocation-free.
  [[nodiscard]] std::optional<std::uint32_t> slot(std::string_view name) const noexcept {
    return plan_.slot(name);
  }
  [[nodiscard]] const Actuator& actuator() const noexcept { return actuator_; }
  // For views off the frame path (web::LiveView): who claims, what each bus's messages
  // last carried, the engine's latest time, and the context its expressions read (valid
  // until the next on_frames/advance).
  [[nodiscard]] const IdentityResolver& identity() const noexcept { return identity_; }
  [[nodiscard]] const signal::FrameRouter& router(std::size_t bus) const noexcept {
    return routers_[bus];
  }
  [[nodiscard]] can::Timestamp now() const noexcept { return now_; }
  [[nodiscard]] rules::EvalContext context() const noexcept;
  // Frames whose configured counter or checksum check failed, since the engine was built.
  [[nodiscard]] std::uint64_t integrity_failures() const noexcept;
  // Frames the engine was given per bus since it was built (index = plan().buses).
  [[nodiscard]] std::uint64_t frames_seen(std::size_t bus) const noexcept {
    return bus < frames_seen_.size() ? frames_seen_[bus] : 0;
  }
  // Frames refused by SecOC verification on any bus, since the engine was built.
  [[nodiscard]] std::uint64_t unauthentic_frames() const noexcept;
  // Per SecOC message of bus `bus` (BusPlan::secoc order): its verifier and its failure
  // monitor. Empty for a bus index out of range.
  [[nodiscard]] std::span<const signal::SecocVerifier> secoc(std::size_t bus) const noexcept;
  [[nodiscard]] std::span<const AuthenticationMonitor> secoc_monitors(
      std::size_t bus) const noexcept;
  // Off the frame path only (after a batch): hands every SecOC counter that moved since the
  // last call to the FreshnessStore; returns how many. The store's exceptions propagate.
  std::size_t store_freshness();
  // Whether the named interlock holds now (unknown = false).
  [[nodiscard]] bool interlock_holds(std::string_view name) const noexcept;

  // What the frame path learned and has not been stored yet (views into the plan).
  [[nodiscard]] LearnedRing& learned() noexcept { return learned_; }
  [[nodiscard]] const LearnedRing& learned() const noexcept { return learned_; }
  // Off the frame path only (after a batch, after advance()): moves the learned values
  // into the preference store, oldest first, and returns how many. Allocates; the store's
  // exceptions propagate (the value that failed is dropped, the rest stay queued).
  std::size_t store_learned() {
    return learned_.drain([this](const LearnedValue& learned) {
      preferences_.learn(learned.profile_id, learned.output, learned.value);
    });
  }
  // Learned values queued per batch before the ring overflows (counted in learned()).
  static constexpr std::size_t learned_capacity = 64;

 private:
  struct RuleState {
    bool edge_state = false;  // became_true: the condition's last value
    bool timer_armed = false;
    can::Timestamp timer_due{};
  };
  struct PendingSet {
    bool set = false;
    int priority = 0;
    double value = 0.0;
    std::size_t rule = kNoIndex;
  };

  void apply(std::size_t bus, const can::Frame& frame) noexcept;
  void watch_secoc(std::size_t bus);
  void on_unauthentic(std::size_t bus, std::uint16_t secoc, can::Timestamp now) noexcept;
  void handle_changes(std::span<const std::uint32_t> slots, can::Timestamp now) noexcept;
  void on_feedback(std::size_t output, double value, can::Timestamp now) noexcept;
  void on_manual_switch(const SeatPlan& seat, can::Timestamp now) noexcept;
  void on_driver_change(const DriverChange& change, can::Timestamp now) noexcept;
  void update_lifecycle(can::Timestamp now) noexcept;
  void update_leave(can::Timestamp now) noexcept;
  void on_driver_left(can::Timestamp now) noexcept;
  void run_timers(can::Timestamp now) noexcept;
  void load_profile_values(const profile::Profile& driver) noexcept;
  void run_rule(std::size_t rule, can::Timestamp now) noexcept;
  void run_action(std::size_t rule, const ActionPlan& action, const rules::EvalContext& context,
                  can::Timestamp now) noexcept;
  void navigate(std::size_t rule, const ActionPlan& action, can::Timestamp now) noexcept;
  void propose(std::size_t rule, std::size_t output, double value, can::Timestamp now) noexcept;
  void propose_as(std::size_t rule, int priority, std::size_t output, double value,
                  can::Timestamp now) noexcept;
  [[nodiscard]] std::string_view rule_name(std::size_t rule) const noexcept;
  [[nodiscard]] std::optional<std::size_t> output_index(std::string_view name) const noexcept;
  void report_unknown(std::size_t rule, std::size_t output, std::string_view detail,
                      can::Timestamp now) noexcept;
  void commit(can::Timestamp now) noexcept;
  void commit_output(std::size_t output, const rules::EvalContext& context,
                     can::Timestamp now) noexcept;

  const Plan& plan_;
  AuditSink& audit_;
  PreferenceStore& preferences_;
  FreshnessStore* freshness_;
  signal::SignalTable table_;
  std::vector<signal::FrameRouter> routers_;  // per bus
  std::vector<std::uint64_t> frames_seen_;    // per bus
  IdentityResolver identity_;
  Actuator actuator_;
  std::vector<RuleState> rule_states_;
  std::vector<double> profile_values_;
  std::vector<std::uint8_t> profile_validity_;
  std::vector<PendingSet> pending_;           // per output, for the current pass
  std::vector<std::uint64_t> pending_words_;  // bit o % 64 of word o / 64: pending_[o].set
  can::Timestamp next_timer_due_ = can::Timestamp::max();  // earliest armed `after` timer
  LocalTime local_time_;
  can::Timestamp now_{};
  bool leave_armed_ = false;              // identity.leave holds while a driver is active, since...
  can::Timestamp leave_due_{};            // ...leave_due_ - leave_hold
  std::vector<std::uint32_t> scratch_;    // changed slots, sized at construction
  std::vector<std::uint32_t> presented_;  // identity slots a frame presented
  LearnedRing learned_{learned_capacity};
  // Per SecOC message of every bus, bus by bus: bus b's are [secoc_begin_[b], secoc_begin_[b+1]).
  std::vector<std::size_t> secoc_begin_;
  std::vector<AuthenticationMonitor> monitors_;
  std::vector<std::string> secoc_report_details_;  // for its events
  std::vector<std::string> secoc_alarm_details_;
  std::vector<std::optional<std::uint64_t>> stored_;  // per SecOC message: counter last stored
};

}  // namespace cabind::engine
