#include "cabind/control/client.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <istream>
#include <system_error>

namespace cabind::control {

Client::Client(const std::string& socket_path) : socket_(io_) {
  boost::system::error_code ec;
  socket_.connect(boost::asio::local::stream_protocol::endpoint(socket_path), ec);
  if (ec) {
    throw std::system_error(ec, "cannot connect to cabind's control socket " + socket_path);
  }
}

nlohmann::json Client::request(const nlohmann::json& request) {
  return request_raw(request.dump());
}

nlohmann::json Client::request_raw(const std::string& line) {
  boost::system::error_code write_error;
  boost::asio::write(socket_, boost::asio::buffer(line + "\n"), write_error);
  if (write_error) {
    // A refused peer gets one error line before the server hangs up: show that line
    // rather than the broken pipe it caused.
    try {
      return read_line();
    } catch (const std::exception&) {
      throw boost::system::system_error(write_error, "cabind's control socket");
    }
  }
  return read_line();
}

nlohmann::json Client::read_line() {
  boost::asio::read_until(socket_, input_, '\n');
  std::istream in(&input_);
  std::string line;
  std::getline(in, line);
  return nlohmann::json::parse(line);
}

}  // namespace cabind::control
