#pragma once
// The car as a Home Assistant device over MQTT (docs/connectivity.md), on a
// bridge::Transport:
//
// - Discovery: on every connect, and whenever <prefix>/status says "online" (Home
//   Assistant restarted), the device-based discovery message (discovery.hpp) and the
//   current states are published, retained. Availability is the client's will topic.
// - States, off the frame path: on_audit() is given the events the engine recorded, after
//   each batch. driver_changed -> the previous driver "left", the new one "arrived"
//   (presence ON/OFF, the driver event, the active profile); driver_left -> "left";
//   published (a rule's `publish` action) -> cabind/<thing>/event/<event> with the
//   action's fields and "driver". on_temperatures() is called periodically and publishes a
//   change at most once per second.
// - Commands from home (cabind/<thing>/command) are read at the edge (command_request.hpp),
//   refused unless their output is in HomeOptions::commands and exists, then handed to the
//   CommandTarget (the engine's rule path). Each gets one reply on
//   cabind/<thing>/command/reply: {"id":..,"result":"accepted","value":21} or
//   {"id":..,"result":"refused","reason":".."}. A refused command changes nothing else.
//
// Topics and payloads carry the thing and profile ids only (HomeOptions holds nothing else).
// Threading: the daemon's io_context thread only (as the Transport). The transport and
// target must outlive it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cabind/bridge/transport.hpp"
#include "cabind/engine/audit.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/home/command_target.hpp"
#include "cabind/home/home_options.hpp"
#include "cabind/home/home_topics.hpp"

namespace cabind::home {

struct CabinTemperatures {
  std::optional<double> cabin;  // empty: unknown (missing, stale or invalid)
  std::optional<double> outside;
  bool operator==(const CabinTemperatures&) const = default;
};
// The engine's current values of options' temperature signals.
[[nodiscard]] CabinTemperatures temperatures_of(const engine::Engine& engine,
                                                const HomeOptions& options) noexcept;

struct HomeCounters {
  std::uint64_t discoveries = 0;  // discovery messages published
  std::uint64_t events = 0;       // rule `publish` events published
  std::uint64_t commands_accepted = 0;
  std::uint64_t commands_refused = 0;  // all refusals; the kinds below add up to it
  std::uint64_t oversized = 0;
  std::uint64_t malformed = 0;
  std::uint64_t not_allowed = 0;
  std::uint64_t unknown_output = 0;
  std::uint64_t blocked = 0;  // by an interlock
  std::uint64_t invalid_value = 0;
  std::uint64_t queue_full = 0;  // messages the transport refused
};

class HomeAssistant final : public bridge::MessageHandler {
 public:
  // Throws std::invalid_argument when the thing is not [A-Za-z0-9:_-]+ (mqtt.thing) or a
  // profile id cannot be one topic level.
  HomeAssistant(HomeOptions options, bridge::Transport& transport, CommandTarget& target);

  // Subscribes to Home Assistant's status and to the command topic (kept by the transport
  // across reconnects); publishes discovery at once when the transport is already up.
  void start();
  // An event the engine recorded (after the batch; its views are valid during the call).
  void on_audit(const engine::AuditEvent& event);
  // The cabin and outside temperatures now; published when they changed, at most 1/s.
  void on_temperatures(const CabinTemperatures& temperatures,
                       std::chrono::steady_clock::time_point now);

  void on_connected() noexcept override;
  void on_disconnected() noexcept override {}
  void on_message(const bridge::Message& message) noexcept override;

  [[nodiscard]] const HomeCounters& counters() const noexcept { return counters_; }
  [[nodiscard]] const HomeTopics& topics() const noexcept { return topics_; }
  [[nodiscard]] const HomeOptions& options() const noexcept { return options_; }
  [[nodiscard]] const std::string& active_profile() const noexcept { return active_; }

 private:
  void publish(std::string topic, std::string payload, bool retain);
  void publish_discovery();
  void publish_states();
  void publish_temperatures();
  void arrived(std::string_view profile);
  void left();
  void driver_event(std::string_view type, std::string_view profile);
  void publish_rule_event(const engine::AuditEvent& event);
  void handle_command(std::string_view payload);
  void refuse(const std::optional<std::string>& id, std::string_view reason,
              std::uint64_t& counter);
  void accept(const std::string& id, const engine::CommandResult& result);

  HomeOptions options_;
  HomeTopics topics_;
  bridge::Transport& transport_;
  CommandTarget& target_;
  std::string active_;  // the active profile id, empty when nobody drives
  CabinTemperatures temperatures_;
  std::optional<CabinTemperatures> published_temperatures_;
  std::optional<std::chrono::steady_clock::time_point> temperatures_at_;
  HomeCounters counters_;
};

}  // namespace cabind::home
