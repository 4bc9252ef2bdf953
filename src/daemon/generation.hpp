#pragma once
// One loaded configuration and everything compiled from it. The daemon holds one at a
// time; a reload builds the next beside it and swaps. Private to the daemon module.
// Not movable once built: the engine keeps references into `config`.

#include <memory>

#include "cabind/config/config.hpp"
#include "cabind/daemon/service.hpp"
#include "cabind/dbc/codec.hpp"
#include "cabind/engine/engine.hpp"

namespace cabind::daemon {

struct Service::Generation {
  config::Config config;
  std::unique_ptr<dbc::Codec> codec;  // the daemon's own, for `identify`
  std::unique_ptr<engine::Engine> engine;
};

}  // namespace cabind::daemon
