#pragma once
// An in-memory Transport that carries what the sync publishes to the FakeShadowService
// and the service's answers back, only on the topics subscribed to (MQTT `+` and `#`).
// deliver() runs until both sides are quiet. Test-only; one thread.

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/bridge/transport.hpp"
#include "fake_shadow_service.hpp"
#include "topic_match.hpp"

namespace cabind::testing {

class ShadowLink final : public bridge::Transport {
 public:
  explicit ShadowLink(FakeShadowService& service) : service_(service) {}
  void attach(bridge::MessageHandler& handler) { handler_ = &handler; }

  bool publish(bridge::Message message) override {
    if (!connected_) return false;
    published.push_back(message);
    to_service_.push_back(std::move(message));
    return true;
  }
  void subscribe(std::string topic_filter, int /*qos*/) override {
    filters_.push_back(std::move(topic_filter));
  }
  [[nodiscard]] bool connected() const noexcept override { return connected_; }

  void connect() {
    connected_ = true;
    handler_->on_connected();
    deliver();
  }
  // Connects, lets what the device sends then reach the service, and loses the answers
  // with the connection (the service applied it; the device never heard).
  void connect_and_lose_answers() {
    connected_ = true;
    handler_->on_connected();
    deliver_to_service_only();
    disconnect();
  }
  void disconnect() {
    connected_ = false;
    to_service_.clear();
    to_device_.clear();
    handler_->on_disconnected();
  }
  // Messages from the cloud side (e.g. FakeShadowService::cloud_update's answers).
  void from_cloud(std::vector<bridge::Message> messages) {
    for (auto& message : messages)
      to_device_.push_back(std::move(message));
    deliver();
  }
  // Runs the exchange until nothing is left to carry.
  void deliver() {
    while (!to_service_.empty() || !to_device_.empty()) {
      while (!to_service_.empty()) {
        const bridge::Message request = std::move(to_service_.front());
        to_service_.pop_front();
        for (auto& answer : service_.answer(request))
          to_device_.push_back(std::move(answer));
      }
      if (!to_device_.empty()) {
        const bridge::Message message = std::move(to_device_.front());
        to_device_.pop_front();
        if (connected_ && subscribed(message.topic)) handler_->on_message(message);
      }
    }
  }

  std::vector<bridge::Message> published;

 private:
  void deliver_to_service_only() {
    while (!to_service_.empty()) {
      const bridge::Message request = std::move(to_service_.front());
      to_service_.pop_front();
      for (auto& answer : service_.answer(request))
        to_device_.push_back(std::move(answer));
    }
  }

  [[nodiscard]] bool subscribed(std::string_view topic) const {
    for (const auto& filter : filters_)
      if (topic_matches(filter, topic)) return true;
    return false;
  }

  FakeShadowService& service_;
  bridge::MessageHandler* handler_ = nullptr;
  bool connected_ = false;
  std::vector<std::string> filters_;
  std::deque<bridge::Message> to_service_;
  std::deque<bridge::Message> to_device_;
};

}  // namespace cabind::testing
