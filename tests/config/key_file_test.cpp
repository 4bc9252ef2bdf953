#include "cabind/config/key_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cabind/config/loader.hpp"

namespace cabind::config {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKeyText = "000102030405060708090a0b0c0d0e0f\n";

class SecocKeyFile : public ::testing::Test {
 protected:
  SecocKeyFile()
      : dir_(fs::path(::testing::TempDir()) /
             ("cabind-key-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~SecocKeyFile() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text, mode_t mode) const {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }

  fs::path dir_;
};

TEST_F(SecocKeyFile, ReadsAKeyOwnedByTheServiceUserWithMode0600Or0400) {
  std::string why;
  for (const mode_t mode : {0600U, 0400U}) {
    const auto key = read_key_file(write("fob.key", kKeyText, mode), ::geteuid(), why);
    ASSERT_TRUE(key) << why;
    EXPECT_EQ((*key)[0], 0x00);
    EXPECT_EQ((*key)[15], 0x0F);
    fs::remove(dir_ / "fob.key");
  }
}

TEST_F(SecocKeyFile, RefusesAKeyOthersCouldRead) {
  std::string why;
  EXPECT_FALSE(read_key_file(write("fob.key", kKeyText, 0644), ::geteuid(), why));
  EXPECT_EQ(why, "has mode 0644; it must be 0600 or 0400 (chmod 600)");
  EXPECT_FALSE(read_key_file(write("group.key", kKeyText, 0640), ::geteuid(), why));
  EXPECT_EQ(why, "has mode 0640; it must be 0600 or 0400 (chmod 600)");
}

TEST_F(SecocKeyFile, RefusesAKeyOwnedBySomeoneElse) {
  std::string why;
  const unsigned other = ::geteuid() + 1;
  EXPECT_FALSE(read_key_file(write("fob.key", kKeyText, 0600), other, why));
  EXPECT_EQ(why, "is owned by uid " + std::to_string(::geteuid()) +
                     ", not by the service user (uid " + std::to_string(other) + ")");
}

TEST_F(SecocKeyFile, RefusesASymlinkEvenToAGoodKey) {
  const fs::path target = write("fob.key", kKeyText, 0600);
  fs::create_symlink(target, dir_ / "link.key");
  std::string why;
  EXPECT_FALSE(read_key_file(dir_ / "link.key", ::geteuid(), why));
  EXPECT_EQ(why, "is a symbolic link (give the file itself, not a link)");
}

TEST_F(SecocKeyFile, RefusesMalformedContentWithoutQuotingIt) {
  std::string why;
  for (const std::string text : {"00010203", "000102030405060708090a0b0c0d0e0fff\n",
                                 "zz0102030405060708090a0b0c0d0e0f", ""}) {
    EXPECT_FALSE(read_key_file(write("bad.key", text, 0600), ::geteuid(), why)) << text;
    EXPECT_EQ(why, "must hold exactly 32 hex digits (one AES-128 key) and a newline at most");
    fs::remove(dir_ / "bad.key");
  }
}

TEST_F(SecocKeyFile, LoaderNamesTheKeyEntryOfVehicleYaml) {
  write("fob.key", kKeyText, 0644);
  std::ofstream(dir_ / "vehicle.yaml")
      << "bus: { interface: vcan0 }\n"
         "dbc: " CABIND_SOURCE_DIR
         "/config/demo/demo_body.dbc\n"
         "signals:\n"
         "  Identity.KeyFob: Keyfob_Status.FobId\n"
         "profiles: " CABIND_SOURCE_DIR
         "/config/demo/profiles\n"
         "integrity:\n"
         "  Keyfob_Status:\n"
         "    secoc: { data_id: 257, key: fob.key, mac_bits: 24 }\n";
  const auto result = load(dir_ / "vehicle.yaml");
  ASSERT_FALSE(result.ok());
  const std::string text = result.diagnostics.to_string();
  // Keyfob_Status is 4 bytes: no room for an authentic payload beside profile 1's trailer.
  EXPECT_NE(text.find((dir_ / "vehicle.yaml").string() + ":8:33: error: key file " +
                      (dir_ / "fob.key").string() + " has mode 0644"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(":8:12: error: secoc: message 'Keyfob_Status' has 4 bytes: after its "
                      "4-byte freshness value and MAC no authentic payload is left"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("0001020304"), std::string::npos) << "the key was printed: " << text;
}

// Two authenticated messages with one Data ID would verify each other's frames and share
// one stored freshness counter: refused at the later data_id, naming the earlier one.
TEST_F(SecocKeyFile, LoaderRefusesADataIdTwoMessagesShare) {
  write("a.key", kKeyText, 0600);
  write("b.key", kKeyText, 0600);
  const auto vehicle = [this](int second_id) {
    std::ofstream(dir_ / "vehicle.yaml") << "bus: { interface: vcan0 }\n"
                                            "dbc: " CABIND_SOURCE_DIR
                                            "/config/demo/demo_body.dbc\n"
                                            "signals:\n"
                                            "  Identity.KeyFob: Keyfob_Status.FobId\n"
                                            "profiles: " CABIND_SOURCE_DIR
                                            "/config/demo/profiles\n"
                                            "integrity:\n"
                                            "  Seat_Status:\n"
                                            "    secoc: { data_id: 300, key: a.key }\n"
                                            "  Identity_Token:\n"
                                            "    secoc: { data_id: "
                                         << second_id << ", key: b.key }\n";
    return load(dir_ / "vehicle.yaml").diagnostics.to_string();
  };
  const std::string shared = vehicle(300);
  EXPECT_NE(shared.find((dir_ / "vehicle.yaml").string() +
                        ":10:23: error: secoc: data_id 300 is already the Data ID of "
                        "'Seat_Status' (line 8): each authenticated message needs its own"),
            std::string::npos)
      << shared;
  const std::string distinct = vehicle(301);
  EXPECT_EQ(distinct.find("already the Data ID"), std::string::npos) << distinct;
  EXPECT_EQ(distinct.find("secoc"), std::string::npos) << distinct;
}

// The bytes after a SecOC message's authentic payload are its freshness value and MAC: a
// signal bound there would read noise. Seat_Status is 6 bytes, profile 1 takes the last 4;
// ActiveSlot (bits 1-4) is inside, the Motorola Position (bytes 1-2) reaches byte 2.
TEST_F(SecocKeyFile, LoaderRefusesABoundSignalPastTheAuthenticPayload) {
  write("a.key", kKeyText, 0600);
  std::ofstream(dir_ / "vehicle.yaml") << "bus: { interface: vcan0 }\n"
                                          "dbc: " CABIND_SOURCE_DIR
                                          "/config/demo/demo_body.dbc\n"
                                          "signals:\n"
                                          "  Seat.Slot: Seat_Status.ActiveSlot\n"
                                          "  Seat.Position: Seat_Status.Position\n"
                                          "profiles: " CABIND_SOURCE_DIR
                                          "/config/demo/profiles\n"
                                          "integrity:\n"
                                          "  Seat_Status:\n"
                                          "    secoc: { data_id: 300, key: a.key }\n";
  const std::string text = load(dir_ / "vehicle.yaml").diagnostics.to_string();
  EXPECT_NE(text.find((dir_ / "vehicle.yaml").string() +
                      ":5:18: error: signal 'Seat_Status.Position' reaches past the authentic "
                      "payload of its SecOC message (the first 2 of 6 bytes; the rest is the "
                      "freshness value and MAC)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("ActiveSlot"), std::string::npos) << text;
}

TEST_F(SecocKeyFile, MqttPrivateKeyIsCheckedButNotRead) {
  std::string why;
  EXPECT_TRUE(
      check_private_file(write("car.key", "-----BEGIN PRIVATE KEY-----\n", 0600), ::geteuid(), why))
      << why;
  EXPECT_FALSE(check_private_file(write("open.key", "x", 0644), ::geteuid(), why));
  EXPECT_EQ(why, "has mode 0644; it must be 0600 or 0400 (chmod 600)");
  EXPECT_FALSE(check_private_file(dir_ / "missing.key", ::geteuid(), why));
  EXPECT_NE(why.find("cannot be opened"), std::string::npos) << why;
}

TEST_F(SecocKeyFile, PasswordFileHoldsOneLineUnderTheSameRules) {
  std::string why;
  EXPECT_EQ(read_password_file(write("p", "s3cret with spaces\n", 0400), ::geteuid(), why),
            "s3cret with spaces");
  EXPECT_FALSE(read_password_file(write("open", "s3cret\n", 0644), ::geteuid(), why));
  EXPECT_EQ(why, "has mode 0644; it must be 0600 or 0400 (chmod 600)");
  for (const std::string& bad :
       {std::string(""), std::string("two\nlines\n"), std::string(max_password_size + 1, 'a')}) {
    EXPECT_FALSE(read_password_file(write("bad", bad, 0600), ::geteuid(), why)) << bad;
    EXPECT_EQ(why.find("two"), std::string::npos) << "the content was quoted: " << why;
  }
}

TEST_F(SecocKeyFile, LoaderReadsTheMqttPasswordAndResolvesTheFilesBesideVehicleYaml) {
  write("broker.password", "hunter2hunter2\n", 0600);
  write("ca.pem", "ca\n", 0644);
  std::ofstream(dir_ / "vehicle.yaml")
      << "bus: { interface: vcan0 }\n"
         "dbc: " CABIND_SOURCE_DIR
         "/config/demo/demo_body.dbc\n"
         "signals: {}\n"
         "profiles: " CABIND_SOURCE_DIR
         "/config/demo/profiles\n"
         "mqtt: { url: mqtts://127.0.0.1, thing: car, ca_file: ca.pem,\n"
         "        password_file: broker.password }\n";
  const auto result = load(dir_ / "vehicle.yaml");
  ASSERT_TRUE(result.ok()) << result.diagnostics.to_string();
  ASSERT_TRUE(result.config->mqtt);
  EXPECT_EQ(result.config->mqtt->password, "hunter2hunter2");
  EXPECT_EQ(result.config->mqtt->ca_file, (dir_ / "ca.pem").string());
}

}  // namespace
}  // namespace cabind::config
