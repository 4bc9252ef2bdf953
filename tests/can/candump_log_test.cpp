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

// The three defects a fuzzing run found, each as a class: every numeric field is range-checked,
// every out-of-range or non-digit field is an error (never a silent 0), and every message
// quotes at most a bounded prefix of what it read.

std::string error_of(const std::string& line) {
  try {
    (void)parse(line);
  } catch (const LogError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << line.substr(0, 80);
  return {};
}

TEST(CandumpLog, AcceptsTheLatestTimeTheEngineCanHold) {
  const auto r = parse("(9223372035.999999) vcan0 123#11");
  EXPECT_EQ(r.frame.time(), std::chrono::seconds(9223372035) + std::chrono::microseconds(999999));
  EXPECT_GT(r.frame.time().count(), 0);
}

TEST(CandumpLog, RefusesATimeWhoseNanosecondsWouldOverflow) {
  EXPECT_NE(error_of("(9223372036.000000) vcan0 123#11").find("is out of range (at most "),
            std::string::npos);
  EXPECT_NE(error_of("(18446744073709551616.000000) vcan0 123#11").find("is out of range"),
            std::string::npos);
}

class OutOfRangeDigits : public testing::TestWithParam<const char*> {};

TEST_P(OutOfRangeDigits, AreAnErrorNotZero) {
  const std::string message = error_of(std::string("(") + GetParam() + ") vcan0 123#11");
  EXPECT_EQ(message.rfind("test.log:1: timestamp '", 0), 0U) << message;
}

INSTANTIATE_TEST_SUITE_P(CandumpLog, OutOfRangeDigits,
                         testing::Values("99999999999999999999.000000", "1.99999A", "1.-00001",
                                         "+1.000000", " 1.000000", "1.+00001", ".000000",
                                         "0x10.000000", "1e3.000000"));

struct Oversized {
  const char* name;
  std::string line;
  const char* message;
};

void PrintTo(const Oversized& o, std::ostream* os) {
  *os << o.name;
}

class OversizedField : public testing::TestWithParam<Oversized> {};

// Each place a message quotes the line, fed a megabyte: the message stays short and says
// how long the field was.
TEST_P(OversizedField, IsQuotedByABoundedPrefix) {
  const std::string message = error_of(GetParam().line);
  EXPECT_LT(message.size(), 300U) << message.substr(0, 300);
  EXPECT_NE(message.find(GetParam().message), std::string::npos) << message.substr(0, 300);
  EXPECT_NE(message.find("... ("), std::string::npos) << message.substr(0, 300);
}

const std::string mega(1'000'000, '7');

INSTANTIATE_TEST_SUITE_P(
    CandumpLog, OversizedField,
    testing::Values(Oversized{"stamp", "(1." + mega + ") vcan0 123#11", "is not SECONDS"},
                    Oversized{"seconds", "(" + mega + ".000000) vcan0 123#11", "out of range"},
                    Oversized{"id", "(1.000000) vcan0 " + mega + "#11", "bad CAN id"},
                    Oversized{"payload", "(1.000000) vcan0 123#1G" + mega, "not hex byte pairs"},
                    Oversized{"frame", "(1.000000) vcan0 123" + mega, "found no '#'"},
                    Oversized{"dlc", "(1.000000) vcan0 123#11_" + mega, "bad raw DLC suffix"},
                    Oversized{"remote", "(1.000000) vcan0 123#R" + mega, "remote frame length"}),
    [](const testing::TestParamInfo<Oversized>& param) { return std::string(param.param.name); });

TEST(CandumpLog, QuotesAShortFieldWholeAndHidesControlBytes) {
  EXPECT_EQ(quote_excerpt("12G"), "'12G'");
  EXPECT_EQ(quote_excerpt("1\x1b[2J"), "'1?[2J'");
  EXPECT_EQ(quote_excerpt(std::string(max_quoted_chars, 'A')),
            "'" + std::string(max_quoted_chars, 'A') + "'");
  EXPECT_EQ(quote_excerpt(std::string(max_quoted_chars + 1, 'A')),
            "'" + std::string(max_quoted_chars, 'A') + "'... (41 bytes)");
}

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
