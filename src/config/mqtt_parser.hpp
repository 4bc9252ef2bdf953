#pragma once
// `mqtt:` of vehicle.yaml (config.hpp's Mqtt; docs/configuration.md):
//
//   mqtt: { url: mqtt://127.0.0.1, thing: car-42 }                       port 1883
//   mqtt:
//     url: mqtts://a1b2c3-ats.iot.eu-west-1.amazonaws.com                port 8883
//     thing: car-42
//     ca_file: AmazonRootCA1.pem
//     cert_file: car-42.cert.pem
//     key_file: car-42.private.key                                       mode 0600
//     home_assistant: { commands: [Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature] }
//
//   url: http://broker     -> error: expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT]
//   thing: car/42          -> error: a thing name is letters, digits, ':', '_', '-' ...
//   ca_file: ca.pem (mqtt://) -> error: ca_file needs an mqtts:// url
//
// Pure (no I/O): the files are checked and the password read by the loader. Errors at
// file:line:column; the commands are checked against the outputs already parsed.

#include <optional>
#include <vector>

#include "cabind/config/config.hpp"
#include "cabind/config/yaml_reader.hpp"
#include "cabind/config/yaml_tree.hpp"

namespace cabind::config {

// The bridge's settings, or nullopt after reporting every error to `read`.
[[nodiscard]] std::optional<Mqtt> parse_mqtt(YamlReader& read, const YamlNode& node,
                                             const std::vector<Output>& outputs);

// True for a name usable as an AWS IoT thing name and in an MQTT topic level.
[[nodiscard]] bool valid_thing_name(std::string_view name) noexcept;

}  // namespace cabind::config
