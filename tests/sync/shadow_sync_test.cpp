#include "cabind/sync/shadow_sync.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fake_shadow_service.hpp"
#include "shadow_link.hpp"

namespace cabind::sync {
namespace {

using nlohmann::json;
using testing::FakeShadowService;
using testing::ShadowLink;

constexpr const char* kTemperature = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature";

json alice(double temperature = 21.5) {
  return {{"id", "alice"},
          {"name", "Alice"},
          {"identify", {{"key_fob", {3}}}},
          {"climate", {{"temperature", temperature}}}};
}

class ShadowSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("cabind-shadow-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    cache_ = std::make_unique<ProfileCache>(dir_ / "profiles");
    queue_ = std::make_unique<store::SqliteSyncQueue>(dir_ / "sync.sqlite", 100);
    start();
  }
  void TearDown() override {
    sync_.reset();
    queue_.reset();
    std::filesystem::remove_all(dir_);
  }
  // A (new) sync over the same cache and queue, as after a restart.
  void start() {
    sync_.reset();
    ShadowSyncHooks hooks;
    hooks.learn = [this](std::string_view p, std::string_view o, double v) {
      learned_.push_back(std::string(p) + " " + std::string(o) + " " + std::to_string(v));
    };
    hooks.forget = [this](std::string_view p) { forgotten_.emplace_back(p); };
    hooks.stored = [this](std::string_view p) { stored_.emplace_back(p); };
    hooks.log = [this](std::string_view line) { log_.emplace_back(line); };
    hooks.now_ms = [this] { return now_ms_; };
    link_ = std::make_unique<ShadowLink>(service_);
    sync_ = std::make_unique<ShadowSync>(ShadowSyncOptions{"car-42", 8 * 1024}, *link_, *cache_,
                                         *queue_, hooks);
    link_->attach(*sync_);
  }
  // A learned change; then the broker carries what it made the sync publish.
  void change(std::string_view profile, std::string_view output, double value) {
    sync_->changed(profile, output, value);
    link_->deliver();
  }
  // The cloud (an app) sets alice's profile; the car hears of it.
  void cloud_sets_alice(const json& profile) {
    link_->from_cloud(service_.cloud_update("alice", {{"desired", profile}}));
  }
  [[nodiscard]] std::vector<bridge::Message> published_on(std::string_view suffix) const {
    std::vector<bridge::Message> out;
    for (const auto& message : link_->published)
      if (message.topic.ends_with(suffix)) out.push_back(message);
    return out;
  }

