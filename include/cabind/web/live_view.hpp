#pragma once
// LiveView: what the web page shows, as JSON texts built off the frame path from the
// engine's state (snapshots) and from its decisions (events). It keeps no view into the
// engine between calls, so an engine replaced by a reload is simply the next one read.
//
//   snapshot {"type":"snapshot","time":12.3,"buses":[{"name":"body","state":"up","fps":50,...}],
//             "messages":[{"bus":"body","name":"BodyInfo","id":"0x120","rate":10,"data":"00ff.."}],
//             "signals":[{"name":"Vehicle.Speed","value":0,"unit":"km/h","validity":"valid",
//                         "age":0.02}],
//             "driver":{"id":"alice","name":"Alice","source":"key_fob","since":3.2,...},
//             "claims":[...], "interlocks":[{"name":"seat_motion","holds":false,
//             "reason":"Vehicle.Speed=50 km/h (needs == 0)"}], "outputs":[...], "events":[...]}
//   event    {"type":"event","kind":"blocked","time":3.2,"rule":"...","output":"...","text":"..."}
//
// Rates are counted between snapshots (frames and messages since the last one, over the
// wall time between them). Times are engine seconds (CLOCK_MONOTONIC live, the log's in a
// replay); ages are engine time minus receive time.
//
// Threading: one thread (the engine's), after a batch or on a timer, never inside one.
// Allocates: every call.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/can/bus.hpp"
#include "cabind/engine/audit.hpp"
#include "cabind/engine/engine.hpp"

namespace cabind::web {

// One bus as the page shows it; `counters` may be nullptr (not opened yet).
struct BusView {
  std::string_view name;
  std::string_view interface;
  std::string_view state;  // "up", "down", "gone", "missing", ...
  const can::BusCounters* counters = nullptr;
};

using Text = std::shared_ptr<const std::string>;

class LiveView {
 public:
  // Keeps the last `recent_events` events for the page's timeline (in with_events snapshots).
  explicit LiveView(std::size_t recent_events = 200);

  // A decision reported after its batch: its JSON text; it is also kept for the timeline.
  Text on_event(const engine::AuditEvent& event);

  struct Snapshot {
    Text live;      // for clients already connected (no timeline)
    Text greeting;  // for a client that connects next: with the recent events
  };
  // The engine's state now; `now` is the wall (steady) time the rates are measured in.
  Snapshot snapshot(const engine::Engine& engine, std::span<const BusView> buses,
                    std::chrono::steady_clock::time_point now);

 private:
  struct DriverSeen {
    std::string id;
    std::string source;  // identifier kind, e.g. key_fob
    std::string reason;
    double since = 0.0;  // engine seconds
    double code = 0.0;
  };
  struct OutputSeen {
    std::string rule;
    std::string kind;
    std::string text;
  };
  // Per-plan tables (units per slot) and the counts of the last snapshot, for rates.
  void adopt(const engine::Plan& plan);

  std::size_t recent_limit_;
  std::deque<Text> recent_;
  DriverSeen driver_;
  std::map<std::string, OutputSeen, std::less<>> outputs_;
  const engine::Plan* plan_ = nullptr;
  std::vector<std::string> units_;                          // per slot
  std::vector<std::vector<std::uint64_t>> message_counts_;  // per bus, per message
  std::vector<std::uint64_t> frame_counts_;                 // per bus
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace cabind::web
