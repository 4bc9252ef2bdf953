#pragma once
// Typed, strict reading of YamlNodes, reporting every mismatch with file:line:column and
// what was expected. Each read returns nullopt after reporting; callers keep going so
// that one load reports all errors.
//
//   fan: "3"    -> error: expected an integer, found the string "3"
//   ac: yes     -> error: 'yes' is a YAML 1.1 boolean; write true or false
//   name: no    -> error: 'no' is read as a boolean by YAML 1.1 tools; quote it: "no"
//   fann: 3     -> error: unknown key 'fann' in climate (did you mean 'fan'?)

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/config/config.hpp"
#include "cabind/config/yaml_tree.hpp"
#include "cabind/diag/diagnostic.hpp"

namespace cabind::config {

// Levenshtein distance, for "did you mean" suggestions.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a plausible typo.
[[nodiscard]] std::optional<std::string_view> closest(
    std::string_view word, const std::vector<std::string_view>& candidates);

// "the string \"3\"", "the number 3", "a list", "a mapping", "nothing (null)".
[[nodiscard]] std::string describe(const YamlNode& node);

class YamlReader {
 public:
  YamlReader(const YamlDocument& document, diag::Diagnostics& diagnostics)
      : document_(document), diagnostics_(diagnostics) {}

  [[nodiscard]] const YamlDocument& document() const noexcept { return document_; }
  [[nodiscard]] diag::Location at(const YamlNode& node) const { return document_.location(node); }
  void error(const YamlNode& node, std::string message);

  // The fields of a mapping whose keys must come from `allowed`; unknown keys are
  // reported (with a suggestion). Returns nullopt (after reporting) if `node` is not a
  // mapping. `what` names the mapping in messages ("climate", "outputs.X").
  class Fields {
   public:
    [[nodiscard]] const YamlNode* get(std::string_view key) const noexcept;
    [[nodiscard]] const YamlNode& node() const noexcept { return *map_; }

   private:
    friend class YamlReader;
    explicit Fields(const YamlNode& map) : map_(&map) {}
    const YamlNode* map_;
  };
  [[nodiscard]] std::optional<Fields> fields(const YamlNode& node,
                                             std::initializer_list<std::string_view> allowed,
                                             std::string_view what);
  // Like fields() but every key is accepted (maps keyed by user names).
  [[nodiscard]] bool is_mapping(const YamlNode& node, std::string_view what);
  [[nodiscard]] bool is_sequence(const YamlNode& node, std::string_view what);
  // Reports "missing required key" at the mapping when absent.
  const YamlNode* required(const Fields& fields, std::string_view key, std::string_view what);

  [[nodiscard]] std::optional<std::string> string(const YamlNode& node);
  // A name: a non-empty string of letters, digits, '_', '-', '.'.
  [[nodiscard]] std::optional<std::string> name(const YamlNode& node);
  [[nodiscard]] std::optional<bool> boolean(const YamlNode& node);
  [[nodiscard]] std::optional<std::int64_t> integer(const YamlNode& node, std::int64_t min,
                                                    std::int64_t max);
  [[nodiscard]] std::optional<double> number(const YamlNode& node, double min, double max);
  // "500ms", "30s", "10min", "2h" (no bare numbers: the unit is required).
  [[nodiscard]] std::optional<std::chrono::milliseconds> duration(const YamlNode& node);
  // Any non-null scalar; the location points at the first character of the text.
  [[nodiscard]] std::optional<Expression> expression(const YamlNode& node);
  // One of `choices`, with a suggestion when it is close to one.
  [[nodiscard]] std::optional<std::string> choice(const YamlNode& node,
                                                  std::initializer_list<std::string_view> choices);

 private:
  const YamlDocument& document_;
  diag::Diagnostics& diagnostics_;
};

}  // namespace cabind::config
