#include "cabind/daemon/guarded_run.hpp"

#include <exception>

namespace cabind::daemon {

void run_guarded(boost::asio::io_context& io,
                 const std::function<void(std::string_view what)>& on_escape) noexcept {
  for (;;) {
    try {
      io.run();
      return;  // stopped, or nothing left to do
    } catch (const std::exception& e) {
      on_escape(e.what());
    } catch (...) {
      on_escape("an exception of unknown type");
    }
    // Asio leaves the io_context usable after a handler threw: run() again, unless
    // on_escape stopped it (then run() returns at once and so does this loop).
  }
}

}  // namespace cabind::daemon
