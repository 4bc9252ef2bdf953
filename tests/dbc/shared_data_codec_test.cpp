// The codec on the real DBC files in ../shared/data beside the checkout; registered only
// where that directory exists (tests/dbc/CMakeLists.txt), so a bare clone passes without it.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <vector>

#include "cabind/dbc/codec.hpp"
#include "cabind/dbc/parser.hpp"

namespace cabind::dbc {
namespace {

class RealDbcCodec : public testing::TestWithParam<const char*> {};

TEST_P(RealDbcCodec, CompilesEveryMessage) {
  const std::filesystem::path path =
      std::filesystem::path(CABIND_SHARED_DATA_DIR) / "dbc" / GetParam();
  ASSERT_TRUE(std::filesystem::exists(path))
      << path << " missing: the real DBC files live in shared/ beside the checkout";
  ParseResult r = parse_file(path);
  ASSERT_TRUE(r.ok()) << r.diagnostics.to_string();
  const Codec codec(std::move(*r.database));
  for (std::uint16_t m = 0; m < codec.message_count(); ++m) {
    const Message& message = codec.message(m);
    EXPECT_EQ(codec.find_message(message.id, message.extended), m);
  }
}

// Every payload length from 0 to the DBC size, in a heap buffer of exactly that length (so a
// sanitizer build catches any read past it): a signal either decodes to the value the full
// payload gives or reports payload_too_short.
TEST_P(RealDbcCodec, ShortPayloadsNeverReadPastTheEnd) {
  const std::filesystem::path path =
      std::filesystem::path(CABIND_SHARED_DATA_DIR) / "dbc" / GetParam();
  ASSERT_TRUE(std::filesystem::exists(path))
      << path << " missing: the real DBC files live in shared/ beside the checkout";
  ParseResult r = parse_file(path);
  ASSERT_TRUE(r.ok()) << r.diagnostics.to_string();
  const Codec codec(std::move(*r.database));
  std::mt19937 rng(3);
  for (std::uint16_t m = 0; m < codec.message_count(); ++m) {
    for (std::size_t length = 0; length <= codec.message(m).size; ++length) {
      std::vector<std::uint8_t> payload(length);
      for (auto& byte : payload)
        byte = static_cast<std::uint8_t>(rng());
      for (std::uint16_t s = 0; s < codec.signal_count(m); ++s) {
        const Signal& signal = codec.signal({m, s});
        const Decoded full = [&] {
          std::vector<std::uint8_t> padded = payload;
          padded.resize(64, 0);
          return codec.decode({m, s}, padded);
        }();
        const Decoded d = codec.decode({m, s}, payload);
        if (d.ok()) {
          EXPECT_EQ(d.raw, full.raw) << signal.name << " length " << length;
        } else {
          EXPECT_EQ(d.status, SignalStatus::payload_too_short) << signal.name;
        }
      }
    }
    // At the full size every signal of these (unmultiplexed) files decodes.
    const std::vector<std::uint8_t> payload(codec.message(m).size, 0xA5);
    for (std::uint16_t s = 0; s < codec.signal_count(m); ++s) {
      EXPECT_TRUE(codec.decode({m, s}, payload).ok()) << codec.signal({m, s}).name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(SharedData, RealDbcCodec,
                         testing::Values("ford_cgea1_2_bodycan_2011.dbc", "psa_aee2010_r3.dbc"));

}  // namespace
}  // namespace cabind::dbc
