#include "cabind/can/candump_log.hpp"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <vector>

namespace cabind::can {
namespace {

LogRecord parse(std::string_view line) {
  return parse_log_line(line, "test.log", 1);
}

TEST(CandumpLog, ReadsClassicStandardFrame) {
  const auto r = parse("(1700000000.123456) vcan0 123#DEADBEEF");
  EXPECT_EQ(r.interface, "vcan0");
  EXPECT_EQ(r.frame.id(), 0x123U);
  EXPECT_FALSE(r.frame.extended());
  ASSERT_EQ(r.frame.size(), 4U);
  EXPECT_EQ(r.frame.data()[0], 0xDE);
  EXPECT_EQ(r.frame.time(), std::chrono::seconds(1700000000) + std::chrono::microseconds(123456));
}

TEST(CandumpLog, ReadsExtendedIdAndDotSeparators) {
  const auto r = parse("(0000000001.000000) can1 1F334455#11.22.33");
  EXPECT_TRUE(r.frame.extended());
  EXPECT_EQ(r.frame.id(), 0x1F334455U);
  EXPECT_EQ(r.frame.size(), 3U);
}

TEST(CandumpLog, ReadsRemoteFramesWithAndWithoutLength) {
  EXPECT_EQ(parse("(1.000000) vcan0 123#R").frame.size(), 0U);
  const auto r = parse("(1.000000) vcan0 123#R7");
  EXPECT_TRUE(r.frame.is_remote());
  EXPECT_EQ(r.frame.size(), 7U);
}

TEST(CandumpLog, ReadsFdFrameWithFlags) {
  const auto r = parse("(1.000000) vcan0 123##3" + std::string(24, 'A'));
  EXPECT_TRUE(r.frame.is_fd());
  EXPECT_EQ(r.frame.fd_flags(), fd_bit_rate_switch | fd_error_state);
  EXPECT_EQ(r.frame.size(), 12U);
}

TEST(CandumpLog, ReadsErrorFrameFromErrFlagInId) {
  const auto r = parse("(1.000000) vcan0 20000080#0000000000000000");
  EXPECT_TRUE(r.frame.is_error());
  EXPECT_EQ(r.frame.id(), 0x80U);
  EXPECT_EQ(format_frame_text(r.frame), "20000080#0000000000000000");
}

TEST(CandumpLog, IgnoresDirectionMarkerAndRawDlcSuffix) {
  EXPECT_EQ(parse("(1.000000) vcan0 123#11 R").frame.size(), 1U);
  EXPECT_EQ(parse("(1.000000) vcan0 123#1122334455667788_9").frame.size(), 8U);
}

TEST(CandumpLog, WritesWhatCandumpWrites) {
  const std::array<std::uint8_t, 4> data{0xDE, 0xAD, 0xBE, 0xEF};
  auto frame = *Frame::classic(0x123, data);
  frame.set_time(std::chrono::seconds(1700000000) + std::chrono::microseconds(123456));
  EXPECT_EQ(format_log_line({"vcan0", frame}), "(1700000000.123456) vcan0 123#DEADBEEF");
  auto ext = *Frame::classic(0x1ABCDEF, data, true);
  EXPECT_EQ(format_frame_text(ext), "01ABCDEF#DEADBEEF");
  EXPECT_EQ(format_frame_text(*Frame::fd(0x7FF, data)), "7FF##1DEADBEEF");
  EXPECT_EQ(format_frame_text(*Frame::make({.id = 1, .kind = Kind::remote, .len = 3})), "001#R3");
}

struct Malformed {
  const char* line;
  const char* message;
};

void PrintTo(const Malformed& m, std::ostream* os) {
  *os << '"' << m.line << '"';
}

class MalformedLine : public testing::TestWithParam<Malformed> {};

TEST_P(MalformedLine, IsAnErrorWithItsLineNumber) {
  std::istringstream in("(1.000000) vcan0 123#11\n\n" + std::string(GetParam().line) + "\n");
  LogReader reader(in, "drive.log");
  ASSERT_TRUE(reader.next());
  try {
    (void)reader.next();
    FAIL() << "accepted: " << GetParam().line;
  } catch (const LogError& e) {
    EXPECT_EQ(e.line(), 3U);
    EXPECT_NE(std::string(e.what()).find("drive.log:3: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(GetParam().message), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    CandumpLog, MalformedLine,
    testing::Values(Malformed{"vcan0 123#11", "expected '(' starting the timestamp"},
                    Malformed{"(1.5) vcan0 123#11", "is not SECONDS.MICROSECONDS"},
                    Malformed{"(1.000000 vcan0 123#11", "expected ')'"},
                    Malformed{"(1.000000) vcan0", "expected 'INTERFACE ID#DATA'"},
                    Malformed{"(1.000000) vcan0 12#11", "bad CAN id '12'"},
                    Malformed{"(1.000000) vcan0 1G3#11", "bad CAN id '1G3'"},
                    Malformed{"(1.000000) vcan0 123", "found no '#'"},
                    Malformed{"(1.000000) vcan0 123#1", "not hex byte pairs"},
                    Malformed{"(1.000000) vcan0 123#112233445566778899", "longer than 8 bytes"},
                    Malformed{"(1.000000) vcan0 123##1"
                              "112233445566778899",
                              "CAN FD length"},
                    Malformed{"(1.000000) vcan0 123##", "flags digit"},
                    Malformed{"(1.000000) vcan0 800#11", "identifier out of range"},
                    Malformed{"(1.000000) vcan0 123#R9", "bad remote frame length"},
                    Malformed{"(-1.000000) vcan0 123#11", "is not SECONDS.MICROSECONDS"}));

TEST(CandumpLog, RandomFramesRoundTripThroughTheLogFormat) {
  std::mt19937 rng(42);
  std::vector<LogRecord> written;
  std::ostringstream out;
  LogWriter writer(out);
  for (int i = 0; i < 2000; ++i) {
    std::array<std::uint8_t, 64> payload{};
    for (auto& b : payload)
      b = static_cast<std::uint8_t>(rng());
    const bool fd = rng() % 3 == 0;
    const bool extended = rng() % 2 == 0;
    const auto id =
        static_cast<std::uint32_t>(rng() % ((extended ? max_extended_id : max_standard_id) + 1U));
    static constexpr std::array<std::size_t, 16> fd_lengths{0, 1,  2,  3,  4,  5,  6,  7,
                                                            8, 12, 16, 20, 24, 32, 48, 64};
    const std::size_t len = fd ? fd_lengths[rng() % 16] : rng() % 9;
    auto frame =
        fd ? *Frame::fd(id, {payload.data(), len}, extended, static_cast<std::uint8_t>(rng() % 4))
           : *Frame::classic(id, {payload.data(), len}, extended);
    frame.set_time(std::chrono::microseconds(1'700'000'000'000'000LL + i * 1234));
    written.push_back({i % 2 == 0 ? "vcan0" : "can1", frame});
    writer.write(written.back());
  }
  std::istringstream in(out.str());
  LogReader reader(in, "roundtrip");
  for (const auto& expected : written) {
    const auto got = reader.next();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->interface, expected.interface);
    EXPECT_EQ(got->frame, expected.frame);
    EXPECT_EQ(got->frame.time(), expected.frame.time());
  }
  EXPECT_FALSE(reader.next());
}

}  // namespace
}  // namespace cabind::can
