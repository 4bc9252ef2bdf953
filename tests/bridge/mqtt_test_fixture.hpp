#pragma once
// What the MqttClient tests share: a directory and a real mosquitto of each test's own, an
// io_context the clients post to, and options for a client of that broker with a short
// backoff (so a restarted broker is found again quickly).

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cabind/bridge/mqtt_client.hpp"
#include "message_recorder.hpp"
#include "mosquitto_broker.hpp"

namespace cabind::bridge {

inline std::filesystem::path test_directory(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "-" + info->name();
  for (char& c : name)
    if (c == '/') c = '_';
  auto dir = std::filesystem::path(::testing::TempDir()) /
             (prefix + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline MqttOptions client_options(std::uint16_t port, std::string client_id,
                                  MqttProtocol protocol = MqttProtocol::v5) {
  MqttOptions options;
  options.port = port;
  options.client_id = std::move(client_id);
  options.protocol = protocol;
  options.keepalive = std::chrono::seconds{10};
  options.backoff_min = std::chrono::milliseconds{20};
  options.backoff_max = std::chrono::milliseconds{200};
  return options;
}

}  // namespace cabind::bridge
