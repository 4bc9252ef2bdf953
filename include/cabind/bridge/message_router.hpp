#pragma once
// Fans out what one MQTT client reports to the parts built on it (the profile sync, Home
// Assistant): the client has one MessageHandler, the daemon several.
//
//   MessageRouter router;
//   MqttClient client(io, options, router);
//   router.add("$aws/things/car-42/shadow/", sync);
//   router.add("homeassistant/", home);
//   // "$aws/things/car-42/shadow/name/alice/get/accepted" -> sync only
//   // on_connected(), on_disconnected() -> every handler once, in the order added (a
//   // handler added under two prefixes, as Home Assistant is, hears of it once)
//
// A message goes to every handler whose prefix starts its topic (an empty prefix takes
// every message); one no handler takes is counted. Pure logic, no I/O.
// Threading: the client's (the daemon's io_context thread). The handlers must outlive it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cabind/bridge/transport.hpp"

namespace cabind::bridge {

class MessageRouter final : public MessageHandler {
 public:
  void add(std::string topic_prefix, MessageHandler& handler);

  void on_connected() noexcept override;
  void on_disconnected() noexcept override;
  void on_message(const Message& message) noexcept override;

  // Messages that matched no prefix.
  [[nodiscard]] std::uint64_t unrouted() const noexcept { return unrouted_; }

 private:
  [[nodiscard]] bool first_route_of(std::size_t index) const noexcept;

  std::vector<std::pair<std::string, MessageHandler*>> routes_;
  std::uint64_t unrouted_ = 0;
};

}  // namespace cabind::bridge
