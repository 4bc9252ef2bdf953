#include "cabind/config/yaml_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

namespace cabind::config {

namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::string_view without_sign(std::string_view text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  return text;
}

bool is_yaml11_boolean(std::string_view text) {
  static constexpr std::array<std::string_view, 6> kWords = {"yes", "no", "on", "off", "y", "n"};
  const std::string word = lower(text);
  return std::find(kWords.begin(), kWords.end(), word) != kWords.end();
}

// Integer spellings YAML 1.1 reads differently from what a reader of the file expects:
// 0o12 and 012 (octal), 0x1F (hex), 1:30 (base 60), 1_000.
std::optional<std::string> yaml11_number_surprise(std::string_view text) {
  const std::string_view digits = without_sign(text);
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'o' || digits[1] == 'O')) {
    return "octal";
  }
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    return "hexadecimal";
  }
  if (digits.size() > 1 && digits[0] == '0' && all_digits(digits)) {
    return "octal (leading zero)";
  }
  const auto colon = digits.find(':');
  if (colon != std::string_view::npos && colon > 0 && all_digits(digits.substr(0, colon))) {
    return "base-60";
  }
  if (digits.find('_') != std::string_view::npos && !digits.empty() &&
      std::isdigit(static_cast<unsigned char>(digits[0])) != 0) {
    return "a number with '_' separators";
  }
  return std::nullopt;
}

bool looks_numeric(std::string_view text) {
  const std::string_view digits = without_sign(text);
  if (digits.empty()) return false;
  double ignored = 0;
  const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), ignored);
  return result.ec == std::errc() && result.ptr == digits.data() + digits.size() &&
         std::isdigit(static_cast<unsigned char>(digits.back())) != 0;
}

bool is_null_word(std::string_view text) {
  const std::string word = lower(text);
  return word == "null" || word == "~";
}

bool is_name_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.';
}

std::string format_number(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string_view> closest(std::string_view word,
                                        const std::vector<std::string_view>& candidates) {
  std::optional<std::string_view> best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string describe(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::null:
      return "nothing (null)";
    case YamlNode::Kind::sequence:
      return "a list";
    case YamlNode::Kind::mapping:
      return "a mapping";
    case YamlNode::Kind::scalar:
      break;
  }
  std::string shown = node.value.size() > 40 ? node.value.substr(0, 40) + "..." : node.value;
  if (node.style == YamlNode::Style::plain && looks_numeric(node.value)) {
    return "the number " + shown;
  }
  return "the string \"" + shown + "\"";
}

void YamlReader::error(const YamlNode& node, std::string message) {
  diagnostics_.error(at(node), std::move(message));
}

const YamlNode* YamlReader::Fields::get(std::string_view key) const noexcept {
  for (std::size_t i = 0; i + 1 < map_->children.size(); i += 2) {
    if (map_->children[i]->value == key) return map_->children[i + 1];
  }
  return nullptr;
}

bool YamlReader::is_mapping(const YamlNode& node, std::string_view what) {
  if (node.kind == YamlNode::Kind::mapping) return true;
  error(node, "expected a mapping for " + std::string(what) + ", found " + describe(node));
  return false;
}

bool YamlReader::is_sequence(const YamlNode& node, std::string_view what) {
  if (node.kind == YamlNode::Kind::sequence) return true;
  error(node, "expected a list for " + std::string(what) + ", found " + describe(node));
  return false;
}

std::optional<YamlReader::Fields> YamlReader::fields(
    const YamlNode& node, std::initializer_list<std::string_view> allowed, std::string_view what) {
  if (!is_mapping(node, what)) return std::nullopt;
  const std::vector<std::string_view> keys(allowed);
  for (std::size_t i = 0; i + 1 < node.children.size(); i += 2) {
    const YamlNode& key = *node.children[i];
    if (std::find(keys.begin(), keys.end(), key.value) != keys.end()) continue;
    std::string message = "unknown key '" + key.value + "' in " + std::string(what);
    if (const auto suggestion = closest(key.value, keys)) {
      message += " (did you mean '" + std::string(*suggestion) + "'?)";
    } else {
      message += " (allowed:";
      for (const auto allowed_key : keys)
        message += " " + std::string(allowed_key);
      message += ")";
    }
    error(key, std::move(message));
  }
  return Fields(node);
}

const YamlNode* YamlReader::required(const Fields& map, std::string_view key,
                                     std::string_view what) {
  const YamlNode* value = map.get(key);
  if (value == nullptr) {
    error(map.node(), "missing required key '" + std::string(key) + "' in " + std::string(what));
  }
  return value;
}

std::optional<std::string> YamlReader::string(const YamlNode& node) {
  if (node.kind != YamlNode::Kind::scalar) {
    error(node, "expected a string, found " + describe(node));
    return std::nullopt;
  }
  if (node.style == YamlNode::Style::plain) {
    const bool ambiguous = is_yaml11_boolean(node.value) || node.value == "true" ||
                           node.value == "false" || is_null_word(node.value) ||
                           looks_numeric(node.value) || yaml11_number_surprise(node.value);
    if (ambiguous) {
      error(node, "expected a string, found '" + node.value +
                      "' which YAML reads as a boolean, null or number; quote it: \"" + node.value +
                      "\"");
      return std::nullopt;
    }
  }
  return node.value;
}

std::optional<std::string> YamlReader::name(const YamlNode& node) {
  auto text = string(node);
  if (!text) return std::nullopt;
  const bool valid = !text->empty() && std::all_of(text->begin(), text->end(),
                                                   [](unsigned char c) { return is_name_char(c); });
  if (!valid) {
    error(node, "expected a name (letters, digits, '_', '-', '.'), found \"" + *text + "\"");
    return std::nullopt;
  }
  return text;
}

std::optional<bool> YamlReader::boolean(const YamlNode& node) {
  if (node.is_plain_scalar()) {
    if (node.value == "true") return true;
    if (node.value == "false") return false;
    if (is_yaml11_boolean(node.value) || lower(node.value) == "true" ||
        lower(node.value) == "false") {
      error(node, "'" + node.value + "' is a YAML 1.1 boolean spelling; write true or false");
      return std::nullopt;
    }
  }
  error(node, "expected true or false, found " + describe(node));
  return std::nullopt;
}

std::optional<std::int64_t> YamlReader::integer(const YamlNode& node, std::int64_t min,
                                                std::int64_t max) {
  if (node.is_plain_scalar()) {
    if (const auto surprise = yaml11_number_surprise(node.value)) {
      error(node, "'" + node.value + "' is " + *surprise +
                      " in YAML 1.1 and plain decimal elsewhere; write a decimal integer");
      return std::nullopt;
    }
    std::string_view text = node.value;
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    std::int64_t value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec == std::errc() && result.ptr == text.data() + text.size() && !text.empty()) {
      if (value < min || value > max) {
        error(node, "value " + node.value + " is out of range [" + std::to_string(min) + ", " +
                        std::to_string(max) + "]");
        return std::nullopt;
      }
      return value;
    }
    if (result.ec == std::errc::result_out_of_range) {
      error(node, "value " + node.value + " is out of range [" + std::to_string(min) + ", " +
                      std::to_string(max) + "]");
      return std::nullopt;
    }
  }
  error(node, "expected an integer, found " + describe(node));
  return std::nullopt;
}

