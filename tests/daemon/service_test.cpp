// The daemon's Service in process, on the demo configuration, with no control socket and
// no state directory. Its bus may be absent (no vcan0 on the host): it then waits for it.
#include "cabind/daemon/service.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "cabind/control/client.hpp"
#include "cabind/daemon/guarded_run.hpp"

namespace cabind::daemon {
namespace {

class ServiceTest : public ::testing::Test {
 protected:
  ServiceOptions options() const {
    ServiceOptions o;
    o.config_file = CABIND_SOURCE_DIR "/config/demo/vehicle.yaml";
    o.max_exceptions = 3;
    return o;
  }
  void run() {
    run_guarded(io_, [this](std::string_view what) { service_->on_exception("test", what); });
  }
  boost::asio::io_context io_{1};
  Notifier notifier_{nullptr, nullptr};
  std::unique_ptr<Service> service_;
};

TEST_F(ServiceTest, AnEscapedExceptionIsCountedAndTheDaemonGoesOn) {
  service_ = std::make_unique<Service>(io_, options(), notifier_);
  service_->start();
  boost::asio::post(io_, [] { throw std::runtime_error("boom"); });
  bool later_handler_ran = false;
  boost::asio::post(io_, [&] {
    later_handler_ran = true;
    io_.stop();  // end the test's run here, as SIGTERM would
  });
  run();
  EXPECT_TRUE(later_handler_ran);
  EXPECT_EQ(service_->exceptions(), 1U);
  EXPECT_EQ(service_->exit_code(), 0);
}

TEST_F(ServiceTest, RepeatedExceptionsStopTheDaemonWithAFailureStatus) {
  service_ = std::make_unique<Service>(io_, options(), notifier_);
  service_->start();
  for (int i = 0; i < 3; ++i)
    boost::asio::post(io_, [] { throw std::runtime_error("boom"); });
  bool after_stop_ran = false;
  boost::asio::post(io_, [&] { after_stop_ran = true; });
  run();  // returns by itself: the third exception stops the daemon
  EXPECT_EQ(service_->exceptions(), 3U);
  EXPECT_EQ(service_->exit_code(), 1);
  EXPECT_TRUE(io_.stopped());
  EXPECT_FALSE(after_stop_ran);
}

// The control socket's identify on the service's own thread, as cabinctl uses it.
class ServiceIdentifyTest : public ServiceTest {
 protected:
  void TearDown() override {
    if (thread_.joinable()) {
      boost::asio::post(io_, [this] { io_.stop(); });
      thread_.join();
    }
  }
  nlohmann::json identify_fob(ServiceOptions o, int code) {
    o.control_socket = dir_ / "cabind.sock";
    service_ = std::make_unique<Service>(io_, o, notifier_);
    service_->start();
    thread_ = std::thread([this] { run(); });
    control::Client client(o.control_socket.string());
    return client.request({{"command", "identify"}, {"kind", "fob"}, {"code", code}});
  }
  // tests/engine/data/secoc with its key file (0600, this user's) and the demo's profiles.
  ServiceOptions secoc_options() {
    std::filesystem::copy(CABIND_SOURCE_DIR "/tests/engine/data/secoc", dir_,
                          std::filesystem::copy_options::recursive);
    std::filesystem::create_directory_symlink(CABIND_SOURCE_DIR "/config/demo/profiles",
                                              dir_ / "profiles");
    std::ofstream(dir_ / "fob.key") << "000102030405060708090a0b0c0d0e0f\n";
    std::filesystem::permissions(
        dir_ / "fob.key", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    ServiceOptions o = options();
    o.config_file = dir_ / "vehicle.yaml";
    return o;
  }
  std::filesystem::path dir_ = [] {
    auto d = std::filesystem::path(::testing::TempDir()) /
             ("cabind-service-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
  }();
  std::thread thread_;
};

TEST_F(ServiceIdentifyTest, IdentifySelectsTheDriverOfAPlainIdentitySource) {
  const auto reply = identify_fob(options(), 3);
  EXPECT_EQ(reply["ok"], true) << reply.dump();
}

TEST_F(ServiceIdentifyTest, IdentifyIsRefusedForASecocProtectedSource) {
  const auto reply = identify_fob(secoc_options(), 3);
  EXPECT_EQ(reply["ok"], false);
  EXPECT_EQ(reply["error"],
            "identify: Keyfob_Secured is protected by SecOC; cabind does not forge its MAC (send "
            "a frame signed with its key: cabind secoc sign)");
  // Refused before the engine: no unauthentic frame counted, no driver.
  control::Client client((dir_ / "cabind.sock").string());
  const auto metrics = client.request({{"command", "metrics"}});
  EXPECT_EQ(metrics["result"]["signals"]["unauthentic"], 0);
  EXPECT_TRUE(client.request({{"command", "status"}})["result"]["driver"].is_null());
}

}  // namespace
}  // namespace cabind::daemon
