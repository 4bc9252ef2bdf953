#include "cabind/web/live_feed.hpp"

namespace cabind::web {

ServerOptions server_options(const config::Web& web) {
  ServerOptions options;
  options.address = web.address;
  options.port = web.port;
  options.allow_remote = web.allow_remote;
  options.token = web.token;
  options.max_clients = web.max_clients;
  return options;
}

std::string LiveFeed::url() const {
  const auto endpoint = server_.endpoint();
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return "http://" + host + ":" + std::to_string(endpoint.port()) + "/";
}

}  // namespace cabind::web
