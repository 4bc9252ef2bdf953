#pragma once
// Shared helpers for tests that run on a real vcan interface (inside tools/vcan-vm or
// on a host whose kernel has vcan): run an io_context until a condition holds, run
// can-utils as the peer, and collect what a bus receives.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "cabind/can/bus.hpp"

namespace cabind::testing {

// Runs io until done() or the timeout; returns done().
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  return done();
}

// Runs a shell command (can-utils, ip) and returns its exit status.
inline int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct CollectingSink : can::FrameSink {
  void on_frames(std::span<const can::Frame> frames) noexcept override {
    received.insert(received.end(), frames.begin(), frames.end());
  }
  void on_bus_state(can::BusState state) noexcept override { states.push_back(state); }
  std::vector<can::Frame> received;
  std::vector<can::BusState> states;
};

}  // namespace cabind::testing
