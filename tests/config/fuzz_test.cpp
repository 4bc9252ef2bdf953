// Seeded random byte mutations of the demo files: the loader must never crash, hang or
// throw; every mutant either loads or yields at least one located error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "cabind/config/loader.hpp"
#include "cabind/config/profile_parser.hpp"
#include "cabind/config/rules_parser.hpp"
#include "cabind/config/vehicle_parser.hpp"

namespace cabind::config {
namespace {

namespace fs = std::filesystem;
const fs::path kDemo = fs::path(CABIND_SOURCE_DIR) / "config/demo";

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One to four edits: flip a bit, replace a byte with a YAML-significant one, insert,
// delete, or duplicate a slice.
std::string mutate(std::string text, std::mt19937& rng) {
  static constexpr char kSpecial[] = ":-[]{},&*!|>'\"#%@`?\n\t \\\x80\xff";
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n)(rng); };
  const std::size_t edits = 1 + pick(3);
  for (std::size_t e = 0; e < edits && !text.empty(); ++e) {
    const std::size_t at = pick(text.size() - 1);
    switch (pick(4)) {
      case 0:
        text[at] = static_cast<char>(text[at] ^ (1 << pick(7)));
        break;
      case 1:
        text[at] = kSpecial[pick(sizeof(kSpecial) - 2)];
        break;
      case 2:
        text.insert(at, 1, kSpecial[pick(sizeof(kSpecial) - 2)]);
        break;
      case 3:
        text.erase(at, 1 + pick(8));
        break;
      default:
        text.insert(at, text.substr(pick(text.size() - 1), 1 + pick(40)));
        break;
    }
  }
  return text;
}

// CABIND_FUZZ_SCALE=N runs N times as many rounds (and other seeds) for a longer soak.
int scale() {
  const char* text = std::getenv("CABIND_FUZZ_SCALE");
  const int value = text == nullptr ? 1 : std::atoi(text);
  return value > 0 ? value : 1;
}

template <typename Parse>
void fuzz(const fs::path& file, Parse parse, std::uint32_t seed, int rounds) {
  rounds *= scale();
  seed += static_cast<std::uint32_t>(scale() - 1) * 1000U;
  const std::string original = file_text(file);
  ASSERT_FALSE(original.empty()) << file;
  std::mt19937 rng(seed);
  int loaded = 0;
  for (int i = 0; i < rounds; ++i) {
    const std::string mutant = mutate(original, rng);
    diag::Diagnostics d;
    const bool ok = parse(mutant, "mutant.yaml", d).has_value();
    EXPECT_EQ(ok, !d.has_errors()) << "seed " << seed << " round " << i;
    if (!ok) {
      for (const auto& item : d.all())
        EXPECT_FALSE(item.message.empty());
    }
    loaded += ok ? 1 : 0;
  }
  ::testing::Test::RecordProperty("loaded", loaded);
}

TEST(Fuzz, MutatedVehicleFilesNeverCrashTheLoader) {
  fuzz(kDemo / "vehicle.yaml", parse_vehicle, 1, 3000);
}

TEST(Fuzz, MutatedProfilesNeverCrashTheLoader) {
  std::uint32_t seed = 100;
  for (const char* name : {"alice.yaml", "bob.yaml", "carla.yaml", "guest.yaml"}) {
    fuzz(kDemo / "profiles" / name, parse_profile, seed++, 1500);
  }
}

TEST(Fuzz, MutatedRulesNeverCrashTheLoader) {
  fuzz(kDemo / "rules.yaml", parse_rules, 7, 3000);
}

TEST(Fuzz, MutatedFilesOnDiskGoThroughTheWholeLoad) {
  const fs::path dir = fs::temp_directory_path() / ("cabind-fuzz-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(kDemo, dir, fs::copy_options::recursive);
  std::mt19937 rng(42);
  const std::vector<fs::path> targets = {dir / "vehicle.yaml", dir / "rules.yaml",
                                         dir / "profiles/alice.yaml"};
  for (int i = 0; i < 200; ++i) {
    const fs::path& target = targets[static_cast<std::size_t>(i) % targets.size()];
    const std::string original = file_text(kDemo / target.lexically_relative(dir));
    std::ofstream(target, std::ios::binary | std::ios::trunc) << mutate(original, rng);
    const auto result = load(dir / "vehicle.yaml");
    EXPECT_EQ(result.ok(), !result.diagnostics.has_errors());
    std::ofstream(target, std::ios::binary | std::ios::trunc) << original;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cabind::config
