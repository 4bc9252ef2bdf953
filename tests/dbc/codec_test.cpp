#include "cabind/dbc/codec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <filesystem>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "cabind/dbc/parser.hpp"

namespace cabind::dbc {
namespace {

Codec compile(std::string_view body) {
  ParseResult r = parse(std::string("VERSION \"\"\nBU_: ECU\n") + std::string(body), "t.dbc");
  if (!r.ok()) throw std::runtime_error(r.diagnostics.to_string());
  return Codec(std::move(*r.database));
}

// One message holding every layout of the table below.
constexpr std::string_view layouts = R"(
BO_ 1 Layouts: 16 ECU
 SG_ IntelNibble : 8|4@1+ (1,0) [0|0] "" ECU
 SG_ IntelCrossing : 4|12@1+ (1,0) [0|0] "" ECU
 SG_ MotorolaWord : 7|16@0+ (1,0) [0|0] "" ECU
 SG_ MotorolaCrossing : 3|12@0+ (1,0) [0|0] "" ECU
 SG_ MotorolaMid : 11|12@0+ (1,0) [0|0] "" ECU
 SG_ OneBit : 13|1@1+ (1,0) [0|0] "" ECU
 SG_ Intel64 : 0|64@1+ (1,0) [0|0] "" ECU
 SG_ Motorola64 : 7|64@0+ (1,0) [0|0] "" ECU
 SG_ IntelUnaligned64 : 4|64@1+ (1,0) [0|0] "" ECU
 SG_ SignedIntel : 0|8@1- (0.5,-40) [0|0] "" ECU
 SG_ SignedMotorola : 7|12@0- (1,0) [0|0] "" ECU
 SG_ Float32 : 0|32@1+ (1,0) [0|0] "" ECU
 SG_ Float64 : 0|64@1+ (2,1) [0|0] "" ECU
 SG_ MotorolaFloat32 : 7|32@0+ (1,0) [0|0] "" ECU
SIG_VALTYPE_ 1 Float32 : 1;
SIG_VALTYPE_ 1 Float64 : 2;
SIG_VALTYPE_ 1 MotorolaFloat32 : 1;
)";

struct LayoutCase {
  const char* signal;
  std::vector<std::uint8_t> payload;
  std::uint64_t raw;
  double physical;
};

class CodecLayout : public testing::TestWithParam<LayoutCase> {};

TEST_P(CodecLayout, DecodesHandWorkedValue) {
  static const Codec codec = compile(layouts);
  const LayoutCase& c = GetParam();
  std::vector<std::uint8_t> payload = c.payload;
  payload.resize(16, 0);
  const SignalRef ref = codec.find_signal("Layouts", c.signal).value();
  const Decoded d = codec.decode(ref, payload);
  ASSERT_TRUE(d.ok()) << to_string(d.status);
  EXPECT_EQ(d.raw, c.raw);
  EXPECT_DOUBLE_EQ(d.physical, c.physical);

  // Encoding the physical value back over a frame of ones reproduces the signal's bits
  // (when a double holds the raw value exactly: 53 bits).
  if (c.raw >= (1ULL << 53) && codec.signal(ref).value_type != ValueType::float64) return;
  std::vector<std::uint8_t> again(16, 0xFF);
  ASSERT_EQ(codec.encode(ref, c.physical, again, RangePolicy::reject), EncodeStatus::ok);
  EXPECT_EQ(codec.decode(ref, again).raw, c.raw);
}

INSTANTIATE_TEST_SUITE_P(
    HandWorked, CodecLayout,
    testing::Values(
        // byte 1 = 0xA5, low nibble 5
        LayoutCase{"IntelNibble", {0x00, 0xA5}, 5, 5},
        // 0xCDAB >> 4 = 0xCDA
        LayoutCase{"IntelCrossing", {0xAB, 0xCD}, 0xCDA, 0xCDA},
        // MSB first: 0x12 then 0x34
        LayoutCase{"MotorolaWord", {0x12, 0x34}, 0x1234, 0x1234},
        // byte 0 bits 3..0 (0xB), then byte 1 (0xCD)
        LayoutCase{"MotorolaCrossing", {0xAB, 0xCD}, 0xBCD, 0xBCD},
        // byte 1 bits 3..0 (0xF), then byte 2 (0xF0)
        LayoutCase{"MotorolaMid", {0x00, 0x0F, 0xF0}, 0xFF0, 0xFF0},
        // byte 1 bit 5
        LayoutCase{"OneBit", {0x00, 0x20}, 1, 1},
        LayoutCase{"Intel64",
                   {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08},
                   0x0807060504030201U,
                   static_cast<double>(0x0807060504030201U)},
        LayoutCase{"Motorola64",
                   {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08},
                   0x0102030405060708U,
                   static_cast<double>(0x0102030405060708U)},
        // bits 4..67: nine bytes; 0x..F0 then ones then 0x0F
        LayoutCase{"IntelUnaligned64",
                   {0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE, 0x0A},
                   0xAFEDCBA987654321U,
                   static_cast<double>(0xAFEDCBA987654321U)},
        // 0xFE = -2 -> -2 * 0.5 - 40
        LayoutCase{"SignedIntel", {0xFE}, 0xFE, -41},
        // 0x800 = -2048
        LayoutCase{"SignedMotorola", {0x80, 0x00}, 0x800, -2048},
        // 1.5f = 0x3FC00000, little-endian bytes
        LayoutCase{"Float32", {0x00, 0x00, 0xC0, 0x3F}, 0x3FC00000, 1.5},
        // 2.5 = 0x4004000000000000 -> 2.5 * 2 + 1
        LayoutCase{"Float64", {0, 0, 0, 0, 0, 0, 0x04, 0x40}, 0x4004000000000000U, 6.0},
        LayoutCase{"MotorolaFloat32", {0xC0, 0x20, 0x00, 0x00}, 0xC0200000, -2.5}));

TEST(Codec, ShortPayloadReportsSignalsThatDoNotFit) {
  const Codec codec = compile(layouts);
  const std::array<std::uint8_t, 2> payload{0x12, 0x34};
  EXPECT_TRUE(codec.decode(*codec.find_signal("Layouts", "MotorolaWord"), payload).ok());
  EXPECT_EQ(codec.decode(*codec.find_signal("Layouts", "MotorolaMid"), payload).status,
            SignalStatus::payload_too_short);
  EXPECT_EQ(codec.decode(*codec.find_signal("Layouts", "Intel64"), payload).status,
            SignalStatus::payload_too_short);
  EXPECT_EQ(codec.decode(*codec.find_signal("Layouts", "Intel64"), {}).status,
            SignalStatus::payload_too_short);
  std::array<std::uint8_t, 2> out{};
  EXPECT_EQ(codec.encode(*codec.find_signal("Layouts", "Intel64"), 1, out, RangePolicy::clamp),
            EncodeStatus::payload_too_short);
  EXPECT_EQ(out, (std::array<std::uint8_t, 2>{}));
}

constexpr std::string_view mux = R"(
BO_ 200 Mux: 8 ECU
 SG_ Selector M : 0|8@1+ (1,0) [0|0] "" ECU
 SG_ A m1 : 8|8@1+ (1,0) [0|0] "" ECU
 SG_ B m2 : 8|16@1+ (1,0) [0|0] "" ECU
 SG_ Always : 56|8@1+ (1,0) [0|0] "" ECU

BO_ 201 ExtMux: 8 ECU
 SG_ Top M : 0|4@1+ (1,0) [0|0] "" ECU
 SG_ Sub m3M : 4|4@1+ (1,0) [0|0] "" ECU
 SG_ Leaf m5 : 8|8@1+ (1,0) [0|0] "" ECU

SG_MUL_VAL_ 201 Sub Top 3-3, 6-7;
SG_MUL_VAL_ 201 Leaf Sub 5-5;
)";

