#include "cabind/store/sqlite_preference_store.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <future>

namespace cabind::store {
namespace {

class SqlitePreferenceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("cabind-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path db() const { return dir_ / "preferences.sqlite"; }

  std::filesystem::path dir_;
};

TEST_F(SqlitePreferenceStoreTest, LearnedValuesSurviveReopening) {
  {
    SqlitePreferenceStore store(db());
    store.learn("alice", "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature", 22.5);
    store.learn("alice", "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature", 23.0);
    store.learn("bob", "Vehicle.Cabin.HVAC.Station.Row1.Driver.FanSpeed", 4);
    EXPECT_TRUE(store.flush());
  }
  SqlitePreferenceStore reopened(db());
  EXPECT_EQ(reopened.preference("alice", "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature"),
            23.0);
  EXPECT_EQ(reopened.preference("bob", "Vehicle.Cabin.HVAC.Station.Row1.Driver.FanSpeed"), 4.0);
  EXPECT_FALSE(reopened.preference("carla", "Vehicle.Cabin.HVAC.Station.Row1.Driver.FanSpeed"));
  EXPECT_EQ(reopened.preferences_of("alice").size(), 1U);
}

TEST_F(SqlitePreferenceStoreTest, AForgottenDriverStaysForgottenAfterReopeningAndOthersStay) {
  const char* temperature = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature";
  {
    SqlitePreferenceStore store(db());
    store.learn("alice", temperature, 22.5);
    store.learn("alice", "Vehicle.Cabin.HVAC.Station.Row1.Driver.FanSpeed", 3);
    store.learn("bob", temperature, 19.0);
    ASSERT_TRUE(store.flush());
    store.forget("alice");
    EXPECT_FALSE(store.preference("alice", temperature));  // at once, before the commit
    EXPECT_TRUE(store.preferences_of("alice").empty());
    ASSERT_TRUE(store.flush());
  }
  SqlitePreferenceStore reopened(db());
  EXPECT_TRUE(reopened.preferences_of("alice").empty());
  EXPECT_EQ(reopened.preference("bob", temperature), 19.0);
  // A value learned after the forget is kept: the order of the queue is the order of calls.
  reopened.forget("bob");
  reopened.learn("bob", temperature, 20.0);
  ASSERT_TRUE(reopened.flush());
  EXPECT_EQ(SqlitePreferenceStore(db()).preference("bob", temperature), 20.0);
}

// A flood of learned values (random payloads on a learning signal, issue 14's soak) must
// not grow the writer's queue, however far the disk is behind: a value learned again
// before the writer took the previous one replaces it. Before that, the queue held every
// value and the soak's RSS grew by 8 MiB a minute.
TEST_F(SqlitePreferenceStoreTest, AFloodOfLearnedValuesKeepsTheQueueBoundedAndCommitsTheNewest) {
  const char* temperature = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature";
  const char* fan = "Vehicle.Cabin.HVAC.Station.Row1.Driver.FanSpeed";
  constexpr int values = 100000;
  std::size_t most_pending = 0;
  {
    SqlitePreferenceStore store(db());
    for (int i = 0; i < values; ++i) {
      store.learn("alice", temperature, 16.0 + (i % 100) / 10.0);
      store.learn("alice", fan, i % 8);
      store.keep_freshness(257, static_cast<std::uint64_t>(i));
      most_pending = std::max(most_pending, store.pending());
    }
    store.learn("alice", temperature, 21.5);
    EXPECT_GT(store.superseded(), 0U);
    ASSERT_TRUE(store.flush());
    EXPECT_EQ(store.pending(), 0U);
  }
  EXPECT_LE(most_pending, 3U);  // one row per (driver, output) and per Data ID
  SqlitePreferenceStore reopened(db());
  EXPECT_EQ(reopened.preference("alice", temperature), 21.5);
  EXPECT_EQ(reopened.preference("alice", fan), double{(values - 1) % 8});
  EXPECT_EQ(reopened.freshness(257), std::uint64_t{values - 1});
}

TEST_F(SqlitePreferenceStoreTest, AValueLearnedAfterAQueuedForgetIsNotMergedIntoOneBeforeIt) {
  const char* temperature = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature";
  {
    SqlitePreferenceStore store(db());
    for (int i = 0; i < 1000; ++i) {
      store.learn("bob", temperature, 18.0);
      store.forget("bob");
      store.learn("bob", temperature, 19.0 + i % 2);
    }
    ASSERT_TRUE(store.flush());
  }
  EXPECT_EQ(SqlitePreferenceStore(db()).preference("bob", temperature), 20.0);
}

TEST_F(SqlitePreferenceStoreTest, SecocCountersSurviveReopeningWithAll64Bits) {
  {
    SqlitePreferenceStore store(db());
    EXPECT_EQ(store.freshness(257), std::nullopt);
    store.keep_freshness(257, 41);
    store.keep_freshness(257, 42);
    store.keep_freshness(258, 0xFFFF'FFFF'FFFF'FFF0ULL);  // past INT64_MAX: same bits back
    store.learn("alice", "fan", 3);
    EXPECT_EQ(store.freshness(257), 42U);
    EXPECT_TRUE(store.flush());
  }
  SqlitePreferenceStore reopened(db());
  EXPECT_EQ(reopened.freshness(257), 42U);
  EXPECT_EQ(reopened.freshness(258), 0xFFFF'FFFF'FFFF'FFF0ULL);
  EXPECT_EQ(reopened.freshness(259), std::nullopt);
  EXPECT_EQ(reopened.preference("alice", "fan"), 3.0);
}

TEST_F(SqlitePreferenceStoreTest, AFlushedSecocCounterSurvivesAProcessKilledWithoutCleanup) {
  const pid_t child = ::fork();
  if (child == 0) {
    SqlitePreferenceStore store(db());
    store.keep_freshness(257, 7);
    _exit(store.flush() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(SqlitePreferenceStore(db()).freshness(257), 7U);
}

TEST_F(SqlitePreferenceStoreTest, AFlushedValueSurvivesAProcessKilledWithoutCleanup) {
  const pid_t child = ::fork();
  if (child == 0) {
    SqlitePreferenceStore store(db());
    store.learn("alice", "fan", 5);
    _exit(store.flush() ? 0 : 1);  // no destructor, like kill -9 after the acknowledgement
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  SqlitePreferenceStore reopened(db());
  EXPECT_EQ(reopened.preference("alice", "fan"), 5.0);
}

TEST_F(SqlitePreferenceStoreTest, AnAsyncFlushCompletesOnlyOnceTheValueIsOnDisk) {
  // The child acknowledges from the completion and dies without cleanup, like kill -9
  // right after `cabinctl set` was answered.
  const pid_t child = ::fork();
  if (child == 0) {
    SqlitePreferenceStore store(db());
    store.learn("alice", "fan", 6);
    std::promise<bool> committed;
    store.flush_async([&](bool ok) { committed.set_value(ok); });
    _exit(committed.get_future().get() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  SqlitePreferenceStore reopened(db());
  EXPECT_EQ(reopened.preference("alice", "fan"), 6.0);
}

TEST_F(SqlitePreferenceStoreTest, AnAsyncFlushWithNothingPendingCompletesAtOnce) {
  SqlitePreferenceStore store(db());
  bool called = false;
  store.flush_async([&](bool ok) { called = ok; });
  EXPECT_TRUE(called);
}

TEST_F(SqlitePreferenceStoreTest, ValuesAreReadableAtOnceBeforeTheyAreCommitted) {
  SqlitePreferenceStore store(db());
  store.learn("alice", "fan", 2);
  EXPECT_EQ(store.preference("alice", "fan"), 2.0);
}

TEST_F(SqlitePreferenceStoreTest, AnUnusableFileIsAClearError) {
  std::filesystem::create_directories(db());  // a directory where the database should be
  try {
    SqlitePreferenceStore store(db());
    FAIL() << "opened a directory as a database";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("preference store " + db().string()), std::string::npos)
        << e.what();
  }
}

TEST_F(SqlitePreferenceStoreTest, ACorruptFileIsAClearError) {
  {
    std::FILE* f = std::fopen(db().c_str(), "wb");
    std::fputs("this is not a database, it is a text file long enough to be read as a header", f);
    std::fclose(f);
  }
  EXPECT_THROW(SqlitePreferenceStore store(db()), StoreError);
}

}  // namespace
}  // namespace cabind::store
