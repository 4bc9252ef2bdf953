#pragma once
// The daemon's event loop with a last line of defence: io.run() until the io_context is
// stopped or out of work, where an exception escaping a handler ends only that call of
// run(). on_escape(what) is told (the daemon logs and counts it, and may stop the
// io_context) and the loop re-enters run(): the handlers still queued run as before.
//
//   run_guarded(io, [&](std::string_view what) { service.on_exception("event loop", what); });
//
// Handlers are still expected to catch their own exceptions; this only keeps one that
// slipped through from ending the process without flushing.
// Threading: call it from the thread that runs io; on_escape runs there.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <string_view>

namespace cabind::daemon {

// Returns when io stopped or ran out of work; never throws (on_escape must not either).
void run_guarded(boost::asio::io_context& io,
                 const std::function<void(std::string_view what)>& on_escape) noexcept;

}  // namespace cabind::daemon
