// `mqtt:` of vehicle.yaml, through the vehicle parser (the bad cases 300-319 cover the
// errors with their positions; these check what a good section becomes).
#include <gtest/gtest.h>

#include <string>

#include "cabind/config/vehicle_parser.hpp"

namespace cabind::config {
namespace {

const std::string kVehicle = R"(bus: { interface: vcan0 }
dbc: x.dbc
signals: {}
outputs:
  Cabin.Temperature: { signal: HVAC.Setpoint, range: [16, 30] }
  Cabin.Fan: { signal: HVAC.Fan }
)";

std::optional<Mqtt> mqtt_of(const std::string& section, diag::Diagnostics& d) {
  auto vehicle = parse_vehicle(kVehicle + section, "v.yaml", d);
  if (!vehicle) return std::nullopt;
  return vehicle->config.mqtt;
}

TEST(MqttConfig, AbsentMeansNoBridge) {
  diag::Diagnostics d;
  const auto vehicle = parse_vehicle(kVehicle, "v.yaml", d);
  ASSERT_TRUE(vehicle) << d.to_string();
  EXPECT_FALSE(vehicle->config.mqtt);
}

TEST(MqttConfig, AppliesDefaultsForAPlainUrl) {
  diag::Diagnostics d;
  const auto mqtt = mqtt_of("mqtt: { url: mqtt://127.0.0.1, thing: car-42 }\n", d);
  ASSERT_TRUE(mqtt) << d.to_string();
  EXPECT_FALSE(mqtt->tls);
  EXPECT_EQ(mqtt->host, "127.0.0.1");
  EXPECT_EQ(mqtt->port, 1883);
  EXPECT_EQ(mqtt->thing, "car-42");
  EXPECT_EQ(mqtt->client_id, "car-42");  // the thing, as AWS IoT expects
  EXPECT_EQ(mqtt->protocol, MqttProtocolVersion::v5);
  EXPECT_EQ(mqtt->keepalive, std::chrono::seconds(30));
  EXPECT_EQ(mqtt->max_queue, 1000U);
  EXPECT_FALSE(mqtt->home_assistant.enabled);
  EXPECT_EQ(mqtt->home_assistant.prefix, "homeassistant");
  EXPECT_TRUE(mqtt->shadow.enabled);
  EXPECT_EQ(mqtt->url_where.line, 7U);
  EXPECT_EQ(mqtt->url_where.column, 14U);  // the url value
}

TEST(MqttConfig, ReadsEveryKeyOfATlsSession) {
  diag::Diagnostics d;
  const auto mqtt = mqtt_of(R"(mqtt:
  url: mqtts://a1b2-ats.iot.eu-west-1.amazonaws.com
  thing: "car:42_x"
  client_id: car-42-head-unit
  protocol: 3.1.1
  keepalive: 1min
  ca_file: AmazonRootCA1.pem
  cert_file: car.cert.pem
  key_file: car.private.key
  username: car
  password_file: broker.password
  max_queue: 50
  home_assistant:
    prefix: ha/discovery
    commands: [Cabin.Temperature, Cabin.Fan]
  shadow: { enabled: false }
)",
                            d);
  ASSERT_TRUE(mqtt) << d.to_string();
  EXPECT_TRUE(mqtt->tls);
  EXPECT_EQ(mqtt->host, "a1b2-ats.iot.eu-west-1.amazonaws.com");
  EXPECT_EQ(mqtt->port, 8883);
  EXPECT_EQ(mqtt->thing, "car:42_x");
  EXPECT_EQ(mqtt->client_id, "car-42-head-unit");
  EXPECT_EQ(mqtt->protocol, MqttProtocolVersion::v311);
  EXPECT_EQ(mqtt->keepalive, std::chrono::seconds(60));
  EXPECT_EQ(mqtt->ca_file, "AmazonRootCA1.pem");  // resolved by the loader, not the parser
  EXPECT_EQ(mqtt->cert_file, "car.cert.pem");
  EXPECT_EQ(mqtt->key_file, "car.private.key");
  EXPECT_EQ(mqtt->username, "car");
  EXPECT_EQ(mqtt->password_file, "broker.password");
  EXPECT_TRUE(mqtt->password.empty());
  EXPECT_EQ(mqtt->max_queue, 50U);
  EXPECT_TRUE(mqtt->home_assistant.enabled);
  EXPECT_EQ(mqtt->home_assistant.prefix, "ha/discovery");
  EXPECT_EQ(mqtt->home_assistant.commands,
            (std::vector<std::string>{"Cabin.Temperature", "Cabin.Fan"}));
  ASSERT_EQ(mqtt->home_assistant.command_wheres.size(), 2U);
  EXPECT_EQ(mqtt->home_assistant.command_wheres[1].line, 21U);
  EXPECT_FALSE(mqtt->shadow.enabled);
}

