#pragma once
// PlanBuilder: the steps of compile(), one per part of the configuration, in dependency
// order (buses, signals, outputs, seats, interlocks, rules, identity, integrity, filters). Each
// step adds its errors to the diagnostics and goes on where it can, so one compile reports as many
// errors as possible. Private to the engine module.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cabind/config/config.hpp"
#include "cabind/diag/diagnostic.hpp"
#include "cabind/engine/plan.hpp"
#include "cabind/profile/profile.hpp"
#include "cabind/rules/symbol_table.hpp"

namespace cabind::engine {

// Signals by semantic name (a SymbolTable) plus every known profile field, each profile
// field getting the next free profile slot the first time an expression names it.
class PlanSymbols final : public rules::SymbolResolver {
 public:
  rules::SymbolTable signals;
  mutable std::vector<std::string> profile_paths;  // slot -> path after "profile."
  std::span<const profile::Profile> profiles;      // for the types of custom fields

  [[nodiscard]] std::optional<rules::Symbol> resolve(std::string_view name) const override;
  [[nodiscard]] std::vector<std::string> known_names() const override;
};

class PlanBuilder {
 public:
  PlanBuilder(const config::Config& config, Plan& plan, diag::Diagnostics& diagnostics)
      : config_(config), plan_(plan), diagnostics_(diagnostics) {}

  // Fills the plan; false when an error was reported.
  bool build();

 private:
  // A signal of one bus, found in that bus's codec.
  struct BusSignal {
    std::size_t bus = 0;
    dbc::SignalRef ref;
  };
  struct Bound {
    std::uint32_t slot = 0;
    BusSignal signal;
  };
  void add_buses();
  // The bus a reference names and its signal there; reports an unknown bus or signal.
  std::optional<BusSignal> find(const config::SignalRef& ref);
  std::optional<Bound> bind(const config::SignalRef& ref, std::string name);
  [[nodiscard]] const dbc::Codec& codec(std::size_t bus) const { return *plan_.buses[bus].codec; }
  void add_signals();
  void add_outputs();
  void add_output(const config::Output& output);
  static void apply_timing(const config::Output& output, OutputSpec& spec);
  void add_seats();
  void add_roles();
  void add_interlocks();
  void add_rules();
  void add_rule(const config::Rule& rule);
  std::optional<ActionPlan> action(const config::Rule& rule, const config::Action& action);
  std::optional<ActionPlan> recall(const config::RecallSeat& recall);
  void add_dependencies();
  void add_identity();
  void add_integrity();
  void add_secoc(const config::Secoc& secoc, BusPlan& bus, std::uint16_t message);
  void add_filters();
  void warn_unaccounted_signals();
  std::optional<rules::CompiledExpression> expression(const config::Expression& expression,
                                                      rules::ValueType type);
  [[nodiscard]] bool failed() const { return diagnostics_.error_count() != errors_before_; }

  const config::Config& config_;
  Plan& plan_;
  diag::Diagnostics& diagnostics_;
  std::size_t errors_before_ = diagnostics_.error_count();
  PlanSymbols symbols_;
};

}  // namespace cabind::engine
