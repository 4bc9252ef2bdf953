#include "cabind/home/command_target.hpp"

#include <algorithm>

namespace cabind::home {

bool EngineCommandTarget::has_output(std::string_view output) const noexcept {
  const auto& outputs = engine_->plan().outputs;
  return std::any_of(outputs.begin(), outputs.end(),
                     [&](const engine::OutputPlan& plan) { return plan.name == output; });
}

engine::CommandResult EngineCommandTarget::command(std::string_view output, double value) noexcept {
  return engine_->command(output, value, clock_());
}

}  // namespace cabind::home
