#pragma once
// FakeShadowService on a real broker: an MqttClient of its own subscribed to the device
// side of a thing's named shadows ($aws/things/<thing>/shadow/name/+/get, /update,
// /delete) that publishes the service's answers, as AWS IoT would. cloud() publishes what
// a change made in the cloud makes the service say (FakeShadowService::cloud_update's
// answers). Test-only; everything on the io_context thread.

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "cabind/bridge/mqtt_client.hpp"
#include "fake_shadow_service.hpp"

namespace cabind::testing {

class BrokerShadowService final : public bridge::MessageHandler {
 public:
  BrokerShadowService(boost::asio::io_context& io, bridge::MqttOptions options,
                      FakeShadowService& service, const std::string& thing)
      : service_(service), client_(io, std::move(options), *this) {
    const std::string prefix = "$aws/things/" + thing + "/shadow/name/+/";
    for (const char* request : {"get", "update", "delete"})
      client_.subscribe(prefix + request, 1);
  }

  void start() { client_.start(); }
  void cloud(const std::vector<bridge::Message>& answers) {
    for (const auto& answer : answers)
      client_.publish(answer);
  }
  [[nodiscard]] bridge::MqttClient& client() noexcept { return client_; }

  void on_connected() noexcept override { ++connects; }
  void on_disconnected() noexcept override {}
  void on_message(const bridge::Message& request) noexcept override {
    ++requests;
    cloud(service_.answer(request));
  }

  int connects = 0;
  int requests = 0;

 private:
  FakeShadowService& service_;
  bridge::MqttClient client_;
};

}  // namespace cabind::testing
