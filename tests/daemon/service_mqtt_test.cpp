// The daemon's MQTT wiring in process: the Service on the demo configuration with an
// `mqtt:` section, a real mosquitto on a loopback port, and the fake AWS IoT shadow
// service answering over that broker as the cloud would. The Service runs on its own
// thread; the test talks to it through the control socket (as cabinctl does) and drives
// the cloud's client on its own io_context. Every wait is for an event, bounded.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cabind/bridge/mqtt_client.hpp"
#include "cabind/control/client.hpp"
#include "cabind/daemon/guarded_run.hpp"
#include "cabind/daemon/service.hpp"
#include "fake_shadow_service.hpp"
#include "message_recorder.hpp"
#include "mosquitto_broker.hpp"

namespace cabind::daemon {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_until;

constexpr const char* kTemperature = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature";

fs::path test_directory() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = fs::path(::testing::TempDir()) /
             ("cabind-service-mqtt-" + std::to_string(::getpid()) + "-" + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// The cloud side: answers the car's shadow requests with the fake service, and keeps the
// refusals the car publishes.
class Cloud final : public bridge::MessageHandler {
 public:
  explicit Cloud(testing::FakeShadowService& shadows) : shadows_(shadows) {}
  void attach(bridge::Transport& transport) { transport_ = &transport; }
  void publish(const std::vector<bridge::Message>& messages) {
    for (const auto& m : messages)
      transport_->publish(m);
  }
  void on_connected() noexcept override { ++connects; }
  void on_disconnected() noexcept override {}
  void on_message(const bridge::Message& message) noexcept override {
    if (message.topic.ends_with("/refused")) {
      refusals.push_back(json::parse(message.payload));
      return;
    }
    requests.push_back(message.topic);
    publish(shadows_.answer(message));
  }

  std::vector<json> refusals;
  std::vector<std::string> requests;
  int connects = 0;

 private:
  testing::FakeShadowService& shadows_;
  bridge::Transport* transport_ = nullptr;
};

json alice(const std::string& name, double temperature) {
  return {{"id", "alice"},
          {"name", name},
          {"identify", {{"key_fob", {3}}}},
          {"climate", {{"temperature", temperature}}}};
}

class ServiceMqtt : public ::testing::Test {
 protected:
  ServiceMqtt() : dir_(test_directory()), broker_(dir_ / "broker") {
    fs::copy(CABIND_SOURCE_DIR "/config/demo", dir_ / "config", fs::copy_options::recursive);
    fs::create_directories(dir_ / "state");  // systemd's StateDirectory=
  }
  ~ServiceMqtt() override {
    stop_service();
    cloud_client_.reset();
    fs::remove_all(dir_);
  }

  void configure(const std::string& url) {
    std::ofstream(dir_ / "config/vehicle.yaml", std::ios::app)
        << "\nmqtt: { url: \"" << url << "\", thing: car, keepalive: 5s }\n";
  }
  void configure_broker() { configure("mqtt://127.0.0.1:" + std::to_string(broker_.port())); }

  ServiceOptions options() const {
    ServiceOptions o;
    o.config_file = dir_ / "config/vehicle.yaml";
    o.control_socket = dir_ / "cabind.sock";
    o.state_dir = dir_ / "state";
    return o;
  }

  void start_service() {
    service_ = std::make_unique<Service>(io_, options(), notifier_);
    service_->start();
    thread_ = std::thread([this] {
      run_guarded(io_, [this](std::string_view what) { service_->on_exception("test", what); });
    });
  }
  void stop_service() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] { io_.stop(); });
    thread_.join();
    service_.reset();
  }

  // A client of the test's broker beside the car (the cloud, the home), quick to reconnect.
  bridge::MqttOptions peer_options(std::string client_id) const {
    bridge::MqttOptions options;
    options.port = broker_.port();
    options.client_id = std::move(client_id);
    options.backoff_min = std::chrono::milliseconds(20);
    options.backoff_max = std::chrono::milliseconds(200);
    return options;
  }

  void start_cloud() {
    const auto options = peer_options("cloud");
    cloud_client_ = std::make_unique<bridge::MqttClient>(cloud_io_, options, cloud_);
    cloud_.attach(*cloud_client_);
    for (const char* verb : {"get", "update", "delete"})
      cloud_client_->subscribe(std::string("$aws/things/car/shadow/name/+/") + verb, 1);
    cloud_client_->subscribe("cabind/car/shadow/+/refused", 1);
    cloud_client_->start();
    ASSERT_TRUE(run_until(cloud_io_, [&] { return cloud_.connects > 0; }));
  }

  json request(const json& r) {
    control::Client client((dir_ / "cabind.sock").string());
    const json reply = client.request(r);
    EXPECT_TRUE(reply.value("ok", false)) << reply.dump();
    return reply["result"];
  }
  json bridge() { return request({{"command", "bridge"}}); }
  std::uint64_t sync_counter(const char* name) {
    const json status = bridge();
    return status["sync"].is_object() ? status["sync"][name].get<std::uint64_t>() : 0;
  }
  // Runs the cloud's client until `done` holds (at most 10 s).
  template <typename Condition>
  bool wait(Condition done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return run_until(cloud_io_, done, timeout);
  }
  [[nodiscard]] bool asked_for(const std::string& profile) const {
    const std::string topic = "$aws/things/car/shadow/name/" + profile + "/get";
    return std::find(cloud_.requests.begin(), cloud_.requests.end(), topic) !=
           cloud_.requests.end();
  }
  // `identify fob 3`, then the driver once the source's debounce has passed.
  json identify_alice() {
    const json first = request({{"command", "identify"}, {"kind", "fob"}, {"code", 3}});
    json driver = first["driver"];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (driver.is_null() && std::chrono::steady_clock::now() < deadline)
      driver = request({{"command", "status"}})["driver"];
    return driver;
  }

  fs::path dir_;
  testing::MosquittoBroker broker_;
  testing::FakeShadowService shadows_{"car"};
  Cloud cloud_{shadows_};
  boost::asio::io_context cloud_io_{1};
  std::unique_ptr<bridge::MqttClient> cloud_client_;
  boost::asio::io_context io_{1};
  Notifier notifier_{nullptr, nullptr};
  std::unique_ptr<Service> service_;
  std::thread thread_;
};

