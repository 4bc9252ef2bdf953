#include "cabind/engine/identity_resolver.hpp"

#include <gtest/gtest.h>

namespace cabind::engine {
namespace {

using profile::IdentifierKind;
using std::chrono::milliseconds;

profile::Profile person(std::string id, IdentifierKind kind, std::uint64_t code,
                        std::string token = {}) {
  profile::Profile p;
  p.id = std::move(id);
  p.identifiers.push_back({kind, code, std::move(token), {}});
  return p;
}

class IdentityResolverTest : public ::testing::Test {
 protected:
  IdentityResolverTest() {
    std::vector<profile::Profile> all;
    all.push_back(person("alice", IdentifierKind::key_fob, 3));
    all.push_back(person("bob", IdentifierKind::seat_memory_button, 2));
    all.push_back(person("carla", IdentifierKind::phone, 0, "c4a1a001"));
    profile::Profile guest;
    guest.id = "guest";
    guest.guest = true;
    all.push_back(guest);
    diag::Diagnostics diagnostics;
    directory_ = *profile::ProfileDirectory::build(std::move(all), diagnostics);
    identity_.sources = {
        {"Identity.SeatMemoryButton", IdentifierKind::seat_memory_button, 30, milliseconds(0), {}},
        {"Identity.Phone", IdentifierKind::phone, 20, milliseconds(500), {}},
        {"Identity.KeyFob", IdentifierKind::key_fob, 10, milliseconds(200), {}},
    };
  }
  static constexpr std::size_t kButton = 0;
  static constexpr std::size_t kPhone = 1;
  static constexpr std::size_t kFob = 2;

  profile::ProfileDirectory directory_;
  config::Identity identity_;
};

TEST_F(IdentityResolverTest, FobCountsAfterItsDebounce) {
  IdentityResolver resolver(identity_, directory_);
  EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(1000)));
  EXPECT_FALSE(resolver.poll(milliseconds(1199)));
  const auto change = resolver.poll(milliseconds(1200));
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "alice");
  EXPECT_EQ(change->previous, nullptr);
  EXPECT_EQ(change->reason, ChangeReason::recognised);
  EXPECT_EQ(change->claim.code, 3U);
}

TEST_F(IdentityResolverTest, AFlickeringCodeRestartsTheDebounce) {
  IdentityResolver resolver(identity_, directory_);
  resolver.observe(kFob, 3, milliseconds(0));
  resolver.observe(kFob, 0, milliseconds(150));
  resolver.observe(kFob, 3, milliseconds(160));
  EXPECT_FALSE(resolver.poll(milliseconds(300)));
  EXPECT_TRUE(resolver.poll(milliseconds(360)));
}

TEST_F(IdentityResolverTest, UnknownIdentifierSelectsTheGuest) {
  IdentityResolver resolver(identity_, directory_);
  const auto change = resolver.observe(kButton, 7, milliseconds(0));
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "guest");
  EXPECT_EQ(change->reason, ChangeReason::unknown_identifier);
}

TEST_F(IdentityResolverTest, TokenSourcesMatchTheHexToken) {
  IdentityResolver resolver(identity_, directory_);
  resolver.observe(kPhone, static_cast<double>(0xc4a1a001U), milliseconds(0));
  const auto change = resolver.poll(milliseconds(500));
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "carla");
}

TEST_F(IdentityResolverTest, HigherPriorityReplacesLowerNeverTheOtherWay) {
  IdentityResolver resolver(identity_, directory_);
  ASSERT_TRUE(resolver.observe(kButton, 2, milliseconds(0)));  // bob, priority 30
  resolver.observe(kFob, 3, milliseconds(10));
  EXPECT_FALSE(resolver.poll(milliseconds(500)));
  EXPECT_EQ(resolver.driver()->id, "bob");
}

TEST_F(IdentityResolverTest, EqualPriorityFollowsTheTieBreak) {
  identity_.tie_break = config::TieBreak::keep_current;
  IdentityResolver keep(identity_, directory_);
  ASSERT_TRUE(keep.observe(kButton, 2, milliseconds(0)));
  keep.observe(kButton, 0, milliseconds(50));
  EXPECT_FALSE(keep.observe(kButton, 9, milliseconds(100)));
  EXPECT_EQ(keep.driver()->id, "bob");

  identity_.tie_break = config::TieBreak::most_recent;
  IdentityResolver recent(identity_, directory_);
  ASSERT_TRUE(recent.observe(kButton, 2, milliseconds(0)));
  recent.observe(kButton, 0, milliseconds(50));
  const auto change = recent.observe(kButton, 9, milliseconds(100));
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "guest");
  EXPECT_EQ(change->previous->id, "bob");
}

TEST_F(IdentityResolverTest, TheSameDriverAgainIsNoChange) {
  IdentityResolver resolver(identity_, directory_);
  ASSERT_TRUE(resolver.observe(kButton, 2, milliseconds(0)));
  resolver.observe(kButton, 0, milliseconds(50));
  EXPECT_FALSE(resolver.observe(kButton, 2, milliseconds(100)));
}

}  // namespace
}  // namespace cabind::engine

namespace cabind::engine {
namespace {

TEST_F(IdentityResolverTest, ALowerPriorityClaimSelectsOnceTheHigherSourceHasCleared) {
  IdentityResolver resolver(identity_, directory_);
  ASSERT_TRUE(resolver.observe(kButton, 2, milliseconds(0)));  // Bob presses his button
  // While the button is held, Alice's fob cannot take over.
  resolver.observe(kFob, 3, milliseconds(100));
  EXPECT_FALSE(resolver.poll(milliseconds(400)));
  EXPECT_EQ(resolver.driver()->id, "bob");
  // Button released, Alice's fob leaves and comes back (the next morning): Alice.
  resolver.observe(kButton, 0, milliseconds(500));
  resolver.observe(kFob, 0, milliseconds(600));
  resolver.observe(kFob, 3, milliseconds(10'000));
  const auto change = resolver.poll(milliseconds(10'200));
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "alice");
  EXPECT_EQ(change->previous->id, "bob");
}

}  // namespace
}  // namespace cabind::engine