  std::filesystem::path dir_;
  FakeShadowService service_{"car-42"};
  std::unique_ptr<ProfileCache> cache_;
  std::unique_ptr<store::SqliteSyncQueue> queue_;
  std::unique_ptr<ShadowLink> link_;
  std::unique_ptr<ShadowSync> sync_;
  std::int64_t now_ms_ = 1'700'000'100'000;
  std::vector<std::string> learned_;
  std::vector<std::string> forgotten_;
  std::vector<std::string> stored_;  // the daemon reloads on each
  std::vector<std::string> log_;
};

TEST_F(ShadowSyncTest, ARemoteProfileIsValidatedAndStoredForTheNextIdentification) {
  link_->connect();
  sync_->request("alice");  // no shadow yet: 404, nothing changes
  EXPECT_FALSE(cache_->version("alice"));
  cloud_sets_alice(alice(23.0));
  EXPECT_EQ(cache_->version("alice"), 1);
  EXPECT_EQ(sync_->counters().applied, 1U);
  EXPECT_EQ(json::parse(*cache_->document("alice")), alice(23.0));
  // The delta that came with it made the sync get the whole document: same version,
  // applied once.
  EXPECT_FALSE(published_on("/alice/get").empty());
  EXPECT_EQ(sync_->counters().applied, 1U);
  EXPECT_EQ(stored_, std::vector<std::string>{"alice"});
}

TEST_F(ShadowSyncTest, AnInvalidRemoteProfileIsRefusedAndTheCachedOneStays) {
  link_->connect();
  cloud_sets_alice(alice(21.5));
  const auto cached = cache_->document("alice");
  link_->from_cloud(
      service_.cloud_update("alice", {{"desired", {{"climate", {{"temperature", "hot"}}}}}}));
  EXPECT_EQ(cache_->version("alice"), 1);
  EXPECT_EQ(cache_->document("alice"), cached);
  EXPECT_EQ(sync_->counters().refused, 1U);
  EXPECT_EQ(stored_.size(), 1U);  // the valid version only: a refusal reloads nothing
  const auto refusals = published_on("cabind/car-42/shadow/alice/refused");
  ASSERT_EQ(refusals.size(), 1U);
  const json refusal = json::parse(refusals[0].payload);
  EXPECT_EQ(refusal["code"], 400);
  EXPECT_EQ(refusal["version"], 2);
  const std::string message = refusal["message"];
  EXPECT_NE(message.find("shadow car-42/alice version 2 (state.desired):"), std::string::npos)
      << message;
  // Located in the document as the profile parser read it (state.desired, indented).
  EXPECT_NE(message.find(":3:20: error: expected a number"), std::string::npos) << message;
  ASSERT_FALSE(log_.empty());
}

TEST_F(ShadowSyncTest, ARemoteProfileNamedAfterAnotherDriverIsRefused) {
  link_->connect();
  json bob = alice();
  bob["id"] = "bob";
  cloud_sets_alice(bob);
  EXPECT_FALSE(cache_->version("alice"));
  EXPECT_EQ(sync_->counters().refused, 1U);
}

TEST_F(ShadowSyncTest, ALearnedChangeIsReportedWithTheVersionAndAClientToken) {
  link_->connect();
  cloud_sets_alice(alice());
  change("alice", kTemperature, 22.5);
  EXPECT_EQ(service_.state("alice")["reported"]["learned"][kTemperature], 22.5);
  ASSERT_EQ(service_.accepted_updates().size(), 2U);
  const json& update = service_.accepted_updates().back();
  EXPECT_EQ(update["version"], 1);
  EXPECT_EQ(update["clientToken"], "car-42-1");
  EXPECT_EQ(queue_->size(), 0U);
  EXPECT_EQ(sync_->counters().reported, 1U);
  EXPECT_EQ(sync_->known_version("alice"), 2);
}

TEST_F(ShadowSyncTest, AConflictIsMergedAndTheNewerLocalChangeWins) {
  link_->connect();
  cloud_sets_alice(alice());
  // Another car reports a value the car does not hear of (its answers are lost), older
  // than the local change.
  service_.set_time(now_ms_ / 1000 - 60);
  (void)service_.cloud_update("alice", {{"reported", {{"learned", {{kTemperature, 19.0}}}}}});
  change("alice", kTemperature, 23.0);
  EXPECT_EQ(sync_->counters().conflicts, 1U);
  EXPECT_EQ(service_.state("alice")["reported"]["learned"][kTemperature], 23.0);
  EXPECT_EQ(service_.accepted_updates().back()["version"], 2);
  EXPECT_TRUE(learned_.empty());
  EXPECT_EQ(queue_->size(), 0U);
}

TEST_F(ShadowSyncTest, AConflictIsMergedAndTheNewerCloudChangeWins) {
  link_->connect();
  cloud_sets_alice(alice());
  service_.set_time(now_ms_ / 1000 + 60);
  (void)service_.cloud_update("alice", {{"reported", {{"learned", {{kTemperature, 19.0}}}}}});
  change("alice", kTemperature, 23.0);
  EXPECT_EQ(sync_->counters().conflicts, 1U);
  EXPECT_EQ(sync_->counters().merged_remote, 1U);
  EXPECT_EQ(service_.state("alice")["reported"]["learned"][kTemperature], 19.0);
  ASSERT_EQ(learned_.size(), 1U);
  EXPECT_EQ(learned_[0], std::string("alice ") + kTemperature + " 19.000000");
  EXPECT_EQ(queue_->size(), 0U);
}

TEST_F(ShadowSyncTest, ChangesMadeOfflineAreSentInOrderOnReconnect) {
  change("alice", "fan", 1);
  change("bob", "fan", 2);
  change("alice", "fan", 3);
  EXPECT_TRUE(link_->published.empty());
  EXPECT_EQ(queue_->size(), 3U);
  link_->connect();
  ASSERT_EQ(service_.accepted_updates().size(), 3U);
  EXPECT_EQ(service_.accepted_updates()[0]["state"]["reported"]["learned"]["fan"], 1);
  EXPECT_EQ(service_.accepted_updates()[1]["state"]["reported"]["learned"]["fan"], 2);
  EXPECT_EQ(service_.accepted_updates()[2]["state"]["reported"]["learned"]["fan"], 3);
  EXPECT_EQ(service_.state("alice")["reported"]["learned"]["fan"], 3);
  EXPECT_EQ(queue_->size(), 0U);
}

TEST_F(ShadowSyncTest, QueuedChangesSurviveARestart) {
  change("alice", "fan", 4);
  queue_ = std::make_unique<store::SqliteSyncQueue>(dir_ / "sync.sqlite", 100);
  start();
  link_->connect();
  ASSERT_EQ(service_.accepted_updates().size(), 1U);
  EXPECT_EQ(service_.state("alice")["reported"]["learned"]["fan"], 4);
}

// The update reached the service but its answer was lost with the connection: it is sent
// again on reconnect with the old version, gets 409, and the merge finds the shadow holds
// it already: applied once.
TEST_F(ShadowSyncTest, ARedeliveryAppliesNothingTwice) {
  link_->connect();
  cloud_sets_alice(alice());
  const auto before = service_.accepted_updates().size();
  link_->disconnect();
  change("alice", kTemperature, 22.0);
  EXPECT_EQ(service_.accepted_updates().size(), before);
  link_->connect_and_lose_answers();
  EXPECT_EQ(service_.accepted_updates().size(), before + 1);
  EXPECT_EQ(queue_->size(), 1U);  // not acknowledged: still queued
  link_->connect();
  EXPECT_EQ(service_.accepted_updates().size(), before + 1);
  EXPECT_EQ(sync_->counters().conflicts, 1U);
  EXPECT_EQ(queue_->size(), 0U);
  EXPECT_EQ(service_.state("alice")["reported"]["learned"][kTemperature], 22.0);
}

TEST_F(ShadowSyncTest, ARemoteDeleteRemovesTheProfileAndItsPreferences) {
  link_->connect();
  cloud_sets_alice(alice());
  ASSERT_TRUE(cache_->version("alice"));
  queue_->push("alice", "fan", 2, now_ms_);
  queue_->push("bob", "fan", 3, now_ms_);
  link_->from_cloud(service_.cloud_delete("alice"));
  EXPECT_FALSE(std::filesystem::exists(cache_->file("alice")));
  ASSERT_EQ(forgotten_.size(), 1U);
  EXPECT_EQ(forgotten_[0], "alice");
  EXPECT_EQ(sync_->counters().deleted, 1U);
  EXPECT_FALSE(sync_->known_version("alice"));
  // bob's change was then sent; nothing of alice's is left.
  EXPECT_EQ(queue_->size(), 0U);
  EXPECT_FALSE(service_.exists("alice"));
}

TEST_F(ShadowSyncTest, MalformedAndOversizedAnswersAreRefusedAndCounted) {
  link_->connect();
  cloud_sets_alice(alice());
  const auto cached = cache_->document("alice");
  const std::string topic = "$aws/things/car-42/shadow/name/alice/update/documents";
  sync_->on_message({topic, "{not json", 1, false});
  sync_->on_message({topic, "[1, 2]", 1, false});
  sync_->on_message({topic, R"({"current": {"version": "nine"}})", 1, false});
  sync_->on_message({topic, std::string(8 * 1024 + 1, ' '), 1, false});
  EXPECT_EQ(sync_->counters().malformed, 3U);
  EXPECT_EQ(sync_->counters().oversized, 1U);
  EXPECT_EQ(cache_->version("alice"), 1);
  EXPECT_EQ(cache_->document("alice"), cached);
  EXPECT_EQ(sync_->counters().applied, 1U);
}

TEST_F(ShadowSyncTest, AnUpdateTheServiceRefusesForGoodIsDropped) {
  link_->connect();
  cloud_sets_alice(alice());
  change("alice", std::string(9000, 'x'), 1.0);  // 413 Payload too large
  EXPECT_EQ(sync_->counters().rejected, 1U);
  EXPECT_EQ(queue_->size(), 0U);
}

}  // namespace
}  // namespace cabind::sync
