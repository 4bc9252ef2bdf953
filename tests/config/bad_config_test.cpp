// The bad-config corpus: every case under tests/config/bad/ must be refused with the
// exact file:line:column and message listed in tests/config/bad/expected.tsv.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cabind/config/loader.hpp"
#include "cabind/config/profile_parser.hpp"
#include "cabind/config/rules_parser.hpp"
#include "cabind/config/vehicle_parser.hpp"

namespace cabind::config {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(CABIND_SOURCE_DIR) / "tests/config/bad";

struct Case {
  std::string name;
  std::string mode;
  std::string where;  // file:line:column relative to the case directory, or just file
  std::vector<std::string> fragments;
};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, separator);)
    parts.push_back(part);
  return parts;
}

std::vector<Case> read_cases() {
  std::vector<Case> cases;
  std::ifstream in(kCorpus / "expected.tsv");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() == '#') continue;
    const auto fields = split(line, '\t');
    if (fields.size() != 4) {
      ADD_FAILURE() << "malformed line in expected.tsv: " << line;
      continue;
    }
    cases.push_back({fields[0], fields[1], fields[2], split(fields[3], '|')});
  }
  return cases;
}

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

diag::Diagnostics run(const Case& c) {
  const fs::path dir = kCorpus / c.name;
  diag::Diagnostics d;
  const auto parse_one = [&](const char* file, auto parse) {
    const fs::path path = dir / file;
    EXPECT_FALSE(parse(file_text(path), path.lexically_normal().string(), d).has_value());
  };
  if (c.mode == "profile") {
    parse_one("profile.yaml", parse_profile);
  } else if (c.mode == "vehicle") {
    parse_one("vehicle.yaml", parse_vehicle);
  } else if (c.mode == "rules") {
    parse_one("rules.yaml", parse_rules);
  } else if (c.mode == "load") {
    auto result = load(dir / "vehicle.yaml");
    EXPECT_FALSE(result.ok());
    d = std::move(result.diagnostics);
  } else {
    ADD_FAILURE() << "unknown mode " << c.mode;
  }
  return d;
}

std::string location_text(const diag::Location& where, const fs::path& dir) {
  std::string text = fs::path(where.file).lexically_relative(dir).string();
  if (where.line > 0) text += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  return text;
}

TEST(BadConfigCorpus, HasAtLeastFiftyCasesAndEveryDirectoryIsListed) {
  const auto cases = read_cases();
  EXPECT_GE(cases.size(), 50U);
  std::set<std::string> listed;
  for (const auto& c : cases)
    listed.insert(c.name);
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (entry.is_directory()) {
      EXPECT_TRUE(listed.contains(entry.path().filename().string()))
          << entry.path() << " is not in expected.tsv";
    }
  }
}

TEST(BadConfigCorpus, EveryCaseIsRefusedAtTheExpectedLocationWithTheExpectedMessage) {
  for (const auto& c : read_cases()) {
    SCOPED_TRACE(c.name);
    const fs::path dir = (kCorpus / c.name).lexically_normal();
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    const diag::Diagnostics d = run(c);
    EXPECT_TRUE(d.has_errors());
    bool found = false;
    for (const auto& item : d.all()) {
      if (location_text(item.where, dir) != c.where) continue;
      bool all = true;
      for (const auto& fragment : c.fragments) {
        all = all && item.message.find(fragment) != std::string::npos;
      }
      found = found || all;
    }
    EXPECT_TRUE(found) << "expected " << c.where << ": ...";
    if (!found) {
      for (const auto& fragment : c.fragments)
        ADD_FAILURE() << "  fragment: " << fragment;
      for (const auto& item : d.all()) {
        ADD_FAILURE() << "  got " << location_text(item.where, dir) << ": " << item.message;
      }
    }
  }
}

}  // namespace
}  // namespace cabind::config
