#include "cabind/config/yaml_tree.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace cabind::config {

namespace {

// Thrown by the event handler to stop yaml-cpp once an error makes the rest meaningless
// (a limit is exceeded); the error is already recorded.
struct StopParsing {};

std::uint32_t to_line(int zero_based) {
  return zero_based < 0 ? 0U : static_cast<std::uint32_t>(zero_based) + 1U;
}

bool is_continuation(unsigned char byte) {
  return (byte & 0xC0U) == 0x80U;
}

// Length of the valid UTF-8 sequence starting at text[i], 0 when invalid (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = at(i);
  if (lead < 0x80U) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80U;
  unsigned char high = 0xBFU;
  if (lead >= 0xC2U && lead <= 0xDFU) {
    length = 2;
  } else if (lead >= 0xE0U && lead <= 0xEFU) {
    length = 3;
    if (lead == 0xE0U) low = 0xA0U;
    if (lead == 0xEDU) high = 0x9FU;
  } else if (lead >= 0xF0U && lead <= 0xF4U) {
    length = 4;
    if (lead == 0xF0U) low = 0x90U;
    if (lead == 0xF4U) high = 0x8FU;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (at(i + 1) < low || at(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (!is_continuation(at(i + k))) return 0;
  }
  return length;
}

// YAML allows tab, LF and CR among the C0 controls, nothing else, and not DEL.
bool is_forbidden_control(unsigned char byte) {
  return (byte < 0x20U && byte != '\t' && byte != '\n' && byte != '\r') || byte == 0x7FU;
}

TextPosition position_of(std::string_view text, std::size_t offset) {
  TextPosition position;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else if (!is_continuation(static_cast<unsigned char>(text[i]))) {
      ++position.column;
    }
  }
  return position;
}

}  // namespace

std::optional<TextPosition> find_invalid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return position_of(text, i);
    i += length;
  }
  return std::nullopt;
}

class YamlBuilder final : public YAML::EventHandler {
 public:
  YamlBuilder(std::string_view text, std::string file, diag::Diagnostics& diagnostics,
              const YamlLimits& limits)
      : text_(text), diagnostics_(diagnostics), limits_(limits) {
    document_.file_ = std::move(file);
  }

