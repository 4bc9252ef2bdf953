#include "cabind/config/rules_parser.hpp"

#include <gtest/gtest.h>

namespace cabind::config {
namespace {

TEST(RulesParser, ReadsEveryTriggerAndActionForm) {
  diag::Diagnostics d;
  const auto rules = parse_rules(R"(rules:
  - name: a
    on: driver_identified
    do: [{ recall_seat: profile }, { recall_seat: 4 }]
  - name: b
    priority: -5
    on: { signal: Vehicle.Speed }
    when: "Vehicle.Speed > 3"
    do: [{ navigate: home }, { navigate: { favourite: default } }]
  - name: c
    on: { became_true: "hour >= 7" }
    do:
      - set: Out
        value: 21.5
  - name: d
    on: { after: 90s }
    do: [{ navigate: { favourite: work } }]
)",
                                 "r.yaml", d);
  ASSERT_TRUE(rules) << d.to_string();
  ASSERT_EQ(rules->size(), 4U);
  const Rule& a = (*rules)[0];
  EXPECT_TRUE(std::holds_alternative<DriverIdentified>(a.on));
  EXPECT_FALSE(std::get<RecallSeat>(a.actions[0]).slot.has_value());
  EXPECT_EQ(std::get<RecallSeat>(a.actions[1]).slot, 4);
  const Rule& b = (*rules)[1];
  EXPECT_EQ(b.priority, -5);
  EXPECT_EQ(std::get<SignalChanged>(b.on).signal, "Vehicle.Speed");
  EXPECT_EQ(b.when->text, "Vehicle.Speed > 3");
  EXPECT_EQ(b.when->where.line, 8U);
  EXPECT_EQ(b.when->where.column, 12U);
  EXPECT_EQ(std::get<Navigate>(b.actions[0]).favourite, "home");
  EXPECT_TRUE(std::get<Navigate>(b.actions[1]).favourite.empty());
  const Rule& c = (*rules)[2];
  EXPECT_EQ(std::get<BecameTrue>(c.on).condition.text, "hour >= 7");
  EXPECT_EQ(std::get<SetOutput>(c.actions[0]).output, "Out");
  EXPECT_EQ(std::get<SetOutput>(c.actions[0]).value.text, "21.5");
  const Rule& rule_d = (*rules)[3];
  EXPECT_EQ(std::get<AfterIdentified>(rule_d.on).delay, std::chrono::seconds(90));
  EXPECT_EQ(std::get<Navigate>(rule_d.actions[0]).favourite, "work");
}

TEST(RulesParser, ReadsAPublishActionWithConstantFieldsInFileOrder) {
  diag::Diagnostics d;
  const auto rules = parse_rules(R"(rules:
  - name: tell_home
    on: driver_identified
    do:
      - publish: { event: arrived_home, fields: { lights: "on", level: 80, welcome: true, code: "007" } }
      - publish: { event: plain }
)",
                                 "r.yaml", d);
  ASSERT_TRUE(rules) << d.to_string();
  const auto& publish = std::get<PublishEvent>((*rules)[0].actions[0]);
  EXPECT_EQ(publish.event, "arrived_home");
  EXPECT_EQ(publish.where.line, 5U);
  ASSERT_EQ(publish.fields.size(), 4U);
  EXPECT_EQ(publish.fields[0].name, "lights");
  EXPECT_EQ(std::get<std::string>(publish.fields[0].value), "on");
  EXPECT_EQ(std::get<double>(publish.fields[1].value), 80.0);
  EXPECT_TRUE(std::get<bool>(publish.fields[2].value));
  EXPECT_EQ(std::get<std::string>(publish.fields[3].value), "007");  // quoted: a string
  EXPECT_TRUE(std::get<PublishEvent>((*rules)[0].actions[1]).fields.empty());
}

TEST(RulesParser, AnEmptyListIsValid) {
  diag::Diagnostics d;
  const auto rules = parse_rules("rules: []\n", "r.yaml", d);
  ASSERT_TRUE(rules) << d.to_string();
  EXPECT_TRUE(rules->empty());
}

}  // namespace
}  // namespace cabind::config
