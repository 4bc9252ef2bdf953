#pragma once
// What the server checks on a request before serving it, as small named rules, and the
// responses it sends (headers that keep the page to itself). Pure: no sockets.
//
//   POST /            -> 405 method not allowed      GET /x?token=bad -> 401 (with a token)
//   GET /../etc       -> 404 (only listed paths)     Host: evil.example (loopback) -> 421
//   GET /ws, Origin: http://evil.example           -> 403
//
// The Host and Origin rules stop another site's page, loaded in the integrator's browser,
// from reading the view through DNS rebinding or a cross-site WebSocket.

#include <boost/beast/http.hpp>
#include <string>
#include <string_view>

#include "cabind/web/assets.hpp"
#include "cabind/web/server.hpp"

namespace cabind::web {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct Verdict {
  boost::beast::http::status status = boost::beast::http::status::ok;
  std::string path;  // the target without its query, when ok
  std::string why;
};

[[nodiscard]] Verdict check_request(const ServerOptions& options, const Request& request);

// The request's token (`Authorization: Bearer T`, else the cookie the page set, else
// `?token=T`) equals `token`, compared
// in constant time.
[[nodiscard]] bool token_matches(const Request& request, std::string_view token) noexcept;

[[nodiscard]] Response error_response(const Request& request, boost::beast::http::status status,
                                      std::string_view why);
// With a token: sets it as an HttpOnly, SameSite=Strict cookie for the page's own requests.
[[nodiscard]] Response asset_response(const Request& request, const Asset& asset,
                                      std::string_view token);

}  // namespace cabind::web
