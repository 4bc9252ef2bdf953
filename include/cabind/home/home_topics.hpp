#pragma once
// Every MQTT topic the home module uses, built from opaque ids only:
//
//   cabind/<thing>/availability          online | offline (the client's will), retained
//   <prefix>/device/<node>/config        Home Assistant device discovery, retained
//                                        (<node>: node_id(thing))
//   <prefix>/status                      Home Assistant's birth/will: online -> rediscover
//   cabind/<thing>/presence/<profile>    ON | OFF, retained
//   cabind/<thing>/driver                {"event_type":"arrived"|"left","driver":"<profile>"}
//   cabind/<thing>/profile               the active profile id, or "none", retained
//   cabind/<thing>/temperature           {"cabin":21.5,"outside":3.0}, retained
//   cabind/<thing>/event/<event>         a rule's `publish` action: its fields + "driver"
//   cabind/<thing>/command               {"id":"..","output":"..","value":21} from home
//   cabind/<thing>/command/reply         {"id":"..","result":"accepted"|"refused",...}

#include <string>
#include <string_view>

namespace cabind::home {

class HomeTopics {
 public:
  HomeTopics(std::string_view prefix, std::string_view thing);

  [[nodiscard]] const std::string& availability() const noexcept { return availability_; }
  [[nodiscard]] const std::string& discovery() const noexcept { return discovery_; }
  [[nodiscard]] const std::string& status() const noexcept { return status_; }
  [[nodiscard]] std::string presence(std::string_view profile) const;
  [[nodiscard]] const std::string& driver() const noexcept { return driver_; }
  [[nodiscard]] const std::string& profile() const noexcept { return profile_; }
  [[nodiscard]] const std::string& temperature() const noexcept { return temperature_; }
  [[nodiscard]] std::string event(std::string_view name) const;
  [[nodiscard]] const std::string& command() const noexcept { return command_; }
  [[nodiscard]] const std::string& reply() const noexcept { return reply_; }

 private:
  std::string base_;  // cabind/<thing>
  std::string availability_;
  std::string discovery_;
  std::string status_;
  std::string driver_;
  std::string profile_;
  std::string temperature_;
  std::string command_;
  std::string reply_;
};

// One MQTT topic level Home Assistant accepts as a node id: [A-Za-z0-9_-]+.
[[nodiscard]] bool is_node_id(std::string_view text) noexcept;
// A thing name as vehicle.yaml's mqtt.thing allows it (AWS IoT): [A-Za-z0-9:_-]+.
[[nodiscard]] bool is_thing(std::string_view text) noexcept;
// The thing as Home Assistant's node id and in unique ids: every ':' becomes '_'
// ("car:7" -> "car_7"). The cabind/<thing>/... topics keep the thing as it is.
[[nodiscard]] std::string node_id(std::string_view thing);
// A profile id or event name fit for one topic level: non-empty, no '/', '+', '#' or NUL.
[[nodiscard]] bool is_topic_level(std::string_view text) noexcept;

}  // namespace cabind::home
