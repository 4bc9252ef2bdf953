#include "cabind/daemon/service.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <csignal>
#include <ctime>

#include "bus_port.hpp"
#include "cabind/config/loader.hpp"
#include "cabind_build_info.hpp"
#include "connectivity.hpp"
#include "generation.hpp"
#include "home_command_target.hpp"
#include "reporting_preferences.hpp"

namespace cabind::daemon {

using nlohmann::json;

namespace {

constexpr std::uint32_t max_decision_logs_per_second = 50;
constexpr std::size_t max_pending_decisions = 1024;  // per batch of frames

engine::LocalTime local_time_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  localtime_r(&now, &parts);
  return {parts.tm_hour, parts.tm_min, parts.tm_wday == 0 ? 7 : parts.tm_wday};
}

std::string diagnostics_text(const diag::Diagnostics& diagnostics) {
  std::string text = diagnostics.to_string();
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace

void Service::on_exception(std::string_view where, std::string_view what) noexcept {
  ++exceptions_;
  const auto now = std::chrono::steady_clock::now();
  if (exceptions_in_window_ == 0 || now - exception_window_start_ > options_.exception_window) {
    exception_window_start_ = now;
    exceptions_in_window_ = 0;
  }
  ++exceptions_in_window_;
  try {
    spdlog::error("{}: unexpected exception: {} ({} so far)", where, what, exceptions_);
  } catch (...) {
    // The log itself failed (out of memory): the counter still tells.
  }
  if (exceptions_in_window_ >= options_.max_exceptions && !stopping_) {
    try {
      spdlog::critical("{} unexpected exceptions within {} s: stopping", exceptions_in_window_,
                       options_.exception_window.count());
    } catch (...) {
    }
    shut_down(1);
  }
}

Service::Service(boost::asio::io_context& io, ServiceOptions options, Notifier& notifier)
    : io_(io),
      options_(std::move(options)),
      notifier_(notifier),
      web_timer_(io),
      tick_timer_(io),
      identify_timer_(io),
      signals_(io, SIGTERM, SIGINT, SIGHUP),
      decision_log_(max_decision_logs_per_second) {
  if (options_.state_dir.empty()) {
    preferences_ = std::make_unique<engine::MemoryPreferenceStore>();
    spdlog::warn("no state directory: learned preferences are kept in memory only");
  } else {
    auto durable =
        std::make_unique<store::SqlitePreferenceStore>(options_.state_dir / "preferences.sqlite");
    durable_ = durable.get();
    freshness_ = durable_;
    preferences_ = std::move(durable);
    spdlog::info("learned preferences in {}", durable_->file().string());
  }
  reporting_ = std::make_unique<ReportingPreferenceStore>(*preferences_);
  pending_audit_.reserve(max_pending_decisions);
  diag::Diagnostics diagnostics;
  active_ = load(diagnostics);
  if (!active_) throw ConfigError(diagnostics_text(diagnostics));
  for (const auto& d : diagnostics.all())
    spdlog::warn("{}", d.to_string());
}

Service::~Service() = default;

std::unique_ptr<Service::Generation> Service::load(diag::Diagnostics& diagnostics) {
  // Profiles synced from the cloud (sync::ProfileCache) live beside the learned
  // preferences and overlay the configured ones at start and at each reload.
  config::LoadOptions load_options;
  if (!options_.state_dir.empty()) load_options.profile_overlay = options_.state_dir / "profiles";
  auto loaded = config::load(options_.config_file, load_options);
  diagnostics.append(loaded.diagnostics);
  if (!loaded.ok()) return nullptr;
  auto generation = std::make_unique<Generation>();
  generation->config = std::move(*loaded.config);
  generation->plan = engine::compile(generation->config, diagnostics);
  if (!generation->plan) return nullptr;
  ensure_ports(generation->config);
  std::vector<can::Bus*> buses;
  for (std::size_t b = 0; b < generation->plan->buses.size(); ++b)
    buses.push_back(&ports_[b]->slot);
  generation->engine =
      std::make_unique<engine::Engine>(*generation->plan, buses, *this, *reporting_, freshness_);
  return generation;
}

void Service::ensure_ports(const config::Config& config) {
  while (ports_.size() < config.buses.size()) {
    ports_.push_back(std::make_unique<Port>(*this, ports_.size(), io_));
    ports_.back()->slot.set_sink(ports_.back().get());
  }
  // A port not yet opened takes its bus's interface now (a reload re-points open ones).
  for (std::size_t b = 0; b < config.buses.size(); ++b) {
    Port& port = *ports_[b];
    if (port.slot.attached()) continue;
    port.slot.reset(config.buses[b].interface);
    port.name = config.buses[b].name;
    port.fd = config.buses[b].fd;
  }
}

std::size_t Service::bus_count() const noexcept {
  return active_ ? active_->plan->buses.size() : 0;
}

bool Service::all_buses_open() const noexcept {
  for (std::size_t b = 0; b < bus_count(); ++b) {
    if (!ports_[b]->slot.attached()) return false;
  }
  return true;
}

void Service::start() {
  started_ = std::chrono::steady_clock::now();
  apply_filters();
  if (!options_.control_socket.empty()) {
    control_ = std::make_unique<control::Server>(
        io_,
        control::ServerOptions{.socket_path = options_.control_socket, .access = options_.access});
    add_control_commands();
    control_->start();
  }
  start_web();
  start_bridge();
  wait_signals();
  for (std::size_t b = 0; b < bus_count(); ++b)
    open_bus(b);
  tick();
  spdlog::info("cabind started with {} ({} profiles, {} rules)", options_.config_file.string(),
               active_->config.profiles.size(), active_->config.rules.size());
}

void Service::start_web() {
  if (!active_->config.web) return;
  try {
    web_ = std::make_unique<web::LiveFeed>(io_, web::server_options(*active_->config.web));
  } catch (const web::ServerError& e) {
    // The view is a tool for the integrator: without it the cabin still works.
    spdlog::error("{}; running without the web view", e.what());
    return;
  }
  web_->start();
  spdlog::info("web view on {}", web_->url());
  web_tick();
}

void Service::start_bridge() {
  if (!active_->config.mqtt) return;
  sync::ShadowSyncHooks hooks;
  // From the cloud: stored without being reported back.
  hooks.learn = [this](std::string_view profile, std::string_view output, double value) {
    preferences_->learn(profile, output, value);
  };
  hooks.forget = [this](std::string_view profile) {
    preferences_->forget(profile);
    reload_for_sync();  // its cached profile is gone: the configured one (if any) is used
  };
  hooks.stored = [this](std::string_view) { reload_for_sync(); };
  hooks.log = [](std::string_view line) { spdlog::info("{}", line); };
  hooks.now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  try {
    connectivity_ = std::make_unique<Connectivity>(io_, *active_->config.mqtt, options_.state_dir,
                                                   std::move(hooks));
    if (active_->config.mqtt->home_assistant.enabled) {
      home_target_ = std::make_unique<HomeCommandTarget>(
          [this]() -> engine::Engine& { return *active_->engine; },
          [this] { after_home_command(); });
      connectivity_->enable_home(home_options(), *home_target_);
    }
    connectivity_->start();
  } catch (const std::exception& e) {
    // The cabin works without the bridge: say why, and run without it.
    spdlog::error("mqtt: {}; running without the bridge", e.what());
    connectivity_.reset();
    return;
  }
  if (connectivity_->syncing()) {
    reporting_->set_report([this](std::string_view profile, std::string_view output, double value) {
      const profile::Profile* known = active_->config.profiles.find_by_id(profile);
      if (known != nullptr && known->guest) return;  // the guest is nobody: no shadow
      connectivity_->changed(profile, output, value);
    });
  }
  connectivity_->track(active_->config.profiles);
}

// What Home Assistant is told of this car: the thing, the allow-list, the profile ids (as
// loaded at start: a reload does not change the entities Home Assistant was given).
home::HomeOptions Service::home_options() const {
  const config::Mqtt& mqtt = *active_->config.mqtt;
  home::HomeOptions options;
  options.thing = mqtt.thing;
  options.prefix = mqtt.home_assistant.prefix;
  options.commands = mqtt.home_assistant.commands;
  for (const auto& profile : active_->config.profiles.profiles())
    options.profiles.push_back(profile.id);
  options.software_version = build_info::version;
  return options;
}

// A command from home was decided: store what it taught, report what it did.
void Service::after_home_command() noexcept {
  guarded("command from home", [this] {
    if (!active_->engine->learned().empty()) store_learned();
  });
  report_decisions();
}

void Service::reload_for_sync() {
  if (sync_reload_pending_ || stopping_) return;
  sync_reload_pending_ = true;
  boost::asio::post(io_, [this] {
    sync_reload_pending_ = false;
    if (stopping_) return;
    guarded("profile sync reload", [this] {
      spdlog::info("profile sync: reloading {} with the synced profiles",
                   options_.config_file.string());
      reload();
    });
  });
}

void Service::web_tick() {
  if (stopping_ || !web_) return;
  web_timer_.expires_after(web::snapshot_period);
  web_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) web_tick();
  });
  guarded("web snapshot", [this] {
    std::vector<web::BusView> buses;
    for (std::size_t b = 0; b < bus_count(); ++b) {
      const Port& port = *ports_[b];
      buses.push_back(
          {port.name, port.slot.interface_name(), port.slot.state(), &port.slot.counters()});
    }
    web_->snapshot(*active_->engine, buses);
  });
}

