#pragma once
// Learned preferences kept in SQLite, so a driver's manual choices and the values set
// through the control socket survive a restart, a crash or a power cut.
//
// Reads never touch the disk: the whole table is loaded at open into memory and lookups
// are served from there (allocation-free, as the engine needs). Writes are made durable
// by a writer thread: learn() updates memory at once and queues the row, so the engine's
// thread never waits for the disk; flush() blocks until everything queued is committed
// (WAL journal, synchronous=FULL). Acknowledge a value to a user only after flush().
//
// Threading: learn(), preference(), preferences_of() and flush() from one thread (the
// daemon's); the writer thread only touches the database and the queue.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "cabind/engine/preference_store.hpp"

struct sqlite3;

namespace cabind::store {

// The database cannot be opened or created; the message names the file and the cause.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SqlitePreferenceStore final : public engine::PreferenceStore {
 public:
  // Opens (or creates) the database and loads it; throws StoreError.
  explicit SqlitePreferenceStore(const std::filesystem::path& file);
  // Commits what is queued, then closes.
  ~SqlitePreferenceStore() override;

  void learn(std::string_view profile_id, std::string_view output, double value) override;
  [[nodiscard]] std::optional<double> preference(std::string_view profile_id,
                                                 std::string_view output) const override;
  [[nodiscard]] std::vector<std::pair<std::string, double>> preferences_of(
      std::string_view profile_id) const override;

  // Waits until every learn() so far is committed; false when a write failed (the value
  // is then kept in memory only, and write_errors() counts it).
  bool flush();
  [[nodiscard]] std::uint64_t write_errors() const;
  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }

 private:
  struct Row {
    std::string profile;
    std::string output;
    double value;
  };
  void write_loop();

  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  engine::MemoryPreferenceStore cache_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<Row> queue_;
  std::uint64_t queued_ = 0;     // rows ever queued
  std::uint64_t committed_ = 0;  // rows ever written (or failed)
  std::uint64_t write_errors_ = 0;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace cabind::store
