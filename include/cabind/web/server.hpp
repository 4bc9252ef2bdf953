#pragma once
// The web view's server: HTTP and one WebSocket on the daemon's (or the replay's) Asio
// io_context, with Boost.Beast. Read-only: it serves the embedded page (assets.hpp) and
// pushes what it is given (publish()) to every WebSocket client; nothing a client sends
// reaches the engine.
//
//   GET /, /style.css, /app.js   the page             any other path    404
//   GET /ws (Upgrade)            the live stream      not GET or HEAD   405
//   request head over 8 KiB      431                  a body over 1 KiB 413
//   more than max_clients at /ws 503                  more connections  closed at accept
//   with a token: every request carries it (`Authorization: Bearer T` or `?token=T`), else 401
//
// Clients never make the daemon wait: each has a bounded queue (queue_limit messages); a
// message that finds it full is dropped for that client and counted, and the client is
// then told, before its next message, {"type":"dropped","count":N}. Messages are shared
// between clients (serialised once by the caller).
//
// The address is refused unless it is loopback, or allow_remote is set and a token given
// (config/web_parser.hpp says the same at load; this is the second line).
//
// Threading: everything on the io_context's thread, publish() included. Lifetime: the
// io_context outlives the server; stop() (or the destructor) closes every connection.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace cabind::web {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see endpoint())
  bool allow_remote = false;
  std::string token;                   // empty: none required (loopback only)
  std::uint32_t max_clients = 8;       // WebSocket clients
  std::uint32_t max_connections = 32;  // every TCP connection, WebSocket ones included
  std::size_t queue_limit = 32;        // messages waiting per client
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 1024;
  int send_buffer_bytes = 0;  // SO_SNDBUF per connection; 0: the kernel's default
};

// Cannot listen: the address is refused, or the bind failed (what() says which).
class ServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ServerCounters {
  std::uint64_t requests = 0;
  std::uint64_t not_found = 0;
  std::uint64_t refused = 0;            // 405, 413, 431, 400: bad or oversized requests
  std::uint64_t unauthorized = 0;       // 401
  std::uint64_t busy = 0;               // 503 at /ws, or a connection closed at accept
  std::uint64_t websocket_clients = 0;  // accepted since start
  std::uint64_t dropped = 0;            // messages dropped for slow clients, all clients
};

class Server {
 public:
  // Validates the options and binds; throws ServerError.
  Server(boost::asio::io_context& io, ServerOptions options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  void start();
  void stop() noexcept;
  // The bound address and port (the port chosen when options.port was 0).
  [[nodiscard]] boost::asio::ip::tcp::endpoint endpoint() const;

  // Sends `message` (a JSON text) to every WebSocket client, queued per client.
  void publish(std::shared_ptr<const std::string> message);
  // The message a client gets first on connecting (the latest snapshot); kept, not sent.
  void set_greeting(std::shared_ptr<const std::string> message);
  [[nodiscard]] std::size_t client_count() const noexcept;
  [[nodiscard]] const ServerCounters& counters() const noexcept;

  struct State;  // shared with the sessions (server.cpp)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace cabind::web
