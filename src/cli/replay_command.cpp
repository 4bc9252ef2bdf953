#include "cabind/cli/replay_command.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <fstream>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "cabind/can/candump_log.hpp"
#include "cabind/can/memory_bus.hpp"
#include "cabind/config/loader.hpp"
#include "cabind/engine/audit.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/engine/preference_store.hpp"
#include "cabind/web/live_feed.hpp"
#include "interface_routes.hpp"
#include "time_zone.hpp"

namespace cabind::cli {

namespace {

constexpr std::chrono::milliseconds kTick{10};
constexpr std::chrono::seconds kMaxTickedGap{60};

constexpr const char* kUsage =
    "usage: cabind --config FILE --replay LOG [--out OUT] [--tz ZONE] [--time log|local]\n"
    "              [--map INTERFACE=BUS]... [--web ADDRESS:PORT]\n";

class PrintingSink final : public engine::AuditSink {
 public:
  PrintingSink(std::ostream& out, bool local_time) : out_(out), local_time_(local_time) {}
  // With --web: events are kept (as the daemon does) and handed to the view by publish(),
  // after the frame that made them.
  void set_feed(web::LiveFeed* feed) noexcept { feed_ = feed; }
  void publish() {
    for (const engine::AuditEvent& event : pending_)
      feed_->event(event);
    pending_.clear();
  }
  void record(const engine::AuditEvent& event) noexcept override {
    try {
      if (feed_ != nullptr) pending_.push_back(event);
      if (local_time_) {
        out_ << iso_local_time(event.time) << ' ' << engine::format_audit_fields(event) << '\n';
      } else {
        out_ << engine::format_audit(event) << '\n';
      }
    } catch (...) {
      // The trail is best effort; a failing stream must not stop the engine.
    }
  }

 private:
  std::ostream& out_;
  bool local_time_;
  web::LiveFeed* feed_ = nullptr;
  std::vector<engine::AuditEvent> pending_;
};

// "127.0.0.1:8080" or "[::1]:0" -> the view's options (the server checks the address).
std::optional<web::ServerOptions> web_options(const std::string& listen,
                                              const config::Config& config) {
  web::ServerOptions options = config.web ? web::server_options(*config.web) : web::ServerOptions{};
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) return std::nullopt;
  std::string address = listen.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
    address = address.substr(1, address.size() - 2);
  std::size_t used = 0;
  unsigned long port = 0;
  try {
    port = std::stoul(listen.substr(colon + 1), &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != listen.size() - colon - 1 || port > 65535) return std::nullopt;
  options.address = address;
  options.port = static_cast<std::uint16_t>(port);
  return options;
}

// --web: the replay as a live source. Frames are applied at their log time (paced against
// the steady clock), the view's server runs in the waits, and once the log is over it
// keeps serving the final state until SIGINT or SIGTERM.
class LivePacer {
 public:
  LivePacer(boost::asio::io_context& io, web::ServerOptions options, const engine::Engine& engine,
            std::span<const web::BusView> buses)
      : io_(io),
        feed_(io, std::move(options)),
        engine_(engine),
        buses_(buses),
        timer_(io),
        signals_(io, SIGINT, SIGTERM) {}
  web::LiveFeed& feed() noexcept { return feed_; }
  void start() {
    feed_.start();
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      stopped_ = true;
      timer_.cancel();
      feed_.stop();
      io_.stop();
    });
    tick();
  }
  // Runs the server until the log's `time` is due in real time.
  void wait_for(can::Timestamp time) {
    if (!first_) {
      first_ = time;
      start_ = std::chrono::steady_clock::now();
    }
    if (stopped_) return;
    io_.restart();
    io_.run_until(start_ +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(time - *first_));
  }
  // Serves until SIGINT or SIGTERM (one that came during the log stops at once).
  void serve_until_signalled() {
    if (stopped_) return;
    io_.restart();
    io_.run();
  }
  // SIGINT or SIGTERM arrived: the replay stops where it is.
  [[nodiscard]] bool stopped() const noexcept { return stopped_; }

 private:
  void tick() {
    feed_.snapshot(engine_, buses_);
    timer_.expires_after(web::snapshot_period);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  }
  boost::asio::io_context& io_;
  web::LiveFeed feed_;
  const engine::Engine& engine_;
  std::span<const web::BusView> buses_;
  boost::asio::steady_timer timer_;
  boost::asio::signal_set signals_;
  bool stopped_ = false;
  std::optional<can::Timestamp> first_;
  std::chrono::steady_clock::time_point start_{};
};

struct Arguments {
  std::string config;
  std::string replay;
  std::string out;
  std::string tz;    // empty: the system's zone
  std::string time;  // "log" (default) or "local"
  std::string web;   // --web ADDRESS:PORT: serve the view, paced in real time
  // --map: interfaces of the log that are not a bus's own, each to the bus it carries.
  std::vector<std::pair<std::string, std::string>> map;
};

// "can0=body" -> {"can0", "body"}.
std::optional<std::pair<std::string, std::string>> parse_mapping(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == 0 || equals == std::string::npos || equals + 1 == text.size()) return std::nullopt;
  return std::pair{text.substr(0, equals), text.substr(equals + 1)};
}

