// The web view against the frame path (issue 16): Engine::on_frame with the demo
// configuration, as BM_OnFrameNoChange, while the daemon's web view runs on the same
// thread: a snapshot built, serialised and pushed every 1,024 frames (the daemon: every
// 200 ms) to N WebSocket clients that never read (their queues fill, updates are dropped).
//
// - BM_OnFrameWebClients/-1: no web view at all (the baseline of the same run);
// - /0: the view with no client; /16: sixteen slow clients.
// Only on_frame is timed (the snapshot and the server's work run with the timer paused):
// the promise is that the view never slows the frame path, whatever its clients do. The
// counters say how many updates the slow clients lost.
#include <benchmark/benchmark.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cabind/web/live_feed.hpp"
#include "engine_rig.hpp"

namespace cabind::bench {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;

const std::filesystem::path source_dir = CABIND_SOURCE_DIR;

// A WebSocket client that completes its handshake and then never reads.
tcp::socket slow_client(net::io_context& client_io, std::uint16_t port) {
  tcp::socket socket(client_io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  const std::string request =
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  net::write(socket, net::buffer(request));
  return socket;
}

void BM_OnFrameWebClients(benchmark::State& state) {
  const std::int64_t clients = state.range(0);
  Rig rig(source_dir / "config/demo/vehicle.yaml");
  net::io_context io;
  net::io_context client_io;
  std::unique_ptr<web::LiveFeed> feed;
  std::vector<tcp::socket> sockets;
  if (clients >= 0) {
    feed = std::make_unique<web::LiveFeed>(
        io, web::ServerOptions{
                .port = 0, .max_clients = 32, .queue_limit = 8, .send_buffer_bytes = 4096});
    feed->start();
    const std::uint16_t port = feed->server().endpoint().port();
    for (std::int64_t c = 0; c < clients; ++c)
      sockets.push_back(slow_client(client_io, port));
    while (feed->server().client_count() < static_cast<std::size_t>(clients))
      io.run_one_for(milliseconds(100));
  }
  const std::array<std::uint8_t, 8> bytes{};
  Timestamp now = milliseconds(1'000'000);
  rig.engine->on_frame(frame_of(0x100, bytes, now));
  std::uint64_t frames = 0;
  for (auto _ : state) {
    now += milliseconds(10);
    rig.engine->on_frame(frame_of(0x100, bytes, now));
    if (feed && (++frames & 1023U) == 0) {
      state.PauseTiming();
      feed->snapshot(*rig.engine, {});
      io.poll();
      state.ResumeTiming();
    }
  }
  if (feed) {
    state.counters["dropped"] = static_cast<double>(feed->server().counters().dropped);
    state.counters["clients"] = static_cast<double>(feed->server().client_count());
  }
}
BENCHMARK(BM_OnFrameWebClients)->Arg(-1)->Arg(0)->Arg(16);

}  // namespace
}  // namespace cabind::bench

BENCHMARK_MAIN();
