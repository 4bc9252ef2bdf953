#pragma once
// What the daemon tells home::HomeAssistant about this car, from vehicle.yaml's
// `mqtt.home_assistant` and the loaded profiles (docs/connectivity.md).
//
// Only opaque ids go in here: the thing name and the profile ids. Names, identifier codes
// (key fobs, phone tokens) and secrets never reach the home module, so no topic or payload
// it builds can carry one.

#include <cstddef>
#include <string>
#include <vector>

namespace cabind::home {

struct HomeOptions {
  // This car, one MQTT topic level ([A-Za-z0-9:_-], vehicle.yaml's mqtt.thing): the AWS IoT
  // thing name. Topics are cabind/<thing>/...; Home Assistant's node id is node_id(thing).
  std::string thing;
  std::string prefix = "homeassistant";  // Home Assistant's discovery prefix
  // Outputs a command from home may set (vehicle.yaml's allow-list); anything else is
  // refused before it reaches the engine.
  std::vector<std::string> commands;
  // Opaque profile ids (ProfileDirectory order): one "in the car" entity each.
  std::vector<std::string> profiles;
  // The semantic signals the temperature sensors read (VSS names).
  std::string cabin_temperature = "Vehicle.Cabin.HVAC.AmbientAirTemperature";
  std::string outside_temperature = "Vehicle.Exterior.AirTemperature";
  std::string software_version;          // the device's and origin's "sw"
  std::size_t max_command_bytes = 1024;  // a larger command payload is refused unread
};

}  // namespace cabind::home
