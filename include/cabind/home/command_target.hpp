#pragma once
// Where home::HomeAssistant sends a command from home once it passed the allow-list: the
// engine, through the rule path (Engine::command), so no range or interlock is bypassed.
// The daemon implements it over its active engine (a reload swaps the engine, not the
// target); EngineCommandTarget does so for one engine and a clock.

#include <functional>
#include <string_view>
#include <utility>

#include "cabind/can/frame.hpp"
#include "cabind/engine/engine.hpp"

namespace cabind::home {

class CommandTarget {
 public:
  CommandTarget() = default;
  CommandTarget(const CommandTarget&) = delete;
  CommandTarget& operator=(const CommandTarget&) = delete;
  virtual ~CommandTarget() = default;
  [[nodiscard]] virtual bool has_output(std::string_view output) const noexcept = 0;
  virtual engine::CommandResult command(std::string_view output, double value) noexcept = 0;
};

// One engine, its time from `clock` (the daemon's monotonic engine clock, a test's
// virtual one). The engine must outlive the target.
class EngineCommandTarget final : public CommandTarget {
 public:
  EngineCommandTarget(engine::Engine& engine, std::function<can::Timestamp()> clock)
      : engine_(&engine), clock_(std::move(clock)) {}
  [[nodiscard]] bool has_output(std::string_view output) const noexcept override;
  engine::CommandResult command(std::string_view output, double value) noexcept override;

 private:
  engine::Engine* engine_;
  std::function<can::Timestamp()> clock_;
};

}  // namespace cabind::home
