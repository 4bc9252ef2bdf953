#include "cabind/profile/directory.hpp"

#include <gtest/gtest.h>

namespace cabind::profile {
namespace {

Profile make(std::string id, std::vector<Identifier> identifiers, bool guest = false) {
  Profile p;
  p.id = id;
  p.display_name = id;
  p.guest = guest;
  p.identifiers = std::move(identifiers);
  p.source = {"profiles/" + id + ".yaml", 1, 5};
  return p;
}

Identifier fob(std::uint64_t code, std::string file, std::uint32_t line) {
  return {IdentifierKind::key_fob, code, {}, {std::move(file), line, 12}};
}

Identifier phone(std::string token) {
  return {IdentifierKind::phone, 0, std::move(token), {}};
}

TEST(ProfileDirectory, FindsProfilesByEveryIdentifierKind) {
  diag::Diagnostics d;
  auto directory = ProfileDirectory::build(
      {make("alice", {fob(3, "a", 3), {IdentifierKind::seat_memory_button, 1, {}, {}}}),
       make("carla", {phone("c4a1a001")}), make("guest", {}, true)},
      d);
  ASSERT_TRUE(directory) << d.to_string();
  EXPECT_EQ(directory->find(IdentifierKind::key_fob, 3)->id, "alice");
  EXPECT_EQ(directory->find(IdentifierKind::seat_memory_button, 1)->id, "alice");
  EXPECT_EQ(directory->find(IdentifierKind::phone, std::string_view("c4a1a001"))->id, "carla");
  EXPECT_EQ(directory->find(IdentifierKind::key_fob, 4), nullptr);
  EXPECT_EQ(directory->find(IdentifierKind::seat_memory_button, 3), nullptr);
  EXPECT_EQ(directory->find(IdentifierKind::phone, 3), nullptr);
  EXPECT_EQ(directory->guest()->id, "guest");
  EXPECT_EQ(directory->find_by_id("carla")->display_name, "carla");
  EXPECT_EQ(directory->size(), 3U);
}

TEST(ProfileDirectory, PointersStayValidWhenTheDirectoryIsMoved) {
  diag::Diagnostics d;
  auto directory =
      ProfileDirectory::build({make("alice", {fob(3, "a", 3)}), make("g", {}, true)}, d);
  ASSERT_TRUE(directory);
  const Profile* before = directory->find(IdentifierKind::key_fob, 3);
  ProfileDirectory moved = std::move(*directory);
  EXPECT_EQ(moved.find(IdentifierKind::key_fob, 3), before);
}

TEST(ProfileDirectory, SharedIdentifierIsAnErrorNamingBothFiles) {
  diag::Diagnostics d;
  auto directory = ProfileDirectory::build(
      {make("alice", {fob(3, "profiles/alice.yaml", 3)}),
       make("bob", {fob(3, "profiles/bob.yaml", 4)}), make("guest", {}, true)},
      d);
  EXPECT_FALSE(directory);
  ASSERT_EQ(d.error_count(), 1U);
  const std::string text = d.to_string();
  EXPECT_NE(text.find("profiles/bob.yaml:4:12: error: key_fob 3 is claimed by profile 'bob'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("profile 'alice' (profiles/alice.yaml:3:12)"), std::string::npos) << text;
}

TEST(ProfileDirectory, RequiresExactlyOneGuestWithoutIdentifiers) {
  diag::Diagnostics none;
  EXPECT_FALSE(ProfileDirectory::build({make("alice", {})}, none, {"vehicle.yaml", 9, 11}));
  EXPECT_NE(none.to_string().find("vehicle.yaml:9:11: error: no guest profile"), std::string::npos);

  diag::Diagnostics two;
  EXPECT_FALSE(ProfileDirectory::build({make("g1", {}, true), make("g2", {}, true)}, two));
  EXPECT_NE(two.to_string().find("more than one guest profile"), std::string::npos);

  diag::Diagnostics with_ids;
  EXPECT_FALSE(ProfileDirectory::build({make("g", {fob(1, "g", 2)}, true)}, with_ids));
  EXPECT_NE(with_ids.to_string().find("must not have identifiers"), std::string::npos);
}

TEST(ProfileDirectory, DuplicateIdsAndRepeatedIdentifiersAreErrors) {
  diag::Diagnostics d;
  EXPECT_FALSE(ProfileDirectory::build(
      {make("a", {fob(1, "a", 2), fob(1, "a", 3)}), make("a", {}), make("g", {}, true)}, d));
  EXPECT_NE(d.to_string().find("key_fob 1 is listed twice"), std::string::npos);
  EXPECT_NE(d.to_string().find("profile id 'a' is also used by profiles/a.yaml:1:5"),
            std::string::npos)
      << d.to_string();
}

}  // namespace
}  // namespace cabind::profile
