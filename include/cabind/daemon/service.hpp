#pragma once
// The running daemon: one io_context thread carrying the hot path (bus batches ->
// engine -> actuation frames), the periodic engine clock, the control socket, systemd
// notification and the signal handling.
//
// - SIGTERM/SIGINT: stop cleanly (frames are written whole, so nothing is half-sent) and
//   let run() return 0.
// - SIGHUP (or the control command `reload`): load the configuration again beside the
//   active one; swap when valid (the active driver stays), otherwise log every error and
//   keep running on the last good configuration.
// - Buses: every bus of vehicle.yaml is opened with its own kernel filters and its own
//   recovery (a missing or lost interface is retried with backoff, reported in STATUS and
//   the log). A bus that goes down makes only its own signals invalid (Engine::on_bus_down);
//   the other buses go on. READY=1 is sent once the configuration is loaded and every bus is
//   open; until then the buses already open work normally (a missing infotainment bus does
//   not stop the body bus's personalisation) and STATUS names the ones still missing.
// - Time: the engine runs on CLOCK_MONOTONIC (frames are stamped from it by the bus, the
//   tick advances the engine with it), so stepping the wall clock changes no staleness,
//   debounce, retry, cyclic period or `after` timer. Wall time is read for `hour` and
//   `weekday` (local time) and for log lines only.
// - Learning: what the engine learned on the frame path is stored after each batch and
//   tick; `set` over the control socket is answered once the store has committed it,
//   without blocking the loop meanwhile.
// - MQTT (`mqtt:` in vehicle.yaml, docs/connectivity.md): the client connects in the
//   background (an unreachable broker delays neither READY nor identification). Learned
//   values and `set` values are reported to the driver's shadow; a remote profile stored
//   in the cache, or a driver deleted remotely, reloads the configuration so that the next
//   identification uses it; a remote delete also forgets the learned preferences.
// - Exceptions: no handler lets one escape; one that does anyway (caught around
//   io.run(), see run_guarded) is logged and counted (`cabinctl metrics`:
//   daemon.exceptions) and the daemon goes on; max_exceptions of them within
//   exception_window stop it cleanly (preferences flushed) with exit status 1.
//
// Threading: everything on the io_context's thread. Lifetime: the io_context outlives it.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/control/server.hpp"
#include "cabind/daemon/bus_slot.hpp"
#include "cabind/daemon/log_rate_limit.hpp"
#include "cabind/daemon/notifier.hpp"
#include "cabind/daemon/recent_decisions.hpp"
#include "cabind/engine/audit.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/engine/preference_store.hpp"
#include "cabind/home/home_options.hpp"
#include "cabind/store/sqlite_preference_store.hpp"
#include "cabind/web/live_feed.hpp"

namespace cabind::daemon {

struct ServiceOptions {
  std::filesystem::path config_file;
  std::filesystem::path control_socket;  // empty: no control socket
  std::filesystem::path state_dir;       // learned preferences; empty: kept in memory only
  control::AccessPolicy access;
  std::chrono::milliseconds tick{10};  // engine clock: staleness, timers, retries
  std::chrono::milliseconds bus_retry_max{5000};
  std::uint32_t max_exceptions = 5;  // escaped exceptions within the window before stopping
  std::chrono::seconds exception_window{60};
};

// The configuration cannot be used; what() lists every error, one per line.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Connectivity;              // connectivity.hpp
class HomeCommandTarget;         // home_command_target.hpp
class ReportingPreferenceStore;  // reporting_preferences.hpp

class Service final : public engine::AuditSink {
 public:
  // Opens the preference store, loads the configuration and builds the engine; throws
  // ConfigError, or store::StoreError when the state directory cannot hold the store.
  Service(boost::asio::io_context& io, ServiceOptions options, Notifier& notifier);
  ~Service() override;

  void start();
  // What main returns once io.run() is over.
  [[nodiscard]] int exit_code() const noexcept { return exit_code_; }
  // An exception escaped a handler (`where` names it): logged and counted; too many of
  // them within the window stop the daemon cleanly with exit code 1.
  void on_exception(std::string_view where, std::string_view what) noexcept;
  [[nodiscard]] std::uint64_t exceptions() const noexcept { return exceptions_; }

  // engine::AuditSink
  void record(const engine::AuditEvent& event) noexcept override;

 private:
  struct Generation;
  class Port;  // one bus: its slot, sink and reopen timer (bus_port.hpp)

  // The hot path: a batch from bus `bus` (a Port's FrameSink forwards here).
  void on_frames(std::size_t bus, std::span<const can::Frame> frames) noexcept;
  void on_bus_state(std::size_t bus, can::BusState state) noexcept;
  // Ports for the buses of `config` (added as needed; the engine is built against them).
  void ensure_ports(const config::Config& config);
  [[nodiscard]] bool all_buses_open() const noexcept;
  [[nodiscard]] std::size_t bus_count() const noexcept;

