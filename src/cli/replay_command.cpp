#include "cabind/cli/replay_command.hpp"

#include <ctime>
#include <fstream>
#include <optional>

#include "cabind/can/candump_log.hpp"
#include "cabind/can/memory_bus.hpp"
#include "cabind/config/loader.hpp"
#include "cabind/engine/audit.hpp"
#include "cabind/engine/engine.hpp"
#include "cabind/engine/preference_store.hpp"

namespace cabind::cli {

namespace {

constexpr std::chrono::milliseconds kTick{10};
constexpr std::chrono::seconds kMaxTickedGap{60};

class PrintingSink final : public engine::AuditSink {
 public:
  explicit PrintingSink(std::ostream& out) : out_(out) {}
  void record(const engine::AuditEvent& event) noexcept override {
    try {
      out_ << engine::format_audit(event) << '\n';
    } catch (...) {
      // The trail is best effort; a failing stream must not stop the engine.
    }
  }

 private:
  std::ostream& out_;
};

engine::LocalTime local_time_of(can::Timestamp time) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(time).count();
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return {tm.tm_hour, tm.tm_min, tm.tm_wday == 0 ? 7 : tm.tm_wday};
}

struct Arguments {
  std::string config;
  std::string replay;
  std::string out;
};

std::optional<Arguments> parse(std::span<const std::string> args, std::ostream& err) {
  Arguments parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    std::string* target = arg == "--config"   ? &parsed.config
                          : arg == "--replay" ? &parsed.replay
                          : arg == "--out"    ? &parsed.out
                                              : nullptr;
    if (target == nullptr || i + 1 >= args.size()) {
      err << "usage: cabind --config FILE --replay LOG [--out OUT]\n";
      return std::nullopt;
    }
    *target = args[++i];
  }
  if (parsed.config.empty() || parsed.replay.empty()) {
    err << "usage: cabind --config FILE --replay LOG [--out OUT]\n";
    return std::nullopt;
  }
  return parsed;
}

}  // namespace

int run_replay(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  const auto parsed = parse(args, err);
  if (!parsed) return 2;
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

  can::MemoryBus bus(config.buses.front().interface);
  PrintingSink sink(out);
  engine::MemoryPreferenceStore preferences;
  diag::Diagnostics diagnostics;
  const auto engine = engine::Engine::build(config, bus, sink, preferences, diagnostics);
  if (!engine) {
    err << diagnostics.to_string();
    return 1;
  }
  can::LogWriter writer(parsed->out.empty() ? out : out_file);
  auto flush = [&] {
    engine->store_learned();  // off the frame path, as the daemon does after each batch
    for (const can::Frame& frame : bus.sent()) {
      if (parsed->out.empty()) out << "tx ";
      writer.write(bus.interface_name(), frame);
    }
    bus.clear_sent();
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
      const can::Timestamp time = record->frame.time();
      if (clock && time > *clock && time - *clock <= kMaxTickedGap) {
        for (can::Timestamp t = *clock + kTick; t < time; t += kTick)
          step_to(t);
      }
      clock = time;
      engine->set_local_time(local_time_of(time));
      engine->on_frame(record->frame);
      flush();
    }
  } catch (const can::LogError& error) {
    err << error.what() << '\n';
    return 1;
  }
  return 0;
}

}  // namespace cabind::cli
