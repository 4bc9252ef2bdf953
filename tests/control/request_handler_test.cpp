#include "cabind/control/request_handler.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "cabind/control/command_arguments.hpp"

namespace cabind::control {
namespace {

using nlohmann::json;

class Recorder : public ReplyChannel {
 public:
  void send(std::string line) override { lines.push_back(std::move(line)); }
  std::vector<std::string> lines;
};

class RequestHandlerTest : public ::testing::Test {
 protected:
  RequestHandlerTest() {
    handler_.add_command("status", [](const json&) { return json{{"driver", "alice"}}; });
    handler_.add_command("name", [](const json&) { return json(std::string("caf\xC3")); });
    handler_.add_command("bad_message",
                         [](const json&) -> json { throw RequestError("no profile 'b\xFF'"); });
    handler_.add_async_command("set",
                               [this](const json&, Reply reply) { pending_.push_back(reply); });
  }
  RequestHandler::Outcome handle(std::string_view line) {
    return handler_.handle(line, [this] { return recorder_; });
  }
  RequestHandler handler_;
  std::shared_ptr<Recorder> recorder_ = std::make_shared<Recorder>();
  std::vector<Reply> pending_;
};

TEST_F(RequestHandlerTest, ACommandGetsItsResultOnOneLine) {
  const auto outcome = handle(R"({"command":"status"})");
  EXPECT_EQ(outcome.action, RequestHandler::Action::reply);
  EXPECT_EQ(outcome.line, "{\"ok\":true,\"result\":{\"driver\":\"alice\"}}\n");
}

TEST_F(RequestHandlerTest, AnEmptyLineIsIgnoredAndNotCounted) {
  EXPECT_EQ(handle("").action, RequestHandler::Action::none);
  EXPECT_EQ(handler_.counters().requests, 0U);
}

TEST_F(RequestHandlerTest, MalformedRequestsAreBadRequests) {
  EXPECT_EQ(json::parse(handle("[1,2]").line)["error"],
            "malformed request: expected one JSON object per line");
  EXPECT_EQ(json::parse(handle(R"({"command":7})").line)["error"],
            "malformed request: missing \"command\" string");
  EXPECT_EQ(json::parse(handle(R"({"command":"nope"})").line)["error"], "unknown command 'nope'");
  EXPECT_EQ(handler_.counters().requests, 3U);
  EXPECT_EQ(handler_.counters().bad_requests, 3U);
}

TEST_F(RequestHandlerTest, SubscribeIsTheSessionsToActOn) {
  const auto outcome = handle(R"({"command":"subscribe"})");
  EXPECT_EQ(outcome.action, RequestHandler::Action::subscribe);
  EXPECT_EQ(json::parse(outcome.line)["result"]["subscribed"], true);
}

TEST_F(RequestHandlerTest, AnAsyncCommandIsDeferredAndAnsweredThroughItsChannel) {
  EXPECT_EQ(handle(R"({"command":"set"})").action, RequestHandler::Action::deferred);
  ASSERT_EQ(pending_.size(), 1U);
  EXPECT_TRUE(recorder_->lines.empty());
  pending_.front().fail("set: could not write the store");
  ASSERT_EQ(recorder_->lines.size(), 1U);
  EXPECT_EQ(json::parse(recorder_->lines[0])["error"], "set: could not write the store");
  EXPECT_EQ(handler_.counters().bad_requests, 1U);
}

// A profile name or a path from the file system need not be UTF-8: the reply still goes out.
TEST_F(RequestHandlerTest, TextThatIsNotUtf8IsReplacedNotAFailedReply) {
  EXPECT_EQ(json::parse(handle(R"({"command":"name"})").line)["result"], "caf\xEF\xBF\xBD");
  EXPECT_EQ(json::parse(handle(R"({"command":"bad_message"})").line)["error"],
            "no profile 'b\xEF\xBF\xBD'");
  EXPECT_EQ(handler_.counters().internal_errors, 0U);
}

TEST(CommandArguments, IdentifyNeedsAStringKindAndANonNegativeCode) {
  const auto fob = identify_arguments({{"kind", "fob"}, {"code", 3U}});
  EXPECT_EQ(fob.kind, "fob");
  EXPECT_EQ(fob.code, 3U);
  EXPECT_EQ(identify_arguments({{"code", 1U}}).kind, "");
  EXPECT_THROW((void)identify_arguments({{"kind", "fob"}, {"code", -1}}), RequestError);
  EXPECT_THROW((void)identify_arguments({{"kind", "fob"}, {"code", 1.5}}), RequestError);
  try {
    (void)identify_arguments({{"kind", 7}, {"code", 1U}});
    FAIL() << "a number as kind was accepted";
  } catch (const RequestError& e) {
    EXPECT_STREQ(e.what(), "identify: \"kind\" must be a string");
  }
}

TEST(CommandArguments, SetNeedsANumberValueAndStringNames) {
  const auto set = set_arguments({{"profile", "alice"}, {"output", "Temp"}, {"value", 21.5}});
  EXPECT_EQ(set.profile, "alice");
  EXPECT_EQ(set.output, "Temp");
  EXPECT_DOUBLE_EQ(set.value, 21.5);
  EXPECT_THROW((void)set_arguments({{"profile", "alice"}, {"value", "21"}}), RequestError);
  EXPECT_THROW((void)set_arguments({{"profile", json::array()}, {"value", 1}}), RequestError);
}

TEST(CommandArguments, ProfilesTakesAnOptionalStringId) {
  EXPECT_FALSE(profiles_arguments(json::object()).has_value());
  EXPECT_EQ(profiles_arguments({{"id", "alice"}}), "alice");
  EXPECT_THROW((void)profiles_arguments({{"id", 3}}), RequestError);
}

}  // namespace
}  // namespace cabind::control