TEST_F(ServiceMqtt, ARemoteProfileIsUsedFromTheNextIdentification) {
  broker_.start();
  configure_broker();
  (void)shadows_.cloud_update("alice", {{"desired", alice("Alice (cloud)", 23.0)}});
  start_cloud();
  start_service();
  // At connect the car asks for every configured profile's shadow, stores the newer
  // version and reloads.
  ASSERT_TRUE(wait([&] { return sync_counter("applied") == 1; })) << bridge().dump();
  EXPECT_TRUE(fs::exists(dir_ / "state/profiles/alice.yaml"));
  ASSERT_TRUE(wait([&] {
    return request({{"command", "metrics"}})["config"]["reloads"].get<int>() >= 1;
  }));
  const json driver = identify_alice();
  ASSERT_TRUE(driver.is_object());
  EXPECT_EQ(driver["id"], "alice");
  EXPECT_EQ(driver["name"], "Alice (cloud)");
  EXPECT_EQ(request({{"command", "profiles"}, {"id", "alice"}})["fields"]["climate.temperature"],
            23.0);
}

TEST_F(ServiceMqtt, AnInvalidRemoteProfileIsRefusedAndTheCachedOneStays) {
  broker_.start();
  configure_broker();
  (void)shadows_.cloud_update("alice", {{"desired", alice("Alice (cloud)", 23.0)}});
  start_cloud();
  start_service();
  ASSERT_TRUE(wait([&] { return sync_counter("applied") == 1; })) << bridge().dump();
  const std::string cached = [&] {
    std::ifstream in(dir_ / "state/profiles/alice.yaml");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  json bad = alice("Alice (broken)", 23.0);
  bad["climate"] = {{"temprature", 24.0}};
  cloud_.publish(shadows_.cloud_update("alice", {{"desired", bad}}));
  ASSERT_TRUE(wait([&] { return !cloud_.refusals.empty(); }));
  EXPECT_EQ(cloud_.refusals[0]["code"], 400);
  EXPECT_NE(cloud_.refusals[0]["message"].get<std::string>().find("unknown key 'temprature'"),
            std::string::npos)
      << cloud_.refusals[0].dump();
  EXPECT_EQ(sync_counter("refused"), 1U);
  EXPECT_EQ(sync_counter("applied"), 1U);
  std::ifstream in(dir_ / "state/profiles/alice.yaml");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), cached);
  const json driver = identify_alice();
  ASSERT_TRUE(driver.is_object());
  EXPECT_EQ(driver["name"], "Alice (cloud)");
}

