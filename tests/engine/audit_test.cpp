// format_audit: the reason a blocked, skipped or unknown line gives comes from values
// captured when the event was recorded.
#include "cabind/engine/audit.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>

#include "cabind/rules/compiler.hpp"
#include "cabind/rules/symbol_table.hpp"

namespace cabind::engine {
namespace {

constexpr std::string_view kSeatMotion =
    "Vehicle.Speed == 0 and Vehicle.Powertrain.Transmission.CurrentGear == 'P'";

class EngineAuditFormat : public ::testing::Test {
 protected:
  EngineAuditFormat() {
    names_.add_signal("Vehicle.Speed", 0, rules::ValueType::number, {}, "km/h");
    names_.add_signal("Vehicle.Powertrain.Transmission.CurrentGear", 1, rules::ValueType::number,
                      {{"P", 0}, {"R", 1}, {"N", 2}, {"D", 3}});
    diag::Diagnostics diagnostics;
    auto compiled = rules::compile_expression(kSeatMotion, {"vehicle.yaml", 59, 16}, names_,
                                              rules::ValueType::boolean, diagnostics);
    EXPECT_TRUE(compiled) << diagnostics.to_string();
    if (compiled) interlock_ = std::move(*compiled);
  }

  [[nodiscard]] rules::EvalContext context() const { return {{values_, validity_}, {}, 7, 1}; }
  // A blocked event recorded the way the actuator records it.
  [[nodiscard]] AuditEvent blocked() const {
    AuditEvent event;
    event.time = std::chrono::milliseconds(1200);
    event.kind = AuditKind::blocked;
    event.rule = "recall_seat_when_parked";
    event.output = "Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall";
    event.detail = "seat_motion";
    event.value = 1;
    event.has_value = true;
    event.expression = &interlock_;
    event.evaluation = interlock_.evaluate(context());
    event.explanation = interlock_.trace(context());
    return event;
  }

  rules::SymbolTable names_;
  rules::CompiledExpression interlock_;
  std::array<double, 2> values_{50, 3};
  std::array<std::uint8_t, 2> validity_{0, 0};
};

TEST_F(EngineAuditFormat, ABlockedLineNamesTheInterlockTheOperandAndItsValue) {
  EXPECT_EQ(format_audit(blocked()),
            "1.200 blocked rule=recall_seat_when_parked "
            "output=Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall value=1: by interlock "
            "seat_motion: Vehicle.Speed=50 km/h (needs == 0)");
  values_[0] = 0;
  EXPECT_EQ(format_audit_fields(blocked()),
            "blocked rule=recall_seat_when_parked "
            "output=Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall value=1: by interlock "
            "seat_motion: Vehicle.Powertrain.Transmission.CurrentGear=D (needs == 'P')");
  validity_[0] = 2;
  EXPECT_EQ(format_audit_fields(blocked()),
            "blocked rule=recall_seat_when_parked "
            "output=Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall value=1: by interlock "
            "seat_motion: Vehicle.Powertrain.Transmission.CurrentGear=D (needs == 'P')");
  values_[1] = 0;
  EXPECT_EQ(format_audit_fields(blocked()),
            "blocked rule=recall_seat_when_parked "
            "output=Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall value=1: by interlock "
            "seat_motion: Vehicle.Speed stale");
}

TEST_F(EngineAuditFormat, PrintsTheValuesOfWhenTheEventWasRecorded) {
  const AuditEvent event = blocked();  // 50 km/h
  values_[0] = 0;                      // stopped before the sink formats the event
  EXPECT_NE(format_audit(event).find("Vehicle.Speed=50 km/h (needs == 0)"), std::string::npos);
}

TEST_F(EngineAuditFormat, AnEventWithoutATraceQuotesTheWholeExpression) {
  AuditEvent event = blocked();
  event.explanation = {};
  EXPECT_EQ(format_audit_fields(event),
            "blocked rule=recall_seat_when_parked "
            "output=Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall value=1: by interlock "
            "seat_motion: false: '" +
                std::string(kSeatMotion) + "'");
}

TEST_F(EngineAuditFormat, ASkippedRuleNamesTheClockValue) {
  rules::SymbolTable names;
  diag::Diagnostics diagnostics;
  const auto when = rules::compile_expression("hour >= 8", {"rules.yaml", 1, 1}, names,
                                              rules::ValueType::boolean, diagnostics);
  ASSERT_TRUE(when);
  AuditEvent event;
  event.kind = AuditKind::rule_skipped;
  event.rule = "morning";
  event.expression = &*when;
  event.explanation = when->trace(context());  // hour 7
  event.evaluation = event.explanation.result;
  EXPECT_EQ(format_audit(event), "0.000 skipped rule=morning: hour=7 (needs >= 8)");
}

}  // namespace
}  // namespace cabind::engine
