#pragma once
// Integrator commands over a DBC file, as functions the `cabind` binary's main dispatches to
// (and tests call with string streams).
//
//   cabind decode --dbc FILE [LOG]
//     Reads a candump log (`candump -L` format; LOG absent or "-" = standard input) and
//     prints one JSON object per frame, signals in DBC order with physical values:
//       (1700000000.123456) can0 41A#7800000000000000 ->
//       {"t":1700000000.123456,"id":1050,"message":"Climate_Control_Data","signals":{"InCarTemp":20.0}}
//     A frame whose id the DBC does not know prints "message":null and no signals; signals
//     that are multiplexed out or lie beyond a short payload are left out.
//
//   cabind dbc-check [--strict] FILE
//     Parses FILE and prints "FILE: N messages, M signals[, W warning(s)]" (the warnings
//     themselves to `err`, exit 0), or the errors, every one with file:line:column.
//     --strict: every warning (a tolerated deviation from the DBC grammar) is an error.
//
// Exit codes: 0 ok, 1 input error (a malformed log line, named by source:line), 2 usage or
// DBC error.

#include <istream>
#include <ostream>
#include <span>
#include <string>

namespace cabind::cli {

[[nodiscard]] int run_decode(std::span<const std::string> args, std::istream& in, std::ostream& out,
                             std::ostream& err);

[[nodiscard]] int run_dbc_check(std::span<const std::string> args, std::ostream& out,
                                std::ostream& err);

}  // namespace cabind::cli
