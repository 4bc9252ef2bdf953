// Every ```yaml block of docs/configuration.md that starts with "# example: KIND" loads
// without error, so the documentation cannot drift from the loader.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cabind/config/profile_parser.hpp"
#include "cabind/config/rules_parser.hpp"
#include "cabind/config/vehicle_parser.hpp"

namespace cabind::config {
namespace {

struct Example {
  std::string kind;
  std::string text;
  std::uint32_t line = 0;  // of the opening fence
};

std::vector<Example> examples() {
  std::ifstream in(std::string(CABIND_SOURCE_DIR) + "/docs/configuration.md");
  std::vector<Example> found;
  std::string line;
  std::uint32_t number = 0;
  std::optional<Example> open;
  while (std::getline(in, line)) {
    ++number;
    if (!open && line == "```yaml") {
      open = Example{{}, {}, number};
    } else if (open && line == "```") {
      if (!open->kind.empty()) found.push_back(*open);
      open.reset();
    } else if (open) {
      const std::string marker = "# example: ";
      if (open->text.empty() && line.starts_with(marker)) open->kind = line.substr(marker.size());
      open->text += line + "\n";
    }
  }
  return found;
}

TEST(DocsExamples, EveryMarkedYamlExampleLoads) {
  std::map<std::string, int> per_kind;
  for (const auto& example : examples()) {
    const std::string name = "docs/configuration.md:" + std::to_string(example.line);
    diag::Diagnostics d;
    bool ok = false;
    if (example.kind == "vehicle") {
      ok = parse_vehicle(example.text, name, d).has_value();
    } else if (example.kind == "profile") {
      ok = parse_profile(example.text, name, d).has_value();
    } else if (example.kind == "rules") {
      ok = parse_rules(example.text, name, d).has_value();
    } else {
      ADD_FAILURE() << name << ": unknown example kind '" << example.kind << "'";
      continue;
    }
    EXPECT_TRUE(ok) << name << " (" << example.kind << "):\n" << d.to_string();
    ++per_kind[example.kind];
  }
  EXPECT_GE(per_kind["vehicle"], 1);
  EXPECT_GE(per_kind["profile"], 2);
  EXPECT_GE(per_kind["rules"], 1);
}

}  // namespace
}  // namespace cabind::config
