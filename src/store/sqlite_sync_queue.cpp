#include "cabind/store/sqlite_sync_queue.hpp"

#include <sqlite3.h>

#include <string>

#include "cabind/store/sqlite_preference_store.hpp"
#include "sqlite_statement.hpp"

namespace cabind::store {
namespace {

constexpr const char* kSchema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS sync_queue ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  profile TEXT NOT NULL,"
    "  field TEXT NOT NULL,"
    "  value REAL NOT NULL,"
    "  changed_at_ms INTEGER NOT NULL);";

std::string column_text(sqlite3_stmt* stmt, int column) {
  const auto* text = ::sqlite3_column_text(stmt, column);
  return text ? std::string(reinterpret_cast<const char*>(text)) : std::string();
}

}  // namespace

SqliteSyncQueue::SqliteSyncQueue(const std::filesystem::path& file, std::size_t capacity)
    : file_(file), capacity_(capacity == 0 ? 1 : capacity) {
  if (::sqlite3_open(file_.c_str(), &db_) != SQLITE_OK) {
    const std::string cause = db_ ? ::sqlite3_errmsg(db_) : "out of memory";
    ::sqlite3_close(db_);
    throw StoreError("sync queue " + file_.string() + ": cannot open: " + cause);
  }
  ::sqlite3_busy_timeout(db_, 5000);
  char* error = nullptr;
  if (::sqlite3_exec(db_, kSchema, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string cause = error ? error : "unknown error";
    ::sqlite3_free(error);
    ::sqlite3_close(db_);
    throw StoreError("sync queue " + file_.string() + ": " + cause);
  }
}

SqliteSyncQueue::~SqliteSyncQueue() {
  ::sqlite3_close(db_);
}

bool SqliteSyncQueue::exec(const char* sql) {
  return ::sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

bool SqliteSyncQueue::push(std::string_view profile_id, std::string_view field, double value,
                           std::int64_t changed_at_ms) {
  // One transaction: the new row and the drop of the oldest commit together, so a crash
  // between them can neither exceed the bound nor lose the new row.
  bool ok = exec("BEGIN IMMEDIATE");
  const std::size_t before = ok ? size() : 0;
  if (ok) {
    const Statement insert(
        db_, "INSERT INTO sync_queue (profile, field, value, changed_at_ms) VALUES (?,?,?,?)");
    insert.text(1, profile_id);
    insert.text(2, field);
    ::sqlite3_bind_double(insert.get(), 3, value);
    ::sqlite3_bind_int64(insert.get(), 4, changed_at_ms);
    ok = ::sqlite3_step(insert.get()) == SQLITE_DONE;
  }
  std::size_t over = before + 1 > capacity_ ? before + 1 - capacity_ : 0;
  if (ok && over > 0) {
    const Statement drop(
        db_,
        "DELETE FROM sync_queue WHERE seq IN (SELECT seq FROM sync_queue ORDER BY seq LIMIT ?)");
    ::sqlite3_bind_int64(drop.get(), 1, static_cast<std::int64_t>(over));
    ok = ::sqlite3_step(drop.get()) == SQLITE_DONE;
  }
  ok = ok && exec("COMMIT");
  if (!ok) {
    exec("ROLLBACK");
    ++write_errors_;
    return false;
  }
  dropped_ += over;
  return true;
}

std::optional<QueuedChange> SqliteSyncQueue::front() const {
  const Statement select(
      db_, "SELECT seq, profile, field, value, changed_at_ms FROM sync_queue ORDER BY seq LIMIT 1");
  if (::sqlite3_step(select.get()) != SQLITE_ROW) return std::nullopt;
  QueuedChange change;
  change.seq = ::sqlite3_column_int64(select.get(), 0);
  change.profile_id = column_text(select.get(), 1);
  change.field = column_text(select.get(), 2);
  change.value = ::sqlite3_column_double(select.get(), 3);
  change.changed_at_ms = ::sqlite3_column_int64(select.get(), 4);
  return change;
}

void SqliteSyncQueue::remove(std::int64_t seq) {
  const Statement drop(db_, "DELETE FROM sync_queue WHERE seq = ?");
  ::sqlite3_bind_int64(drop.get(), 1, seq);
  if (::sqlite3_step(drop.get()) != SQLITE_DONE) ++write_errors_;
}

void SqliteSyncQueue::remove_profile(std::string_view profile_id) {
  const Statement drop(db_, "DELETE FROM sync_queue WHERE profile = ?");
  drop.text(1, profile_id);
  if (::sqlite3_step(drop.get()) != SQLITE_DONE) ++write_errors_;
}

std::size_t SqliteSyncQueue::size() const {
  const Statement count(db_, "SELECT COUNT(*) FROM sync_queue");
  if (::sqlite3_step(count.get()) != SQLITE_ROW) return 0;
  return static_cast<std::size_t>(::sqlite3_column_int64(count.get(), 0));
}

}  // namespace cabind::store
