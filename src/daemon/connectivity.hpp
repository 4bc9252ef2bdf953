#pragma once
// The daemon's way out of the car (`mqtt:` in vehicle.yaml): one MQTT client, a router
// that fans its messages out, the profile sync with its cache and durable queue in the
// state directory, and Home Assistant (`mqtt.home_assistant`). Built once at start (a
// reload keeps it). Private to the daemon module.
//
// Nothing here blocks the io_context: the client connects on its own thread (an
// unreachable broker delays neither READY nor identification), and its callbacks are
// posted to the io_context. Threading: the io_context's thread. Lifetime: the io_context
// and the hooks' targets outlive it.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "cabind/bridge/message_router.hpp"
#include "cabind/bridge/mqtt_client.hpp"
#include "cabind/config/config.hpp"
#include "cabind/engine/audit.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/home/command_target.hpp"
#include "cabind/home/home_assistant.hpp"
#include "cabind/profile/directory.hpp"
#include "cabind/store/sqlite_sync_queue.hpp"
#include "cabind/sync/profile_cache.hpp"
#include "cabind/sync/shadow_sync.hpp"

namespace cabind::daemon {

// The client's options from `mqtt:`: availability on cabind/<thing>/availability.
[[nodiscard]] bridge::MqttOptions mqtt_options(const config::Mqtt& mqtt);

class Connectivity {
 public:
  // The profile sync is built when `mqtt.shadow.enabled` and there is a state directory
  // (its cache is <state dir>/profiles, its queue <state dir>/sync-queue.sqlite); throws
  // store::StoreError when the queue cannot be opened.
  Connectivity(boost::asio::io_context& io, const config::Mqtt& mqtt,
               const std::filesystem::path& state_dir, sync::ShadowSyncHooks hooks);
  ~Connectivity();
  Connectivity(const Connectivity&) = delete;
  Connectivity& operator=(const Connectivity&) = delete;

  // Connects in the background; throws std::runtime_error for what can never work.
  void start();
  // Publishes "offline", disconnects, joins the client's thread.
  void stop() noexcept;

  // The profiles whose shadows are fetched at each connect (the configured ones).
  void track(const profile::ProfileDirectory& profiles);
  // A learned or `cabinctl set` value, reported to the driver's shadow (queued durably).
  void changed(std::string_view profile, std::string_view output, double value);

  // Home Assistant: discovery, presence, events, temperatures, and commands from home sent
  // to `target` (which must outlive this). Call once, before start(); throws
  // std::invalid_argument for a thing or profile id that cannot be a topic level.
  void enable_home(home::HomeOptions options, home::CommandTarget& target);
  // After each batch, off the frame path: an event the engine recorded; the temperatures
  // now (published on change, at most once a second). Nothing when Home Assistant is off.
  void on_audit(const engine::AuditEvent& event);
  void on_temperatures(const engine::Engine& engine, std::chrono::steady_clock::time_point now);

  [[nodiscard]] bridge::MessageRouter& router() noexcept { return router_; }
  [[nodiscard]] bridge::Transport& transport() noexcept { return client_; }
  [[nodiscard]] bool syncing() const noexcept { return sync_ != nullptr; }
  // `cabinctl bridge`: connection, queue, last error, the client's and the sync's counters.
  [[nodiscard]] nlohmann::json status() const;

 private:
  config::Mqtt settings_;  // a copy: a reload replaces the configuration it came from
  bridge::MessageRouter router_;
  bridge::MqttClient client_;
  std::unique_ptr<sync::ProfileCache> cache_;
  std::unique_ptr<store::SqliteSyncQueue> queue_;
  std::unique_ptr<sync::ShadowSync> sync_;
  std::unique_ptr<home::HomeAssistant> home_;
};

}  // namespace cabind::daemon
