#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cabind/dbc/parser.hpp"
#include "cabind/signal/cmac.hpp"
#include "cabind/signal/freshness_manager.hpp"
#include "cabind/signal/secoc_profile.hpp"
#include "cabind/signal/secoc_verifier.hpp"

namespace cabind::signal {
namespace {

std::vector<std::uint8_t> bytes(const std::string& hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string hex(std::span<const std::uint8_t> data) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (const std::uint8_t b : data) {
    out += digits[b >> 4U];
    out += digits[b & 0xFU];
  }
  return out;
}

Cmac::Key key_of(const std::string& text) {
  Cmac::Key key{};
  const auto raw = bytes(text);
  std::copy(raw.begin(), raw.end(), key.begin());
  return key;
}

// RFC 4493 section 4, examples 1-4 (key 2b7e1516...).
struct Rfc4493 {
  const char* message;
  const char* tag;
};

void PrintTo(const Rfc4493& v, std::ostream* os) {
  *os << v.tag;
}

class SecocCmacRfc4493 : public testing::TestWithParam<Rfc4493> {};

TEST_P(SecocCmacRfc4493, MatchesTheRfcTag) {
  Cmac cmac(key_of("2b7e151628aed2a6abf7158809cf4f3c"));
  Cmac::Tag tag{};
  ASSERT_TRUE(cmac.compute(bytes(GetParam().message), tag));
  EXPECT_EQ(hex(tag), GetParam().tag);
  // The keyed context is reused frame after frame: a second run gives the same tag.
  Cmac::Tag again{};
  ASSERT_TRUE(cmac.compute(bytes(GetParam().message), again));
  EXPECT_EQ(tag, again);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, SecocCmacRfc4493,
    testing::Values(
        Rfc4493{"", "BB1D6929E95937287FA37D129B756746"},
        Rfc4493{"6bc1bee22e409f96e93d7e117393172a", "070A16B46B4D4144F79BDD9DD04A287C"},
        Rfc4493{"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411",
                "DFA66747DE9AE63030CA32611497C827"},
        Rfc4493{"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411"
                "e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
                "51F0BEBF7E3B9D92FC49741779363CFE"}));

TEST(SecocCmac, ComparesWholeSpansOnly) {
  const auto a = bytes("0102030405");
  const auto b = bytes("0102030406");
  EXPECT_TRUE(equal_in_constant_time(a, a));
  EXPECT_FALSE(equal_in_constant_time(a, b));
  EXPECT_FALSE(equal_in_constant_time(std::span(a).first(4), a));
}

// Secured frames derived with tests/signal/secoc_reference.py (python3-cryptography), key
// 000102...0f; SecocReference in tests/signal/CMakeLists.txt re-derives them through
// `cabind secoc sign`.
struct Profile1 {
  std::uint16_t data_id;
  std::uint64_t counter;
  const char* authentic;
  const char* secured;
  std::uint8_t mac_bits = 24;
  std::uint8_t freshness_bits = 8;
};

void PrintTo(const Profile1& v, std::ostream* os) {
  *os << v.secured;
}

class SecocProfile1 : public testing::TestWithParam<Profile1> {};

TEST_P(SecocProfile1, SecuresAsTheReferenceDoes) {
  const Profile1& v = GetParam();
  Cmac cmac(key_of("000102030405060708090a0b0c0d0e0f"));
  const SecocParams params{v.data_id, v.mac_bits, v.freshness_bits};
  const auto authentic = bytes(v.authentic);
  std::vector<std::uint8_t> out(authentic.size() + secoc_trailer_size(params));
  ASSERT_TRUE(secure_payload(cmac, params, authentic, v.counter, out));
  EXPECT_EQ(hex(out), v.secured);
}

INSTANTIATE_TEST_SUITE_P(Vectors, SecocProfile1,
                         testing::Values(Profile1{0x0101, 0, "03000000", "030000000008556D"},
                                         Profile1{0x0101, 5, "03000000", "03000000058175C2"},
                                         Profile1{0x0101, 0x105, "03000000", "0300000005D92162"},
                                         Profile1{0x0101, 0x1FF, "03000000", "03000000FF0CA059"},
                                         Profile1{0x0101, 0x200, "03000000", "03000000006AF1ED"},
                                         Profile1{0x0202, 5, "03000000", "0300000005775193"},
                                         Profile1{0x0101, 5, "02000000", "02000000059FB85E"},
                                         Profile1{0x0101, 0x10000, "0102030405",
                                                  "010203040500006D38C887", 32, 16}));

TEST(SecocProfile, RefusesAnOutputOfTheWrongSize) {
  Cmac cmac(key_of("000102030405060708090a0b0c0d0e0f"));
  std::array<std::uint8_t, 7> out{};
  EXPECT_FALSE(secure_payload(cmac, {}, bytes("03000000"), 1, out));
}

TEST(SecocFreshness, RebuildsTheNearestNewerValue) {
  const FreshnessManager fv(8, 0x1FE);
  EXPECT_EQ(fv.candidate(0xFF, 0), 0x1FFU);
  EXPECT_EQ(fv.candidate(0x00, 0), 0x200U);  // the truncated counter wrapped
  EXPECT_EQ(fv.candidate(0xFE, 0), 0x2FEU);  // the last accepted value again: a window on
  EXPECT_EQ(fv.candidate(0xFF, 2), 0x3FFU);  // resynchronisation windows
}

TEST(SecocFreshness, StartsFromMinusOneWithoutAStoredCounter) {
  const FreshnessManager fv(8, std::nullopt);
  EXPECT_EQ(fv.candidate(0x00, 0), 0U);
  EXPECT_EQ(fv.candidate(0x07, 1), 0x107U);
}

TEST(SecocFreshness, EndsWhenThe64BitCounterIsExhausted) {
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  const FreshnessManager fv(8, max - 1U);
  EXPECT_EQ(fv.candidate(0xFF, 0), max);
  EXPECT_EQ(fv.candidate(0xFF, 1), std::nullopt);
  EXPECT_EQ(fv.candidate(0xFE, 0), std::nullopt);
  EXPECT_EQ(FreshnessManager(8, max).candidate(0xFF, 0), std::nullopt);
}

constexpr const char* kDbc = R"(VERSION ""
NS_ :
BS_:
BU_: BCM HU
BO_ 290 Keyfob_Secured: 8 BCM
 SG_ FobId : 0|8@1+ (1,0) [0|255] "" HU
BO_ 291 Too_Short: 4 BCM
 SG_ Value : 0|8@1+ (1,0) [0|255] "" HU
)";

dbc::Codec codec() {
  auto result = dbc::parse(kDbc, "secoc_test.dbc");
  EXPECT_TRUE(result.ok()) << result.diagnostics.to_string();
  return dbc::Codec(std::move(*result.database));
}

class SecocVerifierTest : public ::testing::Test {
 protected:
  SecocVerifierTest() : codec_(codec()), sender_(key()) {}

