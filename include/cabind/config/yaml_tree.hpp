#pragma once
// A strict, located YAML document tree used only while loading.
// Built from yaml-cpp's event parser (not YAML::Node) so that the loader sees what
// yaml-cpp hides: duplicate keys, whether a scalar was quoted, the exact position of
// every node, and every alias. Input limits are enforced before and during parsing.
//
//   parse_yaml("a: 1\na: 2\n", "x.yaml", d)  ->  d: "x.yaml:2:1: error: duplicate key 'a' ..."

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/diag/diagnostic.hpp"

namespace cabind::config {

struct YamlLimits {
  std::size_t max_bytes = 1024 * 1024;
  std::uint32_t max_depth = 64;
  std::uint32_t max_aliases = 16;
};

struct YamlNode {
  enum class Kind : std::uint8_t { null, scalar, sequence, mapping };
  enum class Style : std::uint8_t { plain, single_quoted, double_quoted, block };

  Kind kind = Kind::null;
  Style style = Style::plain;  // scalars only
  std::string value;           // scalars only
  std::uint32_t line = 1;      // 1-based
  std::uint32_t column = 1;    // 1-based
  // Sequence: the items. Mapping: key, value, key, value, ... (keys are scalars).
  std::vector<const YamlNode*> children;

  [[nodiscard]] bool is_plain_scalar() const noexcept {
    return kind == Kind::scalar && style == Style::plain;
  }
};

// Owns the nodes; node pointers stay valid as long as the document lives (also if moved).
class YamlDocument {
 public:
  [[nodiscard]] const YamlNode& root() const noexcept { return *root_; }
  [[nodiscard]] const std::string& file() const noexcept { return file_; }
  [[nodiscard]] diag::Location location(const YamlNode& node) const {
    return {file_, node.line, node.column};
  }

 private:
  friend class YamlBuilder;
  std::string file_;
  std::vector<std::unique_ptr<YamlNode>> nodes_;
  const YamlNode* root_ = nullptr;
};

// Parses one YAML document. Errors (syntax, limits, invalid UTF-8, duplicate keys,
// non-scalar keys, explicit tags, several documents) go to `diagnostics`; nullopt then.
// An empty file gives a document whose root is a null node.
[[nodiscard]] std::optional<YamlDocument> parse_yaml(std::string_view text, std::string file,
                                                     diag::Diagnostics& diagnostics,
                                                     const YamlLimits& limits = {});

// Position of the first invalid UTF-8 byte, 1-based line and column; nullopt if valid.
struct TextPosition {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};
[[nodiscard]] std::optional<TextPosition> find_invalid_utf8(std::string_view text) noexcept;

}  // namespace cabind::config
