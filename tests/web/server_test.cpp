// web::Server on real loopback sockets: the server runs on its own io_context thread (as on
// the daemon's), the test talks to it as a browser would, with Beast's blocking clients.
#include "cabind/web/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace cabind::web {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

const std::string kToken = "0123456789abcdef-token";

// A started server on 127.0.0.1:<free port>, its io_context on a thread of its own.
class Running {
 public:
  explicit Running(ServerOptions options) {
    options.port = 0;
    server_ = std::make_unique<Server>(io_, std::move(options));
    server_->start();
    port_ = server_->endpoint().port();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Running() {
    net::post(io_, [this] { server_->stop(); });
    work_.reset();
    thread_.join();
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  // Runs `f` on the server's thread and returns what it returns.
  template <typename F>
  auto on_server(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    net::post(io_, [&task] { task(); });
    return result.get();
  }
  Server& server() { return *server_; }

 private:
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

struct Reply {
  unsigned status = 0;
  std::string body;
};

Reply get(std::uint16_t port, const std::string& target, http::verb verb = http::verb::get,
          const std::vector<std::pair<std::string, std::string>>& headers = {},
          const std::string& body = {}) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers)
    request.set(name, value);
  if (!body.empty()) {
    request.body() = body;
    request.prepare_payload();
  }
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  beast::error_code ec;
  http::read(stream, buffer, response, ec);
  return {static_cast<unsigned>(response.result_int()), response.body()};
}

std::unique_ptr<websocket::stream<tcp::socket>> open_ws(net::io_context& io, std::uint16_t port,
                                                        const std::string& target = "/ws") {
  auto ws = std::make_unique<websocket::stream<tcp::socket>>(io);
  ws->next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  ws->handshake("127.0.0.1:" + std::to_string(port), target);
  return ws;
}

std::string read_text(websocket::stream<tcp::socket>& ws) {
  beast::flat_buffer buffer;
  ws.read(buffer);
  return beast::buffers_to_string(buffer.data());
}

TEST(WebServer, RefusesANonLoopbackAddressWithoutAllowRemote) {
  net::io_context io;
  EXPECT_THROW(Server(io, {.address = "0.0.0.0", .port = 0}), ServerError);
  EXPECT_THROW(Server(io, {.address = "::", .port = 0}), ServerError);
  // allow_remote without a token is refused too; with both it binds.
  EXPECT_THROW(Server(io, {.address = "0.0.0.0", .port = 0, .allow_remote = true}), ServerError);
  Server remote(io, {.address = "0.0.0.0", .port = 0, .allow_remote = true, .token = kToken});
  EXPECT_NE(remote.endpoint().port(), 0);
  Server loopback(io, {.address = "127.0.0.1", .port = 0});
  EXPECT_TRUE(loopback.endpoint().address().is_loopback());
}

TEST(WebServer, ServesThePageAndNothingElse) {
  Running running({});
  const Reply page = get(running.port(), "/");
  EXPECT_EQ(page.status, 200U);
  EXPECT_NE(page.body.find("<title>cabind live view</title>"), std::string::npos);
  EXPECT_EQ(get(running.port(), "/app.js").status, 200U);
  EXPECT_EQ(get(running.port(), "/style.css").status, 200U);
  EXPECT_EQ(get(running.port(), "/nope").status, 404U);
  EXPECT_EQ(get(running.port(), "/../etc/passwd").status, 404U);
  EXPECT_EQ(get(running.port(), "/index.html/").status, 404U);
  EXPECT_EQ(get(running.port(), "/", http::verb::post).status, 405U);
  EXPECT_EQ(get(running.port(), "/ws").status, 426U);  // no upgrade
  EXPECT_EQ(running.on_server([&] { return running.server().counters().not_found; }), 3U);
}

TEST(WebServer, RefusesOversizedRequests) {
  Running running({});
  EXPECT_EQ(
      get(running.port(), "/", http::verb::get, {{"X-Padding", std::string(10000, 'a')}}).status,
      431U);
  EXPECT_EQ(get(running.port(), "/", http::verb::get, {}, std::string(5000, 'b')).status, 413U);
  // The server goes on serving after refusing.
  EXPECT_EQ(get(running.port(), "/").status, 200U);
}

TEST(WebServer, AnswersOnlyForLocalhostAndItsOwnOrigin) {
  Running running({});
  EXPECT_EQ(get(running.port(), "/", http::verb::get, {{"Host", "evil.example"}}).status, 421U);
  EXPECT_EQ(get(running.port(), "/", http::verb::get, {{"Host", "localhost:1"}}).status, 200U);
  EXPECT_EQ(get(running.port(), "/", http::verb::get, {{"Origin", "http://evil.example"}}).status,
            403U);
}

TEST(WebServer, WithATokenEveryRequestMustCarryIt) {
  Running running({.token = kToken});
  EXPECT_EQ(get(running.port(), "/").status, 401U);
  EXPECT_EQ(get(running.port(), "/app.js").status, 401U);
  EXPECT_EQ(get(running.port(), "/?token=wrong-token-0123456").status, 401U);
  EXPECT_EQ(get(running.port(), "/", http::verb::get, {{"Authorization", "Bearer nope"}}).status,
            401U);
  EXPECT_EQ(get(running.port(), "/?token=" + kToken).status, 200U);
  EXPECT_EQ(get(running.port(), "/app.js", http::verb::get, {{"Authorization", "Bearer " + kToken}})
                .status,
            200U);
  EXPECT_EQ(
      get(running.port(), "/style.css", http::verb::get, {{"Cookie", "cabind_token=" + kToken}})
          .status,
      200U);
  net::io_context io;
  EXPECT_THROW(open_ws(io, running.port()), beast::system_error);
  auto ws = open_ws(io, running.port(), "/ws?token=" + kToken);
  EXPECT_EQ(running.on_server([&] { return running.server().counters().unauthorized; }), 5U);
}

TEST(WebServer, GreetsANewClientThenPushesWhatIsPublished) {
  Running running({});
  running.on_server([&] {
    running.server().set_greeting(std::make_shared<const std::string>(R"({"type":"snapshot"})"));
    return 0;
  });
  net::io_context io;
  auto ws = open_ws(io, running.port());
  EXPECT_EQ(read_text(*ws), R"({"type":"snapshot"})");
  running.on_server([&] {
    running.server().publish(std::make_shared<const std::string>(R"({"type":"event"})"));
    return 0;
  });
  EXPECT_EQ(read_text(*ws), R"({"type":"event"})");
}

TEST(WebServer, RefusesClientsOverItsLimit) {
  Running running({.max_clients = 2});
  net::io_context io;
  auto a = open_ws(io, running.port());
  auto b = open_ws(io, running.port());
  // The accept is asynchronous: wait until both are counted before the third knocks.
  for (int i = 0; i < 500 && running.on_server([&] { return running.server().client_count(); }) < 2;
       ++i)
    std::this_thread::yield();
  EXPECT_THROW(open_ws(io, running.port()), beast::system_error);
  EXPECT_EQ(running.on_server([&] { return running.server().counters().busy; }), 1U);
}

// Sixteen browsers that never read, one that does: the reader gets every message in
// order, the page and a new client are still served, the slow ones' updates are dropped
// and counted, and a slow client that reads again is told how many it missed.
TEST(WebServer, SlowClientsDropUpdatesAndNeverHoldUpTheOthers) {
  constexpr int slow_count = 16;
  constexpr int messages = 60;
  Running running({.max_clients = 20, .queue_limit = 4, .send_buffer_bytes = 4096});
  net::io_context io;
  std::vector<std::unique_ptr<websocket::stream<tcp::socket>>> slow;
  for (int i = 0; i < slow_count; ++i)
    slow.push_back(open_ws(io, running.port()));
  auto fast = open_ws(io, running.port());
  for (int i = 0; i < 500 && running.on_server([&] { return running.server().client_count(); }) <
                                 slow_count + 1;
       ++i)
    std::this_thread::yield();
  const std::string padding(64 * 1024, 'x');
  for (int i = 0; i < messages; ++i) {
    const std::string text = R"({"n":)" + std::to_string(i) + R"(,"pad":")" + padding + "\"}";
    running.on_server([&] {
      running.server().publish(std::make_shared<const std::string>(text));
      return 0;
    });
    ASSERT_EQ(read_text(*fast), text) << "message " << i;
  }
  EXPECT_EQ(get(running.port(), "/").status, 200U);
  const std::uint64_t dropped =
      running.on_server([&] { return running.server().counters().dropped; });
  EXPECT_GT(dropped, static_cast<std::uint64_t>(slow_count) * messages / 2);
  // The first slow client reads now: what was queued, then the notice.
  bool told = false;
  for (int i = 0; i < messages && !told; ++i)
    told = read_text(*slow[0]).starts_with(R"({"type":"dropped","count":)");
  EXPECT_TRUE(told);
}

}  // namespace
}  // namespace cabind::web
