#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "cabind/bridge/mqtt_client.hpp"
#include "message_recorder.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_test_fixture.hpp"

namespace cabind::bridge {
namespace {

using testing::MessageRecorder;
using testing::MosquittoBroker;
using testing::run_until;

// How sessions begin and end: refused credentials, a broker that dies, stop() at any time.
class MqttSessionTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test_directory("cabind-mqtt-session-"); }
  void TearDown() override {
    broker_.reset();
    std::filesystem::remove_all(dir_);
  }
  void start_broker(testing::BrokerOptions options = {}) {
    broker_ = std::make_unique<MosquittoBroker>(dir_ / "broker", std::move(options));
    broker_->start();
  }

  std::filesystem::path dir_;
  std::unique_ptr<MosquittoBroker> broker_;
  boost::asio::io_context io_;
};

class MqttCredentials : public MqttSessionTest,
                        public ::testing::WithParamInterface<MqttProtocol> {};

TEST_P(MqttCredentials, AWrongPasswordIsRefusedWithTheBrokersReasonAndNoSecret) {
  start_broker({.users = {{"car-42", "right-secret"}}});
  auto options = client_options(broker_->port(), "car-42", GetParam());
  options.username = "car-42";
  options.password = "wrong-secret";
  MessageRecorder events;
  MqttClient car(io_, options, events);
  car.start();
  ASSERT_TRUE(run_until(io_, [&] { return !car.status().last_error.empty(); }));
  const std::string error = car.status().last_error;
  EXPECT_NE(error.find("the broker refused the session"), std::string::npos) << error;
  EXPECT_NE(error.find("uthori"), std::string::npos) << error;  // authorised / Authorized
  EXPECT_EQ(error.find("secret"), std::string::npos) << error;
  EXPECT_EQ(car.status().connects, 0U);
  EXPECT_EQ(events.connects, 0);

  options.password = "right-secret";
  MessageRecorder right_events;
  MqttClient right(io_, options, right_events);
  right.start();
  ASSERT_TRUE(run_until(io_, [&] { return right_events.connects == 1; }))
      << right.status().last_error;
}

INSTANTIATE_TEST_SUITE_P(Protocols, MqttCredentials,
                         ::testing::Values(MqttProtocol::v311, MqttProtocol::v5),
                         [](const ::testing::TestParamInfo<MqttProtocol>& param) {
                           return param.param == MqttProtocol::v5 ? "Mqtt5" : "Mqtt311";
                         });

TEST_F(MqttSessionTest, ABrokerKilledWithSigkillIsNoticedAndReconnectedTo) {
  start_broker();
  MessageRecorder events;
  MqttClient car(io_, client_options(broker_->port(), "car"), events);
  car.subscribe("cabind/echo", 1);
  car.start();
  ASSERT_TRUE(run_until(io_, [&] { return events.connects == 1; }));

  broker_->kill();
  ASSERT_TRUE(run_until(io_, [&] { return events.disconnects == 1; }));
  EXPECT_FALSE(car.connected());
  // "connection to …: lost", or already the refused retry that followed.
  EXPECT_FALSE(car.status().last_error.empty());
  ASSERT_TRUE(car.publish({"cabind/echo", "queued", 1, false}));

  broker_->start();
  // On the new session the subscription is restored, then the queue is sent: the broker
  // reads them in that order on one connection, so the queued message comes back too.
  ASSERT_TRUE(run_until(io_, [&] { return events.connects == 2; }));
  ASSERT_TRUE(car.publish({"cabind/echo", "live", 1, false}));
  ASSERT_TRUE(run_until(io_, [&] { return events.last_on("cabind/echo") == "live"; }));
  EXPECT_EQ(events.payloads_on("cabind/echo"), (std::vector<std::string>{"queued", "live"}));
  EXPECT_EQ(car.status().connects, 2U);
}

TEST_F(MqttSessionTest, StopInterruptsALongBackoffWait) {
  // No broker: every attempt fails and the client waits up to 10 minutes.
  auto options = client_options(testing::free_loopback_port(), "car");
  options.backoff_min = std::chrono::minutes{10};
  options.backoff_max = std::chrono::minutes{10};
  MessageRecorder events;
  MqttClient car(io_, options, events);
  car.start();
  ASSERT_TRUE(run_until(io_, [&] { return car.status().state == MqttState::backing_off; }));
  // stop() must not wait out the backoff; a stop that hangs fails here instead of hanging.
  auto stopped = std::async(std::launch::async, [&] { car.stop(); });
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds{10}), std::future_status::ready);
  EXPECT_EQ(car.status().state, MqttState::stopped);
}

TEST_F(MqttSessionTest, AClientCanBeStartedAgainAfterStop) {
  start_broker();
  MessageRecorder events;
  MqttClient car(io_, client_options(broker_->port(), "car"), events);
  car.start();
  ASSERT_TRUE(run_until(io_, [&] { return events.connects == 1; }));
  car.stop();
  ASSERT_TRUE(run_until(io_, [&] { return events.disconnects == 1; }));
  car.start();
  ASSERT_TRUE(run_until(io_, [&] { return events.connects == 2; }));
  EXPECT_TRUE(car.connected());
}

}  // namespace
}  // namespace cabind::bridge
