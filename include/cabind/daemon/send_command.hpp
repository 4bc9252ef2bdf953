#pragma once
// `cabind send --interface IFACE [--fd] FRAME...`: a workshop check that the bus
// layer cabind itself uses can open IFACE and put frames on it. FRAME is cansend
// notation (123#DEADBEEF, 12345678#01, 123##1AABB, 123#R).

#include <iosfwd>
#include <span>
#include <string>

namespace cabind::daemon {

// Exit status: 0 all sent, 1 a frame could not be sent, 2 usage or bus errors.
int run_send(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace cabind::daemon
