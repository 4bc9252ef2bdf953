#include "cabind/bridge/message_router.hpp"

#include <gtest/gtest.h>

#include "message_recorder.hpp"

namespace cabind::bridge {
namespace {

using testing::MessageRecorder;

TEST(MessageRouter, SendsEachMessageToTheHandlersWhosePrefixStartsItsTopic) {
  MessageRecorder sync;
  MessageRecorder home;
  MessageRouter router;
  router.add("$aws/things/car/shadow/", sync);
  router.add("homeassistant/", home);
  router.on_message({"$aws/things/car/shadow/name/alice/get/accepted", "{}"});
  router.on_message({"homeassistant/status", "online"});
  router.on_message({"homeassistant/status", "offline"});
  ASSERT_EQ(sync.messages.size(), 1U);
  EXPECT_EQ(sync.messages[0].topic, "$aws/things/car/shadow/name/alice/get/accepted");
  EXPECT_EQ(home.payloads_on("homeassistant/status"),
            (std::vector<std::string>{"online", "offline"}));
  EXPECT_EQ(router.unrouted(), 0U);
}

TEST(MessageRouter, CountsWhatNoHandlerTakesAndPassesItToNone) {
  MessageRecorder sync;
  MessageRouter router;
  router.add("$aws/things/car/shadow/", sync);
  router.on_message({"$aws/things/other/shadow/name/alice/get/accepted", "{}"});
  router.on_message({"$aws/things/car", "{}"});  // shorter than the prefix
  EXPECT_TRUE(sync.messages.empty());
  EXPECT_EQ(router.unrouted(), 2U);
}

TEST(MessageRouter, OverlappingAndEmptyPrefixesEachGetTheMessage) {
  MessageRecorder all;
  MessageRecorder shadow;
  MessageRouter router;
  router.add("", all);
  router.add("$aws/", shadow);
  router.on_message({"$aws/things/car/shadow/name/a/update/delta", "{}"});
  router.on_message({"cabind/car/availability", "online"});
  EXPECT_EQ(all.messages.size(), 2U);
  EXPECT_EQ(shadow.messages.size(), 1U);
}

TEST(MessageRouter, ConnectionEventsReachEveryHandler) {
  MessageRecorder sync;
  MessageRecorder home;
  MessageRouter router;
  router.on_connected();  // no handler yet: nothing to do
  router.add("a/", sync);
  router.add("b/", home);
  router.on_connected();
  router.on_disconnected();
  router.on_connected();
  EXPECT_EQ(sync.connects, 2);
  EXPECT_EQ(home.connects, 2);
  EXPECT_EQ(sync.disconnects, 1);
  EXPECT_EQ(home.disconnects, 1);
}

TEST(MessageRouter, AHandlerUnderTwoPrefixesHearsOfTheSessionOnceAndOfEachMessageOnce) {
  MessageRecorder home;
  MessageRecorder sync;
  MessageRouter router;
  router.add("homeassistant/status", home);
  router.add("$aws/", sync);
  router.add("cabind/car/command", home);
  router.on_connected();
  router.on_disconnected();
  EXPECT_EQ(home.connects, 1);
  EXPECT_EQ(home.disconnects, 1);
  EXPECT_EQ(sync.connects, 1);
  router.on_message({"cabind/car/command", "{}", 1, false});
  router.on_message({"homeassistant/status", "online", 1, false});
  EXPECT_EQ(home.messages.size(), 2U);
  EXPECT_TRUE(sync.messages.empty());
}

}  // namespace
}  // namespace cabind::bridge
