#include "cabind/control/server.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <istream>
#include <stdexcept>
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
    server_->add_command("broken",
                         [](const json&) -> json { throw std::out_of_range("vector::at"); });
    server_->add_async_command("commit",
                               [this](const json&, Reply reply) { pending_.push_back(reply); });
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
  std::vector<Reply> pending_;  // asynchronous "commit" requests not answered yet
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

TEST_F(ControlServerTest, AHandlerThrowingAnythingIsAnInternalErrorAndTheServerGoesOn) {
  Client client(path_);
  const json reply = client.request({{"command", "broken"}});
  EXPECT_EQ(reply["ok"], false);
  EXPECT_EQ(reply["error"], "internal error in 'broken': vector::at");
  EXPECT_EQ(client.request({{"command", "status"}})["result"]["driver"], "alice");
  EXPECT_EQ(on_server([this] { return server_->counters().internal_errors; }), 1U);
}

TEST_F(ControlServerTest, AnAsyncCommandAnswersLaterWithoutBlockingOtherClients) {
  auto committing = std::async(std::launch::async, [this] {
    Client client(path_);
    return client.request({{"command", "commit"}});
  });
  const auto wait_pending = [this] {
    for (int i = 0; i < 2000; ++i) {
      if (on_server([this] { return pending_.size(); }) == 1U) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  };
  ASSERT_TRUE(wait_pending());
  // The loop serves others while the commit is outstanding.
  Client other(path_);
  EXPECT_EQ(other.request({{"command", "status"}})["result"]["driver"], "alice");
  EXPECT_EQ(committing.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  on_server([this] {
    pending_.front().ok(json{{"durable", true}});
    return 0;
  });
  EXPECT_EQ(committing.get(), (json{{"ok", true}, {"result", {{"durable", true}}}}));
}

TEST_F(ControlServerTest, RequestsAfterAnAsyncOneOnTheSameConnectionWaitTheirTurn) {
  boost::asio::io_context io;
  boost::asio::local::stream_protocol::socket socket(io);
  socket.connect(path_);
  boost::asio::write(socket, boost::asio::buffer(std::string("{\"command\":\"commit\"}\n"
                                                             "{\"command\":\"status\"}\n")));
  for (int i = 0; i < 2000 && on_server([this] { return pending_.size(); }) == 0U; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(on_server([this] { return pending_.size(); }), 1U);
  on_server([this] {
    pending_.front().fail("set: could not write the store");
    return 0;
  });
  boost::asio::streambuf input;
  boost::asio::read_until(socket, input, '\n');
  std::istream lines(&input);
  std::string first;
  std::getline(lines, first);
  EXPECT_EQ(json::parse(first)["error"], "set: could not write the store");
  boost::asio::read_until(socket, input, '\n');
  std::string second;
  std::getline(lines, second);
  EXPECT_EQ(json::parse(second)["result"]["driver"], "alice");
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
