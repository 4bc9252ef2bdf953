// The tolerated deviations from the DBC grammar (docs/dbc.md, "Tolerated quirks"): each
// fixture in tests/dbc/data loads with exactly its warning, at its position, and a strict
// parse refuses it with the same finding as an error. Line ends and indentation never
// change what a file means.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cabind/dbc/parser.hpp"

namespace cabind::dbc {
namespace {

const std::filesystem::path data_dir = CABIND_SOURCE_DIR "/tests/dbc/data";

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Everything a parse yields that decoding and configuration use, as comparable text.
std::string summary(const Database& db) {
  std::ostringstream out;
  for (const std::string& node : db.nodes)
    out << "node " << node << '\n';
  for (const Message& m : db.messages) {
    out << "BO_ " << m.id << (m.extended ? "x " : " ") << m.name << ' ' << int{m.size} << ' '
        << m.transmitter << " cycle " << m.cycle_time_ms.value_or(0) << " [" << m.comment << "]\n";
    for (const Signal& s : m.signals) {
      out << " SG_ " << s.name << ' ' << s.start_bit << '|' << s.length << ' '
          << static_cast<int>(s.byte_order) << static_cast<int>(s.value_type) << ' ' << s.factor
          << ',' << s.offset << " mux " << static_cast<int>(s.mux_role) << ' ' << s.multiplexor
          << (s.outside_message ? " outside" : "") << " [" << s.comment() << ']';
      for (const ValueDescription& v : s.values())
        out << ' ' << v.raw << '=' << v.name;
      out << '\n';
    }
  }
  return out.str();
}

struct Quirk {
  const char* file;
  std::vector<std::string> findings;  // "line:column: message", in order
};

void PrintTo(const Quirk& quirk, std::ostream* os) {
  *os << quirk.file;
}

class TolerantDbc : public testing::TestWithParam<Quirk> {};

TEST_P(TolerantDbc, LoadsWithItsWarningAtItsPosition) {
  const Quirk& quirk = GetParam();
  const ParseResult r = parse_file(data_dir / quirk.file);
  ASSERT_TRUE(r.ok()) << r.diagnostics.to_string();
  std::vector<std::string> found;
  for (const diag::Diagnostic& d : r.diagnostics.all()) {
    EXPECT_EQ(d.severity, diag::Severity::warning) << d.to_string();
    found.push_back(std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + ": " +
                    d.message);
  }
  EXPECT_EQ(found, quirk.findings);
}

TEST_P(TolerantDbc, StrictParseRefusesItWithTheSameFindingsAsErrors) {
  const Quirk& quirk = GetParam();
  const ParseResult r = parse_file(data_dir / quirk.file, ParseOptions{.strict = true});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.error_count(), quirk.findings.size()) << r.diagnostics.to_string();
  for (const std::string& finding : quirk.findings) {
    const std::string line = data_dir.string() + "/" + quirk.file + ":" +
                             finding.substr(0, finding.find(": ")) +
                             ": error: " + finding.substr(finding.find(": ") + 2);
    EXPECT_NE(r.diagnostics.to_string().find(line), std::string::npos) << line << "\nin\n"
                                                                       << r.diagnostics.to_string();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Quirks, TolerantDbc,
    testing::Values(
        Quirk{"extended_id_without_flag.dbc",
              {"11:5: id 103596083 (0x62CC033) is above 0x7FF without the extended flag (bit "
               "31): read as a 29-bit extended id"}},
        Quirk{"signal_outside_message.dbc",
              {"13:2: signal 'Beyond' (start bit 200, 8 bits) lies outside its 24-byte message "
               "'Short': kept, but it never decodes from a frame of that size"}},
        Quirk{"missing_semicolon.dbc",
              {"14:44: missing ';' at the end of VAL_: assumed at the end of the line",
               "15:41: missing ';' at the end of CM_: assumed at the end of the line"}},
        Quirk{"node_list_continued.dbc",
              {"9:2: the BU_ node list continues on line 9: read as part of the list up to the "
               "next section"}},
        Quirk{"comment_bare_message_id.dbc",
              {"14:5: comment for a bare message id 145: read as CM_ BO_ 145"}},
        Quirk{"bare_multiplex_indicator.dbc",
              {"12:2: multiplex indicator 'm' without a value: 'MO2_Mp_Code' read as the "
               "multiplexor ('M') of message 'MO2'"}},
        Quirk{"signal_longer_than_64_bits.dbc",
              {"13:33: the maximum 4.446241647709404462001681407E+481 is beyond the range of a "
               "double: read as 1.7976931348623157e308",
               "13:16: signal 'Text' is 1600 bits long; cabind decodes signals of 1 to 64 bits: "
               "signal ignored"}},
        Quirk{"duplicate_signal_name.dbc",
              {"13:2: duplicate signal name 'Differential_Lock_State___Front_' in message "
               "'EAC1' (first defined at line 12): this one is ignored"}},
        Quirk{"limit_beyond_double.dbc",
              {"12:30: the maximum 4.4E+481 is beyond the range of a double: read as "
               "1.7976931348623157e308"}}));

const Database& loaded(const ParseResult& r) {
  EXPECT_TRUE(r.ok()) << r.diagnostics.to_string();
  static const Database empty;
  return r.ok() ? *r.database : empty;
}

TEST(TolerantDbcMeaning, AnIdAboveTheStandardRangeIsExtendedAndReferencesFindIt) {
  const ParseResult r = parse_file(data_dir / "extended_id_without_flag.dbc");
  const Database& db = loaded(r);
  ASSERT_EQ(db.messages.size(), 1U);
  EXPECT_TRUE(db.messages[0].extended);
  EXPECT_EQ(db.messages[0].id, 0x62CC033U);
  EXPECT_EQ(db.find_message(0x62CC033U, true), &db.messages[0]);
  EXPECT_EQ(db.messages[0].comment, "Read as extended 0x62CC033");
  EXPECT_EQ(db.messages[0].signals[0].values().size(), 2U);
}

TEST(TolerantDbcMeaning, ASignalOutsideItsMessageIsKeptAndMarked) {
  const ParseResult r = parse_file(data_dir / "signal_outside_message.dbc");
  const Database& db = loaded(r);
  ASSERT_EQ(db.messages.at(0).signals.size(), 2U);
  EXPECT_FALSE(db.messages[0].signals[0].outside_message);
  EXPECT_TRUE(db.messages[0].signals[1].outside_message);
}

TEST(TolerantDbcMeaning, AMissingSemicolonEndsTheStatementAtTheLineEnd) {
  const ParseResult r = parse_file(data_dir / "missing_semicolon.dbc");
  const Signal& s = loaded(r).messages.at(0).signals.at(0);
  ASSERT_EQ(s.values().size(), 2U);
  EXPECT_EQ(s.values()[1].name, "Inactive");
  EXPECT_EQ(s.comment(), "Driver override");
}

TEST(TolerantDbcMeaning, ContinuedNodeListAndBareCommentAndBareMultiplexIndicator) {
  const ParseResult nodes = parse_file(data_dir / "node_list_continued.dbc");
  EXPECT_EQ(loaded(nodes).nodes, (std::vector<std::string>{"NEO", "MCU", "GTW"}));
  const ParseResult comment = parse_file(data_dir / "comment_bare_message_id.dbc");
  EXPECT_EQ(loaded(comment).messages.at(0).comment, "Contains signal with wheel speed");
  const ParseResult mux = parse_file(data_dir / "bare_multiplex_indicator.dbc");
  EXPECT_EQ(loaded(mux).messages.at(0).signals.at(0).mux_role, MuxRole::multiplexor);
}

TEST(TolerantDbcMeaning, ABareMultiplexIndicatorBesideAMultiplexorIsAPlainSignal) {
  const ParseResult r = parse(
      "BO_ 1 A: 8 E\n SG_ Sel M : 0|4@1+ (1,0) [0|0] \"\" E\n SG_ Odd m : 8|4@1+ (1,0) [0|0] "
      "\"\" E\n SG_ Sub m1 : 16|4@1+ (1,0) [0|0] \"\" E\n",
      "t.dbc");
  const Message& m = loaded(r).messages.at(0);
  EXPECT_EQ(m.signals.at(1).mux_role, MuxRole::none);
  EXPECT_EQ(m.signals.at(2).multiplexor, "Sel");
  EXPECT_NE(r.diagnostics.to_string().find("t.dbc:3:2: warning: multiplex indicator 'm' without "
                                           "a value: 'Odd' read as a plain signal"),
            std::string::npos)
      << r.diagnostics.to_string();
}

TEST(TolerantDbcMeaning, TooLongSignalsAndDuplicateNamesAreDroppedTheFirstKept) {
  const ParseResult longer = parse_file(data_dir / "signal_longer_than_64_bits.dbc");
  ASSERT_EQ(loaded(longer).messages.at(0).signals.size(), 1U);
  EXPECT_EQ(loaded(longer).messages[0].signals[0].name, "Index");
  const ParseResult dup = parse_file(data_dir / "duplicate_signal_name.dbc");
  ASSERT_EQ(loaded(dup).messages.at(0).signals.size(), 1U);
  EXPECT_EQ(loaded(dup).messages[0].signals[0].start_bit, 8);
}

// Signals are built in place in their message: a refused or broken one must leave no
// trace (no index entry, no half-built signal in the overlap check).
TEST(TolerantDbcMeaning, ARefusedOrBrokenSignalLeavesNothingInItsMessage) {
  const std::string head =
      "BO_ 1 A: 8 E\n SG_ Far : 600|8@1+ (1,0) [0|0] \"\" E\n SG_ Far : 0|8@1+ (1,0) [0|0] "
      "\"\" E\n";
  const std::string next = " SG_ Next : 8|8@1+ (1,0) [0|0] \"\" E\n";
  const ParseResult kept = parse(head + next, "t.dbc");
  const Message& m = loaded(kept).messages.at(0);
  ASSERT_EQ(m.signals.size(), 2U);
  EXPECT_EQ(m.signals[0].name, "Far");
  EXPECT_EQ(m.signals[0].start_bit, 0);
  EXPECT_EQ(m.find_signal("Next"), &m.signals[1]);
  EXPECT_EQ(kept.diagnostics.to_string(),
            "t.dbc:2:2: warning: signal 'Far' (start bit 600, 8 bits) lies beyond a 64-byte "
            "frame: signal ignored\n");

  const ParseResult broken =
      parse(head + " SG_ Broken : 8|8@1+ (1,0 [0|0] \"\" E\n" + next, "t.dbc");
  EXPECT_FALSE(broken.ok());
  EXPECT_EQ(broken.diagnostics.error_count(), 1U) << broken.diagnostics.to_string();
  EXPECT_EQ(broken.diagnostics.to_string().find("overlaps"), std::string::npos)
      << broken.diagnostics.to_string();
}

TEST(TolerantDbcMeaning, AFileWithoutAnyMessageIsAnError) {
  const ParseResult r = parse_file(data_dir / "no_messages.dbc");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.to_string(),
            (data_dir / "no_messages.dbc").string() +
                ":1:1: error: no message (BO_) in the file: is it a DBC file?\n");
}

std::string with_line_ends(const std::string& lf_text, const std::string& line_end) {
  std::string out;
  for (const char c : lf_text) {
    if (c == '\n') {
      out += line_end;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> fixtures() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir))
    files.push_back(entry.path().string());
  files.emplace_back(CABIND_SOURCE_DIR "/config/demo/demo_body.dbc");
  std::sort(files.begin(), files.end());
  return files;
}

TEST(DbcLineEnds, CrlfAndCrParseExactlyAsLf) {
  for (const std::string& file : fixtures()) {
    const std::string text = read(file);
    const ParseResult lf = parse(text, "f.dbc");
    for (const char* line_end : {"\r\n", "\r"}) {
      const ParseResult other = parse(with_line_ends(text, line_end), "f.dbc");
      EXPECT_EQ(other.diagnostics.to_string(), lf.diagnostics.to_string()) << file;
      ASSERT_EQ(other.ok(), lf.ok()) << file;
      if (lf.ok()) {
        EXPECT_EQ(summary(*other.database), summary(*lf.database)) << file;
      }
    }
  }
}

std::string without_indentation(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (const char c : text) {
    if (line_start && (c == ' ' || c == '\t')) continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

TEST(DbcIndentation, AnIndentedFileParsesAsItsFlushLeftTwin) {
  const std::string text = read(data_dir / "every_line_indented.dbc");
  const ParseResult indented = parse(text, "i.dbc");
  const ParseResult flush = parse(without_indentation(text), "i.dbc");
  ASSERT_TRUE(indented.ok()) << indented.diagnostics.to_string();
  ASSERT_TRUE(flush.ok()) << flush.diagnostics.to_string();
  EXPECT_TRUE(indented.diagnostics.empty()) << indented.diagnostics.to_string();
  EXPECT_EQ(summary(*indented.database), summary(*flush.database));
  ASSERT_EQ(indented.database->messages.size(), 2U);
  EXPECT_EQ(indented.database->messages[0].cycle_time_ms, 100U);
  EXPECT_EQ(indented.database->messages[0].comment, "Climate\non two lines");
  EXPECT_EQ(indented.database->messages[0].signals.at(1).values().size(), 2U);
}

// Mutation test over every fixture and line-end convention: random bytes written over and
// the text cut short; the parser must never crash, and every finding names a line.
TEST(DbcMutation, MutatedFixturesGiveFindingsNotCrashes) {
  std::mt19937 rng(0xDBC);
  for (const std::string& file : fixtures()) {
    for (const char* line_end : {"\n", "\r\n", "\r"}) {
      const std::string base = with_line_ends(read(file), line_end);
      std::uniform_int_distribution<std::size_t> where(0, base.size() - 1);
      std::uniform_int_distribution<int> byte(0, 255);
      for (int round = 0; round < 40; ++round) {
        std::string text = base;
        for (int i = 0; i < 4; ++i)
          text[where(rng)] = static_cast<char>(byte(rng));
        if (round % 2 == 1) text.resize(where(rng));
        for (const bool strict : {false, true}) {
          const ParseResult r = parse(text, "m.dbc", ParseOptions{.strict = strict});
          for (const diag::Diagnostic& d : r.diagnostics.all())
            EXPECT_GT(d.where.line, 0U) << file << ": " << d.to_string();
        }
      }
    }
  }
}

}  // namespace
}  // namespace cabind::dbc

namespace cabind::dbc {
namespace {

TEST(DbcOverlaps, EachSignalIsReportedOnceWithAnEarlierSignalItCanBeOnTheWireWith) {
  const ParseResult r = parse(R"(BO_ 1 A: 8 E
 SG_ Sel M : 56|8@1+ (1,0) [0|0] "" E
 SG_ Z m1 : 0|8@1+ (1,0) [0|0] "" E
 SG_ X : 0|4@1+ (1,0) [0|0] "" E
 SG_ Y : 4|4@1+ (1,0) [0|0] "" E
 SG_ W m2 : 0|8@1+ (1,0) [0|0] "" E
 SG_ V m2 : 0|2@1+ (1,0) [0|0] "" E
 SG_ U m3 : 16|8@1+ (1,0) [0|0] "" E
 SG_ T m4 : 16|8@1+ (1,0) [0|0] "" E
)",
                              "o.dbc");
  ASSERT_TRUE(r.ok()) << r.diagnostics.to_string();
  EXPECT_EQ(r.diagnostics.to_string(),
            "o.dbc:4:2: warning: signal 'X' overlaps signal 'Z' in message 'A'\n"
            "o.dbc:5:2: warning: signal 'Y' overlaps signal 'Z' in message 'A'\n"
            "o.dbc:6:2: warning: signal 'W' overlaps signal 'X' in message 'A'\n"
            "o.dbc:7:2: warning: signal 'V' overlaps signal 'W' in message 'A'\n");
}

TEST(DbcOverlaps, RangesOfOneMultiplexorOverlapOnlyWhereTheyMeet) {
  const ParseResult r = parse(R"(BO_ 1 A: 8 E
 SG_ Sel M : 56|8@1+ (1,0) [0|0] "" E
 SG_ P m0 : 0|8@1+ (1,0) [0|0] "" E
 SG_ Q m0 : 8|8@1+ (1,0) [0|0] "" E
 SG_ R m0 : 0|8@1+ (1,0) [0|0] "" E
SG_MUL_VAL_ 1 P Sel 1-3;
SG_MUL_VAL_ 1 Q Sel 4-6;
SG_MUL_VAL_ 1 R Sel 6-9, 2-2;
)",
                              "r.dbc");
  ASSERT_TRUE(r.ok()) << r.diagnostics.to_string();
  EXPECT_EQ(r.diagnostics.to_string(),
            "r.dbc:5:2: warning: signal 'R' overlaps signal 'P' in message 'A'\n");
}

}  // namespace
}  // namespace cabind::dbc
