#pragma once
// Which signals of a message share bits with another signal they can be on the wire with
// (internal to the dbc module). Signals selected by disjoint values of the same multiplexor
// never are. Each overlapping signal is reported once, with one signal it overlaps:
//   A 0|8, B 4|8, C 6|4 (none multiplexed) -> {B overlaps A}, {C overlaps A}
// Cost: linear in the number of signals for plain and simply multiplexed messages (signals
// are grouped by what selects them, and groups are compared through the union of their
// bits); only groups of different multiplexors (extended multiplexing) are compared pairwise.

#include <cstddef>
#include <vector>

#include "cabind/dbc/database.hpp"

namespace cabind::dbc::detail {

struct Overlap {
  std::size_t signal = 0;      // index in Message::signals, the later of the two in file order
  std::size_t overlapped = 0;  // the earlier one
};

[[nodiscard]] std::vector<Overlap> find_overlaps(const Message& message);

}  // namespace cabind::dbc::detail
