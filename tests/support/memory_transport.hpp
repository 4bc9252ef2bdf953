#pragma once
// An in-memory bridge::Transport: keeps what is published (in order), delivers what a test
// sends from "the broker" only on the topics subscribed to, and goes up and down on
// request. Refuses publishes while down, like a client whose queue is full would be
// counted. Test-only; one thread.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/bridge/transport.hpp"
#include "topic_match.hpp"

namespace cabind::testing {

class MemoryTransport final : public bridge::Transport {
 public:
  void attach(bridge::MessageHandler& handler) { handler_ = &handler; }

  bool publish(bridge::Message message) override {
    if (!connected_) return false;
    published.push_back(std::move(message));
    return true;
  }
  void subscribe(std::string topic_filter, int /*qos*/) override {
    filters.push_back(std::move(topic_filter));
  }
  [[nodiscard]] bool connected() const noexcept override { return connected_; }

  void connect() {
    connected_ = true;
    if (handler_ != nullptr) handler_->on_connected();
  }
  void disconnect() {
    connected_ = false;
    if (handler_ != nullptr) handler_->on_disconnected();
  }
  // A message from the broker; delivered only when a subscription matches. False if not.
  bool deliver(std::string topic, std::string payload) {
    const bool matched = std::any_of(filters.begin(), filters.end(),
                                     [&](const std::string& f) { return topic_matches(f, topic); });
    if (!matched || !connected_ || handler_ == nullptr) return false;
    handler_->on_message(bridge::Message{std::move(topic), std::move(payload), 1, false});
    return true;
  }

  // The messages published on `topic`, oldest first.
  [[nodiscard]] std::vector<bridge::Message> on(std::string_view topic) const {
    std::vector<bridge::Message> found;
    for (const auto& message : published)
      if (message.topic == topic) found.push_back(message);
    return found;
  }
  [[nodiscard]] const bridge::Message* last(std::string_view topic) const {
    for (auto it = published.rbegin(); it != published.rend(); ++it)
      if (it->topic == topic) return &*it;
    return nullptr;
  }

  std::vector<bridge::Message> published;
  std::vector<std::string> filters;

 private:
  bridge::MessageHandler* handler_ = nullptr;
  bool connected_ = false;
};

}  // namespace cabind::testing
