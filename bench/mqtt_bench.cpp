// Event -> delivered at a subscriber on loopback (issue 13): bridge::MqttClient publishing
// to a real mosquitto (started here on a free port) and a second MqttClient subscribed,
// both posting to the one io_context this thread runs, as in the daemon.
//
// - BM_PublishToSubscriber/<qos>: one message at a time; the time from publish() to the
//   subscriber's on_message() is recorded per message and reported as p50_us / p99_us /
//   max_us (the benchmark's own time per iteration is the same round trip).
// - BM_PublishBurst/<qos>: 2,000 messages back to back, timed until the last is delivered:
//   what a burst of events (drivers coming and going) costs per message.
// Both clients run MQTT 5, plain TCP. The network threads of both clients and the broker
// share the machine's cores with this thread: the figures include that scheduling.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cabind/bridge/mqtt_client.hpp"
#include "message_recorder.hpp"
#include "mosquitto_broker.hpp"

namespace cabind::bench {
namespace {

using Clock = std::chrono::steady_clock;
using testing::MessageRecorder;
using testing::run_until;

constexpr const char* kTopic = "cabind/bench/event";

// A subscriber that stamps the arrival of each message on the io_context thread.
class StampingRecorder final : public bridge::MessageHandler {
 public:
  void on_connected() noexcept override { ++connects; }
  void on_disconnected() noexcept override {}
  void on_message(const bridge::Message& /*message*/) noexcept override {
    arrivals.push_back(Clock::now());
  }
  std::vector<Clock::time_point> arrivals;
  int connects = 0;
};

struct Loopback {
  explicit Loopback(int qos_level) : qos(qos_level) {
    char name[] = "/tmp/cabind-mqtt-bench-XXXXXX";
    if (::mkdtemp(name) == nullptr) std::abort();
    dir = name;
    broker = std::make_unique<testing::MosquittoBroker>(dir / "broker");
    broker->start();
    bridge::MqttOptions options;
    options.port = broker->port();
    options.client_id = "bench-sub";
    subscriber = std::make_unique<bridge::MqttClient>(io, options, seen);
    subscriber->subscribe(kTopic, qos);
    subscriber->start();
    options.client_id = "bench-car";
    publisher = std::make_unique<bridge::MqttClient>(io, options, publisher_events);
    publisher->start();
    if (!run_until(io, [&] { return seen.connects == 1 && publisher_events.connects == 1; }))
      std::abort();
    seen.arrivals.reserve(1'000'000);
  }
  ~Loopback() {
    publisher.reset();
    subscriber.reset();
    broker.reset();
    std::filesystem::remove_all(dir);
  }
  Loopback(const Loopback&) = delete;
  Loopback& operator=(const Loopback&) = delete;

  bool send(std::size_t i) {
    return publisher->publish(
        {kTopic, R"({"event":"arrived","driver":"p-)" + std::to_string(i) + R"("})", qos, false});
  }

  int qos;
  std::filesystem::path dir;
  boost::asio::io_context io;
  std::unique_ptr<testing::MosquittoBroker> broker;
  StampingRecorder seen;
  MessageRecorder publisher_events;
  std::unique_ptr<bridge::MqttClient> subscriber;
  std::unique_ptr<bridge::MqttClient> publisher;
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  return values[index];
}

void BM_PublishToSubscriber(benchmark::State& state) {
  Loopback loop(static_cast<int>(state.range(0)));
  std::vector<double> latencies_us;
  latencies_us.reserve(static_cast<std::size_t>(state.max_iterations));
  for (auto _ : state) {
    const std::size_t before = loop.seen.arrivals.size();
    const auto sent = Clock::now();
    if (!loop.send(before)) state.SkipWithError("publish refused");
    if (!run_until(loop.io, [&] { return loop.seen.arrivals.size() > before; })) {
      state.SkipWithError("message not delivered within 10 s");
      break;
    }
    latencies_us.push_back(
        std::chrono::duration<double, std::micro>(loop.seen.arrivals.back() - sent).count());
  }
  state.counters["p50_us"] = percentile(latencies_us, 0.50);
  state.counters["p99_us"] = percentile(latencies_us, 0.99);
  state.counters["max_us"] = percentile(latencies_us, 1.0);
}
BENCHMARK(BM_PublishToSubscriber)->Arg(0)->Arg(1)->Iterations(2000)->Unit(benchmark::kMicrosecond);

void BM_PublishBurst(benchmark::State& state) {
  Loopback loop(static_cast<int>(state.range(0)));
  constexpr std::size_t kBurst = 2'000;
  double total_us = 0.0;
  for (auto _ : state) {
    const std::size_t target = loop.seen.arrivals.size() + kBurst;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < kBurst; ++i)
      if (!loop.send(i)) state.SkipWithError("publish refused");
    if (!run_until(
            loop.io, [&] { return loop.seen.arrivals.size() >= target; },
            std::chrono::seconds{30})) {
      state.SkipWithError("burst not delivered within 30 s");
      break;
    }
    total_us += std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  }
  const double messages = static_cast<double>(state.iterations()) * kBurst;
  state.counters["us_per_message"] = messages > 0 ? total_us / messages : 0.0;
}
BENCHMARK(BM_PublishBurst)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(5)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace cabind::bench

BENCHMARK_MAIN();
