#pragma once
// The control socket's request handling apart from the socket: one request line in (without
// its '\n'), one outcome out. What a peer's bytes reach once the Server has framed them.
//
//   {"command":"status"}       reply     {"ok":true,"result":{...}}\n
//   {"command":"nope"}         reply     {"ok":false,"error":"unknown command 'nope'"}\n
//   [1,2]  or  {"command":7}   reply     {"ok":false,"error":"malformed request: ..."}\n
//   {"command":"subscribe"}    subscribe {"ok":true,"result":{"subscribed":true}}\n
//   {"command":"set",...}      deferred  (an async command answers through its Reply)
//   (empty line)               none
//
// Every reply is one JSON object on one line. A handler's exception never leaves handle():
// RequestError and nlohmann::json errors become the reply's error and count as bad
// requests; any other exception is replied as an internal error and counted. Text that is
// not UTF-8 (a handler's result or message) is replaced (U+FFFD), never a failed reply.
//
// Threading: not thread-safe; the Server calls it, and its Replies, on one thread.
// Lifetime: a Reply refers to the handler's counters: it may outlive its connection, not
// the RequestHandler.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cabind::control {

struct RequestCounters {
  std::uint64_t requests = 0;
  std::uint64_t bad_requests = 0;
  std::uint64_t internal_errors = 0;  // handlers that failed with an unexpected exception
};

// Raised by a handler for a request it cannot serve; the message goes back to the client.
class RequestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where an asynchronous reply line goes (the connection, when it is still there).
class ReplyChannel {
 public:
  virtual ~ReplyChannel() = default;
  virtual void send(std::string line) = 0;
};

// The answer to one asynchronous request; use exactly once.
class Reply {
 public:
  Reply(std::shared_ptr<ReplyChannel> channel, RequestCounters& counters)
      : channel_(std::move(channel)), counters_(&counters) {}
  void ok(const nlohmann::json& result) const;
  void fail(const std::string& error) const;

 private:
  std::shared_ptr<ReplyChannel> channel_;
  RequestCounters* counters_;
};

// The reply lines, '\n' included.
[[nodiscard]] std::string ok_reply(const nlohmann::json& result);
[[nodiscard]] std::string error_reply(const std::string& message);

class RequestHandler {
 public:
  // The request's "command" picks the handler; its return value is the reply's "result".
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;
  // Answers through `reply`, now or later; a throw before that is answered as by Handler.
  using AsyncHandler = std::function<void(const nlohmann::json& request, Reply reply)>;
  // Makes the channel of an asynchronous command's Reply; called only for one.
  using ChannelFactory = std::function<std::shared_ptr<ReplyChannel>()>;

  enum class Action { reply, subscribe, deferred, none };
  struct Outcome {
    Action action = Action::none;
    std::string line;  // the reply line, for reply and subscribe
  };

  void add_command(const std::string& name, Handler handler);
  void add_async_command(const std::string& name, AsyncHandler handler);

  [[nodiscard]] Outcome handle(std::string_view line, const ChannelFactory& channel);

  [[nodiscard]] const RequestCounters& counters() const noexcept { return counters_; }
  // A request the framing refused (too long): counted as a bad request.
  void count_refused() noexcept;

 private:
  [[nodiscard]] Outcome call(const std::string& name, const nlohmann::json& request,
                             const ChannelFactory& channel);
  [[nodiscard]] Outcome fail(const std::string& message);

  std::map<std::string, Handler, std::less<>> handlers_;
  std::map<std::string, AsyncHandler, std::less<>> async_handlers_;
  RequestCounters counters_;
};

}  // namespace cabind::control
