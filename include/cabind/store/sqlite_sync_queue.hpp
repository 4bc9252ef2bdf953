#pragma once
// Changes to report to the profile shadows (learned preferences, `cabinctl set` values),
// queued durably in SQLite so that changes made while offline survive a restart, a crash
// or a kill -9 and are sent in order on reconnect.
//
// Bounded: at `capacity` rows, pushing drops the oldest row and counts it (the newest
// choice of a driver matters more than the oldest). push() returns once the row is
// committed (WAL, synchronous=FULL): it costs one fsync, so it is called on the control
// plane (once per manual change), never on the frame path.
//
// Threading: one thread (the daemon's io_context thread).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;

namespace cabind::store {

struct QueuedChange {
  std::int64_t seq = 0;  // increasing, never reused (SQLite AUTOINCREMENT)
  std::string profile_id;
  std::string field;  // output name, as the preference store keys it
  double value = 0.0;
  std::int64_t changed_at_ms = 0;  // wall clock (ms since the epoch) of the local change
};

class SqliteSyncQueue {
 public:
  // Opens (or creates) the queue; throws StoreError (sqlite_preference_store.hpp).
  SqliteSyncQueue(const std::filesystem::path& file, std::size_t capacity);
  ~SqliteSyncQueue();
  SqliteSyncQueue(const SqliteSyncQueue&) = delete;
  SqliteSyncQueue& operator=(const SqliteSyncQueue&) = delete;

  // Appends a change, durable on return; false when the write failed (counted).
  bool push(std::string_view profile_id, std::string_view field, double value,
            std::int64_t changed_at_ms);
  // The oldest queued change, if any.
  [[nodiscard]] std::optional<QueuedChange> front() const;
  // Removes one change (after the shadow accepted it, or a merge made it moot).
  void remove(std::int64_t seq);
  // Removes every change of a profile (the driver was deleted).
  void remove_profile(std::string_view profile_id);

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  // Rows dropped because the queue was full, since open.
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_; }
  [[nodiscard]] std::uint64_t write_errors() const noexcept { return write_errors_; }

 private:
  bool exec(const char* sql);

  std::filesystem::path file_;
  std::size_t capacity_;
  sqlite3* db_ = nullptr;
  std::uint64_t dropped_ = 0;
  std::uint64_t write_errors_ = 0;
};

}  // namespace cabind::store
