#include "cabind/bridge/message_router.hpp"

namespace cabind::bridge {

void MessageRouter::add(std::string topic_prefix, MessageHandler& handler) {
  routes_.emplace_back(std::move(topic_prefix), &handler);
}

void MessageRouter::on_connected() noexcept {
  for (const auto& route : routes_)
    route.second->on_connected();
}

void MessageRouter::on_disconnected() noexcept {
  for (const auto& route : routes_)
    route.second->on_disconnected();
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