TEST(Codec, MultiplexedSignalsDecodeOnlyWhenSelected) {
  const Codec codec = compile(mux);
  const SignalRef a = *codec.find_signal("Mux", "A");
  const SignalRef b = *codec.find_signal("Mux", "B");
  const std::array<std::uint8_t, 8> one{1, 0x34, 0x12, 0, 0, 0, 0, 9};
  const std::array<std::uint8_t, 8> two{2, 0x34, 0x12, 0, 0, 0, 0, 9};
  EXPECT_EQ(codec.decode(a, one).raw, 0x34U);
  EXPECT_EQ(codec.decode(b, one).status, SignalStatus::mux_inactive);
  EXPECT_EQ(codec.decode(a, two).status, SignalStatus::mux_inactive);
  EXPECT_EQ(codec.decode(b, two).raw, 0x1234U);
  EXPECT_EQ(codec.decode(*codec.find_signal("Mux", "Always"), two).raw, 9U);
}

TEST(Codec, ExtendedMultiplexingFollowsTheChain) {
  const Codec codec = compile(mux);
  const SignalRef sub = *codec.find_signal("ExtMux", "Sub");
  const SignalRef leaf = *codec.find_signal("ExtMux", "Leaf");
  const std::array<std::uint8_t, 8> top3_sub5{0x53, 0x77};
  const std::array<std::uint8_t, 8> top7_sub5{0x57, 0x77};
  const std::array<std::uint8_t, 8> top4_sub5{0x54, 0x77};
  const std::array<std::uint8_t, 8> top3_sub4{0x43, 0x77};
  EXPECT_EQ(codec.decode(leaf, top3_sub5).raw, 0x77U);
  EXPECT_EQ(codec.decode(leaf, top7_sub5).raw, 0x77U);
  EXPECT_EQ(codec.decode(sub, top4_sub5).status, SignalStatus::mux_inactive);
  EXPECT_EQ(codec.decode(leaf, top4_sub5).status, SignalStatus::mux_inactive);
  EXPECT_EQ(codec.decode(leaf, top3_sub4).status, SignalStatus::mux_inactive);
}

