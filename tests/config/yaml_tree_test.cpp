#include "cabind/config/yaml_tree.hpp"

#include <gtest/gtest.h>

namespace cabind::config {
namespace {

TEST(YamlTree, KeepsPositionsStylesAndKeyOrder) {
  diag::Diagnostics d;
  const auto doc = parse_yaml("a: 1\nb: 'x'\nc: [\"y\", z]\n", "t.yaml", d);
  ASSERT_TRUE(doc) << d.to_string();
  const YamlNode& root = doc->root();
  ASSERT_EQ(root.kind, YamlNode::Kind::mapping);
  ASSERT_EQ(root.children.size(), 6U);
  EXPECT_EQ(root.children[0]->value, "a");
  EXPECT_EQ(root.children[1]->style, YamlNode::Style::plain);
  EXPECT_EQ(root.children[3]->style, YamlNode::Style::single_quoted);
  EXPECT_EQ(root.children[3]->line, 2U);
  EXPECT_EQ(root.children[3]->column, 4U);
  const YamlNode& list = *root.children[5];
  ASSERT_EQ(list.children.size(), 2U);
  EXPECT_EQ(list.children[0]->style, YamlNode::Style::double_quoted);
  EXPECT_EQ(list.children[1]->column, 10U);
}

TEST(YamlTree, EmptyInputIsANullRoot) {
  diag::Diagnostics d;
  const auto doc = parse_yaml("", "t.yaml", d);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->root().kind, YamlNode::Kind::null);
}

TEST(YamlTree, ReportsEveryDuplicateKeyAtItsSecondOccurrence) {
  diag::Diagnostics d;
  EXPECT_FALSE(parse_yaml("a: 1\nb: {x: 1, x: 2}\na: 3\n", "t.yaml", d));
  EXPECT_EQ(d.error_count(), 2U);
  EXPECT_NE(d.to_string().find("t.yaml:2:11: error: duplicate key 'x'"), std::string::npos)
      << d.to_string();
  EXPECT_NE(d.to_string().find("t.yaml:3:1: error: duplicate key 'a' (first at line 1)"),
            std::string::npos);
}

TEST(YamlTree, RefusesFilesOverTheSizeLimitAtTheFirstByteBeyondIt) {
  diag::Diagnostics d;
  const std::string big = "a: b\n" + std::string(1024 * 1024, '#');
  EXPECT_FALSE(parse_yaml(big, "big.yaml", d));
  EXPECT_NE(d.to_string().find("big.yaml:2:1048572: error: file is larger than 1048576 bytes"),
            std::string::npos)
      << d.to_string();
}

TEST(YamlTree, AliasesShareTheAnchoredNodeAndAreLimited) {
  diag::Diagnostics d;
  const auto doc = parse_yaml("a: &x {k: 1}\nb: *x\n", "t.yaml", d);
  ASSERT_TRUE(doc) << d.to_string();
  EXPECT_EQ(doc->root().children[1], doc->root().children[3]);

  // The "billion laughs" shape never expands: it stops at the alias limit.
  std::string laughs = "a: &a [x, x]\n";
  char previous = 'a';
  for (char name = 'b'; name <= 'j'; ++name) {
    laughs += std::string(1, name) + ": &" + name + " [*" + previous + ", *" + previous + "]\n";
    previous = name;
  }
  diag::Diagnostics bomb;
  EXPECT_FALSE(parse_yaml(laughs, "bomb.yaml", bomb));
  EXPECT_NE(bomb.to_string().find("more than 16 aliases"), std::string::npos);
}

TEST(YamlTree, RefusesAnAliasInsideItsOwnAnchor) {
  diag::Diagnostics d;
  EXPECT_FALSE(parse_yaml("a: &x {k: *x}\n", "t.yaml", d));
  EXPECT_NE(
      d.to_string().find("t.yaml:1:11: error: an alias may not refer to a node that contains it"),
      std::string::npos)
      << d.to_string();
}

TEST(YamlTree, FindsInvalidUtf8WithLineAndColumn) {
  EXPECT_FALSE(find_invalid_utf8("plain ascii\nand \xc3\xa9t\xc3\xa9\n"));
  const auto overlong = find_invalid_utf8("ok\nab\xc0\xaf");
  ASSERT_TRUE(overlong);
  EXPECT_EQ(overlong->line, 2U);
  EXPECT_EQ(overlong->column, 3U);
  EXPECT_TRUE(find_invalid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_TRUE(find_invalid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_TRUE(find_invalid_utf8("\xe2\x82"));          // truncated
}

TEST(YamlTree, SyntaxErrorsBecomeLocatedDiagnostics) {
  diag::Diagnostics d;
  EXPECT_FALSE(parse_yaml("a: [1, 2\n", "t.yaml", d));
  ASSERT_EQ(d.error_count(), 1U);
  EXPECT_EQ(d.all()[0].where.file, "t.yaml");
  EXPECT_GT(d.all()[0].where.line, 0U);
  EXPECT_NE(d.all()[0].message.find("YAML syntax error"), std::string::npos);
}

}  // namespace
}  // namespace cabind::config
