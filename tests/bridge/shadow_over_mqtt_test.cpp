// The profile sync over the real client and a real broker: sync::ShadowSync on an
// MqttClient, the fake AWS shadow service on another (tests/support/
// broker_shadow_service.hpp), both through mosquitto. Proves that the Transport contract
// the sync was written against (tests/sync, in memory) holds over MQTT: `$aws/...` topics,
// `+` subscriptions, retained-free QoS 1 request/answer, the order of answers.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "broker_shadow_service.hpp"
#include "cabind/bridge/mqtt_client.hpp"
#include "cabind/store/sqlite_sync_queue.hpp"
#include "cabind/sync/profile_cache.hpp"
#include "cabind/sync/shadow_sync.hpp"
#include "fake_shadow_service.hpp"
#include "message_recorder.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_test_fixture.hpp"

namespace cabind::bridge {
namespace {

using nlohmann::json;
using testing::run_until;

constexpr const char* kTemperature = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature";

// The client is built before the sync it reports to (the sync subscribes through the
// client in its constructor): this hands the client's reports on once the sync exists.
class Relay final : public MessageHandler {
 public:
  void on_connected() noexcept override {
    ++connects;
    if (target != nullptr) target->on_connected();
  }
  void on_disconnected() noexcept override {
    ++disconnects;
    if (target != nullptr) target->on_disconnected();
  }
  void on_message(const Message& message) noexcept override {
    if (target != nullptr) target->on_message(message);
  }
  MessageHandler* target = nullptr;
  int connects = 0;
  int disconnects = 0;
};

const json kAlice = {{"id", "alice"},
                     {"name", "Alice"},
                     {"identify", {{"key_fob", {3}}}},
                     {"climate", {{"temperature", 23.0}}}};

class ShadowOverMqtt : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_directory("cabind-shadow-mqtt-");
    broker_ = std::make_unique<testing::MosquittoBroker>(dir_ / "broker");
    broker_->start();
    // The service keeps its session across a broker restart (3.1.1, clean_session false):
    // a request the car sends before the service is back waits for it.
    auto cloud_options = client_options(broker_->port(), "aws", MqttProtocol::v311);
    cloud_options.clean_session = false;
    cloud_ = std::make_unique<testing::BrokerShadowService>(io_, cloud_options, service_, "car-42");
    cloud_->start();
    ASSERT_TRUE(run_until(io_, [&] { return cloud_->connects == 1; }));

    cache_ = std::make_unique<sync::ProfileCache>(dir_ / "profiles");
    queue_ = std::make_unique<store::SqliteSyncQueue>(dir_ / "sync.sqlite", 100);
    car_ = std::make_unique<MqttClient>(io_, client_options(broker_->port(), "car-42"), relay_);
    sync::ShadowSyncHooks hooks;
    hooks.learn = [](std::string_view, std::string_view, double) {};
    hooks.forget = [](std::string_view) {};
    hooks.log = [](std::string_view) {};
    hooks.now_ms = [] { return std::int64_t{1'700'000'100'000}; };
    shadow_ = std::make_unique<sync::ShadowSync>(sync::ShadowSyncOptions{"car-42", 8 * 1024}, *car_,
                                                 *cache_, *queue_, hooks);
    relay_.target = shadow_.get();
    car_->start();
    ASSERT_TRUE(run_until(io_, [&] { return relay_.connects == 1; }));
  }
  void TearDown() override {
    car_.reset();
    shadow_.reset();
    cloud_.reset();
    broker_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  boost::asio::io_context io_;
  std::unique_ptr<testing::MosquittoBroker> broker_;
  testing::FakeShadowService service_{"car-42"};
  std::unique_ptr<testing::BrokerShadowService> cloud_;
  std::unique_ptr<sync::ProfileCache> cache_;
  std::unique_ptr<store::SqliteSyncQueue> queue_;
  Relay relay_;
  std::unique_ptr<MqttClient> car_;
  std::unique_ptr<sync::ShadowSync> shadow_;
};

TEST_F(ShadowOverMqtt, ARemoteProfileIsStoredAndALearnedChangeReportedThroughMosquitto) {
  // The cloud (an app) sets alice's profile: update/documents and the delta reach the car,
  // which validates and stores it.
  cloud_->cloud(service_.cloud_update("alice", {{"desired", kAlice}}));
  ASSERT_TRUE(run_until(io_, [&] { return cache_->version("alice") == 1; }));
  EXPECT_EQ(json::parse(*cache_->document("alice")), kAlice);

  // A learned change goes up with the version and is accepted.
  shadow_->changed("alice", kTemperature, 22.5);
  ASSERT_TRUE(run_until(io_, [&] { return shadow_->counters().reported == 1; }));
  EXPECT_EQ(service_.state("alice")["reported"]["learned"][kTemperature], 22.5);
  EXPECT_EQ(service_.version("alice"), 2);
  EXPECT_EQ(shadow_->counters().applied, 1U);
  EXPECT_EQ(car_->status().dropped, 0U);
}

TEST_F(ShadowOverMqtt, ChangesMadeWhileTheBrokerIsDownAreReportedInOrderAfterItReturns) {
  cloud_->cloud(service_.cloud_update("alice", {{"desired", kAlice}}));
  ASSERT_TRUE(run_until(io_, [&] { return cache_->version("alice") == 1; }));

  broker_->stop();
  ASSERT_TRUE(run_until(io_, [&] { return relay_.disconnects == 1; }));
  shadow_->changed("alice", kTemperature, 22.0);
  shadow_->changed("alice", kTemperature, 22.5);
  broker_->start();
  ASSERT_TRUE(run_until(io_, [&] { return shadow_->counters().reported == 2; }))
      << "reported " << shadow_->counters().reported << "\n"
      << broker_->log();
  ASSERT_EQ(service_.accepted_updates().size(), 3U);  // the profile, then the two changes
  EXPECT_EQ(service_.accepted_updates()[1]["state"]["reported"]["learned"][kTemperature], 22.0);
  EXPECT_EQ(service_.accepted_updates()[2]["state"]["reported"]["learned"][kTemperature], 22.5);
  EXPECT_EQ(service_.state("alice")["reported"]["learned"][kTemperature], 22.5);
}

}  // namespace
}  // namespace cabind::bridge