TEST_F(ServiceMqtt, ASetValueIsReportedToTheDriversShadow) {
  broker_.start();
  configure_broker();
  start_cloud();
  start_service();
  // Once the car asked for alice's shadow, its session is up and subscribed.
  ASSERT_TRUE(wait([&] { return asked_for("alice"); })) << bridge().dump();
  request({{"command", "set"}, {"profile", "alice"}, {"output", kTemperature}, {"value", 24.5}});
  ASSERT_TRUE(wait([&] { return sync_counter("reported") == 1; })) << bridge().dump();
  ASSERT_TRUE(shadows_.exists("alice"));
  EXPECT_EQ(shadows_.state("alice")["reported"]["learned"][kTemperature], 24.5);
  EXPECT_EQ(shadows_.accepted_updates().size(), 1U);
  const json status = bridge();
  EXPECT_EQ(status["configured"], true);
  EXPECT_EQ(status["state"], "connected");
  EXPECT_EQ(status["thing"], "car");
  EXPECT_GE(status["client"]["connects"].get<int>(), 1);
  EXPECT_GE(status["client"]["received"].get<int>(), 1);
  EXPECT_EQ(status["sync"]["queued"], 0);
  // `cabinctl metrics` carries the same.
  EXPECT_EQ(request({{"command", "metrics"}})["bridge"]["sync"]["reported"], 1);
}

TEST_F(ServiceMqtt, AVersionConflictIsMergedPerFieldOverTheBroker) {
  broker_.start();
  configure_broker();
  start_cloud();
  start_service();
  ASSERT_TRUE(wait([&] { return asked_for("alice"); })) << bridge().dump();
  // A first change: accepted, so the car knows the shadow's version.
  request({{"command", "set"}, {"profile", "alice"}, {"output", kTemperature}, {"value", 24.0}});
  ASSERT_TRUE(wait([&] { return sync_counter("reported") == 1; })) << bridge().dump();
  // Another car changes another field; this car is not told (its messages are dropped), so
  // its next update carries a version that is no longer current: 409.
  constexpr const char* kPassenger = "Vehicle.Cabin.HVAC.Station.Row1.Passenger.Temperature";
  (void)shadows_.cloud_update("alice", {{"reported", {{"learned", {{kPassenger, 19.0}}}}}});
  request({{"command", "set"}, {"profile", "alice"}, {"output", kTemperature}, {"value", 24.5}});
  ASSERT_TRUE(wait([&] { return sync_counter("reported") == 2; })) << bridge().dump();
  EXPECT_EQ(sync_counter("conflicts"), 1U);
  EXPECT_EQ(sync_counter("merged_remote"), 0U);  // the car's change is the newer one
  const json learned = shadows_.state("alice")["reported"]["learned"];
  EXPECT_EQ(learned[kTemperature], 24.5);
  EXPECT_EQ(learned[kPassenger], 19.0) << "the other car's field was lost in the merge";
  EXPECT_EQ(sync_counter("queued"), 0U);
}

TEST_F(ServiceMqtt, ARemoteDeleteForgetsTheLearnedPreferencesAndTheCachedProfile) {
  broker_.start();
  configure_broker();
  (void)shadows_.cloud_update("alice", {{"desired", alice("Alice (cloud)", 23.0)}});
  start_cloud();
  start_service();
  ASSERT_TRUE(wait([&] { return sync_counter("applied") == 1; })) << bridge().dump();
  request({{"command", "set"}, {"profile", "alice"}, {"output", kTemperature}, {"value", 24.5}});
  ASSERT_TRUE(wait([&] { return sync_counter("reported") == 1; })) << bridge().dump();
  cloud_.publish(shadows_.cloud_delete("alice"));
  ASSERT_TRUE(wait([&] { return sync_counter("deleted") == 1; })) << bridge().dump();
  EXPECT_FALSE(fs::exists(dir_ / "state/profiles/alice.yaml"));
  // The configured alice is back, without her learned values.
  ASSERT_TRUE(wait([&] {
    return request({{"command", "profiles"}, {"id", "alice"}})["name"] == "Alice";
  }));
  EXPECT_FALSE(request({{"command", "profiles"}, {"id", "alice"}}).contains("learned"));
}

TEST_F(ServiceMqtt, AnUnreachableBrokerAtBootDelaysNoIdentification) {
  // TEST-NET-1: nothing answers there, so a connect would hang until its timeout if it ran
  // on the daemon's loop.
  configure("mqtt://192.0.2.1:1883");
  const auto started = std::chrono::steady_clock::now();
  start_service();
  const json driver = identify_alice();
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(driver.is_object());
  EXPECT_EQ(driver["id"], "alice");
  EXPECT_NE(bridge()["state"], "connected");
  // The fob's debounce is 200 ms; a connect attempt on the loop would take seconds.
  EXPECT_LT(took, std::chrono::seconds(2));
  // A change made meanwhile waits in the durable queue.
  request({{"command", "set"}, {"profile", "alice"}, {"output", kTemperature}, {"value", 22.0}});
  EXPECT_EQ(bridge()["sync"]["queued"], 1);
}

