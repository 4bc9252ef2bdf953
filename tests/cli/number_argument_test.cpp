#include "cabind/cli/number_argument.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace cabind::cli {
namespace {

TEST(NumberArgument, WholeNumbersParse) {
  EXPECT_EQ(parse_number<std::uint32_t>("42"), 42U);
  EXPECT_EQ(parse_number<std::uint64_t>("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_number<int>("-7"), -7);
  EXPECT_EQ(parse_number<double>("21.5"), 21.5);
  EXPECT_EQ(parse_number<double>("-0.25"), -0.25);
}

TEST(NumberArgument, AnythingButAWholeNumberIsRefused) {
  EXPECT_EQ(parse_number<std::uint32_t>(""), std::nullopt);
  EXPECT_EQ(parse_number<std::uint32_t>("x"), std::nullopt);
  EXPECT_EQ(parse_number<std::uint32_t>("12ms"), std::nullopt);
  EXPECT_EQ(parse_number<std::uint32_t>(" 12"), std::nullopt);
  EXPECT_EQ(parse_number<std::uint32_t>("+12"), std::nullopt);
  EXPECT_EQ(parse_number<double>("1e999"), std::nullopt);
  EXPECT_EQ(parse_number<double>("nan"), std::nullopt);
  EXPECT_EQ(parse_number<double>("inf"), std::nullopt);
}

TEST(NumberArgument, NegativeNumbersNeverWrapIntoUnsigned) {
  // std::stoul("-1") is 18446744073709551615; a uid of -1 must be an error instead.
  EXPECT_EQ(parse_number<std::uint32_t>("-1"), std::nullopt);
  EXPECT_EQ(parse_number<std::uint64_t>("-0"), std::nullopt);
}

TEST(NumberArgument, OutOfRangeIsRefused) {
  EXPECT_EQ(parse_number<std::uint8_t>("256"), std::nullopt);
  EXPECT_EQ(parse_number<std::uint32_t>("4294967296"), std::nullopt);
}

TEST(NumberArgument, ErrorsNameTheOptionWhatItExpectsAndWhatItGot) {
  try {
    (void)number_argument<std::uint32_t>("--tick", "x", "a positive integer in milliseconds", true);
    FAIL() << "accepted 'x'";
  } catch (const ArgumentError& e) {
    EXPECT_STREQ(e.what(), "--tick: expected a positive integer in milliseconds, got 'x'");
  }
  EXPECT_THROW((void)number_argument<std::uint32_t>("--tick", "0", "a positive integer", true),
               ArgumentError);
  EXPECT_EQ(number_argument<std::uint32_t>("--tick", "0", "an integer"), 0U);
  EXPECT_EQ(number_argument<std::uint32_t>("--tick", "25", "a positive integer", true), 25U);
}

}  // namespace
}  // namespace cabind::cli
