#pragma once
// A prepared SQLite statement, finalized on scope exit: the one RAII wrapper both stores
// (preferences and SecOC counters, the profile sync queue) use. Private to `store`.
//
// A statement that failed to prepare holds null; SQLite's step/bind on null return
// SQLITE_MISUSE, which the callers treat as any failed write.

#include <sqlite3.h>

#include <string_view>

namespace cabind::store {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { ::sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { ::sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  [[nodiscard]] sqlite3_stmt* get() const noexcept { return stmt_; }
  // Binds a copy of `value` (SQLITE_TRANSIENT) to parameter `index` (1-based).
  void text(int index, std::string_view value) const {
    ::sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace cabind::store
