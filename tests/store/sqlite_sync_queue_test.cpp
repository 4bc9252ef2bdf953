#include "cabind/store/sqlite_sync_queue.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "cabind/store/sqlite_preference_store.hpp"

namespace cabind::store {
namespace {

class SqliteSyncQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("cabind-queue-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path db() const { return dir_ / "sync.sqlite"; }

  std::filesystem::path dir_;
};

TEST_F(SqliteSyncQueueTest, ChangesComeOutInTheOrderTheyWentIn) {
  SqliteSyncQueue queue(db(), 10);
  EXPECT_TRUE(queue.push("alice", "temperature", 21.0, 1000));
  EXPECT_TRUE(queue.push("bob", "fan", 3.0, 2000));
  auto first = queue.front();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->profile_id, "alice");
  EXPECT_EQ(first->field, "temperature");
  EXPECT_EQ(first->value, 21.0);
  EXPECT_EQ(first->changed_at_ms, 1000);
  queue.remove(first->seq);
  auto second = queue.front();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->profile_id, "bob");
  EXPECT_GT(second->seq, first->seq);
  queue.remove(second->seq);
  EXPECT_FALSE(queue.front());
}

TEST_F(SqliteSyncQueueTest, AFullQueueDropsTheOldestAndCountsIt) {
  SqliteSyncQueue queue(db(), 3);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(queue.push("alice", "fan", i, i));
  EXPECT_EQ(queue.size(), 3U);
  EXPECT_EQ(queue.dropped(), 2U);
  EXPECT_EQ(queue.front()->value, 2.0);
}

TEST_F(SqliteSyncQueueTest, RemovingAProfileLeavesTheOthers) {
  SqliteSyncQueue queue(db(), 10);
  queue.push("alice", "fan", 1, 1);
  queue.push("bob", "fan", 2, 2);
  queue.push("alice", "temperature", 20, 3);
  queue.remove_profile("alice");
  EXPECT_EQ(queue.size(), 1U);
  EXPECT_EQ(queue.front()->profile_id, "bob");
}

// Every push() that returned is durable: a process killed with SIGKILL right after its
// pushes loses none, and a reopened queue has them in order.
TEST_F(SqliteSyncQueueTest, ChangesSurviveKill9InOrder) {
  constexpr int kChanges = 50;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SqliteSyncQueue queue(db(), 1000);
    for (int i = 0; i < kChanges; ++i)
      if (!queue.push("alice", "fan", i, i)) ::_exit(2);
    ::raise(SIGKILL);
    ::_exit(3);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGKILL);

  SqliteSyncQueue reopened(db(), 1000);
  ASSERT_EQ(reopened.size(), static_cast<std::size_t>(kChanges));
  for (int i = 0; i < kChanges; ++i) {
    const auto change = reopened.front();
    ASSERT_TRUE(change);
    EXPECT_EQ(change->value, i);
    reopened.remove(change->seq);
  }
  EXPECT_FALSE(reopened.front());
}

TEST_F(SqliteSyncQueueTest, AnUnopenableFileIsAClearError) {
  EXPECT_THROW({ const SqliteSyncQueue queue(dir_ / "missing" / "sync.sqlite", 10); }, StoreError);
}

}  // namespace
}  // namespace cabind::store