  [[nodiscard]] std::unique_ptr<Generation> load(diag::Diagnostics& diagnostics);
  void apply_filters();
  void open_bus(std::size_t bus);
  void schedule_bus_retry(std::size_t bus);
  void tick();
  void advance_engine();  // tick()'s work: local time, engine clock, learned values, watchdog
  void wait_signals();
  bool reload();
  void shut_down(int exit_code = 0);
  // Runs a handler's body; an exception it throws goes to on_exception(where).
  template <typename Body>
  void guarded(std::string_view where, Body&& body) noexcept;
  // Moves what the engine learned on the frame path into the store (off the frame path).
  void store_learned() noexcept;
  // Hands the SecOC counters that moved to the store (off the frame path, after a batch).
  void store_freshness() noexcept;
  void set_preference(const nlohmann::json& request, control::Reply reply);
  void finish_set(const control::Reply& reply, const nlohmann::json& result, bool ok);
  void update_status();
  // The web view (`web:` in vehicle.yaml): started once, at start(); a snapshot per period.
  void start_web();
  void web_tick();
  // The MQTT bridge (`mqtt:`): started once, at start(); a reload keeps it.
  void start_bridge();
  // A remote profile was stored, or a driver deleted: reload once, after this handler.
  void reload_for_sync();
  // Home Assistant (`mqtt.home_assistant`): what it is told of the car, and what follows
  // each command from home.
  [[nodiscard]] home::HomeOptions home_options() const;
  void after_home_command() noexcept;
  // Logs and publishes the decisions recorded during a batch, after its frames are out.
  void report_decisions() noexcept;
  void report(const engine::AuditEvent& event);
  [[nodiscard]] bool take_log_slot();
  void add_control_commands();
  [[nodiscard]] nlohmann::json status() const;
  [[nodiscard]] nlohmann::json metrics() const;
  [[nodiscard]] nlohmann::json secoc_metrics() const;
  [[nodiscard]] nlohmann::json bridge_status() const;
  [[nodiscard]] nlohmann::json identify(const nlohmann::json& request);
  // Throws RequestError when message `message` of bus `bus` is SecOC-protected.
  void refuse_authenticated(std::size_t bus, std::uint16_t message, const std::string& name) const;
  // `identify`'s frame once more after the source's debounce (a newer identify replaces it).
  void present_again(std::size_t bus, const can::Frame& frame, std::chrono::milliseconds debounce);

  boost::asio::io_context& io_;
  ServiceOptions options_;
  Notifier& notifier_;
  std::unique_ptr<engine::PreferenceStore> preferences_;
  // What the engine and `set` learn through: preferences_, then the profile sync.
  std::unique_ptr<ReportingPreferenceStore> reporting_;
  store::SqlitePreferenceStore* durable_ = nullptr;  // preferences_ when it is on disk
  // SecOC counters: durable_ when there is one, else memory_freshness_ (kept across
  // reloads, lost on restart).
  engine::MemoryFreshnessStore memory_freshness_;
  engine::FreshnessStore* freshness_ = &memory_freshness_;
  std::vector<std::unique_ptr<Port>> ports_;  // index = bus index of the active plan
  std::unique_ptr<Generation> active_;
  std::unique_ptr<control::Server> control_;
  std::unique_ptr<web::LiveFeed> web_;
  boost::asio::steady_timer web_timer_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer identify_timer_;
  boost::asio::signal_set signals_;
  std::chrono::steady_clock::time_point next_watchdog_{};
  std::chrono::steady_clock::time_point next_local_time_{};
  std::chrono::steady_clock::time_point started_{};
  std::vector<engine::AuditEvent> pending_audit_;  // capacity fixed at construction
  std::uint64_t audit_overflow_ = 0;
  RecentDecisions recent_;
  std::uint64_t audit_overflow_total_ = 0;  // decisions never reported, ever (metrics)
  LogRateLimit decision_log_;
  std::array<std::uint64_t, engine::audit_kind_count> audit_counts_{};
  std::uint64_t reloads_ = 0;
  std::uint64_t reload_failures_ = 0;
  std::uint64_t exceptions_ = 0;
  std::uint64_t learned_overflow_ = 0;  // of engines replaced by a reload
  std::uint32_t exceptions_in_window_ = 0;
  std::chrono::steady_clock::time_point exception_window_start_{};
  std::string last_status_;
  bool ready_sent_ = false;
  bool stopping_ = false;
  bool sync_reload_pending_ = false;
  int exit_code_ = 0;
  std::unique_ptr<HomeCommandTarget> home_target_;  // commands from home, on active_'s engine
  // Last: destroyed first, so that nothing it calls back into is gone.
  std::unique_ptr<Connectivity> connectivity_;
};

template <typename Body>
void Service::guarded(std::string_view where, Body&& body) noexcept {
  try {
    body();
  } catch (const std::exception& e) {
    on_exception(where, e.what());
  } catch (...) {
    on_exception(where, "an exception of unknown type");
  }
}

}  // namespace cabind::daemon
