#pragma once
// The parser's index of every signal of a file by message and name (internal to the dbc
// module): one look-up per SG_ line for duplicates, and one per VAL_, CM_ SG_, BA_ SG_ ...
// reference. Open addressing with linear probing over 8-byte slots (message index, signal
// index), at most half full: 16 to 32 bytes a signal, where a node-based hash map took
// about 70. Names are not stored: a slot's name is read from the signal it points to, so
// the index is valid only while those signals stay where they are (the parser appends to
// the last message only, and indexes a signal only once it keeps it).

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "cabind/dbc/database.hpp"

namespace cabind::dbc::detail {

class SignalIndex {
 public:
  static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

  // Where a look-up ended: the signal found (or none), and where it would be inserted.
  struct Probe {
    std::uint32_t signal = none;
    std::size_t slot = 0;
    std::size_t hash = 0;
  };

  // `name` in messages[message], in a Probe for insert() when it is not there.
  [[nodiscard]] Probe find(const std::vector<Message>& messages, std::uint32_t message,
                           std::string_view name) const noexcept;
  [[nodiscard]] std::uint32_t find_signal(const std::vector<Message>& messages,
                                          std::uint32_t message,
                                          std::string_view name) const noexcept {
    return find(messages, message, name).signal;
  }

  // Adds messages[message].signals[signal], whose look-up gave `probe` (none found), with no
  // insert() in between.
  void insert(const std::vector<Message>& messages, const Probe& probe, std::uint32_t message,
              std::uint32_t signal);

 private:
  struct Slot {
    std::uint32_t message = none;  // none: empty
    std::uint32_t signal = 0;
  };

  [[nodiscard]] static std::size_t hash_of(std::uint32_t message, std::string_view name) noexcept;
  void grow(const std::vector<Message>& messages);

  std::vector<Slot> slots_;  // empty, or a power of two of them
  std::size_t size_ = 0;
};

}  // namespace cabind::dbc::detail
