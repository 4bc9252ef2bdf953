#pragma once
// A bridge::MessageHandler for tests that records what a client reports, and run_until(),
// which runs the io_context (where the client posts its callbacks) until a condition holds
// or a bounded time has passed: tests wait for events, never sleep.
//
//   MessageRecorder seen;
//   MqttClient subscriber(io, options, seen);
//   subscriber.subscribe("car/#", 1);
//   subscriber.start();
//   ASSERT_TRUE(run_until(io, [&] { return seen.payloads_on("car/x").size() == 3; }));

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/bridge/transport.hpp"

namespace cabind::testing {

class MessageRecorder final : public bridge::MessageHandler {
 public:
  void on_connected() noexcept override { ++connects; }
  void on_disconnected() noexcept override { ++disconnects; }
  void on_message(const bridge::Message& message) noexcept override { messages.push_back(message); }

  [[nodiscard]] std::vector<std::string> payloads_on(std::string_view topic) const {
    std::vector<std::string> out;
    for (const auto& message : messages)
      if (message.topic == topic) out.push_back(message.payload);
    return out;
  }
  [[nodiscard]] std::string last_on(std::string_view topic) const {
    const auto payloads = payloads_on(topic);
    return payloads.empty() ? std::string() : payloads.back();
  }

  std::vector<bridge::Message> messages;
  int connects = 0;
  int disconnects = 0;
};

// Runs `io` until `done()` is true (checked after each handler and at least every 20 ms,
// for conditions on a client's status()); false when `timeout` passed first.
template <typename Condition>
[[nodiscard]] bool run_until(boost::asio::io_context& io, Condition done,
                             std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
  const auto guard = boost::asio::make_work_guard(io);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(std::min<std::chrono::steady_clock::duration>(deadline - now,
                                                                 std::chrono::milliseconds{20}));
  }
  return true;
}

}  // namespace cabind::testing