void Service::apply_filters() {
  // The kernel delivers only the messages that carry a bound signal, per bus.
  for (std::size_t b = 0; b < bus_count(); ++b)
    ports_[b]->slot.set_filters(active_->plan->buses[b].filters);
}

void Service::open_bus(std::size_t index) {
  Port& port = *ports_[index];
  if (stopping_ || port.slot.attached()) return;
  const std::string interface(port.slot.interface_name());
  try {
    auto opened =
        std::make_unique<can::SocketCanBus>(io_, interface, can::SocketCanOptions{.fd = port.fd});
    port.slot.attach(std::move(opened));
    port.slot.bus()->start();
    port.retry_delay = std::chrono::milliseconds(100);
    spdlog::info("bus {} open on {} ({})", port.name, interface,
                 port.fd ? "CAN FD" : "classic CAN");
    update_status();
    if (!ready_sent_ && all_buses_open()) {
      notifier_.ready();
      ready_sent_ = true;
    }
  } catch (const can::BusOpenError& e) {
    spdlog::warn("{}; retrying in {} ms", e.what(), port.retry_delay.count());
    notifier_.status("waiting for CAN interface " + interface + " (bus " + port.name +
                     "): " + e.what());
    schedule_bus_retry(index);
  } catch (const std::exception& e) {
    on_exception("opening the bus", e.what());  // unexpected, but the bus is still wanted
    if (!stopping_) schedule_bus_retry(index);
  }
}

