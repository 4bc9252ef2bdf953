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
    case AuditKind::unsent:
      return "unsent";
    case AuditKind::expired:
      return "expired";
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
  std::string line = time;
  line += ' ';
  line += to_string(event.kind);
  if (!event.rule.empty()) line += " rule=" + std::string(event.rule);
  if (!event.output.empty()) line += " output=" + std::string(event.output);
  if (event.has_value) line += " value=" + number(event.value);
  if (event.attempt > 0) line += " attempt=" + std::to_string(event.attempt);
  if (!event.detail.empty()) line += ": " + std::string(event.detail);
  if (event.expression != nullptr) {
    const std::string why = event.expression->explain(event.evaluation);
    if (!why.empty()) {
      line += ": " + why;
    } else {
      line += event.evaluation.holds() ? ": '" : ": false: '";
      line += event.expression->text();
      line += '\'';
    }
  }
  return line;
}

}  // namespace cabind::engine
