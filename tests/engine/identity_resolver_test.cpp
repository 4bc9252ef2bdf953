#include "cabind/engine/identity_resolver.hpp"

#include <gtest/gtest.h>

#include <array>

#include "cabind/can/candump_log.hpp"
#include "cabind/dbc/parser.hpp"
#include "cabind/signal/frame_router.hpp"

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
        source("Identity.SeatMemoryButton", IdentifierKind::seat_memory_button, 30, 0),
        source("Identity.Phone", IdentifierKind::phone, 20, 500),
        source("Identity.KeyFob", IdentifierKind::key_fob, 10, 200),
    };
  }
  static config::IdentitySource source(std::string signal, IdentifierKind kind, int priority,
                                       int debounce_ms) {
    config::IdentitySource result;
    result.signal = std::move(signal);
    result.kind = kind;
    result.priority = priority;
    result.debounce = milliseconds(debounce_ms);
    return result;
  }
  // Frames presenting `code` every `period` from `from` to `to` inclusive; the change of
  // the last one that made one, if any.
  static std::optional<DriverChange> present(IdentityResolver& resolver, std::size_t source,
                                             double code, int from, int to, int period) {
    std::optional<DriverChange> change;
    for (int t = from; t <= to; t += period) {
      if (auto made = resolver.observe(source, code, milliseconds(t))) change = made;
    }
    return change;
  }
  static constexpr double kCarlaPhone = static_cast<double>(0xc4a1a001U);
  static constexpr std::size_t kButton = 0;
  static constexpr std::size_t kPhone = 1;
  static constexpr std::size_t kFob = 2;

  profile::ProfileDirectory directory_;
  config::Identity identity_;
};

TEST_F(IdentityResolverTest, FobCountsOnceItsFramesSpanTheDebounce) {
  IdentityResolver resolver(identity_, directory_);
  EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(1000)));
  EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(1100)));
  EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(1199)));
  const auto change = resolver.observe(kFob, 3, milliseconds(1200));
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
  EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(300)));
  EXPECT_TRUE(resolver.observe(kFob, 3, milliseconds(360)));
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
  resolver.observe(kPhone, kCarlaPhone, milliseconds(0));
  const auto change = resolver.observe(kPhone, kCarlaPhone, milliseconds(500));
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "carla");
}

TEST_F(IdentityResolverTest, HigherPriorityReplacesLowerNeverTheOtherWay) {
  IdentityResolver resolver(identity_, directory_);
  ASSERT_TRUE(resolver.observe(kButton, 2, milliseconds(0)));  // bob, priority 30
  resolver.observe(kButton, 2, milliseconds(300));
  EXPECT_FALSE(present(resolver, kFob, 3, 10, 510, 100));
  EXPECT_EQ(resolver.driver()->id, "bob");
}

TEST_F(IdentityResolverTest, EqualPriorityFollowsTheTieBreak) {
  // A second fob source of the fob's priority, presenting while Alice's fob still does.
  identity_.sources.push_back(source("Identity.KeyFob2", IdentifierKind::key_fob, 10, 0));
  const std::size_t other_fob = 3;
  identity_.tie_break = config::TieBreak::keep_current;
  IdentityResolver keep(identity_, directory_);
  ASSERT_TRUE(present(keep, kFob, 3, 0, 200, 100));
  keep.observe(kFob, 3, milliseconds(300));
  EXPECT_FALSE(keep.observe(other_fob, 9, milliseconds(300)));
  EXPECT_EQ(keep.driver()->id, "alice");

  identity_.tie_break = config::TieBreak::most_recent;
  IdentityResolver recent(identity_, directory_);
  ASSERT_TRUE(present(recent, kFob, 3, 0, 200, 100));
  recent.observe(kFob, 3, milliseconds(300));
  const auto change = recent.observe(other_fob, 9, milliseconds(300));
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "guest");
  EXPECT_EQ(change->previous->id, "alice");
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
  resolver.observe(kButton, 2, milliseconds(400));
  EXPECT_FALSE(present(resolver, kFob, 3, 100, 400, 100));
  EXPECT_EQ(resolver.driver()->id, "bob");
  // Releasing the button does not hand the car to the fob that was outranked.
  EXPECT_FALSE(resolver.observe(kButton, 0, milliseconds(500)));
  EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(500)));
  EXPECT_EQ(resolver.driver()->id, "bob");
  // Alice's fob leaves and comes back (the next morning): Alice.
  resolver.observe(kFob, 0, milliseconds(600));
  const auto change = present(resolver, kFob, 3, 10'000, 10'200, 100);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "alice");
  EXPECT_EQ(change->previous->id, "bob");
}

}  // namespace
}  // namespace cabind::engine