void Service::schedule_bus_retry(std::size_t index) {
  Port& port = *ports_[index];
  port.retry_timer.expires_after(port.retry_delay);
  port.retry_delay = std::min(port.retry_delay * 2, options_.bus_retry_max);
  port.retry_timer.async_wait([this, index](const boost::system::error_code& ec) {
    if (!ec) guarded("bus retry", [this, index] { open_bus(index); });
  });
}

void Service::on_frames(std::size_t bus, std::span<const can::Frame> frames) noexcept {
  engine::Engine& engine = *active_->engine;
  engine.on_frames(bus, frames);
  // After the batch, off the frame path: learned values to the store, decisions to the log.
  if (!engine.learned().empty()) store_learned();
  if (!engine.secoc(bus).empty()) store_freshness();
  if (!pending_audit_.empty()) report_decisions();
}

void Service::store_learned() noexcept {
  guarded("storing learned preferences", [this] { active_->engine->store_learned(); });
}

void Service::store_freshness() noexcept {
  guarded("storing SecOC freshness counters", [this] { active_->engine->store_freshness(); });
}

void Service::on_bus_state(std::size_t bus, can::BusState state) noexcept {
  guarded("bus state", [&] {
    if (bus >= bus_count()) return;  // a port the active configuration no longer uses
    const Port& port = *ports_[bus];
    if (state == can::BusState::up) {
      spdlog::info("bus {} is up", port.slot.interface_name());
      // Commands the bus refused while it was down go out now, not at their next retry.
      active_->engine->on_bus_up(bus);
    } else {
      spdlog::warn("bus {} is {}", port.slot.interface_name(), can::to_string(state));
      // Its signals are not known any more: the interlocks that read one block now.
      active_->engine->on_bus_down(bus);
    }
    if (!pending_audit_.empty()) report_decisions();
    update_status();
  });
}

