#include "cabind/web/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "cabind/web/assets.hpp"
#include "request_checks.hpp"

namespace cabind::web {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Message = std::shared_ptr<const std::string>;

namespace {

constexpr std::string_view websocket_path = "/ws";
constexpr std::chrono::seconds request_timeout{30};

// One TCP connection, HTTP or WebSocket: counted, and closed by Server::stop().
class Session {
 public:
  explicit Session(std::shared_ptr<Server::State> state);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  virtual ~Session();
  virtual void close() noexcept = 0;

 protected:
  std::shared_ptr<Server::State> state_;
};

class WebSocketSession;

}  // namespace

struct Server::State {
  State(net::io_context& io, ServerOptions o) : options(std::move(o)), acceptor(io) {}
  ServerOptions options;
  tcp::acceptor acceptor;
  ServerCounters counters;
  Message greeting;
  std::unordered_set<Session*> sessions;
  std::vector<WebSocketSession*> clients;  // accepted WebSocket sessions
  bool stopped = false;
};

namespace {

Session::Session(std::shared_ptr<Server::State> state) : state_(std::move(state)) {
  state_->sessions.insert(this);
}

Session::~Session() {
  state_->sessions.erase(this);
}

// A WebSocket client: what publish() hands it, in order, through a bounded queue.
class WebSocketSession final : public Session,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(std::shared_ptr<Server::State> state, beast::tcp_stream&& stream)
      : Session(std::move(state)), ws_(std::move(stream)) {}
  ~WebSocketSession() override {
    auto& clients = state_->clients;
    std::erase(clients, this);
  }

