#pragma once
// LiveFeed: the web view of one engine, as the daemon and `cabind --replay --web` run it:
// a Server and a LiveView, fed after each batch (event()) and on a timer (snapshot()).
// Neither is ever called on the frame path; a snapshot is serialised once and shared by
// every client, and built at all only while someone might look (a client, or none yet
// greeted).
//
// Threading: the io_context's thread. Lifetime: the io_context outlives it.

#include <chrono>
#include <cstdint>
#include <span>

#include "cabind/config/config.hpp"
#include "cabind/engine/audit.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/web/live_view.hpp"
#include "cabind/web/server.hpp"

namespace cabind::web {

// How often the page is refreshed.
inline constexpr std::chrono::milliseconds snapshot_period{200};

// The server options of a `web:` section.
[[nodiscard]] ServerOptions server_options(const config::Web& web);

class LiveFeed {
 public:
  // Binds (throws ServerError); start() begins accepting.
  LiveFeed(boost::asio::io_context& io, ServerOptions options) : server_(io, std::move(options)) {}
  void start() { server_.start(); }
  void stop() noexcept { server_.stop(); }

  // A decision, after its batch. At most max_events_per_second reach the view: a flood of
  // junk identity frames can make one decision per frame, and serialising each would make
  // the view the daemon's main cost (the rest are counted in suppressed_events()).
  void event(const engine::AuditEvent& event) {
    const auto now = std::chrono::steady_clock::now();
    if (now - window_start_ >= std::chrono::seconds(1)) {
      window_start_ = now;
      events_in_window_ = 0;
    }
    if (events_in_window_ >= max_events_per_second) {
      ++suppressed_;
      return;
    }
    ++events_in_window_;
    server_.publish(view_.on_event(event));
  }
  static constexpr std::uint32_t max_events_per_second = 100;
  [[nodiscard]] std::uint64_t suppressed_events() const noexcept { return suppressed_; }
  void snapshot(const engine::Engine& engine, std::span<const BusView> buses) {
    auto taken = view_.snapshot(engine, buses, std::chrono::steady_clock::now());
    server_.set_greeting(std::move(taken.greeting));
    if (server_.client_count() > 0) server_.publish(std::move(taken.live));
  }
  [[nodiscard]] const Server& server() const noexcept { return server_; }
  // "http://127.0.0.1:8080/" (the bound port when 0 was asked for).
  [[nodiscard]] std::string url() const;

 private:
  Server server_;
  LiveView view_;
  std::chrono::steady_clock::time_point window_start_{};
  std::uint32_t events_in_window_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace cabind::web
