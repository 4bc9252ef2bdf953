#include "cabind/sync/shadow_topics.hpp"

#include <gtest/gtest.h>

namespace cabind::sync {
namespace {

TEST(ShadowTopics, NamesTheNamedShadowOfAProfile) {
  const ShadowTopics topics("car-42");
  EXPECT_EQ(topics.get("alice"), "$aws/things/car-42/shadow/name/alice/get");
  EXPECT_EQ(topics.update("alice"), "$aws/things/car-42/shadow/name/alice/update");
  EXPECT_EQ(topics.filter("/update/documents"),
            "$aws/things/car-42/shadow/name/+/update/documents");
  EXPECT_EQ(topics.refused("alice"), "cabind/car-42/shadow/alice/refused");
}

TEST(ShadowTopics, ParsesTheServicesAnswers) {
  const ShadowTopics topics("car-42");
  const auto delta = topics.parse("$aws/things/car-42/shadow/name/alice/update/delta");
  ASSERT_TRUE(delta);
  EXPECT_EQ(delta->profile_id, "alice");
  EXPECT_EQ(delta->event, ShadowEvent::update_delta);
  EXPECT_EQ(topics.parse("$aws/things/car-42/shadow/name/bob/delete/accepted")->event,
            ShadowEvent::delete_accepted);
}

TEST(ShadowTopics, RefusesOtherThingsAndBadNames) {
  const ShadowTopics topics("car-42");
  EXPECT_FALSE(topics.parse("$aws/things/car-7/shadow/name/alice/get/accepted"));
  EXPECT_FALSE(topics.parse("$aws/things/car-42/shadow/name/al ice/get/accepted"));
  EXPECT_FALSE(topics.parse("$aws/things/car-42/shadow/name//get/accepted"));
  EXPECT_FALSE(topics.parse("$aws/things/car-42/shadow/name/a/b/get/accepted"));
  EXPECT_FALSE(topics.parse("$aws/things/car-42/shadow/name/alice/get"));
  EXPECT_FALSE(valid_shadow_name(std::string(65, 'a')));
  EXPECT_TRUE(valid_shadow_name("driver_1:x-y"));
}

}  // namespace
}  // namespace cabind::sync