void Service::record(const engine::AuditEvent& event) noexcept {
  // On the frame path: keep a copy (views into the config and engine, which outlive the
  // batch) and report it once the batch's frames are out. Nothing allocates here.
  const auto kind = static_cast<std::size_t>(event.kind);
  if (kind < audit_counts_.size()) ++audit_counts_[kind];
  if (pending_audit_.size() < pending_audit_.capacity()) {
    pending_audit_.push_back(event);
  } else {
    ++audit_overflow_;
    ++audit_overflow_total_;
  }
}

void Service::report_decisions() noexcept {
  try {
    bool driver_changed = false;
    for (const engine::AuditEvent& event : pending_audit_) {
      report(event);
      driver_changed = driver_changed || event.kind == engine::AuditKind::driver_changed ||
                       event.kind == engine::AuditKind::driver_left;
    }
    pending_audit_.clear();
    if (audit_overflow_ > 0) {
      spdlog::warn("{} decisions not reported (more than {} in one batch)", audit_overflow_,
                   pending_audit_.capacity());
      audit_overflow_ = 0;
    }
    if (driver_changed) update_status();
  } catch (...) {
    // Out of memory while logging: the decisions themselves have been taken.
    pending_audit_.clear();
  }
}

// Decisions are rare in a car (a few per drive) and worth the info log; a junk flood on an
// identity signal could make one per frame, so the log is rate-limited. True when this
// decision may be logged now.
bool Service::take_log_slot() {
  if (!spdlog::should_log(spdlog::level::info)) return false;
  const LogRateLimit::Slot slot = decision_log_.take(std::chrono::steady_clock::now());
  if (slot.suppressed > 0) {
    spdlog::warn("{} decisions not logged in the last second (log rate limit)", slot.suppressed);
  }
  return slot.log;
}

void Service::report(const engine::AuditEvent& event) {
  // The recent list keeps the event, not its line: under a flood of junk identity frames
  // the engine decides on every frame and `status` asks rarely (RecentDecisions).
  recent_.keep(event);
  if (web_) web_->event(event);
  if (connectivity_) connectivity_->on_audit(event);
  const bool log = take_log_slot();
  // Building and serialising the event was half of the daemon's instructions per frame
  // (callgrind, docs/performance.md): do it only when a client has subscribed.
  const bool publish = control_ && control_->subscriber_count() > 0;
  if (!log && !publish) return;  // counted in audit_counts_ already
  std::string line = engine::format_audit(event);
  if (log) spdlog::info("{}", line);
  if (publish) {
    // time: engine time (CLOCK_MONOTONIC seconds: comparable between events across wall
    // clock steps); wall_time: when it was reported, seconds since the Unix epoch.
    json published{{"kind", engine::to_string(event.kind)},
                   {"time", std::chrono::duration<double>(event.time).count()},
                   {"wall_time", std::chrono::duration<double>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count()},
                   {"text", line}};
    if (!event.rule.empty()) published["rule"] = event.rule;
    if (!event.output.empty()) published["output"] = event.output;
    if (!event.detail.empty()) published["detail"] = event.detail;
    if (event.has_value) published["value"] = event.value;
    control_->publish(published);
  }
}

void Service::tick() {
  if (stopping_) return;
  // Re-armed first, so that a failure in the work below cannot stop the engine clock;
  // steady_timer: the period follows CLOCK_MONOTONIC too.
  tick_timer_.expires_after(options_.tick);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
  guarded("tick", [this] { advance_engine(); });
}

void Service::advance_engine() {
  const auto now = std::chrono::steady_clock::now();
  if (now >= next_local_time_) {
    active_->engine->set_local_time(local_time_now());
    next_local_time_ = now + std::chrono::seconds(1);
  }
  active_->engine->advance(can::Timestamp(now.time_since_epoch()));
  if (!active_->engine->learned().empty()) store_learned();
  if (!pending_audit_.empty()) report_decisions();
  if (connectivity_) connectivity_->on_temperatures(*active_->engine, now);
  if (const auto interval = notifier_.watchdog_interval(); interval && now >= next_watchdog_) {
    notifier_.watchdog();
    next_watchdog_ = now + *interval;
  }
}

