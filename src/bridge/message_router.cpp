#include "cabind/bridge/message_router.hpp"

namespace cabind::bridge {

void MessageRouter::add(std::string topic_prefix, MessageHandler& handler) {
  routes_.emplace_back(std::move(topic_prefix), &handler);
}

// A handler added under several prefixes hears of the session once.
bool MessageRouter::first_route_of(std::size_t index) const noexcept {
  for (std::size_t i = 0; i < index; ++i)
    if (routes_[i].second == routes_[index].second) return false;
  return true;
}

void MessageRouter::on_connected() noexcept {
  for (std::size_t i = 0; i < routes_.size(); ++i)
    if (first_route_of(i)) routes_[i].second->on_connected();
}

void MessageRouter::on_disconnected() noexcept {
  for (std::size_t i = 0; i < routes_.size(); ++i)
    if (first_route_of(i)) routes_[i].second->on_disconnected();
}

void MessageRouter::on_message(const Message& message) noexcept {
  bool routed = false;
  for (const auto& [prefix, handler] : routes_) {
    if (!message.topic.starts_with(prefix)) continue;
    handler->on_message(message);
    routed = true;
  }
  if (!routed) ++unrouted_;
}

}  // namespace cabind::bridge