namespace cabind::engine {
namespace {

TEST(IdentityPresenceWindow, PresentMsWinsElseTheDefaultForEventDrivenMessagesOnly) {
  config::IdentitySource source;
  EXPECT_EQ(presence_window(source, milliseconds(0)), kDefaultPresence);
  EXPECT_EQ(presence_window(source, milliseconds(100)), milliseconds(0))
      << "a cyclic message's staleness ends the claim";
  source.present = milliseconds(1500);
  EXPECT_EQ(presence_window(source, milliseconds(0)), milliseconds(1500));
  EXPECT_EQ(presence_window(source, milliseconds(100)), milliseconds(1500));
}

TEST_F(IdentityResolverTest, OneFrameThenSilenceNeverCompletesADebounce) {
  IdentityResolver resolver(identity_, directory_);
  EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(0)));
  for (const int t : {200, 500, 999, 1000, 1001, 5000}) {
    EXPECT_FALSE(resolver.poll(milliseconds(t))) << t;
  }
  EXPECT_EQ(resolver.driver(), nullptr);
  EXPECT_FALSE(resolver.claims(kFob, milliseconds(5000)));
  // A frame after the silence starts a new presentation: its debounce starts again.
  EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(5100)));
  EXPECT_TRUE(resolver.observe(kFob, 3, milliseconds(5300)));
}

TEST_F(IdentityResolverTest, AGapLongerThanPresentMsRestartsTheDebounceEvenWithoutPoll) {
  IdentityResolver resolver(identity_, directory_);  // fob: default window 1000 ms
  resolver.observe(kFob, 3, milliseconds(0));
  EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(1001))) << "the first frame had expired";
  EXPECT_TRUE(resolver.observe(kFob, 3, milliseconds(1201)));
}

TEST_F(IdentityResolverTest, ADebounceInterruptedByStaleFramesDoesNotComplete) {
  IdentityResolver resolver(identity_, directory_);
  resolver.observe(kFob, 3, milliseconds(0));
  resolver.observe(kFob, 3, milliseconds(100));
  resolver.withdraw(kFob, milliseconds(150));  // the fob signal went stale (or invalid)
  EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(200)));
  EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(300))) << "0 ms would have completed it";
  EXPECT_TRUE(resolver.observe(kFob, 3, milliseconds(400))) << "200 ms of frames after it";
  ClaimEnded ended[4];
  EXPECT_EQ(resolver.take_ended(ended), 0U) << "a cancelled debounce was never a claim";
}

TEST_F(IdentityResolverTest, AnEventDrivenTokenTimesOutAfterPresentMs) {
  identity_.sources[kPhone].present = milliseconds(800);
  IdentityResolver resolver(identity_, directory_);
  ASSERT_TRUE(present(resolver, kPhone, kCarlaPhone, 0, 500, 250));  // Carla
  EXPECT_FALSE(resolver.poll(milliseconds(1300)));
  EXPECT_TRUE(resolver.claims(kPhone, milliseconds(1300))) << "800 ms after its last frame";
  EXPECT_FALSE(resolver.poll(milliseconds(1301)));
  EXPECT_FALSE(resolver.claims(kPhone, milliseconds(1301)));
  ClaimEnded ended[4];
  ASSERT_EQ(resolver.take_ended(ended), 1U);
  EXPECT_EQ(ended[0].source, kPhone);
  EXPECT_EQ(ended[0].code, 0xc4a1a001U);
  EXPECT_EQ(ended[0].reason, EndReason::expired);
  EXPECT_TRUE(ended[0].selected_driver);
  EXPECT_EQ(ended[0].time, milliseconds(1301));
  EXPECT_EQ(resolver.take_ended(ended), 0U) << "taken once";
  EXPECT_EQ(resolver.driver()->id, "carla") << "the driver stays when every claim has ended";
  // The fob, of lower priority, selects again.
  const auto change = present(resolver, kFob, 3, 2000, 2200, 100);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "alice");
  EXPECT_EQ(change->previous->id, "carla");
}

TEST_F(IdentityResolverTest, WhileTheTokenIsPresentedTheFobIsOutranked) {
  IdentityResolver resolver(identity_, directory_);
  ASSERT_TRUE(present(resolver, kPhone, kCarlaPhone, 0, 500, 250));
  for (int t = 600; t <= 1000; t += 100) {
    resolver.observe(kPhone, kCarlaPhone, milliseconds(t));
    EXPECT_FALSE(resolver.observe(kFob, 3, milliseconds(t))) << t;
  }
  EXPECT_TRUE(resolver.claims(kFob, milliseconds(1000))) << "a claim, outranked";
  EXPECT_EQ(resolver.driver()->id, "carla");
}

