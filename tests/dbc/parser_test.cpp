#include "cabind/dbc/parser.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>

namespace cabind::dbc {
namespace {

constexpr std::string_view header = R"(VERSION "1.0"

NS_ :
	CM_
	BA_DEF_
	SG_MUL_VAL_

BS_:

BU_: ECU HVAC Cluster
)";

std::string with_header(std::string_view body) {
  return std::string(header) + std::string(body);
}

std::string errors_of(const ParseResult& r) {
  return r.diagnostics.to_string();
}

TEST(DbcParser, ReadsMessagesSignalsAndScaling) {
  const ParseResult r = parse(with_header(R"(
BO_ 1050 Climate_Control_Data: 8 HVAC
 SG_ InCarTemp : 7|8@0- (0.5,-40) [-40|87.5] "degC" ECU,Cluster
 SG_ Fan : 8|4@1+ (1,0) [0|15] "" ECU
)"),
                              "t.dbc");
  ASSERT_TRUE(r.ok()) << errors_of(r);
  const Database& db = *r.database;
  EXPECT_EQ(db.version, "1.0");
  EXPECT_EQ(db.nodes, (std::vector<std::string>{"ECU", "HVAC", "Cluster"}));
  const Message* m = db.find_message("Climate_Control_Data");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->id, 1050U);
  EXPECT_FALSE(m->extended);
  EXPECT_EQ(m->size, 8);
  EXPECT_EQ(m->transmitter, "HVAC");
  const Signal* t = m->find_signal("InCarTemp");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->start_bit, 7);
  EXPECT_EQ(t->length, 8);
  EXPECT_EQ(t->byte_order, ByteOrder::big_endian);
  EXPECT_EQ(t->value_type, ValueType::signed_integer);
  EXPECT_DOUBLE_EQ(t->factor, 0.5);
  EXPECT_DOUBLE_EQ(t->offset, -40);
  EXPECT_DOUBLE_EQ(t->minimum, -40);
  EXPECT_DOUBLE_EQ(t->maximum, 87.5);
  EXPECT_EQ(t->unit, "degC");
  EXPECT_EQ(t->receivers.names(), (std::vector<std::string_view>{"ECU", "Cluster"}));
  EXPECT_EQ(m->find_signal("Fan")->byte_order, ByteOrder::little_endian);
}

TEST(DbcParser, ExtendedIdHasBit31Set) {
  const ParseResult r = parse(with_header("BO_ 2566844926 Ext: 8 ECU\n"), "t.dbc");
  ASSERT_TRUE(r.ok()) << errors_of(r);
  const Message& m = r.database->messages.at(0);
  EXPECT_TRUE(m.extended);
  EXPECT_EQ(m.id, 2566844926U & 0x1FFFFFFFU);
  EXPECT_EQ(r.database->find_message(m.id, true), &m);
  EXPECT_EQ(r.database->find_message(m.id, false), nullptr);
}