constexpr std::string_view climate = R"(
BO_ 1050 Climate: 8 ECU
 SG_ Temp : 7|8@0+ (0.5,-40) [-40|87.5] "degC" ECU
 SG_ Wide : 12|12@1+ (1,0) [0|0] "" ECU
 SG_ Nibble : 32|4@1+ (1,0) [0|0] "" ECU
 SG_ Offset : 40|8@1- (1,0) [0|0] "" ECU
 SG_ Gear : 48|2@1+ (1,0) [0|3] "" ECU
 SG_ Status : 52|4@1- (1,0) [0|0] "" ECU
VAL_ 1050 Gear 0 "P" 1 "R" 2 "N" 3 "D" ;
VAL_ 1050 Status -1 "Error" 0 "Off" ;
)";

TEST(Codec, EncodeLeavesOtherBitsAlone) {
  const Codec codec = compile(climate);
  std::array<std::uint8_t, 8> frame;
  frame.fill(0xFF);
  // 20 degC -> (20 + 40) / 0.5 = 120 = 0x78
  EXPECT_EQ(codec.encode(*codec.find_signal("Climate", "Temp"), 20, frame, RangePolicy::reject),
            EncodeStatus::ok);
  EXPECT_EQ(frame, (std::array<std::uint8_t, 8>{0x78, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
  // 0xABC at bits 12..23: byte 1 high nibble C, byte 2 = 0xAB
  EXPECT_EQ(codec.encode(*codec.find_signal("Climate", "Wide"), 0xABC, frame, RangePolicy::reject),
            EncodeStatus::ok);
  EXPECT_EQ(frame, (std::array<std::uint8_t, 8>{0x78, 0xCF, 0xAB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(codec.encode(*codec.find_signal("Climate", "Offset"), -2, frame, RangePolicy::reject),
            EncodeStatus::ok);
  EXPECT_EQ(frame[5], 0xFE);
}

TEST(Codec, EncodeRoundsToTheNearestRawValue) {
  const Codec codec = compile(climate);
  const SignalRef temp = *codec.find_signal("Climate", "Temp");
  std::array<std::uint8_t, 8> frame{};
  EXPECT_EQ(codec.encode(temp, 20.3, frame, RangePolicy::reject), EncodeStatus::ok);
  EXPECT_EQ(frame[0], 121);  // 120.6 -> 121
  EXPECT_EQ(codec.encode(temp, 20.2, frame, RangePolicy::reject), EncodeStatus::ok);
  EXPECT_EQ(frame[0], 120);  // 120.4 -> 120
  EXPECT_EQ(codec.encode(temp, 20.25, frame, RangePolicy::reject), EncodeStatus::ok);
  EXPECT_EQ(frame[0], 121);  // 120.5 -> 121, halves away from zero
}

TEST(Codec, OutOfRangeIsRejectedOrClampedAsAsked) {
  const Codec codec = compile(climate);
  const SignalRef temp = *codec.find_signal("Climate", "Temp");
  const SignalRef nibble = *codec.find_signal("Climate", "Nibble");
  std::array<std::uint8_t, 8> frame{};
  frame[0] = 0x11;
  EXPECT_EQ(codec.encode(temp, 100, frame, RangePolicy::reject), EncodeStatus::out_of_range);
  EXPECT_EQ(frame[0], 0x11);  // untouched
  EXPECT_EQ(codec.encode(temp, 100, frame, RangePolicy::clamp), EncodeStatus::clamped);
  EXPECT_EQ(frame[0], 255);  // 87.5 degC
  EXPECT_EQ(codec.encode(temp, -50, frame, RangePolicy::clamp), EncodeStatus::clamped);
  EXPECT_EQ(frame[0], 0);  // -40 degC
  EXPECT_EQ(codec.encode(temp, std::nan(""), frame, RangePolicy::clamp), EncodeStatus::not_finite);
  // No DBC range: the raw bits are the limit.
  EXPECT_EQ(codec.encode(nibble, 16, frame, RangePolicy::reject), EncodeStatus::out_of_range);
  EXPECT_EQ(codec.encode(nibble, 16, frame, RangePolicy::clamp), EncodeStatus::clamped);
  EXPECT_EQ(frame[4], 0x0F);
  EXPECT_EQ(codec.encode(nibble, -1, frame, RangePolicy::clamp), EncodeStatus::clamped);
  EXPECT_EQ(frame[4], 0x00);
}

TEST(Codec, ValueTableNamesForRawValues) {
  const Codec codec = compile(climate);
  const SignalRef gear = *codec.find_signal("Climate", "Gear");
  const SignalRef status = *codec.find_signal("Climate", "Status");
  EXPECT_EQ(codec.value_name(gear, 3), "D");
  EXPECT_EQ(codec.value_name(gear, 0), "P");
  EXPECT_EQ(codec.value_name(status, 0xF), "Error");  // 4-bit 0xF is -1
  EXPECT_EQ(codec.raw_integer(status, 0xF), -1);
  EXPECT_EQ(codec.value_name(status, 5), "");
}

TEST(Codec, FindsMessagesByIdAndName) {
  const Codec codec = compile(std::string(mux) + "BO_ 2147484648 Ext: 8 ECU\n");
  EXPECT_EQ(codec.find_message(200, false), std::optional<std::uint16_t>(0));
  EXPECT_EQ(codec.find_message(201, false), std::optional<std::uint16_t>(1));
  EXPECT_EQ(codec.find_message(1000, true), std::optional<std::uint16_t>(2));
  EXPECT_EQ(codec.find_message(1000, false), std::nullopt);
  EXPECT_EQ(codec.find_message(200, true), std::nullopt);
  EXPECT_EQ(codec.find_message("ExtMux"), std::optional<std::uint16_t>(1));
  EXPECT_EQ(codec.find_signal("Mux", "Nope"), std::nullopt);
  EXPECT_EQ(codec.find_signal("Nope", "A"), std::nullopt);
}

TEST(Codec, RejectsADatabaseAParseWouldNot) {
  Database db;
  Message m;
  m.name = "M";
  m.size = 8;
  Signal s;
  s.name = "S";
  s.start_bit = 510;
  s.length = 8;
  m.signals.push_back(s);
  db.messages.push_back(m);
  EXPECT_THROW(Codec{db}, std::invalid_argument);
}

// Random layouts and values: encode then decode gives the value back, other bits untouched.
TEST(CodecProperty, EncodeThenDecodeRoundTrips) {
  std::mt19937_64 rng(20261124);
  int compiled = 0;
  for (int round = 0; round < 3000; ++round) {
    Signal s;
    s.name = "S";
    s.byte_order = rng() % 2 == 0 ? ByteOrder::little_endian : ByteOrder::big_endian;
    const int kind = static_cast<int>(rng() % 4);
    s.value_type = static_cast<ValueType>(kind);
    s.length = kind == 2 ? 32 : kind == 3 ? 64 : static_cast<std::uint16_t>(1 + rng() % 64);
    s.start_bit = static_cast<std::uint16_t>(rng() % 512);
    if (kind < 2 && s.length <= 40) {
      s.factor = std::array<double, 4>{1, 0.5, 0.1, -0.25}[rng() % 4];
      s.offset = std::array<double, 4>{0, -40, 1000.5, 3}[rng() % 4];
    }
    Database db;
    Message m;
    m.name = "M";
    m.size = 64;
    m.signals.push_back(s);
    db.messages.push_back(m);
    std::optional<Codec> codec;
    try {
      codec.emplace(db);
    } catch (const std::invalid_argument&) {
      continue;  // the random start bit put it beyond the frame
    }
    ++compiled;
    const SignalRef ref{0, 0};
    const std::uint64_t mask = s.length == 64 ? ~0ULL : (1ULL << s.length) - 1;

    std::array<std::uint8_t, 64> background;
    for (auto& byte : background)
      byte = static_cast<std::uint8_t>(rng());
    std::uint64_t raw = rng() & mask;
    if (kind == 2 && !std::isfinite(std::bit_cast<float>(static_cast<std::uint32_t>(raw)))) raw = 0;
    if (kind == 3 && !std::isfinite(std::bit_cast<double>(raw))) raw = 1;

    std::array<std::uint8_t, 64> frame = background;
    ASSERT_EQ(codec->encode_raw(ref, raw, frame), EncodeStatus::ok);
    const Decoded d = codec->decode(ref, frame);
    ASSERT_TRUE(d.ok());
    ASSERT_EQ(d.raw, raw) << "start " << s.start_bit << " length " << s.length;

    // Only the signal's own bits changed: its footprint is what encoding all ones sets.
    std::array<std::uint8_t, 64> footprint{};
    ASSERT_EQ(codec->encode_raw(ref, mask, footprint), EncodeStatus::ok);
    int bits = 0;
    for (std::size_t i = 0; i < 64; ++i) {
      ASSERT_EQ((frame[i] ^ background[i]) & ~footprint[i], 0) << "byte " << i;
      bits += std::popcount(footprint[i]);
    }
    ASSERT_EQ(bits, s.length);

    // Physical round trip through encode(), for integers a double holds exactly.
    if (!codec->signal(ref).is_float() && s.length > 53) continue;
    std::array<std::uint8_t, 64> again = background;
    ASSERT_EQ(codec->encode(ref, d.physical, again, RangePolicy::reject), EncodeStatus::ok)
        << "physical " << d.physical << " start " << s.start_bit << " length " << s.length;
    ASSERT_EQ(codec->decode(ref, again).raw, raw);
  }
  EXPECT_GT(compiled, 1000);
}

// Random messages, payload sizes and output sizes: decode_message (its inline plan for a
// full payload of plain integers, its general path otherwise) writes, bit for bit, what
// decode() yields for each signal, and leaves the entries past the signals alone.
TEST(CodecProperty, DecodeMessageMatchesDecodePerSignal) {
  std::mt19937_64 rng(20261202);
  int plan_shaped_full_frames = 0;
  for (int round = 0; round < 2000; ++round) {
    Message m;
    m.name = "M";
    m.size = static_cast<std::uint16_t>(1 + rng() % 64);
    const std::size_t signal_count = rng() % 9;  // 0 to 8
    bool plan_shaped = true;
    for (std::size_t i = 0; i < signal_count; ++i) {
      Signal s;
      s.name = "S" + std::to_string(i);
      s.byte_order = rng() % 2 == 0 ? ByteOrder::little_endian : ByteOrder::big_endian;
      const bool wide = rng() % 8 == 0;  // sometimes a float or a 58..64-bit integer
      const int kind = wide ? static_cast<int>(rng() % 4) : static_cast<int>(rng() % 2);
      s.value_type = static_cast<ValueType>(kind);
      s.length = kind == 2   ? 32
                 : kind == 3 ? 64
                 : wide      ? static_cast<std::uint16_t>(58 + rng() % 7)
                             : static_cast<std::uint16_t>(1 + rng() % 57);
      s.start_bit = static_cast<std::uint16_t>(rng() % (8U * m.size));
      s.factor = std::array<double, 4>{1, 0.5, 0.1, -0.25}[rng() % 4];
      s.offset = std::array<double, 4>{0, -40, 1000.5, 3}[rng() % 4];
      plan_shaped = plan_shaped && !wide;
      m.signals.push_back(s);
    }
    Database db;
    db.messages.push_back(m);
    std::optional<Codec> codec;
    try {
      codec.emplace(db);
    } catch (const std::invalid_argument&) {
      continue;  // a random start bit put a signal beyond the frame
    }
    std::array<std::uint8_t, 64> payload{};
    for (auto& byte : payload)
      byte = static_cast<std::uint8_t>(rng());
    const std::size_t size = rng() % 4 == 0 ? rng() % (m.size + 1U) : m.size;
    const std::size_t room = rng() % 4 == 0 ? rng() % (signal_count + 1U) : signal_count + 2U;
    plan_shaped_full_frames += plan_shaped && signal_count > 0 && size == m.size &&
                               room >= signal_count;

    std::array<Decoded, 10> out;
    out.fill(Decoded{SignalStatus::mux_inactive, 0xABCD, -7.0});
    const std::span<const std::uint8_t> frame(payload.data(), size);
    const std::size_t written = codec->decode_message(0, frame, std::span(out.data(), room));
    ASSERT_EQ(written, std::min(room, signal_count));
    for (std::size_t i = 0; i < out.size(); ++i) {
      const Decoded want = i < written ? codec->decode({0, static_cast<std::uint16_t>(i)}, frame)
                                       : Decoded{SignalStatus::mux_inactive, 0xABCD, -7.0};
      ASSERT_EQ(out[i].status, want.status) << "round " << round << " signal " << i;
      ASSERT_EQ(out[i].raw, want.raw) << "round " << round << " signal " << i;
      ASSERT_EQ(std::bit_cast<std::uint64_t>(out[i].physical),
                std::bit_cast<std::uint64_t>(want.physical))
          << "round " << round << " signal " << i;
    }
  }
  EXPECT_GT(plan_shaped_full_frames, 200);
}

}  // namespace
}  // namespace cabind::dbc
