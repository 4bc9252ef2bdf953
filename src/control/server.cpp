#include "cabind/control/server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <istream>

namespace cabind::control {

using boost::asio::local::stream_protocol;
using nlohmann::json;

// Sessions are shared with their pending Asio handlers (the usual Asio idiom): a closed
// session is freed only after its last completion handler has run.
class Server::Session : public std::enable_shared_from_this<Server::Session> {
 public:
  Session(Server& server, stream_protocol::socket socket)
      : server_(server), socket_(std::move(socket)), input_(server.options_.max_request_bytes) {}

  void start() { read(); }
  // An asynchronous reply was queued: read the next request.
  void resume() {
    if (!closing_) read();
  }
  void close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }
  [[nodiscard]] bool subscribed() const noexcept { return subscribed_; }

  // Queues a line; false (and nothing queued) when the subscriber is too far behind.
  bool queue(std::string line, bool is_event) {
    if (is_event && outbox_.size() >= server_.options_.max_queued_events) return false;
    outbox_.push_back(std::move(line));
    if (outbox_.size() == 1) write();
    return true;
  }
  void close_after_write() {
    closing_ = true;
    if (outbox_.empty()) server_.close_session(this);
  }

 private:
  void read() {
    boost::asio::async_read_until(
        socket_, input_, '\n',
        [this, self = shared_from_this()](const boost::system::error_code& ec, std::size_t size) {
          if (ec == boost::asio::error::not_found) {  // the buffer filled before a newline
            server_.requests_.count_refused();
            queue(error_reply("request too large (max " +
                              std::to_string(server_.options_.max_request_bytes) + " bytes)"),
                  false);
            close_after_write();
            return;
          }
          if (ec) {
            if (ec != boost::asio::error::operation_aborted) server_.close_session(this);
            return;
          }
          try {
            std::string line(size, '\0');
            std::istream in(&input_);
            in.read(line.data(), static_cast<std::streamsize>(size));
            if (!line.empty() && line.back() == '\n') line.pop_back();
            if (!serve_request(line)) return;  // answered later through a Reply, which resumes
            if (!closing_) read();
          } catch (...) {
            // Out of memory serving one client: drop that client, keep the daemon.
            ++server_.counters_.internal_errors;
            server_.close_session(this);
          }
        });
  }

  // Queues the reply to one request line; false when an asynchronous handler answers later.
  bool serve_request(const std::string& line) {
    auto outcome = server_.requests_.handle(line, [this] { return channel(); });
    switch (outcome.action) {
      case RequestHandler::Action::none:
        return true;
      case RequestHandler::Action::deferred:
        return false;
      case RequestHandler::Action::subscribe:
        subscribed_ = true;
        break;
      case RequestHandler::Action::reply:
        break;
    }
    queue(std::move(outcome.line), false);
    return true;
  }

  class Channel;
  [[nodiscard]] std::shared_ptr<ReplyChannel> channel();

  void write() {
    boost::asio::async_write(
        socket_, boost::asio::buffer(outbox_.front()),
        [this, self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          if (ec) {
            server_.close_session(this);
            return;
          }
          outbox_.pop_front();
          if (!outbox_.empty()) {
            write();
          } else if (closing_) {
            server_.close_session(this);
          }
        });
  }

  Server& server_;
  stream_protocol::socket socket_;
  boost::asio::streambuf input_;
  std::deque<std::string> outbox_;
  bool subscribed_ = false;
  bool closing_ = false;
};

// An asynchronous reply's way back: the session, if it is still open.
class Server::Session::Channel : public ReplyChannel {
 public:
  explicit Channel(std::weak_ptr<Session> session) : session_(std::move(session)) {}
  void send(std::string line) override {
    const auto session = session_.lock();
    if (!session) return;  // the client went away meanwhile
    session->queue(std::move(line), false);
    session->resume();
  }

 private:
  std::weak_ptr<Session> session_;
};

std::shared_ptr<ReplyChannel> Server::Session::channel() {
  return std::make_shared<Channel>(weak_from_this());
}

Server::Server(boost::asio::io_context& io, ServerOptions options)
    : io_(io), options_(std::move(options)), acceptor_(io) {
  std::error_code ignored;
  std::filesystem::remove(options_.socket_path, ignored);  // a socket left by a crash
  acceptor_.open(stream_protocol());
  acceptor_.bind(stream_protocol::endpoint(options_.socket_path.string()));
  ::chmod(options_.socket_path.c_str(), options_.mode);
  acceptor_.listen();
}

Server::~Server() {
  stop();
  std::error_code ignored;
  std::filesystem::remove(options_.socket_path, ignored);
}

void Server::add_command(const std::string& name, Handler handler) {
  requests_.add_command(name, std::move(handler));
}

void Server::add_async_command(const std::string& name, AsyncHandler handler) {
  requests_.add_async_command(name, std::move(handler));
}

ServerCounters Server::counters() const noexcept {
  ServerCounters all = counters_;
  const RequestCounters& r = requests_.counters();
  all.requests = r.requests;
  all.bad_requests = r.bad_requests;
  all.internal_errors += r.internal_errors;
  return all;
}

void Server::start() {
  running_ = true;
  accept();
}

void Server::stop() {
  running_ = false;
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto& session : sessions_)
    session->close();
}

std::size_t Server::subscriber_count() const noexcept {
  return static_cast<std::size_t>(std::count_if(sessions_.begin(), sessions_.end(),
                                                [](const auto& s) { return s->subscribed(); }));
}

void Server::accept() {
  acceptor_.async_accept(
      [this](const boost::system::error_code& ec, stream_protocol::socket socket) {
        if (!running_) return;
        try {
          serve(ec, std::move(socket));
        } catch (...) {
          ++counters_.internal_errors;  // out of memory for one more client: refuse it, go on
        }
        accept();
      });
}

void Server::serve(const boost::system::error_code& ec, stream_protocol::socket socket) {
  if (ec) return;
  ++counters_.connections;
  if (peer_allowed(socket.native_handle())) {
    sessions_.push_back(std::make_shared<Session>(*this, std::move(socket)));
    sessions_.back()->start();
    return;
  }
  ++counters_.refused_peers;
  const std::string line = error_reply("permission denied: this user may not control cabind");
  boost::system::error_code ignored;
  boost::asio::write(socket, boost::asio::buffer(line), ignored);
}

bool Server::peer_allowed(int fd) const {
  ::ucred peer{};
  ::socklen_t length = sizeof(peer);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0) return false;
  if (peer.uid == 0 || peer.uid == ::geteuid()) return true;
  const auto& a = options_.access;
  return std::find(a.uids.begin(), a.uids.end(), peer.uid) != a.uids.end() ||
         std::find(a.gids.begin(), a.gids.end(), peer.gid) != a.gids.end();
}

void Server::publish(const nlohmann::json& event) {
  ++counters_.events_published;
  const std::string line =
      json{{"event", event}}.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  for (auto& session : sessions_) {
    if (session->subscribed() && !session->queue(line, true)) ++counters_.events_dropped;
  }
}

void Server::close_session(Session* session) {
  // Erase later: the session may be inside one of its own handlers right now.
  boost::asio::post(io_, [this, session] {
    const auto it = std::find_if(sessions_.begin(), sessions_.end(),
                                 [session](const auto& s) { return s.get() == session; });
    if (it != sessions_.end()) {
      (*it)->close();
      sessions_.erase(it);
    }
  });
}

}  // namespace cabind::control
