#include "request_checks.hpp"

#include <boost/asio/ip/address.hpp>
#include <cctype>

namespace cabind::web {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view token_cookie = "cabind_token=";

// Beast of Boost 1.74 speaks boost::string_view.
std::string_view view(boost::beast::string_view text) noexcept {
  return {text.data(), text.size()};
}

bool method_allowed(const Request& request) {
  return request.method() == http::verb::get || request.method() == http::verb::head;
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// The value of `name` in the target's query, or empty.
std::string_view query_value(std::string_view target, std::string_view name) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

bool equal_constant_time(std::string_view a, std::string_view b) noexcept {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i)
    difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}

// "127.0.0.1:8080" -> "127.0.0.1"; "[::1]:8080" -> "::1"; "localhost" -> "localhost".
std::string_view host_name(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    return close == std::string_view::npos ? std::string_view() : host.substr(1, close - 1);
  }
  return host.substr(0, host.find(':'));
}

bool is_loopback_host(std::string_view host) {
  const std::string_view name = host_name(host);
  if (name == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(name), ec);
  return !ec && address.is_loopback();
}

// "http://127.0.0.1:8080" -> "127.0.0.1:8080".
std::string_view origin_host(std::string_view origin) {
  const auto scheme = origin.find("://");
  return scheme == std::string_view::npos ? std::string_view() : origin.substr(scheme + 3);
}

// What may be echoed into a header: a host and port, nothing that could end the line.
bool is_plain_host(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == ':' || c == '-' ||
           c == '[' || c == ']';
  });
}

}  // namespace

bool token_matches(const Request& request, std::string_view token) noexcept {
  const auto header = request.find(http::field::authorization);
  if (header != request.end()) {
    constexpr std::string_view bearer = "Bearer ";
    const std::string_view value = view(header->value());
    return value.starts_with(bearer) && equal_constant_time(value.substr(bearer.size()), token);
  }
  // The page's own requests (style, script, WebSocket) carry the cookie the page set.
  const std::string_view cookies = view(request[http::field::cookie]);
  if (const auto at = cookies.find(token_cookie); at != std::string_view::npos) {
    std::string_view value = cookies.substr(at + token_cookie.size());
    value = value.substr(0, value.find(';'));
    if (equal_constant_time(value, token)) return true;
  }
  return equal_constant_time(query_value(view(request.target()), "token"), token);
}

Verdict check_request(const ServerOptions& options, const Request& request) {
  if (!method_allowed(request))
    return {http::status::method_not_allowed, {}, "read-only: GET only"};
  const std::string_view host = view(request[http::field::host]);
  if (!is_plain_host(host)) return {http::status::bad_request, {}, "a Host header is required"};
  if (!options.allow_remote && !is_loopback_host(host)) {
    return {http::status::misdirected_request, {}, "this view answers for localhost only"};
  }
  if (!options.token.empty() && !token_matches(request, options.token)) {
    return {http::status::unauthorized, {}, "a token is required"};
  }
  const auto origin = request.find(http::field::origin);
  if (origin != request.end() && origin_host(view(origin->value())) != host) {
    return {http::status::forbidden, {}, "cross-origin requests are refused"};
  }
  return {http::status::ok, std::string(path_of(view(request.target()))), {}};
}

Response error_response(const Request& request, http::status status, std::string_view why) {
  Response response{status, request.version() == 0 ? 11 : request.version()};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.set(http::field::cache_control, "no-store");
  if (status == http::status::unauthorized) response.set(http::field::www_authenticate, "Bearer");
  response.body() = std::string(why) + "\n";
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

Response asset_response(const Request& request, const Asset& asset, std::string_view token) {
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type,
               boost::beast::string_view(asset.content_type.data(), asset.content_type.size()));
  response.set(http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  const std::string host(request[http::field::host]);
  response.set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws://" + host +
                                              "; img-src 'self' data:; frame-ancestors 'none'");
  if (!token.empty()) {
    // So that the page's style, script and WebSocket carry the token without putting it
    // in their URLs; HttpOnly and SameSite: no script and no other site can use it.
    response.set(http::field::set_cookie, std::string(token_cookie) + std::string(token) +
                                              "; HttpOnly; SameSite=Strict; Path=/");
  }
  response.body() = std::string(asset.body);
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  if (request.method() == http::verb::head) response.body().clear();
  return response;
}

}  // namespace cabind::web
