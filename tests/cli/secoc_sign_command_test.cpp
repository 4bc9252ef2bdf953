#include "cabind/cli/secoc_sign_command.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cabind::cli {
namespace {

namespace fs = std::filesystem;

class SecocSignCommand : public ::testing::Test {
 protected:
  SecocSignCommand()
      : key_(fs::path(::testing::TempDir()) /
             ("cabind-sign-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".key")) {
    std::ofstream(key_) << "000102030405060708090a0b0c0d0e0f\n";
    ::chmod(key_.c_str(), 0600);
  }
  ~SecocSignCommand() override { fs::remove(key_); }

  int run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return run_secoc(args, out_, err_);
  }

  fs::path key_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(SecocSignCommand, SignsConsecutiveFramesWithConsecutiveCounters) {
  ASSERT_EQ(run({"sign", "--key", key_, "--data-id", "257", "--counter", "5", "122#03000000",
                 "122#03000000"}),
            0)
      << err_.str();
  // Counter 5 is the python3-cryptography vector of tests/signal/secoc_test.cpp.
  EXPECT_EQ(out_.str(), "122#03000000058175C2\n122#0300000006D87345\n");
}

TEST_F(SecocSignCommand, RefusesAKeyFileOthersCanRead) {
  ::chmod(key_.c_str(), 0644);
  EXPECT_EQ(run({"sign", "--key", key_, "--data-id", "257", "--counter", "5", "122#03"}), 2);
  EXPECT_EQ(err_.str(), "cabind secoc sign: key file " + key_.string() +
                            " has mode 0644; it must be 0600 or 0400 (chmod 600)\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(SecocSignCommand, RefusesAFrameWithNoRoomForTheTrailer) {
  EXPECT_EQ(run({"sign", "--key", key_, "--data-id", "1", "--counter", "0", "122#0102030405"}), 2);
  EXPECT_EQ(err_.str(),
            "cabind secoc sign: frame '122#0102030405': a classic data frame of at most 4 "
            "authentic bytes\n");
}

TEST_F(SecocSignCommand, NamesWhatAnArgumentShouldBe) {
  EXPECT_EQ(run({"sign", "--key", key_, "--data-id", "70000", "--counter", "0", "122#01"}), 2);
  EXPECT_NE(err_.str().find("--data-id: expected an integer 0..65535, got '70000'"),
            std::string::npos)
      << err_.str();
  EXPECT_EQ(run({"sign", "--key", key_, "--data-id", "1", "--counter", "0", "--mac-bits", "20",
                 "122#01"}),
            2);
  EXPECT_NE(err_.str().find("--mac-bits: expected a multiple of 8 in 24..128"), std::string::npos);
  EXPECT_EQ(run({"sign", "--key", key_, "122#01"}), 2);
  EXPECT_NE(err_.str().find("--key, --data-id, --counter and a FRAME are required"),
            std::string::npos);
  EXPECT_EQ(run({"verify"}), 2);
  EXPECT_EQ(err_.str().rfind("usage: cabind secoc sign", 0), 0U);
}

}  // namespace
}  // namespace cabind::cli