  // The finished document; an empty input gives a null root.
  YamlDocument take() {
    if (document_.root_ == nullptr) {
      document_.nodes_.push_back(std::make_unique<YamlNode>());
      document_.root_ = document_.nodes_.back().get();
    }
    return std::move(document_);
  }
  [[nodiscard]] bool failed() const noexcept { return failed_; }

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode& node = make(mark, YamlNode::Kind::null);
    // yaml-cpp marks an empty value ("name:" then a newline) at the next token, often on
    // the next line; point just after the key's colon instead, where the value is missing.
    if (!stack_.empty() && !stack_.back().expecting_key && stack_.back().pending_key != nullptr) {
      const YamlNode& key = *stack_.back().pending_key;
      if (key.is_plain_scalar() && key.line < node.line) {
        node.line = key.line;
        node.column = key.column + static_cast<std::uint32_t>(key.value.size()) + 1;
      }
    }
    remember(anchor, node);
    attach(node, mark);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (++aliases_ > limits_.max_aliases) {
      fail(mark, "more than " + std::to_string(limits_.max_aliases) +
                     " aliases in one file (limit against alias expansion attacks)");
    }
    const auto found = anchors_.find(anchor);
    if (found == anchors_.end()) fail(mark, "alias to an unknown anchor");
    for (const Open& open : stack_) {
      if (open.node == found->second)
        fail(mark, "an alias may not refer to a node that contains it");
    }
    attach(*found->second, mark);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    check_tag(mark, tag);
    YamlNode& node = make(mark, YamlNode::Kind::scalar);
    node.value = value;
    node.style = style_at(mark);
    remember(anchor, node);
    attach(node, mark);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    open(mark, tag, anchor, YamlNode::Kind::sequence);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    open(mark, tag, anchor, YamlNode::Kind::mapping);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YamlNode* node;
    std::unordered_map<std::string, const YamlNode*> keys;  // mappings only
    const YamlNode* pending_key = nullptr;
    bool expecting_key = true;
  };

  diag::Location where(const YAML::Mark& mark) const {
    return {document_.file_, to_line(mark.line), to_line(mark.column)};
  }

  [[noreturn]] void fail(const YAML::Mark& mark, std::string message) {
    diagnostics_.error(where(mark), std::move(message));
    failed_ = true;
    throw StopParsing{};
  }

  void error(const diag::Location& at, std::string message) {
    diagnostics_.error(at, std::move(message));
    failed_ = true;
  }

  void check_tag(const YAML::Mark& mark, const std::string& tag) {
    // yaml-cpp reports "?" for untagged plain nodes and "!" for untagged quoted ones.
    if (!tag.empty() && tag != "?" && tag != "!") {
      error(where(mark), "explicit YAML tag '" + tag + "' is not supported; remove it");
    }
  }

  YamlNode::Style style_at(const YAML::Mark& mark) const {
    if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text_.size()) {
      return YamlNode::Style::plain;
    }
    switch (text_[static_cast<std::size_t>(mark.pos)]) {
      case '"':
        return YamlNode::Style::double_quoted;
      case '\'':
        return YamlNode::Style::single_quoted;
      case '|':
      case '>':
        return YamlNode::Style::block;
      default:
        return YamlNode::Style::plain;
    }
  }

  YamlNode& make(const YAML::Mark& mark, YamlNode::Kind kind) {
    auto node = std::make_unique<YamlNode>();
    node->kind = kind;
    node->line = to_line(mark.line);
    node->column = to_line(mark.column);
    document_.nodes_.push_back(std::move(node));
    return *document_.nodes_.back();
  }

  void remember(YAML::anchor_t anchor, const YamlNode& node) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = &node;
  }

  void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
            YamlNode::Kind kind) {
    check_tag(mark, tag);
    if (stack_.size() + 1 > limits_.max_depth) {
      fail(mark, "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    YamlNode& node = make(mark, kind);
    remember(anchor, node);
    attach(node, mark);
    stack_.push_back(Open{&node, {}, nullptr, true});
  }

  void close() {
    if (!stack_.empty()) stack_.pop_back();
  }

  // Adds a finished node to the container being built (or makes it the root).
  void attach(const YamlNode& node, const YAML::Mark& mark) {
    if (stack_.empty()) {
      if (document_.root_ == nullptr) document_.root_ = &node;
      return;
    }
    Open& parent = stack_.back();
    if (parent.node->kind == YamlNode::Kind::sequence) {
      parent.node->children.push_back(&node);
      return;
    }
    if (parent.expecting_key) {
      parent.expecting_key = false;
      parent.pending_key = &node;
      if (node.kind != YamlNode::Kind::scalar) {
        error(where(mark), "a mapping key must be a plain string");
        return;
      }
      const auto [first, is_new] = parent.keys.emplace(node.value, &node);
      if (!is_new) {
        error(where(mark), "duplicate key '" + node.value + "' (first at line " +
                               std::to_string(first->second->line) + ")");
      }
      return;
    }
    parent.expecting_key = true;
    parent.node->children.push_back(parent.pending_key);
    parent.node->children.push_back(&node);
  }

  std::string_view text_;
  diag::Diagnostics& diagnostics_;
  const YamlLimits& limits_;
  YamlDocument document_;
  std::vector<Open> stack_;
  std::unordered_map<YAML::anchor_t, const YamlNode*> anchors_;
  std::uint32_t aliases_ = 0;
  bool failed_ = false;
};

namespace {

struct SecondDocument {
  YAML::Mark mark;
};

// Stops at the start of a second document.
class SecondDocumentProbe final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { throw SecondDocument{mark}; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

std::optional<YamlDocument> parse_yaml(std::string_view text, std::string file,
                                       diag::Diagnostics& diagnostics, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    const TextPosition at = position_of(text, limits.max_bytes);
    diagnostics.error(
        {file, at.line, at.column},
        "file is larger than " + std::to_string(limits.max_bytes) + " bytes; refusing to parse it");
    return std::nullopt;
  }
  if (const auto bad = find_invalid_utf8(text)) {
    diagnostics.error({file, bad->line, bad->column}, "invalid UTF-8 byte sequence");
    return std::nullopt;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_forbidden_control(static_cast<unsigned char>(text[i]))) {
      const TextPosition at = position_of(text, i);
      diagnostics.error({file, at.line, at.column}, "control character " +
                                                        std::to_string(static_cast<int>(text[i])) +
                                                        " is not allowed in YAML");
      return std::nullopt;
    }
  }

  std::istringstream stream{std::string(text)};
  YamlBuilder builder(text, file, diagnostics, limits);
  try {
    YAML::Parser parser(stream);
    parser.HandleNextDocument(builder);
    if (!builder.failed()) {
      SecondDocumentProbe probe;
      try {
        parser.HandleNextDocument(probe);
      } catch (const SecondDocument& second) {
        diagnostics.error({file, to_line(second.mark.line), to_line(second.mark.column)},
                          "only one YAML document per file is allowed");
        return std::nullopt;
      }
    }
  } catch (const StopParsing&) {
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    diagnostics.error({file, to_line(e.mark.line), to_line(e.mark.column)},
                      "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
  if (builder.failed()) return std::nullopt;
  return builder.take();
}

}  // namespace cabind::config
