#pragma once
// One loaded configuration and everything compiled from it. The daemon holds one at a
// time; a reload builds the next beside it and swaps. Private to the daemon module.
// Not movable once built: the engine keeps references into `plan`.

#include <memory>

#include "cabind/config/config.hpp"
#include "cabind/daemon/service.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/engine/plan.hpp"

namespace cabind::daemon {

struct Service::Generation {
  config::Config config;                     // for the control socket's views of the files
  std::unique_ptr<const engine::Plan> plan;  // compiled once; its codec serves `identify`
  std::unique_ptr<engine::Engine> engine;
};

}  // namespace cabind::daemon