TEST(MqttConfig, ReadsPortsAndIpv6Hosts) {
  const struct {
    const char* url;
    const char* host;
    std::uint16_t port;
  } cases[] = {{"mqtt://broker:1884", "broker", 1884},
               {"mqtts://10.0.0.2", "10.0.0.2", 8883},
               {"mqtt://[::1]", "::1", 1883},
               {"mqtt://[fe80::1]:2000", "fe80::1", 2000}};
  for (const auto& c : cases) {
    diag::Diagnostics d;
    const std::string tls = std::string(c.url).starts_with("mqtts") ? ", ca_file: ca.pem" : "";
    const auto mqtt =
        mqtt_of("mqtt: { url: \"" + std::string(c.url) + "\", thing: t" + tls + " }\n", d);
    ASSERT_TRUE(mqtt) << c.url << ": " << d.to_string();
    EXPECT_EQ(mqtt->host, c.host) << c.url;
    EXPECT_EQ(mqtt->port, c.port) << c.url;
  }
}

TEST(MqttConfig, RefusesUrlsThatAreNotABrokerAddress) {
  for (const char* url : {"http://broker", "mqtt://", "mqtt://broker:0", "mqtt://broker:99999",
                          "mqtt://broker/path", "mqtt://user@broker", "mqtt://[::1", "mqtt://b:"}) {
    diag::Diagnostics d;
    EXPECT_FALSE(mqtt_of("mqtt: { url: \"" + std::string(url) + "\", thing: t }\n", d)) << url;
    EXPECT_TRUE(d.has_errors()) << url;
  }
}

TEST(MqttConfig, HomeAssistantCanBeListedButSwitchedOff) {
  diag::Diagnostics d;
  const auto mqtt = mqtt_of(
      "mqtt: { url: mqtt://b, thing: t, home_assistant: { enabled: false, commands: [Cabin.Fan] } "
      "}\n",
      d);
  ASSERT_TRUE(mqtt) << d.to_string();
  EXPECT_FALSE(mqtt->home_assistant.enabled);
  EXPECT_EQ(mqtt->home_assistant.commands, std::vector<std::string>{"Cabin.Fan"});
}

TEST(MqttConfig, ThingNamesAreTopicSafe) {
  for (const char* good : {"car-42", "a:b_c"}) {
    diag::Diagnostics d;
    EXPECT_TRUE(mqtt_of("mqtt: { url: mqtt://b, thing: \"" + std::string(good) + "\" }\n", d))
        << good << ": " << d.to_string();
  }
  for (const std::string& bad :
       {std::string("car/42"), std::string("car+"), std::string("car#"), std::string("car 42"),
        std::string("caf\xc3\xa9"), std::string(129, 'a')}) {
    diag::Diagnostics d;
    EXPECT_FALSE(mqtt_of("mqtt: { url: mqtt://b, thing: \"" + bad + "\" }\n", d)) << bad;
  }
}

}  // namespace
}  // namespace cabind::config
