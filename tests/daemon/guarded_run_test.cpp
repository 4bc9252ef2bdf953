#include "cabind/daemon/guarded_run.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace cabind::daemon {
namespace {

TEST(GuardedRun, AnEscapingExceptionIsReportedAndTheOtherHandlersStillRun) {
  boost::asio::io_context io;
  std::vector<std::string> ran;
  boost::asio::post(io, [] { throw std::runtime_error("handler failed"); });
  boost::asio::post(io, [&] { ran.push_back("second"); });
  boost::asio::post(io, [] { throw 42; });
  boost::asio::post(io, [&] { ran.push_back("fourth"); });
  std::vector<std::string> escaped;
  run_guarded(io, [&](std::string_view what) { escaped.emplace_back(what); });
  EXPECT_EQ(escaped, (std::vector<std::string>{"handler failed", "an exception of unknown type"}));
  EXPECT_EQ(ran, (std::vector<std::string>{"second", "fourth"}));
}

TEST(GuardedRun, StoppingFromTheReportEndsTheLoopWithWorkLeft) {
  boost::asio::io_context io;
  boost::asio::steady_timer later(io, std::chrono::hours(1));
  bool timer_ran = false;
  later.async_wait([&](const boost::system::error_code&) { timer_ran = true; });
  boost::asio::post(io, [] { throw std::runtime_error("fatal"); });
  int reports = 0;
  run_guarded(io, [&](std::string_view) {
    ++reports;
    io.stop();
  });
  EXPECT_EQ(reports, 1);
  EXPECT_TRUE(io.stopped());
  EXPECT_FALSE(timer_ran);
}

}  // namespace
}  // namespace cabind::daemon
