#pragma once
// The MQTT client of the bridge: bridge::Transport on libmosquitto (MQTT 3.1.1 and 5,
// mqtt:// and mqtts:// with a CA file and an X.509 client certificate and key, AWS IoT
// Core's model). docs/connectivity.md and docs/architecture.md ("The bridge") describe it.
//
// Threading: libmosquitto runs its network loop (DNS, connect, TLS, keepalive) on the
// client's own thread (mosquitto_loop() driven by the client, not mosquitto_loop_start:
// src/bridge/mqtt_client.cpp says why), so nothing of it can block the daemon's io_context.
// Everything the client reports to its MessageHandler is posted to the io_context and
// called there; publish() and subscribe() are called there and never block: while the
// session is down, messages wait in a bounded in-memory queue (oldest first) and are sent
// in order once it is up again; a message that finds the queue full is dropped and counted.
// Durability across restarts is not the client's job: the profile sync keeps its changes
// in store::SqliteSyncQueue.
//
// The session: `will` (payload "offline", retained) on options.availability_topic; on
// every connect "online" (retained) is published there first, subscriptions are restored,
// queued messages are sent, then on_connected() is called once the broker acknowledged
// the subscriptions (SUBACK), so what arrives for them after that is not lost. A lost session is
// retried with capped exponential backoff and full jitter (backoff_min doubling up to backoff_max).

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "cabind/bridge/transport.hpp"

namespace cabind::bridge {

enum class MqttProtocol : std::uint8_t { v311, v5 };

struct MqttOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  bool tls = false;       // mqtts://
  std::string ca_file;    // tls: the CA that signed the broker's certificate
  std::string cert_file;  // tls: this car's X.509 client certificate (optional)
  std::string key_file;   // tls: its private key (owner and mode checked by the config)
  std::string client_id;  // unique per car (AWS IoT: the thing name)
  std::string username;   // optional
  std::string password;   // optional, read from a key file by the config, never logged
  MqttProtocol protocol = MqttProtocol::v5;
  std::chrono::seconds keepalive{30};
  std::string availability_topic;       // will "offline" / "online", retained
  std::size_t max_queue = 1000;         // messages kept while the session is down
  std::size_t max_payload = 64 * 1024;  // larger incoming messages are dropped and counted
  std::chrono::milliseconds backoff_min{500};
  std::chrono::milliseconds backoff_max{60'000};
  // false: the broker keeps this client's session (subscriptions, QoS 1 messages for it)
  // while it is away. MQTT 3.1.1 only: libmosquitto's asynchronous connect sends no MQTT 5
  // session expiry interval, so an MQTT 5 broker ends the session at disconnect anyway.
  bool clean_session = true;
};

enum class MqttState : std::uint8_t { stopped, connecting, connected, backing_off };
[[nodiscard]] const char* to_string(MqttState state) noexcept;

struct MqttStatus {
  MqttState state = MqttState::stopped;
  std::size_t queue_depth = 0;  // messages waiting for the session
  std::string last_error;       // empty when none; never contains a secret
  std::uint64_t connects = 0;   // sessions established
  std::uint64_t published = 0;  // messages handed to the broker
  std::uint64_t dropped = 0;    // refused by a full queue
  std::uint64_t received = 0;   // messages passed to the handler
  std::uint64_t oversized = 0;  // incoming messages over max_payload, dropped
};

class MqttClient final : public Transport {
 public:
  // Nothing happens before start(). The handler and io_context must outlive the client.
  MqttClient(boost::asio::io_context& io, MqttOptions options, MessageHandler& handler);
  ~MqttClient() override;  // stops the network thread; sends no will (a clean disconnect
                           // publishes "offline" first)
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Starts connecting in the background; returns at once. Throws std::runtime_error only
  // for what can never work (a TLS file that cannot be loaded), with the reason.
  void start();
  // Publishes "offline" (retained), disconnects cleanly and joins the network thread.
  void stop() noexcept;

  bool publish(Message message) override;
  void subscribe(std::string topic_filter, int qos) override;
  [[nodiscard]] bool connected() const noexcept override;
  [[nodiscard]] MqttStatus status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cabind::bridge