// A child process runs the daemon while the broker is down, queues changes and is killed
// with SIGKILL; the next daemon sends each of them once, in order.
TEST_F(ServiceMqtt, ChangesQueuedBeforeAKillNineAreSentOnceInOrderAfterRestart) {
  configure_broker();  // the port is chosen; the broker is not running yet
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      boost::asio::io_context io{1};
      Notifier notifier{nullptr, nullptr};
      Service service(io, options(), notifier);
      service.start();
      io.run();
    } catch (...) {
    }
    ::_exit(1);
  }
  // `set` is answered once the value is durable; the sync queue commits it before.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!fs::exists(dir_ / "cabind.sock") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  bool reachable = false;
  while (!reachable && std::chrono::steady_clock::now() < deadline) {
    try {
      control::Client probe((dir_ / "cabind.sock").string());
      reachable = true;
    } catch (const std::exception&) {
    }
  }
  ASSERT_TRUE(reachable);
  for (const double value : {21.0, 22.0, 23.0})
    request({{"command", "set"}, {"profile", "alice"}, {"output", kTemperature}, {"value", value}});
  EXPECT_EQ(bridge()["sync"]["queued"], 3);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  fs::remove(dir_ / "cabind.sock");

  broker_.start();
  start_cloud();
  start_service();
  ASSERT_TRUE(wait([&] { return sync_counter("reported") == 3; })) << bridge().dump();
  const auto& updates = shadows_.accepted_updates();
  ASSERT_EQ(updates.size(), 3U);
  for (std::size_t i = 0; i < updates.size(); ++i)
    EXPECT_EQ(updates[i]["state"]["reported"]["learned"][kTemperature], 21.0 + double(i));
  EXPECT_EQ(shadows_.state("alice")["reported"]["learned"][kTemperature], 23.0);
  EXPECT_EQ(bridge()["sync"]["queued"], 0);
}

// Home Assistant in the daemon (`mqtt.home_assistant`): a home client on the same broker
// sees discovery, the driver arriving, and answers to its commands.
class ServiceHome : public ServiceMqtt {
 protected:
  void configure_home() {
    std::ofstream(dir_ / "config/vehicle.yaml", std::ios::app)
        << "\nmqtt: { url: \"mqtt://127.0.0.1:" << broker_.port()
        << "\", thing: car, keepalive: 5s, shadow: { enabled: false },\n"
        << "        home_assistant: { commands: [" << kTemperature << "] } }\n";
  }
  // persistent: the broker keeps its subscription (and what arrives for it) across a
  // restart of the broker.
  void start_home(bool persistent = false) {
    auto options = peer_options("home");
    if (persistent) {
      options.protocol = bridge::MqttProtocol::v311;
      options.clean_session = false;
    }
    home_ = std::make_unique<bridge::MqttClient>(cloud_io_, options, seen_);
    home_->subscribe("cabind/car/#", 1);
    home_->subscribe("homeassistant/device/#", 1);
    home_->start();
    ASSERT_TRUE(wait([&] { return seen_.connects > 0; }));
  }
  std::size_t count_on(const std::string& topic) const { return seen_.payloads_on(topic).size(); }
  json reply_to(const std::string& id) {
    json found;
    EXPECT_TRUE(wait([&] {
      for (const std::string& payload : seen_.payloads_on("cabind/car/command/reply")) {
        const json reply = json::parse(payload);
        if (reply.contains("id") && reply["id"] == id) found = reply;
      }
      return !found.is_null();
    })) << "no reply to "
        << id;
    return found;
  }

  // `identify fob CODE`, then waits until `profile` drives.
  bool identify(int code, const std::string& profile) {
    request({{"command", "identify"}, {"kind", "fob"}, {"code", code}});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      const json driver = request({{"command", "status"}})["driver"];
      if (driver.is_object() && driver["id"] == profile) return true;
    }
    return false;
  }

  testing::MessageRecorder seen_;
  std::unique_ptr<bridge::MqttClient> home_;
};

constexpr const char* kDiscovery = "homeassistant/device/car/config";

