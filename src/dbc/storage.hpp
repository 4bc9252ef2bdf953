#pragma once
// What a parsed Database's views point into (internal to the dbc module): the DBC text,
// moved in once, and an arena for what the text does not hold as written (strings with
// escapes resolved, value tables, multiplexing ranges, signal notes). Created by the
// parser, then shared, immutable, by every copy of the Database (database.hpp).
// Nothing in it moves once written: the arena only grows, in blocks of its own.

#include <memory_resource>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace cabind::dbc::detail {

struct DatabaseStorage {
  explicit DatabaseStorage(std::string dbc_text) noexcept : text(std::move(dbc_text)) {}
  DatabaseStorage(const DatabaseStorage&) = delete;
  DatabaseStorage& operator=(const DatabaseStorage&) = delete;

  // A copy of `s` in the arena (for a string the text does not hold as it is).
  [[nodiscard]] std::string_view keep(std::string_view s) {
    if (s.empty()) return {};
    auto* chars = static_cast<char*>(arena.allocate(s.size(), 1));
    s.copy(chars, s.size());
    return {chars, s.size()};
  }

  // A copy of `items` in the arena.
  template <typename T>
  [[nodiscard]] std::span<const T> keep(std::span<const T> items) {
    static_assert(std::is_trivially_destructible_v<T>, "the arena runs no destructor");
    if (items.empty()) return {};
    T* copy = static_cast<T*>(arena.allocate(items.size_bytes(), alignof(T)));
    for (std::size_t i = 0; i < items.size(); ++i)
      new (copy + i) T(items[i]);
    return {copy, items.size()};
  }

  // A new T in the arena, alive as long as the storage.
  template <typename T>
  [[nodiscard]] T* make() {
    static_assert(std::is_trivially_destructible_v<T>, "the arena runs no destructor");
    return new (arena.allocate(sizeof(T), alignof(T))) T{};
  }

  std::string text;
  std::pmr::monotonic_buffer_resource arena;
};

}  // namespace cabind::dbc::detail
