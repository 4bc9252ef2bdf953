#include "cabind/store/sqlite_preference_store.hpp"

#include <sqlite3.h>

#include <chrono>

#include "sqlite_statement.hpp"

namespace cabind::store {
namespace {

constexpr const char* schema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS preferences ("
    "  profile TEXT NOT NULL,"
    "  output TEXT NOT NULL,"
    "  value REAL NOT NULL,"
    "  updated_at INTEGER NOT NULL DEFAULT (strftime('%s','now')),"
    "  PRIMARY KEY (profile, output));"
    // Counters are unsigned 64-bit; SQLite's INTEGER is signed: stored as the same bits.
    "CREATE TABLE IF NOT EXISTS secoc_freshness ("
    "  data_id INTEGER PRIMARY KEY,"
    "  counter INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL DEFAULT (strftime('%s','now')));";

// Commits at most this often unless flush() or flush_async() waits: under a flood of
// learned values the writer makes ten transactions a second, not one per batch of frames.
constexpr std::chrono::milliseconds min_commit_interval{100};

}  // namespace

SqlitePreferenceStore::SqlitePreferenceStore(const std::filesystem::path& file) : file_(file) {
  auto fail = [this](const std::string& what) {
    std::string message = "preference store " + file_.string() + ": " + what;
    if (db_ != nullptr) message += ": " + std::string(::sqlite3_errmsg(db_));
    ::sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(message);
  };
  if (::sqlite3_open_v2(file_.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
    fail("cannot open or create the database");
  }
  ::sqlite3_busy_timeout(db_, 2000);
  if (::sqlite3_exec(db_, schema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    fail("cannot set up the preferences table");
  }
  {
    Statement select(db_, "SELECT profile, output, value FROM preferences");
    if (select.get() == nullptr) fail("cannot read the preferences table");
    int step = SQLITE_ROW;
    while ((step = ::sqlite3_step(select.get())) == SQLITE_ROW) {
      const auto* profile = ::sqlite3_column_text(select.get(), 0);
      const auto* output = ::sqlite3_column_text(select.get(), 1);
      cache_.learn(reinterpret_cast<const char*>(profile), reinterpret_cast<const char*>(output),
                   ::sqlite3_column_double(select.get(), 2));
    }
    if (step != SQLITE_DONE) fail("cannot read the preferences table");
  }
  {
    Statement select(db_, "SELECT data_id, counter FROM secoc_freshness");
    if (select.get() == nullptr) fail("cannot read the secoc_freshness table");
    int step = SQLITE_ROW;
    while ((step = ::sqlite3_step(select.get())) == SQLITE_ROW) {
      freshness_cache_.keep_freshness(
          static_cast<std::uint16_t>(::sqlite3_column_int(select.get(), 0)),
          static_cast<std::uint64_t>(::sqlite3_column_int64(select.get(), 1)));
    }
    if (step != SQLITE_DONE) fail("cannot read the secoc_freshness table");
  }
  writer_ = std::thread([this] { write_loop(); });
}

SqlitePreferenceStore::~SqlitePreferenceStore() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
  ::sqlite3_close(db_);
}

void SqlitePreferenceStore::learn(std::string_view profile_id, std::string_view output,
                                  double value) {
  cache_.learn(profile_id, output, value);
  {
    std::lock_guard lock(mutex_);
    if (Row* queued = pending_preference(profile_id, output); queued != nullptr) {
      queued->value = value;  // not yet taken by the writer: it commits the newest value
      ++superseded_;
      return;
    }
  }
  enqueue({std::string(profile_id), std::string(output), value});
}

SqlitePreferenceStore::Row* SqlitePreferenceStore::pending_preference(std::string_view profile_id,
                                                                      std::string_view output) {
  // From the newest row back: a forget of the driver ends the search (what was queued
  // before it is erased by it; a value learned after it must follow it).
  for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) {
    if (it->freshness || it->profile != profile_id) continue;
    if (it->forget) return nullptr;
    if (it->output == output) return &*it;
  }
  return nullptr;
}

void SqlitePreferenceStore::forget(std::string_view profile_id) {
  cache_.forget(profile_id);
  Row row;
  row.profile = std::string(profile_id);
  row.forget = true;
  enqueue(std::move(row));
}

std::optional<std::uint64_t> SqlitePreferenceStore::freshness(std::uint16_t data_id) const {
  return freshness_cache_.freshness(data_id);
}

void SqlitePreferenceStore::keep_freshness(std::uint16_t data_id, std::uint64_t counter) {
  freshness_cache_.keep_freshness(data_id, counter);
  {
    std::lock_guard lock(mutex_);
    for (Row& row : queue_) {
      if (row.freshness && row.data_id == data_id) {
        row.counter = counter;  // not yet taken by the writer: it commits the newest counter
        ++superseded_;
        return;
      }
    }
  }
  Row row;
  row.freshness = true;
  row.data_id = data_id;
  row.counter = counter;
  enqueue(std::move(row));
}

void SqlitePreferenceStore::enqueue(Row row) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(row));
    ++queued_;
  }
  wake_.notify_one();
}

