#include "cabind/sync/profile_cache.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cabind/config/profile_parser.hpp"

namespace cabind::sync {
namespace {

std::filesystem::path temp_dir() {
  auto dir = std::filesystem::path(::testing::TempDir()) /
             ("cabind-cache-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(ProfileCache, StoresAFileTheProfileParserReads) {
  const auto dir = temp_dir();
  ProfileCache cache(dir / "profiles");
  std::string error;
  ASSERT_TRUE(cache.store("alice", 7, R"({"id": "alice", "name": "Alice"})", error)) << error;
  EXPECT_EQ(cache.version("alice"), 7);
  EXPECT_EQ(cache.document("alice"), R"({"id": "alice", "name": "Alice"})");
  // The file as the loader would read it, version comment included.
  diag::Diagnostics diagnostics;
  std::ifstream in(cache.file("alice"));
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  const auto parsed = config::parse_profile(text, "alice.yaml", diagnostics);
  ASSERT_TRUE(parsed) << diagnostics.to_string();
  EXPECT_EQ(parsed->display_name, "Alice");
  // No temporary left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "profiles"), {}), 1);
  std::filesystem::remove_all(dir);
}

TEST(ProfileCache, ReplacesAndRemoves) {
  const auto dir = temp_dir();
  ProfileCache cache(dir);
  std::string error;
  ASSERT_TRUE(cache.store("bob", 1, "{}", error));
  ASSERT_TRUE(cache.store("bob", 2, R"({"id": "bob"})", error));
  EXPECT_EQ(cache.version("bob"), 2);
  EXPECT_TRUE(cache.remove("bob"));
  EXPECT_FALSE(cache.remove("bob"));
  EXPECT_FALSE(cache.version("bob"));
  EXPECT_FALSE(cache.document("bob"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cabind::sync
