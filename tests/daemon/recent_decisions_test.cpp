#include "cabind/daemon/recent_decisions.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace cabind::daemon {
namespace {

using namespace std::chrono_literals;

engine::AuditEvent sent(std::string_view output, int n) {
  engine::AuditEvent event;
  event.time = std::chrono::seconds(n);
  event.kind = engine::AuditKind::sent;
  event.output = output;
  event.value = n;
  event.has_value = true;
  return event;
}

TEST(RecentDecisions, KeepsTheLastFewOldestFirstFormattedAsTheAuditLine) {
  RecentDecisions recent;
  for (int n = 1; n <= 25; ++n)
    recent.keep(sent("hvac", n));
  const auto lines = recent.lines();
  ASSERT_EQ(lines.size(), RecentDecisions::capacity);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int n = 25 - static_cast<int>(RecentDecisions::capacity) + 1 + static_cast<int>(i);
    EXPECT_EQ(lines[i], engine::format_audit(sent("hvac", n)));
  }
}

TEST(RecentDecisions, FrozenLinesOutliveTheTextTheirEventsPointedInto) {
  RecentDecisions recent;
  std::string name = "seat_recall";  // stands for a generation's config, replaced by a reload
  recent.keep(sent(name, 1));
  recent.keep(sent(name, 2));
  const auto before = recent.lines();
  recent.freeze();
  name.assign(name.size(), 'x');  // the old generation's text is gone
  EXPECT_EQ(recent.lines(), before);
  // Events kept after the freeze are formatted live; the frozen ones stay as they were.
  recent.keep(sent("hvac", 3));
  const auto after = recent.lines();
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0], before[0]);
  EXPECT_NE(after[2].find("output=hvac"), std::string::npos) << after[2];
}

TEST(RecentDecisions, StartsEmpty) {
  const RecentDecisions recent;
  EXPECT_EQ(recent.size(), 0u);
  EXPECT_TRUE(recent.lines().empty());
}

}  // namespace
}  // namespace cabind::daemon