std::optional<double> YamlReader::number(const YamlNode& node, double min, double max) {
  if (node.is_plain_scalar()) {
    if (const auto surprise = yaml11_number_surprise(node.value)) {
      error(node, "'" + node.value + "' is " + *surprise +
                      " in YAML 1.1 and plain decimal elsewhere; write a decimal number");
      return std::nullopt;
    }
    if (looks_numeric(node.value)) {
      std::string_view text = node.value;
      if (text.front() == '+') text.remove_prefix(1);
      double value = 0;
      const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
      if (result.ec == std::errc() && std::isfinite(value)) {
        if (value < min || value > max) {
          error(node, "value " + node.value + " is out of range [" + format_number(min) + ", " +
                          format_number(max) + "]");
          return std::nullopt;
        }
        return value;
      }
    }
  }
  error(node, "expected a number, found " + describe(node));
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> YamlReader::duration(const YamlNode& node) {
  if (node.kind == YamlNode::Kind::scalar) {
    const std::string_view text = node.value;
    std::uint64_t amount = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), amount);
    if (result.ec == std::errc() && result.ptr != text.data()) {
      const std::string_view unit(result.ptr,
                                  static_cast<std::size_t>(text.data() + text.size() - result.ptr));
      std::uint64_t scale = 0;
      if (unit == "ms") scale = 1;
      if (unit == "s") scale = 1000;
      if (unit == "min") scale = 60'000;
      if (unit == "h") scale = 3'600'000;
      constexpr std::uint64_t kMaxMs = 7ULL * 24 * 3'600'000;  // one week
      if (scale != 0 && amount <= kMaxMs / scale) {
        return std::chrono::milliseconds(static_cast<std::int64_t>(amount * scale));
      }
      if (scale != 0) {
        error(node, "duration " + node.value + " is longer than one week");
        return std::nullopt;
      }
    }
  }
  error(node, "expected a duration such as 500ms, 30s, 10min or 2h, found " + describe(node));
  return std::nullopt;
}

std::optional<Expression> YamlReader::expression(const YamlNode& node) {
  if (node.kind != YamlNode::Kind::scalar || node.value.empty()) {
    error(node, "expected an expression, found " + describe(node));
    return std::nullopt;
  }
  diag::Location where = at(node);
  if (node.style == YamlNode::Style::single_quoted ||
      node.style == YamlNode::Style::double_quoted) {
    ++where.column;  // skip the opening quote
  }
  return Expression{node.value, std::move(where)};
}

std::optional<std::string> YamlReader::choice(const YamlNode& node,
                                              std::initializer_list<std::string_view> choices) {
  const std::vector<std::string_view> options(choices);
  std::string listed;
  for (const auto option : options)
    listed += (listed.empty() ? "" : ", ") + std::string(option);
  if (node.kind == YamlNode::Kind::scalar) {
    if (std::find(options.begin(), options.end(), node.value) != options.end()) {
      return node.value;
    }
    std::string message = "'" + node.value + "' is not one of " + listed;
    if (const auto suggestion = closest(node.value, options)) {
      message += " (did you mean '" + std::string(*suggestion) + "'?)";
    }
    error(node, std::move(message));
    return std::nullopt;
  }
  error(node, "expected one of " + listed + ", found " + describe(node));
  return std::nullopt;
}

}  // namespace cabind::config
