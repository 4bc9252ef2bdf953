#include "cabind/signal/integrity_check.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "cabind/can/candump_log.hpp"
#include "cabind/dbc/parser.hpp"
#include "cabind/signal/frame_router.hpp"

namespace cabind::signal {
namespace {

using std::chrono::milliseconds;

constexpr const char* kDbc = R"(VERSION ""
NS_ :
BS_:
BU_: ECU HU
BO_ 256 Checked: 4 ECU
 SG_ Value : 0|8@1+ (1,0) [0|255] "" HU
 SG_ Counter : 8|4@1+ (1,0) [0|15] "" HU
 SG_ Wide : 8|12@1+ (1,0) [0|4095] "" HU
 SG_ Checksum : 24|8@1+ (1,0) [0|255] "" HU
 SG_ Nibble : 28|4@1+ (1,0) [0|15] "" HU
BO_ 257 TwoBitCounter: 2 ECU
 SG_ Value : 0|8@1+ (1,0) [0|255] "" HU
 SG_ Counter : 8|2@1+ (1,0) [0|3] "" HU
BO_ 258 MotorolaChecksum: 2 ECU
 SG_ Checksum : 7|8@0+ (1,0) [0|255] "" HU
 SG_ Value : 15|8@0+ (1,0) [0|255] "" HU
)";

dbc::Database database() {
  auto result = dbc::parse(kDbc, "integrity_test.dbc");
  EXPECT_TRUE(result.ok()) << result.diagnostics.to_string();
  return std::move(*result.database);
}

class IntegrityCheckTest : public ::testing::Test {
 protected:
  IntegrityCheckTest() : codec_(database()) {}

  dbc::SignalRef ref(const char* message, const char* signal) const {
    return *codec_.find_signal(message, signal);
  }
  IntegritySpec counter_spec(std::uint8_t skips = 0, std::uint8_t recovery = 2) const {
    IntegritySpec spec;
    spec.message = *codec_.find_message("TwoBitCounter");
    spec.counter = ref("TwoBitCounter", "Counter");
    spec.max_counter_skips = skips;
    spec.recovery_frames = recovery;
    return spec;
  }
  IntegritySpec checked_spec(std::uint8_t skips = 0) const {
    IntegritySpec spec;
    spec.message = *codec_.find_message("Checked");
    spec.counter = ref("Checked", "Counter");
    spec.checksum = ref("Checked", "Checksum");
    spec.algorithm = ChecksumAlgorithm::xor8;
    spec.max_counter_skips = skips;
    return spec;
  }
  // A Checked payload with a correct XOR checksum in byte 3.
  static std::array<std::uint8_t, 4> checked(std::uint8_t value, unsigned counter) {
    std::array<std::uint8_t, 4> bytes{value, static_cast<std::uint8_t>(counter & 0xFU), 0x00, 0};
    bytes[3] = checksum_xor8(bytes, 3);
    return bytes;
  }
  static std::array<std::uint8_t, 2> two_bit(unsigned counter) {
    return {0x42, static_cast<std::uint8_t>(counter & 0x3U)};
  }