void Service::wait_signals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      guarded("SIGHUP reload", [this] {
        spdlog::info("SIGHUP: reloading {}", options_.config_file.string());
        reload();
      });
      guarded("signal wait", [this] { wait_signals(); });
      return;
    }
    guarded("stop", [&] {
      spdlog::info("{}: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
      shut_down();
    });
  });
}

bool Service::reload() {
  // The events and learned values point into the engine about to be replaced; the next
  // engine starts from the counters this one accepted.
  store_learned();
  store_freshness();
  report_decisions();
  notifier_.reloading();
  diag::Diagnostics diagnostics;
  const profile::Profile* driver = active_->engine->driver();
  const std::string driver_id = driver != nullptr ? driver->id : std::string();
  auto next = load(diagnostics);
  if (!next) {
    ++reload_failures_;
    spdlog::error("reload of {} failed; keeping the running configuration:",
                  options_.config_file.string());
    for (const auto& d : diagnostics.all())
      spdlog::error("  {}", d.to_string());
    notifier_.send("READY=1");
    update_status();
    return false;
  }
  if (!driver_id.empty()) next->engine->restore_driver(driver_id);
  learned_overflow_ += active_->engine->learned().overflow();
  recent_.freeze();  // its events hold views into the generation replaced here
  active_ = std::move(next);
  ++reloads_;
  // A bus whose interface, FD mode or name changed is reopened; the others stay open.
  for (std::size_t b = 0; b < bus_count(); ++b) {
    Port& port = *ports_[b];
    const config::Bus& bus = active_->config.buses[b];
    if (port.slot.interface_name() == bus.interface && port.fd == bus.fd && port.name == bus.name)
      continue;
    port.retry_timer.cancel();
    port.slot.reset(bus.interface);
    port.name = bus.name;
    port.fd = bus.fd;
  }
  for (std::size_t b = bus_count(); b < ports_.size(); ++b) {
    ports_[b]->retry_timer.cancel();
    ports_[b]->slot.reset("");  // no longer configured: closed
  }
  apply_filters();
  // Reopened, new and still missing buses (open_bus re-arms a pending retry's timer).
  for (std::size_t b = 0; b < bus_count(); ++b)
    open_bus(b);
  if (connectivity_) connectivity_->track(active_->config.profiles);
  spdlog::info("reloaded {} ({} profiles, {} rules)", options_.config_file.string(),
               active_->config.profiles.size(), active_->config.rules.size());
  notifier_.send("READY=1");
  update_status();
  return true;
}

void Service::shut_down(int exit_code) {
  if (stopping_) return;
  stopping_ = true;
  exit_code_ = exit_code;
  // Stop the loop first: whatever fails below, run() returns and main flushes nothing twice.
  io_.stop();
  guarded("shutdown", [this] {
    notifier_.stopping();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    tick_timer_.cancel();
    identify_timer_.cancel();
    web_timer_.cancel();
    if (control_) control_->stop();
    if (web_) web_->stop();
    if (connectivity_) connectivity_->stop();  // "offline" published, then disconnected
    for (const auto& port : ports_) {
      port->retry_timer.cancel();
      if (port->slot.bus() != nullptr) port->slot.bus()->stop();
    }
    // Everything learned is on disk before the process ends.
    active_->engine->store_learned();
    active_->engine->store_freshness();
    if (durable_ != nullptr && !durable_->flush()) {
      spdlog::error("some learned preferences could not be written to {}",
                    durable_->file().string());
    }
  });
}

void Service::update_status() {
  const profile::Profile* driver = active_->engine->driver();
  std::string text = "driver " + (driver != nullptr ? driver->id : std::string("none"));
  for (std::size_t b = 0; b < bus_count(); ++b) {
    text += "; bus " + std::string(ports_[b]->slot.interface_name()) + " " +
            std::string(ports_[b]->slot.state());
  }
  if (text == last_status_) return;
  last_status_ = text;
  notifier_.status(text);
}

}  // namespace cabind::daemon