TEST(DbcParser, ReadsCommentsAttributesValueTablesAndFloatTypes) {
  const ParseResult r = parse(with_header(R"(
VAL_TABLE_ Gears 0 "P" 1 "R" 2 "N" 3 "D" ;

BO_ 100 Body: 64 ECU
 SG_ Gear : 0|2@1+ (1,0) [0|3] "" HVAC
 SG_ Speed : 32|32@1+ (1,0) [0|0] "kph" HVAC
 SG_ Odo : 64|64@1+ (1,0) [0|0] "km" HVAC

BO_TX_BU_ 100 : HVAC,Cluster;

CM_ "The database";
CM_ BO_ 100 "Body info
on two lines";
CM_ SG_ 100 Gear "Selected \"gear\"";
BA_DEF_ BO_ "GenMsgCycleTime" INT 0 10000;
BA_DEF_ BO_ "VFrameFormat" ENUM "StandardCAN","ExtendedCAN","reserved","StandardCAN_FD","ExtendedCAN_FD";
BA_DEF_ SG_ "GenSigStartValue" FLOAT -1e10 1e10;
BA_DEF_DEF_ "GenMsgCycleTime" 0;
BA_DEF_DEF_ "VFrameFormat" "StandardCAN";
BA_DEF_DEF_ "GenSigStartValue" 0;
BA_ "GenMsgCycleTime" BO_ 100 250;
BA_ "VFrameFormat" BO_ 100 3;
BA_ "GenSigStartValue" SG_ 100 Gear 2;
VAL_ 100 Gear 0 "P" 1 "R" 2 "N" 3 "D" ;
SIG_VALTYPE_ 100 Speed : 1;
SIG_VALTYPE_ 100 Odo : 2;
SIG_GROUP_ 100 Drive 1 : Gear Speed;
)"),
                              "t.dbc");
  ASSERT_TRUE(r.ok()) << errors_of(r);
  const Database& db = *r.database;
  EXPECT_EQ(db.comment, "The database");
  ASSERT_EQ(db.value_tables.size(), 1U);
  EXPECT_EQ(db.value_tables[0].values.size(), 4U);
  const Message& m = db.messages.at(0);
  EXPECT_EQ(m.comment, "Body info\non two lines");
  EXPECT_EQ(m.cycle_time_ms, 250U);
  EXPECT_TRUE(m.fd);
  EXPECT_EQ(m.extra_transmitters, (std::vector<std::string>{"HVAC", "Cluster"}));
  const Signal& gear = *m.find_signal("Gear");
  EXPECT_EQ(gear.comment(), "Selected \"gear\"");
  EXPECT_EQ(gear.start_value(), 2.0);
  ASSERT_NE(gear.find_value("D"), nullptr);
  EXPECT_EQ(gear.find_value("D")->raw, 3);
  EXPECT_EQ(gear.find_value("X"), nullptr);
  EXPECT_EQ(m.find_signal("Speed")->value_type, ValueType::float32);
  EXPECT_EQ(m.find_signal("Odo")->value_type, ValueType::float64);
  EXPECT_EQ(m.find_signal("Speed")->start_value(), 0.0);
  ASSERT_EQ(db.signal_groups.size(), 1U);
  EXPECT_EQ(db.signal_groups[0].signals, (std::vector<std::string>{"Gear", "Speed"}));
}

TEST(DbcParser, CycleTimeZeroMeansEventDriven) {
  const ParseResult r = parse(with_header(R"(
BO_ 1 A: 8 ECU
BA_DEF_ BO_ "GenMsgCycleTime" INT 0 10000;
BA_DEF_DEF_ "GenMsgCycleTime" 100;
BA_ "GenMsgCycleTime" BO_ 1 0;
)"),
                              "t.dbc");
  ASSERT_TRUE(r.ok()) << errors_of(r);
  EXPECT_FALSE(r.database->messages[0].cycle_time_ms.has_value());
}

TEST(DbcParser, ReadsSimpleAndExtendedMultiplexing) {
  const ParseResult r = parse(with_header(R"(
BO_ 200 Mux: 8 ECU
 SG_ Selector M : 0|8@1+ (1,0) [0|0] "" ECU
 SG_ A m1 : 8|8@1+ (1,0) [0|0] "" ECU
 SG_ B m2 : 8|16@1+ (1,0) [0|0] "" ECU

BO_ 201 ExtMux: 8 ECU
 SG_ Top M : 0|4@1+ (1,0) [0|0] "" ECU
 SG_ Sub m3M : 4|4@1+ (1,0) [0|0] "" ECU
 SG_ Leaf m5 : 8|8@1+ (1,0) [0|0] "" ECU

SG_MUL_VAL_ 201 Sub Top 3-3, 6-7;
SG_MUL_VAL_ 201 Leaf Sub 5-5;
)"),
                              "t.dbc");
  ASSERT_TRUE(r.ok()) << errors_of(r);
  const Message& simple = r.database->messages[0];
  EXPECT_EQ(simple.find_signal("Selector")->mux_role, MuxRole::multiplexor);
  EXPECT_EQ(simple.find_signal("A")->mux_role, MuxRole::multiplexed);
  EXPECT_EQ(simple.find_signal("A")->multiplexor, "Selector");
  ASSERT_EQ(simple.find_signal("B")->mux_ranges.size(), 1U);
  EXPECT_EQ(simple.find_signal("B")->mux_ranges[0].low, 2U);
  // A and B share bits but are never on the wire together: no overlap warning.
  EXPECT_TRUE(r.diagnostics.empty()) << errors_of(r);

  const Message& ext = r.database->messages[1];
  const Signal& sub = *ext.find_signal("Sub");
  EXPECT_EQ(sub.mux_role, MuxRole::multiplexed_multiplexor);
  EXPECT_EQ(sub.multiplexor, "Top");
  ASSERT_EQ(sub.mux_ranges.size(), 2U);
  EXPECT_EQ(sub.mux_ranges[1].low, 6U);
  EXPECT_EQ(sub.mux_ranges[1].high, 7U);
  EXPECT_EQ(ext.find_signal("Leaf")->multiplexor, "Sub");
}

