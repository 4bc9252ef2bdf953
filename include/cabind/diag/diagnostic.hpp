#pragma once
// A load-time finding about an input file (DBC, YAML config, rule expression),
// located precisely enough for an integrator to fix it:
//   "config/demo/vehicle.yaml:12:5: error: unknown key 'fann' (did you mean 'fan'?)"
// Lines and columns are 1-based; 0 means "unknown" and is left out of the text.

#include <cstdint>
#include <string>
#include <vector>

namespace cabind::diag {

enum class Severity : std::uint8_t { warning, error };

struct Location {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

struct Diagnostic {
  Severity severity = Severity::error;
  Location where;
  std::string message;

  // "file:line:column: error: message"
  [[nodiscard]] std::string to_string() const;
};

// Findings of one load. A load succeeds when it has no error (warnings allowed).
class Diagnostics {
 public:
  void error(Location where, std::string message);
  void warning(Location where, std::string message);
  void append(const Diagnostics& other);

  [[nodiscard]] bool has_errors() const noexcept { return error_count_ > 0; }
  [[nodiscard]] std::size_t error_count() const noexcept { return error_count_; }
  [[nodiscard]] const std::vector<Diagnostic>& all() const noexcept { return items_; }
  [[nodiscard]] bool empty() const noexcept { return items_.empty(); }

  // Every finding, one per line, in the order found.
  [[nodiscard]] std::string to_string() const;

 private:
  std::vector<Diagnostic> items_;
  std::size_t error_count_ = 0;
};

}  // namespace cabind::diag