  static Cmac::Key key() { return key_of("000102030405060708090a0b0c0d0e0f"); }
  SecocSpec spec(std::optional<std::uint64_t> counter = std::nullopt) const {
    return {*codec_.find_message("Keyfob_Secured"), {0x0101, 24, 8}, key(), counter};
  }
  // The fob's frame with `fob` as its id, secured at `counter` with `data_id`.
  std::array<std::uint8_t, 8> frame(std::uint64_t counter, std::uint8_t fob = 3,
                                    std::uint16_t data_id = 0x0101) {
    const std::array<std::uint8_t, 4> authentic{fob, 0, 0, 0};
    std::array<std::uint8_t, 8> out{};
    EXPECT_TRUE(secure_payload(sender_, {data_id, 24, 8}, authentic, counter, out));
    return out;
  }

  dbc::Codec codec_;
  Cmac sender_;
};

TEST_F(SecocVerifierTest, AcceptsEachNewerFrameOnce) {
  SecocVerifier verifier(codec_, spec());
  EXPECT_EQ(verifier.authentic_size(), 4U);
  const auto first = frame(0);
  EXPECT_EQ(verifier.verify(first), SecocVerdict::authentic);
  EXPECT_EQ(verifier.counter(), 0U);
  EXPECT_EQ(verifier.verify(frame(1)), SecocVerdict::authentic);
  EXPECT_EQ(verifier.verify(frame(3)), SecocVerdict::authentic);  // a lost frame is fine
  EXPECT_EQ(verifier.counter(), 3U);
  EXPECT_EQ(verifier.failures(), 0U);
}

TEST_F(SecocVerifierTest, RefusesAReplayedFrame) {
  SecocVerifier verifier(codec_, spec());
  const auto captured = frame(7);
  ASSERT_EQ(verifier.verify(captured), SecocVerdict::authentic);
  EXPECT_EQ(verifier.verify(captured), SecocVerdict::mac_failed);
  EXPECT_EQ(verifier.counter(), 7U);
  EXPECT_EQ(verifier.failures(), 1U);
}

TEST_F(SecocVerifierTest, RefusesAnOldCounter) {
  SecocVerifier verifier(codec_, spec(0x40));
  EXPECT_EQ(verifier.verify(frame(0x3F)), SecocVerdict::mac_failed);
  EXPECT_EQ(verifier.verify(frame(0x20)), SecocVerdict::mac_failed);
  EXPECT_EQ(verifier.counter(), 0x40U);
  EXPECT_EQ(verifier.verify(frame(0x41)), SecocVerdict::authentic);
}

TEST_F(SecocVerifierTest, CarriesTheCounterOverTheTruncatedWrap) {
  SecocVerifier verifier(codec_, spec(0xFE));
  EXPECT_EQ(verifier.verify(frame(0xFF)), SecocVerdict::authentic);
  EXPECT_EQ(verifier.verify(frame(0x100)), SecocVerdict::authentic);
  EXPECT_EQ(verifier.verify(frame(0x101)), SecocVerdict::authentic);
  EXPECT_EQ(verifier.counter(), 0x101U);
  EXPECT_EQ(verifier.resynchronisations(), 0U);
}

TEST_F(SecocVerifierTest, RefusesAFlippedPayloadBitOrMacBitOrFreshnessBit) {
  SecocVerifier verifier(codec_, spec(9));
  for (std::size_t bit = 0; bit < 64; ++bit) {
    auto forged = frame(10);
    forged[bit / 8U] ^= static_cast<std::uint8_t>(1U << (bit % 8U));
    EXPECT_EQ(verifier.verify(forged), SecocVerdict::mac_failed) << "bit " << bit;
  }
  EXPECT_EQ(verifier.failures(), 64U);
  EXPECT_EQ(verifier.counter(), 9U);  // no forgery moved the counter
  EXPECT_EQ(verifier.verify(frame(10)), SecocVerdict::authentic);
}

TEST_F(SecocVerifierTest, RefusesAnotherDataId) {
  SecocVerifier verifier(codec_, spec());
  EXPECT_EQ(verifier.verify(frame(1, 3, 0x0102)), SecocVerdict::mac_failed);
}

TEST_F(SecocVerifierTest, RefusesAShortFrame) {
  SecocVerifier verifier(codec_, spec());
  const auto full = frame(1);
  EXPECT_EQ(verifier.verify(std::span(full).first(7)), SecocVerdict::too_short);
}

TEST_F(SecocVerifierTest, ResynchronisesWithinItsWindowsOnly) {
  SecocVerifier verifier(codec_, spec(10));
  // The sender went 2.5 windows ahead while the receiver was off: found, counted.
  EXPECT_EQ(verifier.verify(frame(10 + 640)), SecocVerdict::authentic);
  EXPECT_EQ(verifier.resynchronisations(), 1U);
  // Past the last window: lost until the counter is reprovisioned.
  const std::uint64_t far = 650 + (secoc_resync_windows + 1U) * 256U + 1U;
  EXPECT_EQ(verifier.verify(frame(far)), SecocVerdict::mac_failed);
}

TEST_F(SecocVerifierTest, RestartsFromTheStoredCounterSoAReplayStaysRefused) {
  const auto captured = frame(21);
  std::optional<std::uint64_t> stored;
  {
    SecocVerifier before(codec_, spec());
    ASSERT_EQ(before.verify(captured), SecocVerdict::authentic);
    stored = before.counter();
  }
  SecocVerifier after(codec_, spec(stored));
  EXPECT_EQ(after.verify(captured), SecocVerdict::mac_failed);
  EXPECT_EQ(after.verify(frame(22)), SecocVerdict::authentic);
}

TEST_F(SecocVerifierTest, RefusesOnceTheCounterIsExhausted) {
  SecocVerifier verifier(codec_, spec(std::numeric_limits<std::uint64_t>::max()));
  EXPECT_EQ(verifier.verify(frame(0)), SecocVerdict::counter_exhausted);
}

TEST_F(SecocVerifierTest, RefusesAMessageWithNoRoomForAnAuthenticPayload) {
  SecocSpec short_spec = spec();
  short_spec.message = *codec_.find_message("Too_Short");
  EXPECT_THROW(SecocVerifier(codec_, short_spec), std::invalid_argument);
  SecocSpec odd = spec();
  odd.params.mac_bits = 20;
  EXPECT_THROW(SecocVerifier(codec_, odd), std::invalid_argument);
}

}  // namespace
}  // namespace cabind::signal
