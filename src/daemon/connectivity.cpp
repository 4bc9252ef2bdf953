#include "connectivity.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace cabind::daemon {

using nlohmann::json;

namespace {

json client_json(const bridge::MqttStatus& s) {
  return {{"connects", s.connects},
          {"published", s.published},
          {"dropped", s.dropped},
          {"received", s.received},
          {"oversized", s.oversized}};
}

json sync_json(const sync::ShadowSyncCounters& c, const store::SqliteSyncQueue& queue) {
  return {{"applied", c.applied},
          {"refused", c.refused},
          {"malformed", c.malformed},
          {"oversized", c.oversized},
          {"reported", c.reported},
          {"conflicts", c.conflicts},
          {"merged_remote", c.merged_remote},
          {"deleted", c.deleted},
          {"rejected", c.rejected},
          {"queued", queue.size()},
          {"queue_capacity", queue.capacity()},
          {"queue_dropped", queue.dropped()},
          {"queue_write_errors", queue.write_errors()}};
}

json home_json(const home::HomeCounters& c) {
  return {{"discoveries", c.discoveries},
          {"events", c.events},
          {"commands_accepted", c.commands_accepted},
          {"commands_refused", c.commands_refused},
          {"oversized", c.oversized},
          {"malformed", c.malformed},
          {"not_allowed", c.not_allowed},
          {"unknown_output", c.unknown_output},
          {"blocked", c.blocked},
          {"invalid_value", c.invalid_value},
          {"queue_full", c.queue_full}};
}

}  // namespace

bridge::MqttOptions mqtt_options(const config::Mqtt& mqtt) {
  bridge::MqttOptions options;
  options.host = mqtt.host;
  options.port = mqtt.port;
  options.tls = mqtt.tls;
  options.ca_file = mqtt.ca_file;
  options.cert_file = mqtt.cert_file;
  options.key_file = mqtt.key_file;
  options.client_id = mqtt.client_id;
  options.username = mqtt.username;
  options.password = mqtt.password;
  options.protocol = mqtt.protocol == config::MqttProtocolVersion::v5 ? bridge::MqttProtocol::v5
                                                                      : bridge::MqttProtocol::v311;
  options.keepalive = mqtt.keepalive;
  options.availability_topic = "cabind/" + mqtt.thing + "/availability";
  options.max_queue = mqtt.max_queue;
  return options;
}

Connectivity::Connectivity(boost::asio::io_context& io, const config::Mqtt& mqtt,
                           const std::filesystem::path& state_dir, sync::ShadowSyncHooks hooks)
    : settings_(mqtt), client_(io, mqtt_options(mqtt), router_) {
  if (!settings_.shadow.enabled) return;
  if (state_dir.empty()) {
    spdlog::warn(
        "mqtt: no state directory, so no profile sync (it keeps the profiles and the "
        "changes to report there)");
    return;
  }
  cache_ = std::make_unique<sync::ProfileCache>(state_dir / "profiles");
  queue_ = std::make_unique<store::SqliteSyncQueue>(state_dir / "sync-queue.sqlite",
                                                    settings_.max_queue);
  sync_ = std::make_unique<sync::ShadowSync>(sync::ShadowSyncOptions{.thing = settings_.thing},
                                             client_, *cache_, *queue_, std::move(hooks));
  router_.add("$aws/things/" + settings_.thing + "/shadow/", *sync_);
}

Connectivity::~Connectivity() {
  stop();
}

void Connectivity::start() {
  client_.start();
  spdlog::info("mqtt: connecting to {}://{}:{} as thing {} (profile sync {})",
               settings_.tls ? "mqtts" : "mqtt", settings_.host, settings_.port, settings_.thing,
               sync_ ? "on" : "off");
}

void Connectivity::stop() noexcept {
  client_.stop();
}

void Connectivity::track(const profile::ProfileDirectory& profiles) {
  if (!sync_) return;
  for (const auto& p : profiles.profiles()) {
    if (!p.guest && sync::valid_shadow_name(p.id)) sync_->request(p.id);
  }
}

void Connectivity::changed(std::string_view profile, std::string_view output, double value) {
  if (sync_ && sync::valid_shadow_name(profile)) sync_->changed(profile, output, value);
}

void Connectivity::enable_home(home::HomeOptions options, home::CommandTarget& target) {
  home_ = std::make_unique<home::HomeAssistant>(std::move(options), client_, target);
  // Two prefixes, one handler: the router tells it of each session once.
  router_.add(home_->topics().status(), *home_);
  router_.add(home_->topics().command(), *home_);
  home_->start();
}

void Connectivity::on_audit(const engine::AuditEvent& event) {
  if (home_) home_->on_audit(event);
}

void Connectivity::on_temperatures(const engine::Engine& engine,
                                   std::chrono::steady_clock::time_point now) {
  if (home_) home_->on_temperatures(home::temperatures_of(engine, home_->options()), now);
}

json Connectivity::status() const {
  const bridge::MqttStatus s = client_.status();
  json result{{"broker", std::string(settings_.tls ? "mqtts://" : "mqtt://") + settings_.host +
                             ":" + std::to_string(settings_.port)},
              {"thing", settings_.thing},
              {"state", bridge::to_string(s.state)},
              {"queue_depth", s.queue_depth},
              {"last_error", s.last_error},
              {"client", client_json(s)},
              {"unrouted", router_.unrouted()}};
  result["sync"] = sync_ ? sync_json(sync_->counters(), *queue_) : json(nullptr);
  result["home_assistant"] = home_ ? home_json(home_->counters()) : json(nullptr);
  return result;
}

}  // namespace cabind::daemon
