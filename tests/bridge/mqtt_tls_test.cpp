#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "cabind/bridge/mqtt_client.hpp"
#include "message_recorder.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_test_fixture.hpp"
#include "test_certificates.hpp"

namespace cabind::bridge {
namespace {

using testing::MessageRecorder;
using testing::MosquittoBroker;
using testing::run_until;
using testing::TestCertificates;

// mqtts:// against a broker that verifies client certificates (require_certificate).
class MqttTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_directory("cabind-mqtts-");
    certs_ = testing::make_test_certificates(dir_ / "certs");
    broker_ = std::make_unique<MosquittoBroker>(
        dir_ / "broker",
        testing::BrokerOptions{.tls = testing::BrokerTlsFiles{.ca_file = certs_.ca_cert,
                                                              .cert_file = certs_.server_cert,
                                                              .key_file = certs_.server_key}});
    broker_->start();
  }
  void TearDown() override {
    broker_.reset();
    std::filesystem::remove_all(dir_);
  }

  [[nodiscard]] MqttOptions tls_options(const std::string& client_id) const {
    auto options = client_options(broker_->tls_port(), client_id);
    options.tls = true;
    options.ca_file = certs_.ca_cert.string();
    options.cert_file = certs_.client_cert.string();
    options.key_file = certs_.client_key.string();
    return options;
  }
  // Waits until the client has failed at least once and returns why.
  std::string first_failure(MqttClient& client) {
    EXPECT_TRUE(run_until(io_, [&] { return !client.status().last_error.empty(); }));
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(client.status().connects, 0U);
    return client.status().last_error;
  }

  std::filesystem::path dir_;
  TestCertificates certs_;
  std::unique_ptr<MosquittoBroker> broker_;
  boost::asio::io_context io_;
};

TEST_F(MqttTlsTest, RightCaAndClientCertificateConnectAndCarryMessages) {
  MessageRecorder seen;
  MqttClient car(io_, tls_options("car-42"), seen);
  car.subscribe("cabind/car-42/echo", 1);
  car.start();
  ASSERT_TRUE(run_until(io_, [&] { return seen.connects == 1; })) << car.status().last_error;
  ASSERT_TRUE(car.publish({"cabind/car-42/echo", "over tls", 1, false}));
  ASSERT_TRUE(run_until(io_, [&] { return !seen.messages.empty(); }));
  EXPECT_EQ(seen.messages[0].payload, "over tls");
  EXPECT_TRUE(car.status().last_error.empty());
}

TEST_F(MqttTlsTest, ABrokerSignedByAnotherCaIsNotTrusted) {
  auto options = tls_options("car-42");
  options.ca_file = certs_.other_ca_cert.string();
  MessageRecorder events;
  MqttClient car(io_, options, events);
  car.start();
  const std::string error = first_failure(car);
  EXPECT_NE(error.find("certificate verify failed"), std::string::npos) << error;
  EXPECT_EQ(events.connects, 0);
}

TEST_F(MqttTlsTest, AnExpiredClientCertificateIsRefused) {
  auto options = tls_options("car-42");
  options.cert_file = certs_.expired_cert.string();
  options.key_file = certs_.expired_key.string();
  MessageRecorder events;
  MqttClient car(io_, options, events);
  car.start();
  const std::string error = first_failure(car);
  // The broker refuses the handshake with TLS's "certificate expired" alert (the chain is
  // the right one: only its dates differ from the certificate that connects above).
  EXPECT_NE(error.find("certificate expired"), std::string::npos) << error;
  EXPECT_EQ(events.connects, 0);
}

TEST_F(MqttTlsTest, NoClientCertificateIsRefused) {
  auto options = tls_options("car-42");
  options.cert_file.clear();
  options.key_file.clear();
  MessageRecorder events;
  MqttClient car(io_, options, events);
  car.start();
  const std::string error = first_failure(car);
  EXPECT_NE(error.find("certificate required"), std::string::npos) << error;
  EXPECT_EQ(events.connects, 0);
}

TEST_F(MqttTlsTest, ATlsFileThatCannotBeReadFailsAtStartWithItsName) {
  auto options = tls_options("car-42");
  options.ca_file = (dir_ / "missing-ca.crt").string();
  MessageRecorder events;
  MqttClient car(io_, options, events);
  try {
    car.start();
    FAIL() << "start() accepted an unreadable CA file";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("missing-ca.crt"), std::string::npos) << error.what();
  }
  EXPECT_EQ(car.status().state, MqttState::stopped);
}

}  // namespace
}  // namespace cabind::bridge