  void run(http::request<http::string_body> request) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(1024);  // read-only: nothing a client says matters
    ws_.auto_fragment(false);    // one frame per message: simple clients (curl, scripts)
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->on_accept();
    });
  }

  // Queues `message`, or drops it (counted) when the client is behind by queue_limit.
  void push(const Message& message) {
    if (queue_.size() >= state_->options.queue_limit) {
      ++dropped_pending_;
      ++state_->counters.dropped;
      return;
    }
    queue_.push_back(message);
    if (!current_) write_next();
  }

  void close() noexcept override {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  void on_accept() {
    if (state_->stopped) return;
    state_->clients.push_back(this);
    ++state_->counters.websocket_clients;
    if (state_->greeting) push(state_->greeting);
    read_next();
  }

  // Reads (and ignores) what the client sends, to see it close and answer its pings.
  void read_next() {
    ws_.async_read(input_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->close();
        return;
      }
      self->input_.clear();
      self->read_next();
    });
  }

  void write_next() {
    if (dropped_pending_ > 0) {
      // Told before the next update, so the page can say that it missed some.
      current_ = std::make_shared<const std::string>(R"({"type":"dropped","count":)" +
                                                     std::to_string(dropped_pending_) + "}");
      dropped_pending_ = 0;
    } else if (!queue_.empty()) {
      current_ = std::move(queue_.front());
      queue_.pop_front();
    } else {
      return;
    }
    ws_.text(true);
    ws_.async_write(net::buffer(*current_),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->current_.reset();
                      if (ec) {
                        self->queue_.clear();
                        self->close();
                        return;
                      }
                      self->write_next();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer input_;
  std::deque<Message> queue_;
  Message current_;  // being written
  std::uint64_t dropped_pending_ = 0;
};

// One HTTP connection: requests in turn, until it closes or becomes a WebSocket.
class HttpSession final : public Session, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<Server::State> state, tcp::socket&& socket)
      : Session(std::move(state)), stream_(std::move(socket)) {}

  void run() { read_next(); }

  void close() noexcept override {
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

 private:
  void read_next() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.max_header_bytes));
    parser_->body_limit(state_->options.max_body_bytes);
    stream_.expires_after(request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::header_limit)
      return refuse(http::status::request_header_fields_too_large);
    if (ec == http::error::body_limit) return refuse(http::status::payload_too_large);
    if (ec && ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return refuse(http::status::bad_request);  // malformed
    }
    if (ec) return close();  // closed, timed out, or cut short
    ++state_->counters.requests;
    handle(parser_->get());
  }

  void handle(const http::request<http::string_body>& request) {
    const auto verdict = check_request(state_->options, request);
    if (verdict.status != http::status::ok) {
      if (verdict.status == http::status::unauthorized)
        ++state_->counters.unauthorized;
      else if (verdict.status == http::status::not_found)
        ++state_->counters.not_found;
      else
        ++state_->counters.refused;
      return respond(error_response(request, verdict.status, verdict.why), false);
    }
    if (verdict.path == websocket_path) {
      if (websocket::is_upgrade(request)) return upgrade();
      ++state_->counters.refused;
      return respond(error_response(request, http::status::upgrade_required,
                                    "a WebSocket upgrade is expected here"),
                     false);
    }
    for (const Asset& asset : embedded_assets()) {
      if (asset.path == verdict.path)
        return respond(asset_response(request, asset, state_->options.token), true);
    }
    ++state_->counters.not_found;
    respond(error_response(request, http::status::not_found, "not found"), true);
  }

  void upgrade() {
    if (state_->clients.size() >= state_->options.max_clients) {
      ++state_->counters.busy;
      return respond(error_response(parser_->get(), http::status::service_unavailable,
                                    "too many live clients"),
                     false);
    }
    std::make_shared<WebSocketSession>(state_, std::move(stream_))->run(parser_->release());
  }

  // Answers a request that could not be read whole, then closes.
  void refuse(http::status status) {
    ++state_->counters.refused;
    http::request<http::string_body> none;
    respond(error_response(none, status, std::string(http::obsolete_reason(status))), false);
  }

  void respond(http::response<http::string_body> response, bool keep_alive) {
    response.keep_alive(keep_alive && response.keep_alive());
    response_ = std::make_shared<http::response<http::string_body>>(std::move(response));
    http::async_write(stream_, *response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        const bool again = !ec && self->response_->keep_alive();
                        self->response_.reset();
                        if (again) return self->read_next();
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
};

void accept_next(const std::shared_ptr<Server::State>& state) {
  state->acceptor.async_accept([state](beast::error_code ec, tcp::socket socket) {
    if (state->stopped || ec == net::error::operation_aborted) return;
    if (!ec) {
      if (state->sessions.size() >= state->options.max_connections) {
        ++state->counters.busy;  // closed unanswered: answering would cost what it guards
      } else {
        socket.set_option(tcp::no_delay(true), ec);  // updates leave as they are written
        if (state->options.send_buffer_bytes > 0) {
          socket.set_option(net::socket_base::send_buffer_size(state->options.send_buffer_bytes),
                            ec);
        }
        std::make_shared<HttpSession>(state, std::move(socket))->run();
      }
    }
    accept_next(state);
  });
}

tcp::endpoint listen_endpoint(const ServerOptions& options) {
  beast::error_code ec;
  const auto address = net::ip::make_address(options.address, ec);
  if (ec) throw ServerError("web: '" + options.address + "' is not an IP address");
  if (!address.is_loopback() && !options.allow_remote) {
    throw ServerError("web: " + options.address +
                      " is not a loopback address and allow_remote is not set");
  }
  if (options.allow_remote && options.token.empty()) {
    throw ServerError("web: allow_remote needs a token");
  }
  return {address, options.port};
}

}  // namespace

Server::Server(net::io_context& io, ServerOptions options)
    : state_(std::make_shared<State>(io, std::move(options))) {
  const tcp::endpoint endpoint = listen_endpoint(state_->options);
  beast::error_code ec;
  state_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) state_->acceptor.bind(endpoint, ec);
  if (!ec) state_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw ServerError("web: cannot listen on " + state_->options.address + ":" +
                      std::to_string(state_->options.port) + ": " + ec.message());
  }
}

Server::~Server() {
  stop();
}

void Server::start() {
  accept_next(state_);
}

void Server::stop() noexcept {
  if (state_->stopped) return;
  state_->stopped = true;
  beast::error_code ignored;
  state_->acceptor.close(ignored);
  for (Session* session : state_->sessions)
    session->close();
}

tcp::endpoint Server::endpoint() const {
  return state_->acceptor.local_endpoint();
}

void Server::publish(Message message) {
  // push() only queues and starts a write (never completed inline), so no client leaves
  // the list during the loop.
  for (WebSocketSession* client : state_->clients)
    client->push(message);
}

void Server::set_greeting(Message message) {
  state_->greeting = std::move(message);
}

std::size_t Server::client_count() const noexcept {
  return state_->clients.size();
}

const ServerCounters& Server::counters() const noexcept {
  return state_->counters;
}

}  // namespace cabind::web
