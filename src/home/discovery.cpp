#include "cabind/home/discovery.hpp"

#include <nlohmann/json.hpp>

namespace cabind::home {

namespace {

using Json = nlohmann::ordered_json;

std::string unique_id(const HomeOptions& options, const std::string& entity) {
  return "cabind_" + node_id(options.thing) + "_" + entity;
}

Json component(const HomeOptions& options, const char* platform, const std::string& entity,
               const std::string& name, const std::string& state_topic) {
  return Json{{"p", platform},
              {"name", name},
              {"uniq_id", unique_id(options, entity)},
              {"obj_id", unique_id(options, entity)},
              {"stat_t", state_topic}};
}

Json presence(const HomeOptions& options, const HomeTopics& topics, const std::string& profile) {
  Json entity = component(options, "binary_sensor", "presence_" + profile, "In the car: " + profile,
                          topics.presence(profile));
  entity["dev_cla"] = "presence";
  entity["pl_on"] = "ON";
  entity["pl_off"] = "OFF";
  return entity;
}

Json driver_event(const HomeOptions& options, const HomeTopics& topics) {
  Json entity = component(options, "event", "driver", "Driver", topics.driver());
  entity["evt_typ"] = Json::array({"arrived", "left"});
  return entity;  // payload {"event_type": ..., "driver": ...}: the rest become attributes
}

Json temperature(const HomeOptions& options, const HomeTopics& topics, const char* which,
                 const std::string& name) {
  const std::string entity_id = std::string(which) + "_temperature";
  Json entity = component(options, "sensor", entity_id, name, topics.temperature());
  entity["dev_cla"] = "temperature";
  entity["stat_cla"] = "measurement";
  entity["unit_of_meas"] = "°C";
  entity["val_tpl"] = "{{ value_json." + std::string(which) + " }}";
  return entity;
}

Json active_profile(const HomeOptions& options, const HomeTopics& topics) {
  Json entity = component(options, "sensor", "active_profile", "Active profile", topics.profile());
  entity["ic"] = "mdi:account-circle";
  return entity;
}

}  // namespace

std::string discovery_payload(const HomeOptions& options, const HomeTopics& topics) {
  Json components = Json::object();
  for (const std::string& profile : options.profiles)
    components["presence_" + profile] = presence(options, topics, profile);
  components["driver"] = driver_event(options, topics);
  components["cabin_temperature"] = temperature(options, topics, "cabin", "Cabin temperature");
  components["outside_temperature"] =
      temperature(options, topics, "outside", "Outside temperature");
  components["active_profile"] = active_profile(options, topics);
  const Json payload{{"dev",
                      {{"ids", Json::array({"cabind_" + node_id(options.thing)})},
                       {"name", "cabind " + options.thing},
                       {"mf", "cabind"},
                       {"mdl", "cabind cabin personalization"},
                       {"sw", options.software_version}}},
                     {"o", {{"name", "cabind"}, {"sw", options.software_version}}},
                     {"avty_t", topics.availability()},
                     {"pl_avail", "online"},
                     {"pl_not_avail", "offline"},
                     {"qos", 1},
                     {"cmps", components}};
  return payload.dump();
}

}  // namespace cabind::home
