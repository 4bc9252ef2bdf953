// The daemon's Service in process, on the demo configuration, with no control socket and
// no state directory. Its bus may be absent (no vcan0 on the host): it then waits for it.
#include "cabind/daemon/service.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <stdexcept>

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

}  // namespace
}  // namespace cabind::daemon
