#pragma once
// The control socket: a Unix stream socket speaking JSON lines.
//
//   request : {"command":"status"}\n            reply: {"ok":true,"result":{...}}\n
//   failure : {"command":"nope"}\n               reply: {"ok":false,"error":"unknown command
//   'nope'"}\n events  : {"command":"subscribe"}\n          reply: {"ok":true,...}\n then
//   {"event":{...}}\n per event
//
// Access: the socket file's mode, plus SO_PEERCRED: a peer is served when it is root,
// the daemon's own user, or in the configured uids/gids; others get one error line and
// are disconnected. Malformed JSON or an unknown command gets an error reply and the
// connection stays usable; a request over max_request_bytes is refused and that
// connection closed (its framing is lost). A subscriber that does not read keeps at most
// max_queued_events; further events for it are dropped and counted, so a slow client
// never blocks the daemon.
//
// What a request line gets is RequestHandler's (request_handler.hpp); the server frames the
// lines. A command can also answer later (add_async_command): the handler gets a Reply and
// the connection reads no further request until it is used, so replies keep request order.
//
// Threading: everything on the io_context's thread, including handlers, Reply and publish().
// Lifetime: a Reply may outlive its connection (it then does nothing), not the Server.

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "cabind/control/request_handler.hpp"

namespace cabind::control {

struct AccessPolicy {
  std::vector<uid_t> uids;
  std::vector<gid_t> gids;
};

struct ServerOptions {
  std::filesystem::path socket_path;
  ::mode_t mode = 0660;
  AccessPolicy access;
  std::size_t max_request_bytes = 64 * 1024;
  std::size_t max_queued_events = 256;
};

struct ServerCounters {
  std::uint64_t connections = 0;
  std::uint64_t refused_peers = 0;
  std::uint64_t requests = 0;
  std::uint64_t bad_requests = 0;
  std::uint64_t events_published = 0;
  std::uint64_t events_dropped = 0;
  std::uint64_t internal_errors = 0;  // handlers that failed with an unexpected exception
};

class Server {
 public:
  using Handler = RequestHandler::Handler;
  using AsyncHandler = RequestHandler::AsyncHandler;

  // Binds the socket (replacing a stale socket file); throws std::system_error.
  Server(boost::asio::io_context& io, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void add_command(const std::string& name, Handler handler);
  void add_async_command(const std::string& name, AsyncHandler handler);
  void start();
  void stop();
  // Sends {"event": event} to every subscriber.
  void publish(const nlohmann::json& event);

  [[nodiscard]] ServerCounters counters() const noexcept;
  [[nodiscard]] std::size_t subscriber_count() const noexcept;

 private:
  class Session;
  friend class Session;

  void accept();
  void serve(const boost::system::error_code& ec,
             boost::asio::local::stream_protocol::socket socket);
  [[nodiscard]] bool peer_allowed(int fd) const;
  void close_session(Session* session);

  boost::asio::io_context& io_;
  ServerOptions options_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  RequestHandler requests_;
  std::list<std::shared_ptr<Session>> sessions_;
  ServerCounters counters_;
  bool running_ = false;
};

}  // namespace cabind::control