std::optional<Arguments> parse(std::span<const std::string> args, std::ostream& err) {
  Arguments parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--map" && i + 1 < args.size()) {
      auto mapping = parse_mapping(args[++i]);
      if (!mapping) {
        err << "--map: expected INTERFACE=BUS, got '" << args[i] << "'\n" << kUsage;
        return std::nullopt;
      }
      parsed.map.push_back(std::move(*mapping));
      continue;
    }
    std::string* target = arg == "--config"   ? &parsed.config
                          : arg == "--replay" ? &parsed.replay
                          : arg == "--out"    ? &parsed.out
                          : arg == "--tz"     ? &parsed.tz
                          : arg == "--time"   ? &parsed.time
                          : arg == "--web"    ? &parsed.web
                                              : nullptr;
    if (target == nullptr || i + 1 >= args.size()) {
      err << kUsage;
      return std::nullopt;
    }
    *target = args[++i];
  }
  if (parsed.config.empty() || parsed.replay.empty()) {
    err << kUsage;
    return std::nullopt;
  }
  if (!parsed.time.empty() && parsed.time != "log" && parsed.time != "local") {
    err << "--time: expected 'log' or 'local', got '" << parsed.time << "'\n" << kUsage;
    return std::nullopt;
  }
  return parsed;
}

}  // namespace

int run_replay(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  const auto parsed = parse(args, err);
  if (!parsed) return 2;
  std::string why;
  // Restores the process's zone when replay returns.
  const std::optional<ScopedTimeZone> zone =
      parsed->tz.empty() ? std::nullopt : ScopedTimeZone::named(parsed->tz, why);
  if (!parsed->tz.empty() && !zone) {
    err << "--tz: " << why << '\n';
    return 2;
  }
  const config::LoadResult loaded = config::load(parsed->config);
  if (!loaded.ok()) {
    err << loaded.diagnostics.to_string();
    return 1;
  }
  const config::Config& config = *loaded.config;
  std::ifstream log(parsed->replay);
  if (!log) {
    err << parsed->replay << ": cannot open the log\n";
    return 1;
  }
  std::ofstream out_file;
  if (!parsed->out.empty()) {
    out_file.open(parsed->out);
    if (!out_file) {
      err << parsed->out << ": cannot write the output\n";
      return 1;
    }
  }

  PrintingSink sink(out, parsed->time == "local");
  engine::MemoryPreferenceStore preferences;
  diag::Diagnostics diagnostics;
  const auto plan = engine::compile(config, diagnostics);
  if (!plan) {
    err << diagnostics.to_string();
    return 1;
  }
  auto routes = InterfaceRoutes::build(*plan, parsed->map, err);
  if (!routes) return 2;
  // One in-memory bus per configured bus, named after its interface: --out writes each
  // frame with the interface of the bus it was sent on.
  std::vector<std::unique_ptr<can::MemoryBus>> buses;
  std::vector<can::Bus*> bus_pointers;
  for (const engine::BusPlan& bus : plan->buses) {
    buses.push_back(std::make_unique<can::MemoryBus>(bus.interface));
    bus_pointers.push_back(buses.back().get());
  }
  const auto engine = std::make_unique<engine::Engine>(*plan, bus_pointers, sink, preferences);
  can::LogWriter writer(parsed->out.empty() ? out : out_file);
  std::vector<web::BusView> views;
  for (std::size_t b = 0; b < buses.size(); ++b)
    views.push_back(
        {plan->buses[b].name, buses[b]->interface_name(), "replay", &buses[b]->counters()});
  boost::asio::io_context io;
  std::unique_ptr<LivePacer> pacer;
  if (!parsed->web.empty()) {
    const auto options = web_options(parsed->web, config);
    if (!options) {
      err << "--web: expected ADDRESS:PORT, got '" << parsed->web << "'\n" << kUsage;
      return 2;
    }
    try {
      pacer = std::make_unique<LivePacer>(io, *options, *engine, views);
    } catch (const web::ServerError& e) {
      err << e.what() << '\n';
      return 1;
    }
    sink.set_feed(&pacer->feed());
    pacer->start();
    err << "web view on " << pacer->feed().url() << std::endl;
  }
  auto flush = [&] {
    if (pacer) sink.publish();
    engine->store_learned();  // off the frame path, as the daemon does after each batch
    for (const auto& bus : buses) {
      for (const can::Frame& frame : bus->sent()) {
        if (parsed->out.empty()) out << "tx ";
        writer.write(bus->interface_name(), frame);
      }
      bus->clear_sent();
    }
  };
  auto step_to = [&](can::Timestamp time) {
    if (pacer) pacer->wait_for(time);
    engine->set_local_time(local_time_of(time));
    engine->advance(time);
    flush();
  };

  try {
    can::LogReader reader(log, parsed->replay);
    std::optional<can::Timestamp> clock;
    while (const auto record = reader.next()) {
      if (pacer && pacer->stopped()) break;
      const auto bus = routes->bus_of(record->interface);
      if (!bus) continue;  // counted by bus_of, reported below
      const can::Timestamp time = record->frame.time();
      if (clock && time > *clock && time - *clock <= kMaxTickedGap) {
        for (can::Timestamp t = *clock + kTick; t < time; t += kTick)
          step_to(t);
      }
      clock = time;
      if (pacer) pacer->wait_for(time);
      engine->set_local_time(local_time_of(time));
      engine->on_frame(*bus, record->frame);
      flush();
    }
  } catch (const can::LogError& error) {
    err << error.what() << '\n';
    return 1;
  }
  routes->report_unknown(err);
  if (pacer && !pacer->stopped()) {
    out.flush();
    err << "end of the log; serving its last state until SIGINT or SIGTERM" << std::endl;
    pacer->serve_until_signalled();
  }
  return 0;
}

}  // namespace cabind::cli
