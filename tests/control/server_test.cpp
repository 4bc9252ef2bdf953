#include "cabind/control/server.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <thread>

#include "cabind/control/client.hpp"

namespace cabind::control {
namespace {

using nlohmann::json;

// A server on its own io_context thread, as in the daemon.
class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "cabind-ctl-" + std::to_string(::getpid()) + ".sock";
    server_ = std::make_unique<Server>(
        io_,
        ServerOptions{.socket_path = path_, .max_request_bytes = 1024, .max_queued_events = 4});
    server_->add_command("status", [](const json&) { return json{{"driver", "alice"}}; });
    server_->add_command("identify", [](const json& request) {
      if (!request.contains("fob")) throw RequestError("identify needs \"fob\"");
      return json{{"fob", request.at("fob").get<int>()}};
    });
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    boost::asio::post(io_, [this] { server_->stop(); });
    io_.stop();
    thread_.join();
    server_.reset();
  }
  // Runs fn on the server's thread and waits for it.
  template <typename Fn>
  auto on_server(Fn fn) {
    std::promise<decltype(fn())> result;
    boost::asio::post(io_, [&] { result.set_value(fn()); });
    return result.get_future().get();
  }

  boost::asio::io_context io_;
  std::string path_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ControlServerTest, AnswersACommandWithItsResult) {
  Client client(path_);
  const json reply = client.request({{"command", "status"}});
  EXPECT_EQ(reply, (json{{"ok", true}, {"result", {{"driver", "alice"}}}}));
}

TEST_F(ControlServerTest, MalformedJsonGetsAnErrorAndTheConnectionSurvives) {
  Client client(path_);
  const json bad = client.request_raw("{\"command\": ");
  EXPECT_EQ(bad["ok"], false);
  EXPECT_EQ(bad["error"], "malformed request: expected one JSON object per line");
  EXPECT_EQ(client.request({{"command", "nope"}})["error"], "unknown command 'nope'");
  EXPECT_EQ(client.request({{"command", "identify"}})["error"], "identify needs \"fob\"");
  EXPECT_EQ(client.request({{"command", "identify"}, {"fob", 3}})["result"]["fob"], 3);
  EXPECT_EQ(on_server([this] { return server_->counters().bad_requests; }), 3U);
}

TEST_F(ControlServerTest, OversizedRequestIsRefused) {
  Client client(path_);
  const json reply = client.request_raw(std::string(4096, 'x'));
  EXPECT_EQ(reply["error"], "request too large (max 1024 bytes)");
}

TEST_F(ControlServerTest, SubscribersGetEventsAndASlowOneNeverBlocks) {
  Client subscriber(path_);
  EXPECT_EQ(subscriber.request({{"command", "subscribe"}})["ok"], true);
  ASSERT_EQ(on_server([this] { return server_->subscriber_count(); }), 1U);
  // The subscriber reads nothing while 1000 events are published: the server keeps at
  // most 4 queued for it (a few more may sit in the socket buffer) and drops the rest.
  on_server([this] {
    for (int i = 0; i < 1000; ++i)
      server_->publish({{"seq", i}});
    return 0;
  });
  EXPECT_EQ(subscriber.read_line()["event"]["seq"], 0);
  const auto dropped = on_server([this] { return server_->counters().events_dropped; });
  EXPECT_GT(dropped, 900U);
  // Meanwhile other clients are served normally.
  Client other(path_);
  EXPECT_EQ(other.request({{"command", "status"}})["ok"], true);
}

TEST_F(ControlServerTest, PeerOfAnotherUserIsRefusedBySoPeercred) {
  ASSERT_EQ(::geteuid(), 0U) << "this test switches to uid 65534 and needs root (CI runs as root)";
  // Open the file mode so that only SO_PEERCRED stands between the peer and the daemon.
  ASSERT_EQ(::chmod(path_.c_str(), 0666), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) _exit(3);
    try {
      Client client(path_);
      const json reply = client.read_line();
      _exit(reply.value("error", "") == "permission denied: this user may not control cabind" ? 0
                                                                                              : 1);
    } catch (...) {
      _exit(2);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(on_server([this] { return server_->counters().refused_peers; }), 1U);
}

TEST_F(ControlServerTest, SocketFileHasTheConfiguredMode) {
  struct ::stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777U, 0660U);
}

}  // namespace
}  // namespace cabind::control
