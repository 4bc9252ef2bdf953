#include "cabind/engine/audit.hpp"

#include <cstdio>

namespace cabind::engine {

std::string_view to_string(AuditKind kind) noexcept {
  switch (kind) {
    case AuditKind::driver_changed:
      return "driver";
    case AuditKind::rule_fired:
      return "fired";
    case AuditKind::rule_skipped:
      return "skipped";
    case AuditKind::value_unknown:
      return "unknown";
    case AuditKind::overridden:
      return "overridden";
    case AuditKind::clamped:
      return "clamped";
    case AuditKind::sent:
      return "sent";
    case AuditKind::blocked:
      return "blocked";
    case AuditKind::confirmed:
      return "confirmed";
    case AuditKind::retry:
      return "retry";
    case AuditKind::failed:
      return "failed";
    case AuditKind::learned:
      return "learned";
    case AuditKind::cancelled:
      return "cancelled";
    case AuditKind::driver_left:
      return "left";
    case AuditKind::unsent:
      return "unsent";
    case AuditKind::expired:
      return "expired";
    case AuditKind::unauthentic:
      return "unauthentic";
    case AuditKind::secoc_alarm:
      return "secoc_alarm";
    case AuditKind::published:
      return "published";
  }
  return "?";
}

namespace {
std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}
}  // namespace

std::string format_audit(const AuditEvent& event) {
  char time[32];
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(event.time).count();
  std::snprintf(time, sizeof time, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return std::string(time) + ' ' + format_audit_fields(event);
}

std::string format_audit_fields(const AuditEvent& event) {
  std::string line(to_string(event.kind));
  if (!event.rule.empty()) line += " rule=" + std::string(event.rule);
  if (!event.output.empty()) line += " output=" + std::string(event.output);
  if (event.has_value) line += " value=" + number(event.value);
  if (event.attempt > 0) line += " attempt=" + std::to_string(event.attempt);
  if (!event.detail.empty()) {
    // An interlock's name alone reads like a reason; say what it is.
    const bool interlock = event.kind == AuditKind::blocked && event.expression != nullptr;
    line += interlock ? ": by interlock " : ": ";
    line += event.detail;
  }
  if (!event.payload.empty()) {
    line += ' ';
    line += event.payload;
  }
  if (event.expression != nullptr) {
    rules::Explanation explanation = event.explanation;
    if (!explanation.traced) explanation.result = event.evaluation;
    line += ": " + event.expression->describe(explanation);
  }
  return line;
}

}  // namespace cabind::engine
