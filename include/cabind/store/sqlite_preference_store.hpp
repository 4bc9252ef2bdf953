#pragma once
// Learned preferences kept in SQLite, so a driver's manual choices and the values set
// through the control socket survive a restart, a crash or a power cut; and, in the same
// database and by the same writer, the SecOC freshness counters (engine/freshness_store.hpp).
//
// Reads never touch the disk: the whole table is loaded at open into memory and lookups
// are served from there (allocation-free, as the engine needs). Writes are made durable
// by a writer thread: learn() updates memory at once and queues the row, so the engine's
// thread never waits for the disk; flush() blocks until everything queued is committed
// (WAL journal, synchronous=FULL). The queue holds at most one row per (driver, output),
// per SecOC Data ID and per forget between them: a value learned again before the writer
// took the previous one replaces it in the queue (superseded(): only the newest value is
// committed), so a flood of learned values on the bus cannot grow it, however slow the
// disk; and the writer commits at most every 100 ms unless flush() or flush_async() waits
// (ten transactions a second under a flood, not one per batch of frames). Acknowledge a
// value to a user only after flush(), or from flush_async()'s completion, which does not
// block the caller's thread.
//
// Threading: learn(), preference(), preferences_of(), freshness(), keep_freshness() and
// flush() from one thread (the daemon's); the writer thread only touches the database and
// the queue.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cabind/engine/freshness_store.hpp"
#include "cabind/engine/preference_store.hpp"

struct sqlite3;

namespace cabind::store {

// The database cannot be opened or created; the message names the file and the cause.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SqlitePreferenceStore final : public engine::PreferenceStore, public engine::FreshnessStore {
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
  // Removes the driver's learned preferences from memory at once and from the database
  // with the next commit (queued like learn(): durable after flush()).
  void forget(std::string_view profile_id) override;

  [[nodiscard]] std::optional<std::uint64_t> freshness(std::uint16_t data_id) const override;
  // Queued like learn(): durable after flush().
  void keep_freshness(std::uint16_t data_id, std::uint64_t counter) override;

  // Waits until every learn() so far is committed; false when a write failed (the value
  // is then kept in memory only, and write_errors() counts it).
  bool flush();
  // Calls done(ok) once every learn() so far is committed, without waiting for it: ok is
  // false when a write failed (as flush()). done runs on the writer thread, or at once on
  // the caller's when nothing is pending; it must not throw and should only hand the
  // result over (e.g. boost::asio::post it to the caller's io_context).
  void flush_async(std::function<void(bool ok)> done);
  [[nodiscard]] std::uint64_t write_errors() const;
  // Rows queued for the writer now; values replaced in the queue by a newer one, ever.
  [[nodiscard]] std::size_t pending() const;
  [[nodiscard]] std::uint64_t superseded() const;
  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }

 private:
  // A preference, a forgotten driver (forget set), or (freshness set) a freshness counter.
  struct Row {
    std::string profile;
    std::string output;
    double value = 0.0;
    bool forget = false;
    bool freshness = false;
    std::uint16_t data_id = 0;
    std::uint64_t counter = 0;
  };
  void enqueue(Row row);
  // The queued row of (profile_id, output) that a new value may replace. Call with mutex_ held.
  [[nodiscard]] Row* pending_preference(std::string_view profile_id, std::string_view output);
  struct Waiter {
    std::uint64_t target;         // committed_ this waiter needs
    std::uint64_t errors_before;  // write_errors_ when it registered
    std::function<void(bool)> done;
  };
  void write_loop();
  // Removes and returns the waiters whose rows are committed. Call with mutex_ held.
  [[nodiscard]] std::vector<Waiter> take_satisfied_waiters();

  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  engine::MemoryPreferenceStore cache_;
  engine::MemoryFreshnessStore freshness_cache_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<Row> queue_;
  std::vector<Waiter> waiters_;
  std::uint64_t queued_ = 0;     // rows ever queued
  std::uint64_t committed_ = 0;  // rows ever written (or failed)
  std::uint64_t write_errors_ = 0;
  std::uint64_t superseded_ = 0;  // values replaced in the queue by a newer one
  bool stopping_ = false;
  bool urgent_ = false;  // flush() or flush_async() waits: commit without waiting
  std::thread writer_;
};

}  // namespace cabind::store
