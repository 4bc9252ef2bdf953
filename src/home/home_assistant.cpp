#include "cabind/home/home_assistant.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "cabind/home/command_request.hpp"
#include "cabind/home/discovery.hpp"

namespace cabind::home {

namespace {

using Json = nlohmann::ordered_json;

std::optional<double> value_of(const engine::Engine& engine, const std::string& name) {
  const auto slot = engine.slot(name);
  if (!slot || !engine.signals().is_valid(*slot)) return std::nullopt;
  return engine.signals().value(*slot);
}

Json number_or_null(const std::optional<double>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json profile_or_null(std::string_view profile) {
  return profile.empty() ? Json(nullptr) : Json(std::string(profile));
}

const HomeOptions& checked(const HomeOptions& options) {
  if (!is_thing(options.thing)) {
    throw std::invalid_argument("home: the thing name '" + options.thing +
                                "' is not one MQTT topic level of [A-Za-z0-9:_-]");
  }
  for (const std::string& profile : options.profiles) {
    if (!is_topic_level(profile))
      throw std::invalid_argument("home: profile id '" + profile + "' cannot be a topic level");
  }
  return options;
}

}  // namespace

CabinTemperatures temperatures_of(const engine::Engine& engine,
                                  const HomeOptions& options) noexcept {
  return {value_of(engine, options.cabin_temperature),
          value_of(engine, options.outside_temperature)};
}

HomeAssistant::HomeAssistant(HomeOptions options, bridge::Transport& transport,
                             CommandTarget& target)
    : options_(std::move(options)),
      topics_(checked(options_).prefix, options_.thing),
      transport_(transport),
      target_(target) {}

void HomeAssistant::start() {
  transport_.subscribe(topics_.status(), 1);
  transport_.subscribe(topics_.command(), 1);
  if (transport_.connected()) on_connected();
}

void HomeAssistant::on_connected() noexcept {
  try {
    publish_discovery();
    publish_states();
  } catch (...) {
    // Out of memory building a message: the next connect or HA birth publishes again.
  }
}

void HomeAssistant::on_message(const bridge::Message& message) noexcept {
  try {
    if (message.topic == topics_.status()) {
      if (message.payload == "online") on_connected();
    } else if (message.topic == topics_.command()) {
      handle_command(message.payload);
    }
  } catch (...) {
    // Out of memory: the command gets no reply; nothing was changed for it.
  }
}

void HomeAssistant::publish(std::string topic, std::string payload, bool retain) {
  if (!transport_.publish({std::move(topic), std::move(payload), 1, retain}))
    ++counters_.queue_full;
}

void HomeAssistant::publish_discovery() {
  publish(topics_.discovery(), discovery_payload(options_, topics_), true);
  ++counters_.discoveries;
}

// Retained states, so Home Assistant (re)started later sees the car as it is.
void HomeAssistant::publish_states() {
  for (const std::string& profile : options_.profiles)
    publish(topics_.presence(profile), profile == active_ ? "ON" : "OFF", true);
  if (!active_.empty() && std::find(options_.profiles.begin(), options_.profiles.end(), active_) ==
                              options_.profiles.end()) {
    publish(topics_.presence(active_), "ON", true);
  }
  publish(topics_.profile(), active_.empty() ? "none" : active_, true);
  publish_temperatures();
}

void HomeAssistant::publish_temperatures() {
  const Json payload{{"cabin", number_or_null(temperatures_.cabin)},
                     {"outside", number_or_null(temperatures_.outside)}};
  publish(topics_.temperature(), payload.dump(), true);
  published_temperatures_ = temperatures_;
}

void HomeAssistant::on_temperatures(const CabinTemperatures& temperatures,
                                    std::chrono::steady_clock::time_point now) {
  temperatures_ = temperatures;
  if (published_temperatures_ == temperatures) return;
  if (temperatures_at_ && now - *temperatures_at_ < std::chrono::seconds(1)) return;
  temperatures_at_ = now;
  publish_temperatures();
}

void HomeAssistant::on_audit(const engine::AuditEvent& event) {
  switch (event.kind) {
    case engine::AuditKind::driver_changed:
      // output: the profile id. value (the identifier's code) and detail stay in the car.
      if (event.output != active_) {
        left();
        arrived(event.output);
      }
      return;
    case engine::AuditKind::driver_left:
      left();
      return;
    case engine::AuditKind::published:
      publish_rule_event(event);
      return;
    default:
      return;
  }
}

void HomeAssistant::arrived(std::string_view profile) {
  if (profile.empty() || !is_topic_level(profile)) return;
  active_ = std::string(profile);
  publish(topics_.presence(active_), "ON", true);
  driver_event("arrived", active_);
  publish(topics_.profile(), active_, true);
}

void HomeAssistant::left() {
  if (active_.empty()) return;
  const std::string profile = std::exchange(active_, std::string());
  publish(topics_.presence(profile), "OFF", true);
  driver_event("left", profile);
  publish(topics_.profile(), "none", true);
}

void HomeAssistant::driver_event(std::string_view type, std::string_view profile) {
  const Json payload{{"event_type", std::string(type)}, {"driver", std::string(profile)}};
  publish(topics_.driver(), payload.dump(), false);
}

// The action's fields were rendered at load time from constants in rules.yaml; the driver
// is the active profile's opaque id.
void HomeAssistant::publish_rule_event(const engine::AuditEvent& event) {
  if (!is_topic_level(event.detail)) return;
  Json payload = Json::parse(event.payload.empty() ? std::string_view("{}") : event.payload,
                             nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) payload = Json::object();
  payload["driver"] = profile_or_null(event.output);
  publish(topics_.event(event.detail), payload.dump(), false);
  ++counters_.events;
}

void HomeAssistant::handle_command(std::string_view payload) {
  const ParsedCommand parsed = parse_command(payload, options_.max_command_bytes);
  if (!parsed.request) {
    refuse(parsed.id, parsed.error, parsed.oversized ? counters_.oversized : counters_.malformed);
    return;
  }
  const CommandRequest& request = *parsed.request;
  const auto& allowed = options_.commands;
  if (!target_.has_output(request.output)) {
    refuse(request.id, "unknown output", counters_.unknown_output);
    return;
  }
  if (std::find(allowed.begin(), allowed.end(), request.output) == allowed.end()) {
    refuse(request.id, "not allowed: vehicle.yaml does not allow this output from home",
           counters_.not_allowed);
    return;
  }
  const engine::CommandResult result = target_.command(request.output, request.value);
  switch (result.outcome) {
    case engine::CommandOutcome::accepted:
      accept(request.id, result);
      return;
    case engine::CommandOutcome::blocked:
      refuse(request.id, "blocked by interlock " + std::string(result.reason), counters_.blocked);
      return;
    case engine::CommandOutcome::unknown_output:
      refuse(request.id, "unknown output", counters_.unknown_output);
      return;
    case engine::CommandOutcome::invalid_value:
      refuse(request.id, "invalid value: " + std::string(result.reason), counters_.invalid_value);
      return;
  }
}

void HomeAssistant::refuse(const std::optional<std::string>& id, std::string_view reason,
                           std::uint64_t& counter) {
  ++counter;
  ++counters_.commands_refused;
  const Json reply{{"id", id ? Json(*id) : Json(nullptr)},
                   {"result", "refused"},
                   {"reason", std::string(reason)}};
  publish(topics_.reply(), reply.dump(), false);
}

void HomeAssistant::accept(const std::string& id, const engine::CommandResult& result) {
  ++counters_.commands_accepted;
  Json reply{{"id", id}, {"result", "accepted"}, {"value", result.value}};
  if (!result.reason.empty()) reply["reason"] = std::string(result.reason);
  publish(topics_.reply(), reply.dump(), false);
}

}  // namespace cabind::home
