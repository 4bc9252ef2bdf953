// compile(Config) -> Plan: every check of the run-time view of a configuration, in one place.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include "cabind/engine/plan.hpp"
#include "plan_builder.hpp"

namespace cabind::engine {

std::optional<std::uint32_t> Plan::slot(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < signal_count; ++i) {
    if (slot_names[i] == name) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

std::optional<std::size_t> Plan::bus(std::string_view name) const noexcept {
  for (std::size_t b = 0; b < buses.size(); ++b) {
    if (buses[b].name == name) return b;
  }
  return std::nullopt;
}

std::optional<std::size_t> Plan::bus_of_interface(std::string_view name) const noexcept {
  for (std::size_t b = 0; b < buses.size(); ++b) {
    if (buses[b].interface == name) return b;
  }
  return std::nullopt;
}

std::unique_ptr<const Plan> compile(const config::Config& config, diag::Diagnostics& diagnostics) {
  if (config.buses.empty()) {
    diagnostics.error({config.file, 0, 0}, "the configuration has no bus");
    return nullptr;
  }
  auto plan = std::make_unique<Plan>();
  PlanBuilder builder(config, *plan, diagnostics);
  if (!builder.build()) return nullptr;
  return plan;
}

}  // namespace cabind::engine
