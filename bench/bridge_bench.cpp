// The MQTT bridge against the frame path (issue 13): Engine::on_frame with the demo
// configuration, as BM_OnFrameWebClients does for the web view, while Home Assistant runs
// on an MqttClient connected to a real mosquitto (started here, on a loopback port).
// Every 1,024 frames it is fed what the daemon feeds it after a batch (a driver arriving
// or leaving, the temperatures) and the client's callbacks run.
//
// - BM_OnFrameBridge/0: no bridge (the baseline of the same run);
// - /1: the bridge connected, Home Assistant publishing presence, events and states.
// Only on_frame is timed (the bridge's work runs with the timer paused); allocs_per_frame
// counts this thread's operator new calls in the timed part (the client's network thread
// allocates as it likes: it is not the frame path). The promise: the bridge adds no
// allocation and no time to on_frame.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "alloc_counter.hpp"
#include "cabind/bridge/mqtt_client.hpp"
#include "cabind/home/command_target.hpp"
#include "cabind/home/home_assistant.hpp"
#include "engine_rig.hpp"
#include "mosquitto_broker.hpp"

namespace cabind::bench {
namespace {

using std::chrono::milliseconds;
const std::filesystem::path source_dir = CABIND_SOURCE_DIR;

std::filesystem::path scratch() {
  auto dir = std::filesystem::temp_directory_path() /
             ("cabind-bridge-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

// A router stand-in: the client is built before Home Assistant, which needs the client.
struct Forward final : bridge::MessageHandler {
  bridge::MessageHandler* to = nullptr;
  void on_connected() noexcept override { to->on_connected(); }
  void on_disconnected() noexcept override { to->on_disconnected(); }
  void on_message(const bridge::Message& m) noexcept override { to->on_message(m); }
};

// Home Assistant on a connected client of a broker of its own.
struct Bridge {
  explicit Bridge(engine::Engine& engine)
      : dir(scratch()), broker(dir / "broker"), target(engine, [&engine] { return engine.now(); }) {
    broker.start();
    bridge::MqttOptions options;
    options.port = broker.port();
    options.client_id = "car";
    options.availability_topic = "cabind/car/availability";
    client = std::make_unique<bridge::MqttClient>(io, options, forward);
    home = std::make_unique<home::HomeAssistant>(
        home::HomeOptions{.thing = "car", .profiles = {"alice", "bob", "carla"}}, *client, target);
    forward.to = home.get();
    home->start();
    client->start();
    while (!client->connected())
      io.run_one_for(milliseconds(100));
  }
  ~Bridge() {
    client->stop();
    std::filesystem::remove_all(dir);
  }
  // What the daemon does after a batch: the batch's events, the temperatures, the loop.
  void after_batch(const engine::Engine& engine, std::uint64_t batch) {
    engine::AuditEvent event;
    event.time = engine.now();
    event.kind =
        (batch & 1U) == 0 ? engine::AuditKind::driver_changed : engine::AuditKind::driver_left;
    event.output = "alice";
    home->on_audit(event);
    home->on_temperatures(home::temperatures_of(engine, home->options()),
                          std::chrono::steady_clock::now());
    io.poll();
  }

  std::filesystem::path dir;
  testing::MosquittoBroker broker;
  boost::asio::io_context io;
  home::EngineCommandTarget target;
  Forward forward;
  std::unique_ptr<bridge::MqttClient> client;
  std::unique_ptr<home::HomeAssistant> home;
};

void BM_OnFrameBridge(benchmark::State& state) {
  Rig rig(source_dir / "config/demo/vehicle.yaml");
  std::unique_ptr<Bridge> bridge;
  if (state.range(0) == 1) bridge = std::make_unique<Bridge>(*rig.engine);
  const std::array<std::uint8_t, 8> bytes{};
  Timestamp now = milliseconds(1'000'000);
  rig.engine->on_frame(frame_of(0x100, bytes, now));
  std::uint64_t frames = 0;
  std::uint64_t paused_allocations = 0;
  const std::size_t allocations = test_support::thread_allocation_count();
  for (auto _ : state) {
    now += milliseconds(10);
    rig.engine->on_frame(frame_of(0x100, bytes, now));
    if (bridge && (++frames & 1023U) == 0) {
      state.PauseTiming();
      const std::size_t before = test_support::thread_allocation_count();
      bridge->after_batch(*rig.engine, frames >> 10U);
      paused_allocations += test_support::thread_allocation_count() - before;
      state.ResumeTiming();
    }
  }
  const auto timed = test_support::thread_allocation_count() - allocations - paused_allocations;
  state.counters["allocs_per_frame"] =
      static_cast<double>(timed) / static_cast<double>(state.iterations());
  if (bridge) {
    state.counters["published"] = static_cast<double>(bridge->client->status().published);
    state.counters["dropped"] = static_cast<double>(bridge->client->status().dropped);
  }
}
BENCHMARK(BM_OnFrameBridge)->Arg(0)->Arg(1);

}  // namespace
}  // namespace cabind::bench

BENCHMARK_MAIN();
