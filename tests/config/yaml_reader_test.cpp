#include "cabind/config/yaml_reader.hpp"

#include <gtest/gtest.h>

namespace cabind::config {
namespace {

// Parses "v: <scalar>" and hands the value node to `read`.
template <typename Read>
auto read_value(const std::string& scalar, Read read, diag::Diagnostics& d) {
  const auto doc = parse_yaml("v: " + scalar + "\n", "t.yaml", d);
  EXPECT_TRUE(doc) << d.to_string();
  YamlReader reader(*doc, d);
  return read(reader, *doc->root().children[1]);
}

TEST(EditDistance, SuggestsOnlyPlausibleTypos) {
  EXPECT_EQ(edit_distance("fann", "fan"), 1U);
  EXPECT_EQ(edit_distance("", "abc"), 3U);
  EXPECT_EQ(closest("temprature", {"temperature", "fan"}), "temperature");
  EXPECT_FALSE(closest("zzzz", {"temperature", "fan"}).has_value());
}

TEST(YamlReader, IntegersAreStrictDecimal) {
  diag::Diagnostics d;
  auto integer = [](YamlReader& r, const YamlNode& n) { return r.integer(n, -100, 100); };
  EXPECT_EQ(read_value("42", integer, d), 42);
  EXPECT_EQ(read_value("-7", integer, d), -7);
  EXPECT_EQ(read_value("+7", integer, d), 7);
  EXPECT_FALSE(d.has_errors());
  for (const char* bad : {"0o12", "012", "0x1F", "1:30", "1_0", "\"3\"", "3.0", "101", "true",
                          "99999999999999999999"}) {
    diag::Diagnostics e;
    EXPECT_FALSE(read_value(bad, integer, e)) << bad;
    EXPECT_EQ(e.error_count(), 1U) << bad;
  }
}

TEST(YamlReader, NumbersRejectInfinityAndNan) {
  diag::Diagnostics d;
  auto number = [](YamlReader& r, const YamlNode& n) { return r.number(n, -1e9, 1e9); };
  EXPECT_EQ(read_value("21.5", number, d), 21.5);
  EXPECT_EQ(read_value("1e3", number, d), 1000.0);
  for (const char* bad : {".inf", "nan", "inf", "1e", "\"1.5\"", "1.5x"}) {
    diag::Diagnostics e;
    EXPECT_FALSE(read_value(bad, number, e)) << bad;
  }
}

TEST(YamlReader, BooleansAreOnlyTrueAndFalse) {
  diag::Diagnostics d;
  auto boolean = [](YamlReader& r, const YamlNode& n) { return r.boolean(n); };
  EXPECT_EQ(read_value("true", boolean, d), true);
  EXPECT_EQ(read_value("false", boolean, d), false);
  for (const char* bad : {"yes", "No", "ON", "off", "y", "N", "True", "1", "\"true\""}) {
    diag::Diagnostics e;
    EXPECT_FALSE(read_value(bad, boolean, e)) << bad;
  }
}

TEST(YamlReader, PlainStringsThatYamlReadsAsOtherTypesMustBeQuoted) {
  auto string = [](YamlReader& r, const YamlNode& n) { return r.string(n); };
  for (const char* bad : {"no", "off", "Y", "12", "0o12", "3.5", "true"}) {
    diag::Diagnostics e;
    EXPECT_FALSE(read_value(bad, string, e)) << bad;
    EXPECT_NE(e.to_string().find("quote it"), std::string::npos) << bad;
  }
  for (const char* null : {"null", "~", "", "NULL"}) {
    diag::Diagnostics e;
    EXPECT_FALSE(read_value(null, string, e)) << null;
    EXPECT_NE(e.to_string().find("expected a string, found nothing (null)"), std::string::npos);
  }
  diag::Diagnostics d;
  EXPECT_EQ(read_value("\"no\"", string, d), "no");
  EXPECT_EQ(read_value("'12'", string, d), "12");
  EXPECT_EQ(read_value("Alice", string, d), "Alice");
}

TEST(YamlReader, DurationsNeedAUnit) {
  diag::Diagnostics d;
  auto duration = [](YamlReader& r, const YamlNode& n) { return r.duration(n); };
  EXPECT_EQ(read_value("500ms", duration, d), std::chrono::milliseconds(500));
  EXPECT_EQ(read_value("30s", duration, d), std::chrono::seconds(30));
  EXPECT_EQ(read_value("10min", duration, d), std::chrono::minutes(10));
  EXPECT_EQ(read_value("2h", duration, d), std::chrono::hours(2));
  for (const char* bad : {"10", "10m", "s", "-1s", "200h", "1.5s"}) {
    diag::Diagnostics e;
    EXPECT_FALSE(read_value(bad, duration, e)) << bad;
  }
}

TEST(YamlReader, ExpressionLocationPointsAtTheFirstCharacterOfTheText) {
  diag::Diagnostics d;
  auto expression = [](YamlReader& r, const YamlNode& n) { return r.expression(n); };
  const auto plain = read_value("a < 5", expression, d);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->where.column, 4U);
  const auto quoted = read_value("\"a < 5\"", expression, d);
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->text, "a < 5");
  EXPECT_EQ(quoted->where.column, 5U);
}

}  // namespace
}  // namespace cabind::config
