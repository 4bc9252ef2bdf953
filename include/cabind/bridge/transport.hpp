#pragma once
// The seam between what cabind says over MQTT (Home Assistant discovery and events, profile
// documents in the AWS IoT Device Shadow convention) and the client that carries it
// (bridge::MqttClient, on libmosquitto). The parts that decide what to say are written
// against this interface and tested with an in-memory transport; the daemon wires them to
// the real client.
//
// Threading: every call, and every MessageHandler callback, happens on the daemon's
// io_context thread. publish() and subscribe() never block: a message the client cannot
// take now is queued (bounded) or refused, never waited for.

#include <cstdint>
#include <string>
#include <string_view>

namespace cabind::bridge {

struct Message {
  std::string topic;
  std::string payload;
  int qos = 1;
  bool retain = false;
};

// What the client reports to the parts built on it.
class MessageHandler {
 public:
  MessageHandler() = default;
  MessageHandler(const MessageHandler&) = delete;
  MessageHandler& operator=(const MessageHandler&) = delete;
  virtual ~MessageHandler() = default;
  // The session is up (again): subscriptions were restored; retained state may be re-sent.
  virtual void on_connected() noexcept = 0;
  virtual void on_disconnected() noexcept = 0;
  // A message on a subscribed topic. Its payload is untrusted input.
  virtual void on_message(const Message& message) noexcept = 0;
};

class Transport {
 public:
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  virtual ~Transport() = default;
  // Hands a message to the client; false when its bounded queue is full (the message is
  // dropped and counted by the client).
  virtual bool publish(Message message) = 0;
  // Adds a subscription, kept across reconnects.
  virtual void subscribe(std::string topic_filter, int qos) = 0;
  [[nodiscard]] virtual bool connected() const noexcept = 0;
};

}  // namespace cabind::bridge
