#include "cabind/diag/diagnostic.hpp"

#include <utility>

namespace cabind::diag {

std::string Diagnostic::to_string() const {
  std::string text = where.file.empty() ? std::string("<input>") : where.file;
  if (where.line > 0) {
    text += ':' + std::to_string(where.line);
    if (where.column > 0) text += ':' + std::to_string(where.column);
  }
  text += severity == Severity::error ? ": error: " : ": warning: ";
  text += message;
  return text;
}

void Diagnostics::error(Location where, std::string message) {
  items_.push_back({Severity::error, std::move(where), std::move(message)});
  ++error_count_;
}

void Diagnostics::warning(Location where, std::string message) {
  items_.push_back({Severity::warning, std::move(where), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
  error_count_ += other.error_count_;
}

std::string Diagnostics::to_string() const {
  std::string text;
  for (const auto& item : items_) {
    text += item.to_string();
    text += '\n';
  }
  return text;
}

}  // namespace cabind::diag
