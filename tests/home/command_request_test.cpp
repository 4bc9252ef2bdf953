// Commands from home are untrusted bytes: each way to be wrong is refused with its reason.
#include "cabind/home/command_request.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cabind::home {
namespace {

constexpr std::size_t kMax = 1024;

TEST(HomeCommandRequest, ReadsIdOutputAndValue) {
  const auto parsed = parse_command(R"({"id":"a1","output":"X.Temp","value":21.5})", kMax);
  ASSERT_TRUE(parsed.request) << parsed.error;
  EXPECT_EQ(parsed.request->id, "a1");
  EXPECT_EQ(parsed.request->output, "X.Temp");
  EXPECT_EQ(parsed.request->value, 21.5);
}

TEST(HomeCommandRequest, TakesTrueAndFalseAsOneAndZero) {
  const auto parsed = parse_command(R"({"id":"a","output":"X.Ac","value":true})", kMax);
  ASSERT_TRUE(parsed.request);
  EXPECT_EQ(parsed.request->value, 1.0);
}

TEST(HomeCommandRequest, RefusesAnOversizedPayloadUnread) {
  const std::string payload =
      R"({"id":"a","output":"X","value":1,"pad":")" + std::string(2000, 'x') + "\"}";
  const auto parsed = parse_command(payload, kMax);
  EXPECT_FALSE(parsed.request);
  EXPECT_TRUE(parsed.oversized);
  EXPECT_FALSE(parsed.id);
  EXPECT_NE(parsed.error.find("oversized"), std::string::npos);
}

struct Malformed {
  const char* payload;
  const char* reason;
  bool keeps_id;
};

class HomeCommandRequestMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(HomeCommandRequestMalformed, IsRefusedWithItsReason) {
  const auto parsed = parse_command(GetParam().payload, kMax);
  EXPECT_FALSE(parsed.request);
  EXPECT_FALSE(parsed.oversized);
  EXPECT_NE(parsed.error.find("malformed"), std::string::npos) << parsed.error;
  EXPECT_NE(parsed.error.find(GetParam().reason), std::string::npos) << parsed.error;
  EXPECT_EQ(parsed.id.has_value(), GetParam().keeps_id);
}

INSTANTIATE_TEST_SUITE_P(
    Home, HomeCommandRequestMalformed,
    ::testing::Values(Malformed{"{\"id\":", "not JSON", false},
                      Malformed{"[1,2]", "not a JSON object", false},
                      Malformed{R"({"output":"X","value":1})", "\"id\"", false},
                      Malformed{R"({"id":7,"output":"X","value":1})", "\"id\"", false},
                      Malformed{R"({"id":"a\nb","output":"X","value":1})", "\"id\"", false},
                      Malformed{R"({"id":"a","value":1})", "\"output\"", true},
                      Malformed{R"({"id":"a","output":"X"})", "\"value\"", true},
                      Malformed{R"({"id":"a","output":"X","value":"21"})", "\"value\"", true},
                      Malformed{R"({"id":"a","output":"X","value":1,"x":2})", "only", true}));

TEST(HomeCommandRequest, RefusesAnIdLongerThanSixtyFourCharacters) {
  const std::string payload = R"({"id":")" + std::string(65, 'a') + R"(","output":"X","value":1})";
  const auto parsed = parse_command(payload, kMax);
  EXPECT_FALSE(parsed.request);
  EXPECT_FALSE(parsed.id);
}

}  // namespace
}  // namespace cabind::home
