#pragma once
// Commands from home (home::HomeAssistant) on the daemon's active engine: a reload swaps
// the engine, never this target. Each command takes the engine's rule path at the
// daemon's engine time (CLOCK_MONOTONIC), then `after` reports what it decided, as after
// a batch. Private to the daemon module. Threading: the io_context's thread.

#include <functional>
#include <string_view>
#include <utility>

#include "cabind/can/frame.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/home/command_target.hpp"

namespace cabind::daemon {

class HomeCommandTarget final : public home::CommandTarget {
 public:
  HomeCommandTarget(std::function<engine::Engine&()> engine, std::function<void()> after)
      : engine_(std::move(engine)), after_(std::move(after)) {}

  [[nodiscard]] bool has_output(std::string_view output) const noexcept override {
    return on_active().has_output(output);
  }

  engine::CommandResult command(std::string_view output, double value) noexcept override {
    const engine::CommandResult result = on_active().command(output, value);
    after_();
    return result;
  }

 private:
  // The shared target, on whichever engine is active now, at CLOCK_MONOTONIC time.
  [[nodiscard]] home::EngineCommandTarget on_active() const {
    return home::EngineCommandTarget(engine_(), can::monotonic_now);
  }

  std::function<engine::Engine&()> engine_;
  std::function<void()> after_;
};

}  // namespace cabind::daemon
