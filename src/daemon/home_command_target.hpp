#pragma once
// Commands from home (home::HomeAssistant) on the daemon's active engine: a reload swaps
// the engine, never this target. Each command takes the engine's rule path at the
// daemon's engine time (CLOCK_MONOTONIC), then `after` reports what it decided, as after
// a batch. Private to the daemon module. Threading: the io_context's thread.

#include <chrono>
#include <functional>
#include <string_view>
#include <utility>

#include "cabind/engine/engine.hpp"
#include "cabind/home/command_target.hpp"

namespace cabind::daemon {

class HomeCommandTarget final : public home::CommandTarget {
 public:
  HomeCommandTarget(std::function<engine::Engine&()> engine, std::function<void()> after)
      : engine_(std::move(engine)), after_(std::move(after)) {}

  [[nodiscard]] bool has_output(std::string_view output) const noexcept override {
    return home::EngineCommandTarget(engine_(), {}).has_output(output);
  }

  engine::CommandResult command(std::string_view output, double value) noexcept override {
    const auto now = can::Timestamp(std::chrono::steady_clock::now().time_since_epoch());
    const engine::CommandResult result = engine_().command(output, value, now);
    after_();
    return result;
  }

 private:
  std::function<engine::Engine&()> engine_;
  std::function<void()> after_;
};

}  // namespace cabind::daemon
