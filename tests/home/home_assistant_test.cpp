// HomeAssistant on a real engine (tests/home/data) and an in-memory transport: what the car
// tells the home, and what the home may ask of the car.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "home_harness.hpp"

namespace cabind::home::testing {
namespace {

using nlohmann::json;

const std::string kDriverTemperature = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature";
const std::string kRecall = "Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall";

std::size_t count_sent(const can::MemoryBus& bus, std::uint32_t id) {
  std::size_t count = 0;
  for (const can::Frame& frame : bus.sent())
    if (frame.id() == id) ++count;
  return count;
}

// Ignition off and the driver's door open, repeated until identity.leave's 3 s have passed.
void leave(HomeHarness& h, double from) {
  for (double t = from; t < from + 3.5; t += 0.1) {
    h.frame(t, "140#00");
    h.frame(t, "130#01");
  }
}

TEST(HomeAssistant, SubscribesToHomeAssistantsStatusAndTheCommandTopic) {
  HomeHarness h;
  EXPECT_EQ(h.transport.filters,
            (std::vector<std::string>{"homeassistant/status", "cabind/car-7/command"}));
}

TEST(HomeAssistant, PublishesRetainedDiscoveryAndStatesOnConnect) {
  HomeHarness h;
  const bridge::Message* discovery = h.transport.last("homeassistant/device/car-7/config");
  ASSERT_NE(discovery, nullptr);
  EXPECT_TRUE(discovery->retain);
  EXPECT_EQ(json::parse(discovery->payload)["avty_t"], "cabind/car-7/availability");
  for (const char* profile : {"guest", "p-19c0", "p-7f3a"}) {
    const bridge::Message* presence =
        h.transport.last(std::string("cabind/car-7/presence/") + profile);
    ASSERT_NE(presence, nullptr) << profile;
    EXPECT_EQ(presence->payload, "OFF");
    EXPECT_TRUE(presence->retain);
  }
  EXPECT_EQ(h.transport.last("cabind/car-7/profile")->payload, "none");
  EXPECT_EQ(h.home->counters().discoveries, 1U);
}

TEST(HomeAssistant, RepublishesDiscoveryWhenHomeAssistantSaysOnline) {
  HomeHarness h;
  ASSERT_TRUE(h.transport.deliver("homeassistant/status", "offline"));
  EXPECT_EQ(h.home->counters().discoveries, 1U);
  ASSERT_TRUE(h.transport.deliver("homeassistant/status", "online"));
  EXPECT_EQ(h.home->counters().discoveries, 2U);
  EXPECT_EQ(h.transport.on("homeassistant/device/car-7/config").size(), 2U);
}

TEST(HomeAssistant, RepublishesDiscoveryAndTheActiveDriverOnReconnect) {
  HomeHarness h;
  h.identify(173, 1.0);
  h.transport.disconnect();
  h.transport.published.clear();
  h.transport.connect();
  EXPECT_EQ(h.home->counters().discoveries, 2U);
  EXPECT_EQ(h.transport.last("cabind/car-7/presence/p-7f3a")->payload, "ON");
  EXPECT_EQ(h.transport.last("cabind/car-7/profile")->payload, "p-7f3a");
}

TEST(HomeAssistant, AnIdentifiedDriverIsPresentArrivedAndTheActiveProfile) {
  HomeHarness h;
  h.identify(173, 1.0);
  ASSERT_EQ(h.engine->driver()->id, "p-7f3a");
  const bridge::Message* presence = h.transport.last("cabind/car-7/presence/p-7f3a");
  ASSERT_NE(presence, nullptr);
  EXPECT_EQ(presence->payload, "ON");
  EXPECT_TRUE(presence->retain);
  EXPECT_EQ(h.last_json("cabind/car-7/driver"),
            json({{"event_type", "arrived"}, {"driver", "p-7f3a"}}));
  EXPECT_FALSE(h.transport.last("cabind/car-7/driver")->retain);
  EXPECT_EQ(h.transport.last("cabind/car-7/profile")->payload, "p-7f3a");
}

TEST(HomeAssistant, TheDriverLeavingIsLeftAbsentAndNoProfile) {
  HomeHarness h;
  h.identify(173, 1.0);
  leave(h, 2.0);
  ASSERT_EQ(h.engine->driver(), nullptr);
  EXPECT_EQ(h.transport.last("cabind/car-7/presence/p-7f3a")->payload, "OFF");
  EXPECT_EQ(h.last_json("cabind/car-7/driver"),
            json({{"event_type", "left"}, {"driver", "p-7f3a"}}));
  EXPECT_EQ(h.transport.last("cabind/car-7/profile")->payload, "none");
  EXPECT_EQ(h.transport.on("cabind/car-7/driver").size(), 2U);  // arrived, left: once each
}

TEST(HomeAssistant, ARulesPublishActionGoesToItsEventTopicWithItsFieldsAndTheDriver) {
  HomeHarness h;
  h.identify(173, 1.0);
  const auto events = h.transport.on("cabind/car-7/event/arrived_home");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(json::parse(events[0].payload),
            json({{"lights", "on"}, {"level", 80}, {"welcome", true}, {"driver", "p-7f3a"}}));
  EXPECT_FALSE(events[0].retain);
  EXPECT_EQ(h.home->counters().events, 1U);
  EXPECT_TRUE(h.audit_has("published rule=tell_home output=p-7f3a: arrived_home {"));
}

TEST(HomeAssistant, NoNameOrFobCodeAppearsInAnyTopicOrPayload) {
  HomeHarness h;
  h.identify(173, 1.0);
  h.frame(1.5, "160#06D700");
  h.home->on_temperatures(temperatures_of(*h.engine, test_options()),
                          std::chrono::steady_clock::time_point{});
  h.command(R"({"id":"c1","output":")" + kDriverTemperature + R"(","value":21})");
  leave(h, 2.0);
  h.identify(201, 6.0);
  ASSERT_EQ(h.engine->driver()->id, "p-19c0");
  ASSERT_GT(h.transport.published.size(), 10U);
  for (const bridge::Message& message : h.transport.published) {
    for (const std::string_view secret : {"Alice", "Example", "Bob", "Sample", "173", "201"}) {
      EXPECT_EQ(message.topic.find(secret), std::string::npos) << message.topic;
      EXPECT_EQ(message.payload.find(secret), std::string::npos)
          << message.topic << ": " << message.payload;
    }
  }
}

TEST(HomeAssistant, TemperaturesComeFromTheEngineAndArePublishedAtMostOncePerSecond) {
  HomeHarness h;
  h.frame(1.0, "160#06D700");  // outside 3.0 degC, cabin 21.5 degC
  const CabinTemperatures read = temperatures_of(*h.engine, test_options());
  ASSERT_TRUE(read.cabin && read.outside);
  EXPECT_DOUBLE_EQ(*read.cabin, 21.5);
  EXPECT_DOUBLE_EQ(*read.outside, 3.0);
  const auto topic = "cabind/car-7/temperature";
  const std::size_t before = h.transport.on(topic).size();  // the connect's snapshot
  const std::chrono::steady_clock::time_point t0{};
  h.home->on_temperatures(read, t0);
  EXPECT_EQ(h.last_json(topic), json({{"cabin", 21.5}, {"outside", 3.0}}));
  h.home->on_temperatures({22.0, 3.0}, t0 + std::chrono::milliseconds(500));  // too soon
  h.home->on_temperatures({22.0, 3.0}, t0 + std::chrono::milliseconds(999));
  EXPECT_EQ(h.transport.on(topic).size(), before + 1);
  h.home->on_temperatures({22.0, 3.0}, t0 + std::chrono::milliseconds(1000));
  EXPECT_EQ(h.transport.on(topic).size(), before + 2);
  EXPECT_EQ(h.last_json(topic)["cabin"], 22.0);
  h.home->on_temperatures({22.0, 3.0}, t0 + std::chrono::seconds(5));  // unchanged: retained
  EXPECT_EQ(h.transport.on(topic).size(), before + 2);
}

TEST(HomeAssistant, AnUnknownTemperatureIsPublishedAsNull) {
  HomeHarness h;
  h.home->on_temperatures({std::nullopt, 3.0}, std::chrono::steady_clock::time_point{});
  EXPECT_EQ(h.last_json("cabind/car-7/temperature"), json({{"cabin", nullptr}, {"outside", 3.0}}));
}

TEST(HomeAssistant, AnAllowedCommandIsAcceptedAndSentThroughTheRulePath) {
  HomeHarness h;
  h.identify(173, 1.0);
  h.now = at(2.0);
  const std::size_t before = count_sent(h.body, 0x200);
  h.command(R"({"id":"c1","output":")" + kDriverTemperature + R"(","value":24})");
  EXPECT_EQ(h.reply(), json({{"id", "c1"}, {"result", "accepted"}, {"value", 24.0}}));
  h.advance(2.1);  // the retry at 2.0 went out just before: min_interval defers it 50 ms
  EXPECT_GT(count_sent(h.body, 0x200), before);
  EXPECT_EQ(h.body.sent().back().data()[0], 48);  // 24 degC at 0.5 degC per bit
  EXPECT_TRUE(h.audit_has("sent rule=command from home output=" + kDriverTemperature)) << h.audit();
  EXPECT_EQ(h.home->counters().commands_accepted, 1U);
}

TEST(HomeAssistant, ACommandOutsideTheOutputsRangeIsClampedAsARulesWouldBe) {
  HomeHarness h;
  h.now = at(1.0);
  h.command(R"({"id":"c2","output":")" + kDriverTemperature + R"(","value":35})");
  const json reply = h.reply();
  EXPECT_EQ(reply["result"], "accepted");
  EXPECT_EQ(reply["value"], 30.0);
  EXPECT_EQ(reply["reason"], "clamped to the output's range");
  EXPECT_TRUE(h.audit_has("clamped rule=command from home"));
}

struct Refusal {
  std::string payload;
  std::string reason;
  std::uint64_t HomeCounters::*counter;
};

class HomeAssistantRefuses : public ::testing::TestWithParam<Refusal> {};

TEST_P(HomeAssistantRefuses, ReplyingWithTheReasonCountingItAndChangingNothingElse) {
  HomeHarness h;
  h.identify(173, 1.0);
  h.now = at(2.0);
  const std::size_t sent = h.body.sent().size();
  const std::size_t audit = h.sink.lines.size();
  const std::size_t published = h.transport.published.size();
  h.command(GetParam().payload);
  const json reply = h.reply();
  EXPECT_EQ(reply["result"], "refused");
  EXPECT_NE(reply["reason"].get<std::string>().find(GetParam().reason), std::string::npos)
      << reply.dump();
  EXPECT_EQ(h.home->counters().*(GetParam().counter), 1U);
  EXPECT_EQ(h.home->counters().commands_refused, 1U);
  EXPECT_EQ(h.home->counters().commands_accepted, 0U);
  EXPECT_EQ(h.body.sent().size(), sent);
  EXPECT_EQ(h.sink.lines.size(), audit);
  EXPECT_EQ(h.transport.published.size(), published + 1);  // the reply only
  EXPECT_EQ(h.engine->driver()->id, "p-7f3a");
}

INSTANTIATE_TEST_SUITE_P(
    Home, HomeAssistantRefuses,
    ::testing::Values(
        Refusal{R"({"id":"n1","output":"Vehicle.Cabin.HVAC.Station.Row1.Passenger.Temperature",)"
                R"("value":21})",
                "not allowed", &HomeCounters::not_allowed},
        Refusal{R"({"id":"u1","output":"Vehicle.Cabin.Sunroof","value":1})", "unknown output",
                &HomeCounters::unknown_output},
        Refusal{R"({"id":"m1","output":)", "malformed: not JSON", &HomeCounters::malformed},
        Refusal{R"({"id":"m2","output":"X","value":"warm"})", "malformed",
                &HomeCounters::malformed},
        Refusal{std::string(R"({"id":"o1","output":"X","value":1,"p":")") + std::string(4096, 'x') +
                    "\"}",
                "oversized", &HomeCounters::oversized}));

TEST(HomeAssistant, AMalformedCommandsReplyNamesItsIdOnlyWhenTheIdWasValid) {
  HomeHarness h;
  h.command(R"({"id":"m2","output":"X","value":"warm"})");
  EXPECT_EQ(h.reply()["id"], "m2");
  h.command(R"({"id":"<script>\u0007","output":"X","value":1})");
  EXPECT_TRUE(h.reply()["id"].is_null());
}

TEST(HomeAssistant, ASeatRecallFromHomeWhileMovingIsBlockedByTheInterlockAndNotKept) {
  HomeHarness h;
  h.identify(173, 1.0);
  h.frame(2.0, kMoving);
  const std::size_t seat_commands = count_sent(h.body, 0x210);
  h.command(R"({"id":"s1","output":")" + kRecall + R"(","value":2})");
  EXPECT_EQ(
      h.reply(),
      json({{"id", "s1"}, {"result", "refused"}, {"reason", "blocked by interlock seat_motion"}}));
  EXPECT_EQ(h.home->counters().blocked, 1U);
  EXPECT_TRUE(h.audit_has("blocked rule=command from home output=" + kRecall));
  // Parked again later: the refused command does not move the seat after all.
  for (double t = 2.1; t < 3.0; t += 0.1)
    h.frame(t, kParked);
  EXPECT_EQ(count_sent(h.body, 0x210), seat_commands);
}

TEST(HomeAssistant, WhatTheTransportRefusesIsCounted) {
  HomeHarness h;
  h.transport.disconnect();
  h.identify(173, 1.0);
  EXPECT_GT(h.home->counters().queue_full, 0U);
}

TEST(HomeAssistant, RefusesAThingThatIsNotOneTopicLevel) {
  HomeOptions options = test_options();
  options.thing = "car/7";
  cabind::testing::MemoryTransport transport;
  struct NoTarget final : CommandTarget {
    bool has_output(std::string_view) const noexcept override { return false; }
    engine::CommandResult command(std::string_view, double) noexcept override { return {}; }
  } target;
  EXPECT_THROW(HomeAssistant(options, transport, target), std::invalid_argument);
}

}  // namespace
}  // namespace cabind::home::testing