  dbc::Codec codec_;
};

TEST_F(IntegrityCheckTest, TheFirstFrameIsAcceptedWhateverItsCounter) {
  IntegrityCheck check(codec_, counter_spec());
  EXPECT_TRUE(check.accept(codec_, two_bit(2)));
  EXPECT_TRUE(check.accept(codec_, two_bit(3)));
}

TEST_F(IntegrityCheckTest, TheCounterWrapsAroundModuloTwoToItsLength) {
  IntegrityCheck check(codec_, counter_spec());
  for (const unsigned counter : {2U, 3U, 0U, 1U, 2U, 3U, 0U}) {
    EXPECT_TRUE(check.accept(codec_, two_bit(counter))) << counter;
  }
  EXPECT_EQ(check.counter_failures(), 0U);
}

TEST_F(IntegrityCheckTest, ARepeatedCounterFails) {
  IntegrityCheck check(codec_, counter_spec());
  EXPECT_TRUE(check.accept(codec_, two_bit(1)));
  EXPECT_FALSE(check.accept(codec_, two_bit(1)));
  EXPECT_EQ(check.counter_failures(), 1U);
}

TEST_F(IntegrityCheckTest, ASkippedCounterFailsUnlessTolerated) {
  IntegrityCheck strict(codec_, counter_spec(0));
  EXPECT_TRUE(strict.accept(codec_, two_bit(3)));
  EXPECT_FALSE(strict.accept(codec_, two_bit(1))) << "3 -> 1 skips the 0 across the wrap";

  IntegrityCheck tolerant(codec_, counter_spec(1));
  EXPECT_TRUE(tolerant.accept(codec_, two_bit(3)));
  EXPECT_TRUE(tolerant.accept(codec_, two_bit(1))) << "one missing frame tolerated";
  EXPECT_FALSE(tolerant.accept(codec_, two_bit(0))) << "0 after 1 is three frames ahead";
}

TEST_F(IntegrityCheckTest, AfterAFailureTheMessageRecoversOnlyAfterConsecutiveGoodFrames) {
  IntegrityCheck check(codec_, counter_spec(0, 2));
  EXPECT_TRUE(check.accept(codec_, two_bit(0)));
  EXPECT_FALSE(check.accept(codec_, two_bit(2)));  // a jump: failed, resynchronised on 2
  EXPECT_FALSE(check.accept(codec_, two_bit(3)));  // good 1 of 2
  EXPECT_FALSE(check.accept(codec_, two_bit(3)));  // repeated: the streak starts again
  EXPECT_FALSE(check.accept(codec_, two_bit(0)));  // good 1 of 2
  EXPECT_TRUE(check.accept(codec_, two_bit(1)));   // good 2 of 2: valid again
  EXPECT_TRUE(check.accept(codec_, two_bit(2)));
  EXPECT_EQ(check.counter_failures(), 2U);
}

TEST_F(IntegrityCheckTest, OneRecoveryFrameRestoresOnTheFirstGoodFrame) {
  IntegrityCheck check(codec_, counter_spec(0, 1));
  EXPECT_TRUE(check.accept(codec_, two_bit(0)));
  EXPECT_FALSE(check.accept(codec_, two_bit(0)));
  EXPECT_TRUE(check.accept(codec_, two_bit(1)));
}

TEST_F(IntegrityCheckTest, AChecksumOverTheOtherBytesOfTheDbcSize) {
  IntegrityCheck check(codec_, checked_spec());
  EXPECT_TRUE(check.accept(codec_, checked(0x12, 1)));
  auto corrupt = checked(0x13, 2);
  corrupt[0] = 0x12;  // one bit flipped after the checksum was computed
  EXPECT_FALSE(check.accept(codec_, corrupt));
  EXPECT_EQ(check.checksum_failures(), 1U);
  EXPECT_EQ(check.counter_failures(), 0U);
}

TEST_F(IntegrityCheckTest, BytesBeyondTheDbcSizeAreNotCoveredButAShortPayloadFails) {
  IntegrityCheck check(codec_, checked_spec());
  const auto good = checked(0x12, 1);
  const std::array<std::uint8_t, 8> padded{good[0], good[1], good[2], good[3], 0xAA, 0x55, 1, 2};
  EXPECT_TRUE(check.accept(codec_, padded));
  const std::array<std::uint8_t, 3> short_payload{good[0], good[1], good[2]};
  EXPECT_FALSE(check.accept(codec_, short_payload));
  EXPECT_EQ(check.checksum_failures(), 1U);
}

TEST_F(IntegrityCheckTest, AFrameFailingItsChecksumCountsAsLostForTheCounter) {
  IntegrityCheck strict(codec_, checked_spec(0));
  EXPECT_TRUE(strict.accept(codec_, checked(1, 1)));
  auto corrupt = checked(2, 2);
  corrupt[3] ^= 0xFFU;
  EXPECT_FALSE(strict.accept(codec_, corrupt));
  EXPECT_FALSE(strict.accept(codec_, checked(3, 3))) << "1 -> 3: the corrupt frame is missing";
  EXPECT_EQ(strict.counter_failures(), 1U);

  IntegrityCheck tolerant(codec_, checked_spec(1));
  EXPECT_TRUE(tolerant.accept(codec_, checked(1, 1)));
  EXPECT_FALSE(tolerant.accept(codec_, corrupt));
  EXPECT_FALSE(tolerant.accept(codec_, checked(3, 3)));  // counter fine, recovering 1 of 2
  EXPECT_TRUE(tolerant.accept(codec_, checked(4, 4)));
  EXPECT_EQ(tolerant.counter_failures(), 0U);
}

TEST_F(IntegrityCheckTest, AMotorolaChecksumByteIsFoundFromItsStartBit) {
  IntegritySpec spec;
  spec.message = *codec_.find_message("MotorolaChecksum");
  spec.checksum = ref("MotorolaChecksum", "Checksum");
  spec.algorithm = ChecksumAlgorithm::sum8;
  IntegrityCheck check(codec_, spec);
  EXPECT_TRUE(check.accept(codec_, std::array<std::uint8_t, 2>{0x9C, 0x9C}));
  EXPECT_FALSE(check.accept(codec_, std::array<std::uint8_t, 2>{0x9C, 0x9D}));
}

TEST_F(IntegrityCheckTest, SpecsThatDoNotFitTheMessageAreRefusedAtConstruction) {
  IntegritySpec wide = checked_spec();
  wide.counter = ref("Checked", "Wide");
  EXPECT_THROW(IntegrityCheck(codec_, wide), std::invalid_argument);
  IntegritySpec nibble = checked_spec();
  nibble.checksum = ref("Checked", "Nibble");
  EXPECT_THROW(IntegrityCheck(codec_, nibble), std::invalid_argument);
  EXPECT_THROW(IntegrityCheck(codec_, counter_spec(3)), std::invalid_argument)
      << "a 2-bit counter with 3 tolerated skips accepts everything but a repeat";
  EXPECT_NO_THROW(IntegrityCheck(codec_, counter_spec(2)));
  EXPECT_THROW(IntegrityCheck(codec_, counter_spec(0, 0)), std::invalid_argument);
}

can::Frame frame(const char* text, milliseconds time) {
  auto parsed = can::parse_frame_text(text, nullptr);
  EXPECT_TRUE(parsed) << text;
  parsed->set_time(time);
  return *parsed;
}

TEST_F(IntegrityCheckTest, TheRouterInvalidatesTheSlotsOfAFailedMessageAndCountsFailures) {
  const std::array<Binding, 1> bindings{Binding{0, ref("TwoBitCounter", "Value")}};
  const std::array<IntegritySpec, 1> specs{counter_spec(0, 2)};
  FrameRouter router(codec_, bindings, specs);
  SignalTable table({milliseconds(0)});
  std::array<std::uint32_t, 4> changed{};

  EXPECT_EQ(router.route(frame("101#4200", milliseconds(1)), table, changed), 1U);
  EXPECT_EQ(table.validity(0), kValid);
  EXPECT_EQ(table.value(0), 0x42);
  EXPECT_EQ(router.route(frame("101#4300", milliseconds(2)), table, changed), 1U);  // repeated
  EXPECT_EQ(changed[0], 0U);
  EXPECT_EQ(table.validity(0), kInvalid);
  EXPECT_EQ(table.value(0), 0x42) << "the refused frame's value is not stored";
  EXPECT_EQ(router.route(frame("101#4401", milliseconds(3)), table, changed), 0U);
  EXPECT_EQ(table.validity(0), kInvalid) << "one good frame of two";
  EXPECT_EQ(router.route(frame("101#4502", milliseconds(4)), table, changed), 1U);
  EXPECT_EQ(table.validity(0), kValid);
  EXPECT_EQ(table.value(0), 0x45);
  EXPECT_EQ(router.integrity_failures(), 1U);
  ASSERT_NE(router.integrity(specs[0].message), nullptr);
  EXPECT_EQ(router.integrity(specs[0].message)->counter_failures(), 1U);
  EXPECT_EQ(router.integrity(*codec_.find_message("Checked")), nullptr);
}

TEST_F(IntegrityCheckTest, TheRouterRefusesTwoChecksOfOneMessage) {
  const std::array<IntegritySpec, 2> specs{counter_spec(), counter_spec()};
  EXPECT_THROW(FrameRouter(codec_, {}, specs), std::invalid_argument);
}

}  // namespace
}  // namespace cabind::signal