TEST_F(ServiceHome, AnIdentificationReachesHome) {
  broker_.start();
  configure_home();
  start_home();
  start_service();
  ASSERT_TRUE(wait([&] { return count_on(kDiscovery) >= 1; }));
  const json discovery = json::parse(seen_.last_on(kDiscovery));
  EXPECT_TRUE(discovery["cmps"].contains("presence_alice")) << discovery.dump();
  EXPECT_EQ(discovery["avty_t"], "cabind/car/availability");
  EXPECT_EQ(seen_.last_on("cabind/car/availability"), "online");

  const json driver = identify_alice();
  ASSERT_TRUE(driver.is_object());
  const auto active = std::chrono::steady_clock::now();
  // The issue's bound: at home within 1 s of the car knowing its driver.
  ASSERT_TRUE(wait([&] { return seen_.last_on("cabind/car/presence/alice") == "ON"; },
                   std::chrono::seconds(1)));
  std::cerr << "presence at home "
            << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - active)
                   .count()
            << " ms after the driver was active\n";
  ASSERT_TRUE(wait([&] { return !seen_.last_on("cabind/car/driver").empty(); }));
  const json event = json::parse(seen_.last_on("cabind/car/driver"));
  EXPECT_EQ(event["event_type"], "arrived");
  EXPECT_EQ(event["driver"], "alice");
  ASSERT_TRUE(wait([&] { return seen_.last_on("cabind/car/profile") == "alice"; }));
  // Opaque ids only: the profile's name never leaves the car.
  for (const auto& message : seen_.messages)
    EXPECT_EQ(message.payload.find("Alice"), std::string::npos) << message.topic;
}

TEST_F(ServiceHome, EventsWhileTheBrokerIsDownArriveInOrderOnceAfterItReturns) {
  broker_.start();
  configure_home();
  start_home(true);
  start_service();
  ASSERT_TRUE(wait([&] { return count_on(kDiscovery) >= 1; }));
  broker_.stop();
  ASSERT_TRUE(wait([&] { return bridge()["state"] != "connected"; }));
  ASSERT_TRUE(identify(3, "alice"));
  ASSERT_TRUE(identify(5, "bob"));
  EXPECT_TRUE(seen_.payloads_on("cabind/car/driver").empty());
  broker_.start();  // same port
  ASSERT_TRUE(wait([&] { return seen_.payloads_on("cabind/car/driver").size() >= 3; }))
      << bridge().dump();
  std::vector<std::string> events;
  for (const std::string& payload : seen_.payloads_on("cabind/car/driver")) {
    const json event = json::parse(payload);
    events.push_back(event["event_type"].get<std::string>() + " " +
                     event["driver"].get<std::string>());
  }
  EXPECT_EQ(events, (std::vector<std::string>{"arrived alice", "left alice", "arrived bob"}));
  // A last state proves nothing else (no duplicate) was still on its way.
  ASSERT_TRUE(wait([&] { return seen_.last_on("cabind/car/profile") == "bob"; }));
  EXPECT_EQ(seen_.payloads_on("cabind/car/driver").size(), 3U);
}

TEST_F(ServiceHome, StatusOnlineRepublishes) {
  broker_.start();
  configure_home();
  start_home();
  start_service();
  ASSERT_TRUE(wait([&] { return count_on(kDiscovery) >= 1; }));
  const std::size_t before = count_on(kDiscovery);
  home_->publish({"homeassistant/status", "online", 1, false});
  ASSERT_TRUE(wait([&] { return count_on(kDiscovery) > before; }));
}

TEST_F(ServiceHome, CommandsFromHomeAreAnswered) {
  broker_.start();
  configure_home();
  start_home();
  start_service();
  ASSERT_TRUE(wait([&] { return count_on(kDiscovery) >= 1; }));
  home_->publish({"cabind/car/command",
                  json{{"id", "seat"},
                       {"output", "Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall"},
                       {"value", 1}}
                      .dump(),
                  1, false});
  const json refused = reply_to("seat");
  EXPECT_EQ(refused["result"], "refused");
  EXPECT_NE(refused.value("reason", "").find("not allowed"), std::string::npos) << refused;
  home_->publish({"cabind/car/command", "{not json", 1, false});
  home_->publish({"cabind/car/command",
                  json{{"id", "warm"}, {"output", kTemperature}, {"value", 21}}.dump(), 1, false});
  const json accepted = reply_to("warm");
  EXPECT_EQ(accepted["result"], "accepted") << accepted;
  const json home = bridge()["home_assistant"];
  EXPECT_EQ(home["commands_accepted"], 1);
  EXPECT_EQ(home["not_allowed"], 1);
  EXPECT_EQ(home["malformed"], 1);
}

}  // namespace
}  // namespace cabind::daemon
