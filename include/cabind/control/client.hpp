#pragma once
// A blocking client of the control socket, for cabinctl and tests.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/streambuf.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace cabind::control {

class Client {
 public:
  // Connects; throws std::system_error naming the socket when it cannot.
  explicit Client(const std::string& socket_path);

  // Sends one request line and returns the reply line, parsed.
  nlohmann::json request(const nlohmann::json& request);
  // Sends raw text (tests of malformed input); returns the reply line, parsed.
  nlohmann::json request_raw(const std::string& line);
  // The next line the server sends (events after a subscribe).
  nlohmann::json read_line();

 private:
  boost::asio::io_context io_;
  boost::asio::local::stream_protocol::socket socket_;
  boost::asio::streambuf input_;
};

}  // namespace cabind::control