TEST_F(IdentityResolverTest, ACyclicSourceWithoutAWindowEndsOnlyByWithdrawal) {
  const std::vector<milliseconds> windows{milliseconds(0), milliseconds(0), milliseconds(0)};
  IdentityResolver resolver(identity_, directory_, windows);
  ASSERT_TRUE(present(resolver, kFob, 3, 0, 200, 100));
  EXPECT_FALSE(resolver.poll(milliseconds(60'000)));
  EXPECT_TRUE(resolver.claims(kFob, milliseconds(60'000)));
  resolver.withdraw(kFob, milliseconds(60'001));
  EXPECT_FALSE(resolver.claims(kFob, milliseconds(60'001)));
  EXPECT_EQ(resolver.driver()->id, "alice");
  const std::vector<milliseconds> too_few{milliseconds(0)};
  EXPECT_THROW(IdentityResolver(identity_, directory_, too_few), std::invalid_argument);
}

TEST_F(IdentityResolverTest, TheWhenConditionGatesAClaim) {
  identity_.sources[kFob].when = config::Expression{"Keyless.Authorised == 1", {}};
  IdentityResolver resolver(identity_, directory_);
  EXPECT_FALSE(present(resolver, kFob, 3, 0, 300, 100)) << "not authorised yet";
  EXPECT_FALSE(resolver.claims(kFob, milliseconds(300)));
  const auto change = resolver.set_condition(kFob, true, milliseconds(350));
  ASSERT_TRUE(change) << "authorised over a debounced presentation: the claim counts";
  EXPECT_EQ(change->driver->id, "alice");
  EXPECT_EQ(change->claim.time, milliseconds(350));
  EXPECT_FALSE(resolver.set_condition(kFob, true, milliseconds(360))) << "no new claim";
  resolver.observe(kFob, 3, milliseconds(400));
  EXPECT_FALSE(resolver.set_condition(kFob, false, milliseconds(450)));
  EXPECT_FALSE(resolver.claims(kFob, milliseconds(450)));
  ClaimEnded ended[4];
  ASSERT_EQ(resolver.take_ended(ended), 1U);
  EXPECT_EQ(ended[0].reason, EndReason::condition);
  EXPECT_TRUE(ended[0].selected_driver);
  EXPECT_EQ(resolver.driver()->id, "alice");
  // A source without a condition ignores set_condition.
  EXPECT_FALSE(resolver.set_condition(kButton, false, milliseconds(500)));
  EXPECT_TRUE(resolver.observe(kButton, 2, milliseconds(500)));
}

TEST_F(IdentityResolverTest, AConditionThatStopsHoldingLetsALowerClaimSelect) {
  identity_.sources[kPhone].when = config::Expression{"Phone.Paired == 1", {}};
  IdentityResolver resolver(identity_, directory_);
  resolver.set_condition(kPhone, true, milliseconds(0));
  ASSERT_TRUE(present(resolver, kPhone, kCarlaPhone, 0, 500, 250));
  resolver.set_condition(kPhone, false, milliseconds(600));
  resolver.observe(kPhone, kCarlaPhone, milliseconds(700));  // still sent, no longer counts
  const auto change = present(resolver, kFob, 3, 700, 900, 100);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "alice");
}

TEST_F(IdentityResolverTest, LeaveEndsTheDriverAndOnlyANewClaimSelects) {
  IdentityResolver resolver(identity_, directory_);
  EXPECT_FALSE(resolver.leave(milliseconds(0))) << "nobody to leave";
  ASSERT_TRUE(present(resolver, kFob, 3, 0, 200, 100));
  const auto left = resolver.leave(milliseconds(250));
  ASSERT_TRUE(left);
  EXPECT_EQ(left->driver->id, "alice");
  EXPECT_EQ(left->time, milliseconds(250));
  EXPECT_EQ(resolver.driver(), nullptr);
  EXPECT_FALSE(resolver.leave(milliseconds(260)));
  // The fob left in the car keeps being presented: that standing claim does not select.
  EXPECT_FALSE(present(resolver, kFob, 3, 300, 1000, 100));
  EXPECT_EQ(resolver.driver(), nullptr);
  // A new claim does, with no previous driver.
  resolver.withdraw(kFob, milliseconds(1100));
  const auto change = present(resolver, kFob, 3, 5000, 5200, 100);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "alice");
  EXPECT_EQ(change->previous, nullptr);
}

TEST_F(IdentityResolverTest, ADebounceInProgressAtLeaveSelectsWhenItCompletes) {
  IdentityResolver resolver(identity_, directory_);
  ASSERT_TRUE(resolver.observe(kButton, 2, milliseconds(0)));  // Bob
  resolver.observe(kFob, 3, milliseconds(100));
  ASSERT_TRUE(resolver.leave(milliseconds(150)));
  const auto change = resolver.observe(kFob, 3, milliseconds(300));
  ASSERT_TRUE(change);
  EXPECT_EQ(change->driver->id, "alice");
  EXPECT_EQ(change->previous, nullptr);
}

}  // namespace
}  // namespace cabind::engine

namespace cabind::engine {
namespace {

// The router and the resolver wired as the engine must wire them: presence bindings for
// identity signals, observe() for every presented slot, withdraw() for an identity slot
// that became stale, invalid or missing, poll() as time advances.
class IdentityWiringTest : public IdentityResolverTest {
 protected:
  IdentityWiringTest()
      : codec_(demo_codec()),
        table_({milliseconds(0), milliseconds(0), milliseconds(1000)}),  // fob: 10 x 100 ms
        bindings_{signal::Binding{0, *codec_.find_signal("Memory_Switch", "Button"), true},
                  signal::Binding{1, *codec_.find_signal("Identity_Token", "PhoneToken"), true},
                  signal::Binding{2, *codec_.find_signal("Keyfob_Status", "FobId"), true}},
        router_(codec_, bindings_) {}

  static dbc::Codec demo_codec() {
    auto result = dbc::parse_file(CABIND_SOURCE_DIR "/config/demo/demo_body.dbc");
    EXPECT_TRUE(result.ok()) << result.diagnostics.to_string();
    return dbc::Codec(std::move(*result.database));
  }

  // Slot i is identity source i. Returns the last driver change the frame made.
  std::optional<DriverChange> deliver(IdentityResolver& resolver, const char* text, int ms) {
    auto frame = can::parse_frame_text(text, nullptr);
    EXPECT_TRUE(frame) << text;
    const can::Timestamp now = milliseconds(ms);
    frame->set_time(now);
    std::optional<DriverChange> change;
    const signal::Routed routed = router_.route(*frame, table_, changed_, presented_);
    for (std::size_t i = 0; i < routed.presented; ++i) {
      if (auto made = resolver.observe(presented_[i], table_.value(presented_[i]), now)) {
        change = made;
      }
    }
    for (std::size_t i = 0; i < routed.changed; ++i) {
      if (!table_.is_valid(changed_[i])) resolver.withdraw(changed_[i], now);
    }
    resolver.poll(now);
    return change;
  }

  dbc::Codec codec_;
  signal::SignalTable table_;
  std::array<signal::Binding, 3> bindings_;
  signal::FrameRouter router_;
  std::array<std::uint32_t, 8> changed_{};
  std::array<std::uint32_t, 8> presented_{};
};

TEST_F(IdentityWiringTest, AWithdrawnMultiplexedTokenLetsTheFobSelectAgain) {
  identity_.sources[kPhone].present = milliseconds(60'000);  // only the multiplexor ends it
  IdentityResolver resolver(identity_, directory_);
  // Carla's phone token (TokenType 1), repeated across its 500 ms debounce.
  deliver(resolver, "230#0101A0A1C4", 0);
  const auto carla = deliver(resolver, "230#0101A0A1C4", 500);
  ASSERT_TRUE(carla);
  EXPECT_EQ(carla->driver->id, "carla");
  // Alice's fob while the token is presented: outranked.
  for (int t = 600; t <= 900; t += 100) {
    EXPECT_FALSE(deliver(resolver, "120#03000000", t)) << t;
  }
  // The multiplexor moves on to a face-ID token: the phone token is withdrawn.
  deliver(resolver, "230#02EFBEADDE", 1000);
  EXPECT_FALSE(resolver.claims(kPhone, milliseconds(1000)));
  EXPECT_EQ(resolver.driver()->id, "carla") << "withdrawing a claim changes no driver";
  // Alice's fob reports none (0), then presents again: a new claim, and nothing outranks it.
  deliver(resolver, "120#00000000", 2000);
  deliver(resolver, "120#03000000", 3000);
  deliver(resolver, "120#03000000", 3100);
  const auto alice = deliver(resolver, "120#03000000", 3200);
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->driver->id, "alice");
  EXPECT_EQ(alice->previous->id, "carla");
}

TEST_F(IdentityWiringTest, AShortFobFrameCancelsItsDebounce) {
  IdentityResolver resolver(identity_, directory_);
  deliver(resolver, "120#03000000", 0);
  deliver(resolver, "120#03000000", 100);
  deliver(resolver, "120#03", 150);  // 1 of 4 bytes: malformed, the fob slot invalid
  EXPECT_FALSE(deliver(resolver, "120#03000000", 200));
  EXPECT_FALSE(deliver(resolver, "120#03000000", 300));
  EXPECT_TRUE(deliver(resolver, "120#03000000", 400));
}

}  // namespace
}  // namespace cabind::engine
