#pragma once
// Home Assistant MQTT device-based discovery: one retained config message on
// <prefix>/device/<thing>/config describing the car as one device with all its entities
// (`cmps`), e.g. (abbreviated keys as Home Assistant documents them):
//
//   {"dev":{"ids":["cabind_car-7"],"name":"cabind car-7","mf":"cabind","mdl":"cabind",
//           "sw":"0.1.0"},
//    "o":{"name":"cabind","sw":"0.1.0"},
//    "avty_t":"cabind/car-7/availability","pl_avail":"online","pl_not_avail":"offline",
//    "qos":1,
//    "cmps":{"presence_p-7f3a":{"p":"binary_sensor","dev_cla":"presence",
//                               "stat_t":"cabind/car-7/presence/p-7f3a",
//                               "uniq_id":"cabind_car-7_presence_p-7f3a",...},
//            "driver":{"p":"event","evt_typ":["arrived","left"],...},
//            "cabin_temperature":{"p":"sensor","dev_cla":"temperature",...},
//            "outside_temperature":{...},"active_profile":{"p":"sensor",...}}}
//
// Entity names are made of the profile id, never the driver's name.

#include <string>

#include "cabind/home/home_options.hpp"
#include "cabind/home/home_topics.hpp"

namespace cabind::home {

[[nodiscard]] std::string discovery_payload(const HomeOptions& options, const HomeTopics& topics);

}  // namespace cabind::home
