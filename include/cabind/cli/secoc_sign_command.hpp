#pragma once
// cabind secoc sign --key FILE --data-id N --counter N [--mac-bits 24] [--freshness-bits 8]
//                   FRAME...
//
// Secures each FRAME (cansend notation, its data the authentic payload) as the sender of a
// SecOC message would, and prints it in the same notation, one per line, for cansend,
// canplayer logs, workshop tools and the demo. The first FRAME gets freshness value
// `--counter`, the next counter + 1, and so on. Profile 1 by default:
//
//   cabind secoc sign --key fob.key --data-id 257 --counter 5 122#03000000
//     -> 122#03000000058175C2      (authentic ‖ FV 0x05 ‖ 24-bit MAC; key 000102..0f)
//
// The key file is checked as the daemon checks it (config/key_file.hpp: owner, mode 0600 or
// 0400) and never printed. Exit codes: 0 ok, 2 usage, key or frame error.

#include <ostream>
#include <span>
#include <string>

namespace cabind::cli {

[[nodiscard]] int run_secoc(std::span<const std::string> args, std::ostream& out,
                            std::ostream& err);

}  // namespace cabind::cli
