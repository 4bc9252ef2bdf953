// Home Assistant device discovery: one message with every field Home Assistant requires
// for device-based discovery (dev with identifiers, o with a name, cmps each with a
// platform and a unique id), availability bound to the client's will topic.
#include "cabind/home/discovery.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cabind/home/home_topics.hpp"

namespace cabind::home {
namespace {

HomeOptions options() {
  HomeOptions o;
  o.thing = "car-7";
  o.prefix = "ha";
  o.profiles = {"guest", "p-7f3a"};
  o.software_version = "0.1.0";
  return o;
}

TEST(HomeTopics, AreBuiltFromThePrefixAndTheThingOnly) {
  const HomeTopics topics("homeassistant", "car-7");
  EXPECT_EQ(topics.discovery(), "homeassistant/device/car-7/config");
  EXPECT_EQ(topics.status(), "homeassistant/status");
  EXPECT_EQ(topics.availability(), "cabind/car-7/availability");
  EXPECT_EQ(topics.presence("p-7f3a"), "cabind/car-7/presence/p-7f3a");
  EXPECT_EQ(topics.event("arrived_home"), "cabind/car-7/event/arrived_home");
  EXPECT_EQ(topics.command(), "cabind/car-7/command");
  EXPECT_EQ(topics.reply(), "cabind/car-7/command/reply");
}

TEST(HomeTopics, NodeIdsAndTopicLevelsRefuseWildcardsAndSeparators) {
  EXPECT_TRUE(is_node_id("car-7_A"));
  EXPECT_FALSE(is_node_id(""));
  EXPECT_FALSE(is_node_id("car.7"));
  EXPECT_FALSE(is_node_id("car/7"));
  EXPECT_TRUE(is_topic_level("p.7f3a"));
  EXPECT_FALSE(is_topic_level("a/b"));
  EXPECT_FALSE(is_topic_level("a+"));
  EXPECT_FALSE(is_topic_level("#"));
}

TEST(HomeTopics, AThingWithAColonKeepsItInItsTopicsAndIsANodeIdWithAnUnderscore) {
  EXPECT_TRUE(is_thing("fleet:car-7"));
  EXPECT_FALSE(is_thing("car/7"));
  EXPECT_FALSE(is_thing("car+"));
  const HomeTopics topics("homeassistant", "fleet:car-7");
  EXPECT_EQ(topics.discovery(), "homeassistant/device/fleet_car-7/config");
  EXPECT_EQ(topics.availability(), "cabind/fleet:car-7/availability");
  HomeOptions o = options();
  o.thing = "fleet:car-7";
  const auto payload = nlohmann::json::parse(discovery_payload(o, topics));
  EXPECT_EQ(payload["dev"]["ids"], nlohmann::json::array({"cabind_fleet_car-7"}));
  EXPECT_EQ(payload["cmps"]["driver"]["uniq_id"], "cabind_fleet_car-7_driver");
  EXPECT_EQ(payload["cmps"]["driver"]["stat_t"], "cabind/fleet:car-7/driver");
}

TEST(HomeDiscovery, CarriesEveryFieldDeviceBasedDiscoveryRequires) {
  const HomeOptions o = options();
  const HomeTopics topics(o.prefix, o.thing);
  const auto payload = nlohmann::json::parse(discovery_payload(o, topics));
  ASSERT_TRUE(payload.contains("dev"));
  EXPECT_EQ(payload["dev"]["ids"], nlohmann::json::array({"cabind_car-7"}));
  EXPECT_FALSE(payload["dev"]["name"].get<std::string>().empty());
  EXPECT_EQ(payload["o"]["name"], "cabind");
  EXPECT_EQ(payload["o"]["sw"], "0.1.0");
  EXPECT_EQ(payload["avty_t"], "cabind/car-7/availability");
  EXPECT_EQ(payload["pl_avail"], "online");
  EXPECT_EQ(payload["pl_not_avail"], "offline");
  ASSERT_TRUE(payload["cmps"].is_object());
  std::set<std::string> unique_ids;
  for (const auto& [key, component] : payload["cmps"].items()) {
    SCOPED_TRACE(key);
    EXPECT_TRUE(component.contains("p"));
    EXPECT_TRUE(component.contains("stat_t"));
    ASSERT_TRUE(component.contains("uniq_id"));
    EXPECT_TRUE(unique_ids.insert(component["uniq_id"].get<std::string>()).second);
  }
  EXPECT_EQ(payload["cmps"].size(), 2U + 4U);  // two profiles, driver event, 2 temps, profile
}

TEST(HomeDiscovery, DeclaresPresencePerProfileTheDriverEventTemperaturesAndTheProfile) {
  const HomeOptions o = options();
  const HomeTopics topics(o.prefix, o.thing);
  const auto cmps = nlohmann::json::parse(discovery_payload(o, topics))["cmps"];
  EXPECT_EQ(cmps["presence_p-7f3a"]["p"], "binary_sensor");
  EXPECT_EQ(cmps["presence_p-7f3a"]["dev_cla"], "presence");
  EXPECT_EQ(cmps["presence_p-7f3a"]["stat_t"], "cabind/car-7/presence/p-7f3a");
  EXPECT_EQ(cmps["presence_guest"]["stat_t"], "cabind/car-7/presence/guest");
  EXPECT_EQ(cmps["driver"]["p"], "event");
  EXPECT_EQ(cmps["driver"]["evt_typ"], nlohmann::json::array({"arrived", "left"}));
  EXPECT_EQ(cmps["driver"]["stat_t"], "cabind/car-7/driver");
  EXPECT_EQ(cmps["cabin_temperature"]["dev_cla"], "temperature");
  EXPECT_EQ(cmps["cabin_temperature"]["unit_of_meas"], "°C");
  EXPECT_EQ(cmps["cabin_temperature"]["val_tpl"], "{{ value_json.cabin }}");
  EXPECT_EQ(cmps["outside_temperature"]["val_tpl"], "{{ value_json.outside }}");
  EXPECT_EQ(cmps["active_profile"]["stat_t"], "cabind/car-7/profile");
}

}  // namespace
}  // namespace cabind::home
