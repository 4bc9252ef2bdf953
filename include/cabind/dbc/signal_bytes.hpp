#pragma once
// How many leading bytes of a frame a signal's bits reach into: a frame must be at least
// this long for the signal to decode. Shared with modules outside dbc that must reason
// about a signal's place in its frame (the SecOC check: bound signals must lie in the
// authentic payload, before the freshness value and MAC). Pure; thread-safe.

#include <cstddef>

#include "cabind/dbc/database.hpp"

namespace cabind::dbc {

// 0 for a signal that lies beyond a 64-byte frame (the parser drops those).
[[nodiscard]] std::size_t bytes_spanned(const Signal& signal) noexcept;

}  // namespace cabind::dbc