TEST(DbcParser, SkipsKnownButUnusedSections) {
  const ParseResult r = parse(with_header(R"(
BO_ 1 A: 8 ECU
EV_ Env: 0 [0|0] "" 0 1 DUMMY_NODE_VECTOR0 Vector__XXX;
ENVVAR_DATA_ Env: 4;
BA_DEF_REL_ BU_SG_REL_ "X" INT 0 1;
BA_REL_ "X" BU_SG_REL_ ECU SG_ 1 Sig 1;
CM_ BU_ ECU "the ECU";
BA_ "Something" BU_ ECU 1;
VAL_ Env 0 "off" 1 "on";
)"),
                              "t.dbc");
  EXPECT_TRUE(r.ok()) << errors_of(r);
}

TEST(DbcParser, SemanticChecks) {
  const ParseResult r = parse(with_header(R"(
BO_ 1 A: 2 ECU
 SG_ Inside : 0|8@1+ (1,0) [0|0] "" ECU
 SG_ Outside : 8|9@1+ (1,0) [0|0] "" ECU
 SG_ MotorolaOutside : 15|16@0+ (1,0) [0|0] "" ECU
BO_ 1 B: 8 ECU
BO_ 2 A: 8 ECU
BO_ 3 C: 8 ECU
 SG_ X : 0|8@1+ (1,0) [0|0] "" ECU
 SG_ Y : 4|8@1+ (1,0) [0|0] "" ECU
)"),
                              "t.dbc");
  EXPECT_FALSE(r.ok());
  const std::string text = errors_of(r);
  EXPECT_NE(text.find("t.dbc:14:2: warning: signal 'Outside' (start bit 8, 9 bits) lies outside "
                      "its 2-byte message 'A': kept"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("t.dbc:15:2: warning: signal 'MotorolaOutside'"), std::string::npos) << text;
  EXPECT_NE(text.find("t.dbc:16:1: error: duplicate message id 1"), std::string::npos) << text;
  EXPECT_NE(text.find("t.dbc:17:1: error: duplicate message name 'A'"), std::string::npos) << text;
  EXPECT_NE(text.find("t.dbc:20:2: warning: signal 'Y' overlaps signal 'X'"), std::string::npos)
      << text;
}

TEST(DbcParser, ReportsEveryErrorWithLineAndColumn) {
  const ParseResult r = parse(with_header(R"(
BO_ 1 A: 8 ECU
 SG_ Truncated : 0|8@1+ (1,0
 SG_ BadNumber : 8|8@1+ (1.2.3,0) [0|0] "" ECU
 SG_ BadOrder : 16|8@2+ (1,0) [0|0] "" ECU
 SG_ Good : 24|8@1+ (1,0) [0|0] "" ECU
FOO_ bar;
BO_ 2 TooBig: 65 ECU
)"),
                              "bad.dbc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.error_count(), 5U) << errors_of(r);
  const std::string text = errors_of(r);
  EXPECT_NE(text.find("bad.dbc:13:29: error: expected ')', found end of line"), std::string::npos)
      << text;
  EXPECT_NE(text.find("bad.dbc:14:26: error: expected the factor (a finite decimal number), "
                      "found '1.2.3'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("bad.dbc:15:22: error: expected byte order"), std::string::npos) << text;
  EXPECT_NE(text.find("bad.dbc:17:1: error: unknown section 'FOO_'"), std::string::npos) << text;
  EXPECT_NE(text.find("bad.dbc:18:15: error: expected a message size in bytes (an integer from 0 "
                      "to 64), found '65'"),
            std::string::npos)
      << text;
}

TEST(DbcParser, UnterminatedStringIsAnError) {
  const ParseResult r = parse(with_header("BO_ 1 A: 8 ECU\nCM_ BO_ 1 \"never closed;\n"), "u.dbc");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(errors_of(r).find("u.dbc:12:11: error: unterminated string"), std::string::npos)
      << errors_of(r);
}

TEST(DbcParser, BinaryGarbageGivesErrorsNotCrashes) {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::string text = with_header("BO_ 1 A: 8 ECU\n SG_ S : 0|8@1+ (1,0) [0|0] \"\" ECU\n");
    std::uniform_int_distribution<std::size_t> where(0, text.size() - 1);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 8; ++i)
      text[where(rng)] = static_cast<char>(byte(rng));
    text.resize(where(rng));  // and truncated
    const ParseResult r = parse(text, "garbage.dbc");
    for (const diag::Diagnostic& d : r.diagnostics.all()) {
      EXPECT_GT(d.where.line, 0U) << d.to_string();
    }
  }
  const ParseResult r = parse(std::string("BO_ 1 A: 8 ECU\n\x01\x02\xff garbage\n", 27), "g.dbc");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(errors_of(r).find("g.dbc:2:1: error: expected a DBC section keyword, found byte 0x1"),
            std::string::npos)
      << errors_of(r);
}

TEST(DbcParser, UnreadableFileIsADiagnostic) {
  const ParseResult r = parse_file("/nonexistent/file.dbc");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(errors_of(r).find("/nonexistent/file.dbc: error: cannot open DBC file"),
            std::string::npos)
      << errors_of(r);
}

// The Database's views point into storage it shares with its copies: the text given to
// parse() and the Database parsed from it may both be gone, a copy still reads its names.
TEST(DatabaseStorage, ViewsStayValidInACopyAfterTheTextAndTheOriginalAreGone) {
  std::optional<Database> copy;
  {
    auto text = std::make_unique<std::string>(
        "BO_ 100 A_Message_Name_Longer_Than_Sso: 8 ECU\n"
        " SG_ A_Signal_Name_Longer_Than_Sso : 0|8@1+ (1,0) [0|0] \"km/h\" ECU,GW\n"
        "CM_ SG_ 100 A_Signal_Name_Longer_Than_Sso \"a \\\"quoted\\\" comment\";\n"
        "VAL_ 100 A_Signal_Name_Longer_Than_Sso 0 \"Off\" 1 \"On\";\n");
    ParseResult r = parse(std::string_view(*text), "storage.dbc");
    text.reset();
    ASSERT_TRUE(r.ok()) << errors_of(r);
    copy = *r.database;
    const Database moved = std::move(*r.database);
    EXPECT_EQ(moved.messages.at(0).name, "A_Message_Name_Longer_Than_Sso");
  }
  const Message& m = copy->messages.at(0);
  EXPECT_EQ(m.name, "A_Message_Name_Longer_Than_Sso");
  const Signal* s = m.find_signal("A_Signal_Name_Longer_Than_Sso");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->unit, "km/h");
  EXPECT_EQ(s->comment(), "a \"quoted\" comment");
  EXPECT_EQ(s->receivers.names(), (std::vector<std::string_view>{"ECU", "GW"}));
  ASSERT_EQ(s->values().size(), 2U);
  EXPECT_EQ(s->values()[1].name, "On");
}

TEST(DatabaseStorage, SignalsWithoutNotesHaveNone) {
  const ParseResult r =
      parse("BO_ 1 M: 8 ECU\n SG_ Plain : 0|8@1+ (1,0) [0|0] \"\" \n", "plain.dbc");
  ASSERT_TRUE(r.ok()) << errors_of(r);
  const Signal& s = r.database->messages.at(0).signals.at(0);
  EXPECT_EQ(s.notes, nullptr);
  EXPECT_TRUE(s.receivers.empty());
  EXPECT_TRUE(s.comment().empty());
  EXPECT_FALSE(s.start_value().has_value());
}

}  // namespace
}  // namespace cabind::dbc
