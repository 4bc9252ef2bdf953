#include "cabind/cli/replay_command.hpp"

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
#include "interface_routes.hpp"
#include "time_zone.hpp"

namespace cabind::cli {

namespace {

constexpr std::chrono::milliseconds kTick{10};
constexpr std::chrono::seconds kMaxTickedGap{60};

constexpr const char* kUsage =
    "usage: cabind --config FILE --replay LOG [--out OUT] [--tz ZONE] [--time log|local]\n"
    "              [--map INTERFACE=BUS]...\n";

class PrintingSink final : public engine::AuditSink {
 public:
  PrintingSink(std::ostream& out, bool local_time) : out_(out), local_time_(local_time) {}
  void record(const engine::AuditEvent& event) noexcept override {
    try {
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
};

struct Arguments {
  std::string config;
  std::string replay;
  std::string out;
  std::string tz;    // empty: the system's zone
  std::string time;  // "log" (default) or "local"
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
  auto flush = [&] {
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
    engine->set_local_time(local_time_of(time));
    engine->advance(time);
    flush();
  };

  try {
    can::LogReader reader(log, parsed->replay);
    std::optional<can::Timestamp> clock;
    while (const auto record = reader.next()) {
      const auto bus = routes->bus_of(record->interface);
      if (!bus) continue;  // counted by bus_of, reported below
      const can::Timestamp time = record->frame.time();
      if (clock && time > *clock && time - *clock <= kMaxTickedGap) {
        for (can::Timestamp t = *clock + kTick; t < time; t += kTick)
          step_to(t);
      }
      clock = time;
      engine->set_local_time(local_time_of(time));
      engine->on_frame(*bus, record->frame);
      flush();
    }
  } catch (const can::LogError& error) {
    err << error.what() << '\n';
    return 1;
  }
  routes->report_unknown(err);
  return 0;
}

}  // namespace cabind::cli