std::optional<double> SqlitePreferenceStore::preference(std::string_view profile_id,
                                                        std::string_view output) const {
  return cache_.preference(profile_id, output);
}

std::vector<std::pair<std::string, double>> SqlitePreferenceStore::preferences_of(
    std::string_view profile_id) const {
  return cache_.preferences_of(profile_id);
}

bool SqlitePreferenceStore::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = queued_;
  const std::uint64_t errors_before = write_errors_;
  if (committed_ < target) urgent_ = true;
  wake_.notify_one();
  drained_.wait(lock, [&] { return committed_ >= target; });
  return write_errors_ == errors_before;
}

void SqlitePreferenceStore::flush_async(std::function<void(bool ok)> done) {
  bool waiting = false;
  {
    std::lock_guard lock(mutex_);
    if (committed_ < queued_) {
      waiters_.push_back({queued_, write_errors_, std::move(done)});
      urgent_ = true;
      waiting = true;
    }
  }
  if (waiting) {
    wake_.notify_one();
  } else {
    done(true);
  }
}

std::vector<SqlitePreferenceStore::Waiter> SqlitePreferenceStore::take_satisfied_waiters() {
  std::vector<Waiter> satisfied;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (it->target <= committed_) {
      satisfied.push_back(std::move(*it));
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
  return satisfied;
}

std::uint64_t SqlitePreferenceStore::write_errors() const {
  std::lock_guard lock(mutex_);
  return write_errors_;
}

std::size_t SqlitePreferenceStore::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::uint64_t SqlitePreferenceStore::superseded() const {
  std::lock_guard lock(mutex_);
  return superseded_;
}

void SqlitePreferenceStore::write_loop() {
  Statement upsert(db_,
                   "INSERT INTO preferences (profile, output, value) VALUES (?1, ?2, ?3) "
                   "ON CONFLICT (profile, output) DO UPDATE SET value = excluded.value, "
                   "updated_at = strftime('%s','now')");
  Statement keep(db_,
                 "INSERT INTO secoc_freshness (data_id, counter) VALUES (?1, ?2) "
                 "ON CONFLICT (data_id) DO UPDATE SET counter = excluded.counter, "
                 "updated_at = strftime('%s','now')");
  Statement erase(db_, "DELETE FROM preferences WHERE profile = ?1");
  std::unique_lock lock(mutex_);
  std::chrono::steady_clock::time_point last_commit{};
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    // Unless somebody waits for it, give the queue time to coalesce (learn()).
    wake_.wait_until(lock, last_commit + min_commit_interval,
                     [this] { return stopping_ || urgent_; });
    // Commit everything queued so far in one transaction.
    std::deque<Row> batch;
    batch.swap(queue_);
    urgent_ = false;
    lock.unlock();
    bool ok = upsert.get() != nullptr && keep.get() != nullptr && erase.get() != nullptr &&
              ::sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    for (const Row& row : batch) {
      if (!ok) break;
      if (row.freshness) {
        ::sqlite3_reset(keep.get());
        ::sqlite3_bind_int(keep.get(), 1, row.data_id);
        ::sqlite3_bind_int64(keep.get(), 2, static_cast<sqlite3_int64>(row.counter));
        ok = ::sqlite3_step(keep.get()) == SQLITE_DONE;
        continue;
      }
      if (row.forget) {
        ::sqlite3_reset(erase.get());
        ::sqlite3_bind_text(erase.get(), 1, row.profile.data(),
                            static_cast<int>(row.profile.size()), SQLITE_TRANSIENT);
        ok = ::sqlite3_step(erase.get()) == SQLITE_DONE;
        continue;
      }
      ::sqlite3_reset(upsert.get());
      ::sqlite3_bind_text(upsert.get(), 1, row.profile.data(), static_cast<int>(row.profile.size()),
                          SQLITE_TRANSIENT);
      ::sqlite3_bind_text(upsert.get(), 2, row.output.data(), static_cast<int>(row.output.size()),
                          SQLITE_TRANSIENT);
      ::sqlite3_bind_double(upsert.get(), 3, row.value);
      ok = ::sqlite3_step(upsert.get()) == SQLITE_DONE;
    }
    if (ok) {
      ok = ::sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    if (!ok) ::sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    last_commit = std::chrono::steady_clock::now();
    lock.lock();
    if (!ok) write_errors_ += batch.size();
    committed_ += batch.size();
    drained_.notify_all();
    std::vector<Waiter> satisfied = take_satisfied_waiters();
    const std::uint64_t errors = write_errors_;
    lock.unlock();  // a completion may take its time (or post): never under the lock
    for (Waiter& waiter : satisfied)
      waiter.done(errors == waiter.errors_before);
    lock.lock();
  }
}

}  // namespace cabind::store
