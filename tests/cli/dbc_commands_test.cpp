#include "cabind/cli/dbc_commands.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cabind::cli {
namespace {

constexpr std::string_view climate_dbc = R"(VERSION ""
BU_: HVAC
BO_ 1050 Climate_Control_Data: 8 HVAC
 SG_ InCarTemp : 7|8@0+ (0.5,-40) [-40|87.5] "degC" HVAC
 SG_ Fan : 8|4@1+ (1,0) [0|15] "" HVAC
 SG_ Mode M : 16|2@1+ (1,0) [0|3] "" HVAC
 SG_ Recirc m1 : 18|1@1+ (1,0) [0|1] "" HVAC
 SG_ Tail : 56|8@1+ (1,0) [0|0] "" HVAC
BO_ 2147485648 Ext: 8 HVAC
 SG_ Value : 0|16@1- (0.1,0) [0|0] "" HVAC
)";

class DbcCommands : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cabind_cli_dbc_" + std::to_string(::getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    dbc_ = write("climate.dbc", climate_dbc);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, std::string_view text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  int decode(std::vector<std::string> args, const std::string& stdin_text) {
    std::istringstream in(stdin_text);
    out_.str("");
    err_.str("");
    return run_decode(args, in, out_, err_);
  }

  std::filesystem::path dir_;
  std::string dbc_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(DbcCommands, DecodePrintsOneJsonObjectPerFrame) {
  const std::string log =
      "(1700000000.123456) can0 41A#7803010000000009\n"
      "(1700000000.200000) can0 41A#7803000000000009\n"
      "(1700000001.000000) can0 123#00\n"
      "(1700000002.000000) can0 000007D0#9CFF\n";
  ASSERT_EQ(decode({"--dbc", dbc_}, log), 0) << err_.str();
  EXPECT_EQ(
      out_.str(),
      "{\"t\":1700000000.123456,\"id\":1050,\"message\":\"Climate_Control_Data\","
      "\"signals\":{\"InCarTemp\":20.0,\"Fan\":3.0,\"Mode\":1.0,\"Recirc\":0.0,\"Tail\":9.0}}\n"
      "{\"t\":1700000000.2,\"id\":1050,\"message\":\"Climate_Control_Data\","
      "\"signals\":{\"InCarTemp\":20.0,\"Fan\":3.0,\"Mode\":0.0,\"Tail\":9.0}}\n"
      "{\"t\":1700000001.0,\"id\":291,\"message\":null,\"signals\":{}}\n"
      "{\"t\":1700000002.0,\"id\":2000,\"message\":\"Ext\",\"signals\":{\"Value\":-10.0}}\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(DbcCommands, DecodeReadsALogFileAndLeavesOutSignalsBeyondAShortPayload) {
  const std::string log = write("short.log", "(1.500000) vcan0 41A#7803\n");
  ASSERT_EQ(decode({"--dbc", dbc_, log}, ""), 0) << err_.str();
  EXPECT_EQ(out_.str(),
            "{\"t\":1.5,\"id\":1050,\"message\":\"Climate_Control_Data\","
            "\"signals\":{\"InCarTemp\":20.0,\"Fan\":3.0}}\n");
}

TEST_F(DbcCommands, DecodeReportsAMalformedLineWithItsNumber) {
  EXPECT_EQ(decode({"--dbc", dbc_, "-"}, "(1.000000) can0 41A#78\n(2.000000) can0 41A#ZZ\n"), 1);
  EXPECT_NE(err_.str().find("<stdin>:2"), std::string::npos) << err_.str();
  EXPECT_NE(out_.str().find("\"t\":1.0"), std::string::npos);  // the good line came first
}

TEST_F(DbcCommands, DecodeUsageAndDbcErrorsExitWith2) {
  EXPECT_EQ(decode({}, ""), 2);
  EXPECT_NE(err_.str().find("usage: cabind decode"), std::string::npos);
  EXPECT_EQ(decode({"--dbc", dbc_, "--frobnicate"}, ""), 2);
  EXPECT_EQ(decode({"--dbc", dbc_, "a.log", "b.log"}, ""), 2);
  const std::string bad = write("bad.dbc", "BO_ 1 A: 8 X\n SG_ S : 0|8@1+ (1,0) [0|0]\n");
  EXPECT_EQ(decode({"--dbc", bad}, ""), 2);
  EXPECT_NE(err_.str().find("bad.dbc:2:"), std::string::npos) << err_.str();
  EXPECT_EQ(decode({"--dbc", dbc_, (dir_ / "missing.log").string()}, ""), 1);
}

TEST_F(DbcCommands, DbcCheckPrintsASummary) {
  std::ostringstream out;
  std::ostringstream err;
  const std::vector<std::string> args{dbc_};
  EXPECT_EQ(run_dbc_check(args, out, err), 0);
  EXPECT_EQ(out.str(), dbc_ + ": 2 messages, 6 signals\n");
  EXPECT_EQ(err.str(), "");
}

TEST_F(DbcCommands, DbcCheckPrintsEveryError) {
  const std::string bad = write("bad.dbc",
                                "BO_ 1 A: 8 X\n"
                                " SG_ S : 0|8@1+ (x,0) [0|0] \"\" X\n"
                                "BO_ 1 B: 8 X\n");
  std::ostringstream out;
  std::ostringstream err;
  const std::vector<std::string> args{bad};
  EXPECT_EQ(run_dbc_check(args, out, err), 2);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(err.str().find(bad + ":2:18: error: expected the factor"), std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find(bad + ":3:1: error: duplicate message id 1"), std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find(bad + ": 2 error(s)"), std::string::npos) << err.str();
}

TEST_F(DbcCommands, DbcCheckCountsWarningsAndStrictRefusesThem) {
  const std::string quirky = write("quirky.dbc",
                                   "BO_ 103596083 BSM_LEFT: 8 X\n"
                                   " SG_ S : 0|8@1+ (1,0) [0|0] \"\" X\n"
                                   "VAL_ 103596083 S 1 \"On\" 0 \"Off\"\n");
  std::ostringstream out;
  std::ostringstream err;
  const std::vector<std::string> tolerant{quirky};
  EXPECT_EQ(run_dbc_check(tolerant, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), quirky + ": 1 messages, 1 signals, 2 warning(s)\n");
  EXPECT_NE(err.str().find(quirky + ":1:5: warning: id 103596083 (0x62CC033) is above 0x7FF"),
            std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find(quirky + ":3:32: warning: missing ';' at the end of VAL_"),
            std::string::npos)
      << err.str();
  std::ostringstream strict_out;
  std::ostringstream strict_err;
  const std::vector<std::string> strict{"--strict", quirky};
  EXPECT_EQ(run_dbc_check(strict, strict_out, strict_err), 2);
  EXPECT_EQ(strict_out.str(), "");
  EXPECT_NE(strict_err.str().find(quirky + ":1:5: error: id 103596083"), std::string::npos)
      << strict_err.str();
  EXPECT_NE(strict_err.str().find(quirky + ": 2 error(s)"), std::string::npos) << strict_err.str();
}

TEST_F(DbcCommands, DbcCheckUsage) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_dbc_check({}, out, err), 2);
  EXPECT_NE(err.str().find("usage: cabind dbc-check [--strict] FILE"), std::string::npos);
}

}  // namespace
}  // namespace cabind::cli
