// The DBC tokenizer (src/dbc/lexer.hpp): kinds, texts and positions of tokens, for every
// line-end convention, and the SG_ line count the parser reserves from.

#include "lexer.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace cabind::dbc::detail {
namespace {

struct Seen {
  TokenKind kind;
  std::string text;
  std::uint32_t line;
  std::uint32_t column;

  bool operator==(const Seen&) const = default;
};

void PrintTo(const Seen& seen, std::ostream* out) {
  *out << static_cast<int>(seen.kind) << " '" << seen.text << "' " << seen.line << ':'
       << seen.column;
}

// Every token up to and including the end token.
std::vector<Seen> tokens_of(std::string_view text) {
  Lexer lexer(text);
  std::vector<Seen> seen;
  for (;;) {
    const Token token = lexer.next();
    seen.push_back({token.kind, std::string(token.text), token.line, token.column});
    if (token.kind == TokenKind::end) return seen;
  }
}

std::string with_line_ends(std::string_view text, std::string_view line_end) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') {
      out += line_end;
    } else {
      out += c;
    }
  }
  return out;
}

constexpr auto id = TokenKind::identifier;
constexpr auto num = TokenKind::number;
constexpr auto str = TokenKind::string;
constexpr auto punct = TokenKind::punct;
constexpr auto end = TokenKind::end;

TEST(DbcLexer, AMessageLineIsNamesNumbersAndPunctuationWithTheirColumns) {
  EXPECT_EQ(tokens_of("BO_ 1050 Climate: 8 ECU"),
            (std::vector<Seen>{{id, "BO_", 1, 1},
                               {num, "1050", 1, 5},
                               {id, "Climate", 1, 10},
                               {punct, ":", 1, 17},
                               {num, "8", 1, 19},
                               {id, "ECU", 1, 21},
                               {end, "", 1, 24}}));
}

TEST(DbcLexer, ASignDirectlyBeforeADigitStartsANumberOtherwiseItIsPunctuation) {
  EXPECT_EQ(tokens_of("0|8@0- (-0.5,+3) [-3276.8|.5] 1e-3 1.5E+2 2e"),
            (std::vector<Seen>{{num, "0", 1, 1},     {punct, "|", 1, 2},
                               {num, "8", 1, 3},     {punct, "@", 1, 4},
                               {num, "0", 1, 5},     {punct, "-", 1, 6},
                               {punct, "(", 1, 8},   {num, "-0.5", 1, 9},
                               {punct, ",", 1, 13},  {num, "+3", 1, 14},
                               {punct, ")", 1, 16},  {punct, "[", 1, 18},
                               {num, "-3276.8", 1, 19}, {punct, "|", 1, 26},
                               {num, ".5", 1, 27},   {punct, "]", 1, 29},
                               {num, "1e-3", 1, 31}, {num, "1.5E+2", 1, 36},
                               {num, "2e", 1, 43},   {end, "", 1, 45}}));
}

TEST(DbcLexer, ANumberRunningIntoLettersIsOneTokenSoTheErrorNamesItWhole) {
  EXPECT_EQ(tokens_of("0x1F 12abc -.5x"),
            (std::vector<Seen>{{num, "0x1F", 1, 1},
                               {num, "12abc", 1, 6},
                               {num, "-.5x", 1, 12},
                               {end, "", 1, 16}}));
}

TEST(DbcLexer, AByteOutsideTheGrammarIsAnInvalidTokenOfItsOwn) {
  EXPECT_EQ(tokens_of("A #B"), (std::vector<Seen>{{id, "A", 1, 1},
                                                  {TokenKind::invalid, "#", 1, 3},
                                                  {id, "B", 1, 4},
                                                  {end, "", 1, 5}}));
}

TEST(DbcLexer, LineCommentsAndBlanksAreSkippedAndCountLines) {
  EXPECT_EQ(tokens_of("// a comment: \"x\n\t  VERSION \"\"\f\v\n// last"),
            (std::vector<Seen>{{id, "VERSION", 2, 4}, {str, "", 2, 12}, {end, "", 3, 8}}));
}

TEST(DbcLexer, AStringIsItsBodyAndCanSpanLines) {
  Lexer lexer("CM_ \"two\nlines\" ;");
  EXPECT_EQ(lexer.next().text, "CM_");
  const Token comment = lexer.next();
  EXPECT_EQ(comment.kind, str);
  EXPECT_EQ(comment.text, "two\nlines");
  EXPECT_EQ(comment.line, 1U);
  EXPECT_EQ(comment.column, 5U);
  EXPECT_FALSE(comment.escaped);
  EXPECT_EQ(string_value(comment), "two\nlines");
  const Token semicolon = lexer.next();
  EXPECT_EQ(semicolon.line, 2U);
  EXPECT_EQ(semicolon.column, 8U);
}

TEST(DbcLexer, EscapedQuotesAndBackslashesAreResolvedOnlyInTheValue) {
  Lexer lexer(R"("say \"hi\" \\ \n" X)");
  const Token token = lexer.next();
  EXPECT_EQ(token.text, R"(say \"hi\" \\ \n)");
  EXPECT_TRUE(token.escaped);
  EXPECT_EQ(string_value(token), R"(say "hi" \ \n)");
  const Token after = lexer.next();
  EXPECT_EQ(after.text, "X");
  EXPECT_EQ(after.column, 20U);
}

TEST(DbcLexer, AStringsLineEndsReadAsNewlinesWhateverTheConvention) {
  for (const char* text : {"\"a\r\nb\rc\"", "\"a\nb\nc\""}) {
    Lexer lexer(text);
    EXPECT_EQ(string_value(lexer.next()), "a\nb\nc") << text;
    EXPECT_EQ(lexer.next().line, 3U) << text;
  }
}

TEST(DbcLexer, AnUnterminatedStringRunsToTheEndAndSaysSo) {
  Lexer lexer("CM_ \"no end\n");
  (void)lexer.next();
  const Token token = lexer.next();
  EXPECT_EQ(token.kind, str);
  EXPECT_TRUE(token.unterminated);
  EXPECT_EQ(token.text, "no end\n");
  EXPECT_EQ(lexer.next().kind, end);
}

TEST(DbcLexer, TheEndTokenRepeatsForever) {
  Lexer lexer("A");
  (void)lexer.next();
  for (int i = 0; i < 3; ++i) {
    const Token token = lexer.next();
    EXPECT_EQ(token.kind, end);
    EXPECT_EQ(token.column, 2U);
  }
}

TEST(DbcLexer, LineAndColumnAreRightAfterTheLastToken) {
  Lexer lexer("BO_ 12\n  Name");
  (void)lexer.next();
  (void)lexer.next();
  EXPECT_EQ(lexer.line(), 1U);
  EXPECT_EQ(lexer.column(), 7U);
  (void)lexer.next();
  EXPECT_EQ(lexer.line(), 2U);
  EXPECT_EQ(lexer.column(), 7U);
}

// A text made of DBC-like fragments and line ends, with blank runs and comments between.
std::string random_text(std::mt19937& random) {
  static const std::vector<std::string> fragments = {
      "BO_", "SG_", "1050", "-3.5", "+2", "1e-3", ":", ";", "|", "@1+", "@0-", "(1,0)",
      "[0|255]", "\"\"", "\"a b\"", "\"two\nlines\"", "\"q\\\"\"", "Name_1", "x", "#",
      "// note", "0x1F", ".5", "m3M", "\n", "\n", "\n\n", " ", "\t", "  "};
  std::uniform_int_distribution<std::size_t> pick(0, fragments.size() - 1);
  std::string text;
  const int count = std::uniform_int_distribution<int>(0, 60)(random);
  for (int i = 0; i < count; ++i) {
    text += fragments[pick(random)];
    text += ' ';
  }
  return text;
}

// Tokens outside strings are the same for LF, CRLF and CR; string bodies read the same.
TEST(DbcLexer, EveryLineEndConventionGivesTheSameTokensAtTheSamePositions) {
  std::mt19937 random(20261202);
  for (int round = 0; round < 2000; ++round) {
    const std::string text = random_text(random);
    const std::vector<Seen> expected = tokens_of(text);
    for (const char* line_end : {"\r\n", "\r"}) {
      std::vector<Seen> seen = tokens_of(with_line_ends(text, line_end));
      ASSERT_EQ(seen.size(), expected.size()) << text;
      for (std::size_t i = 0; i < seen.size(); ++i) {
        if (seen[i].kind == str) {
          Token token{.kind = str, .text = seen[i].text, .escaped = true};
          seen[i].text = string_value(token);
          Token lf{.kind = str, .text = expected[i].text, .escaped = true};
          EXPECT_EQ(seen[i].text, string_value(lf)) << text;
          seen[i].text = expected[i].text;
        }
        EXPECT_EQ(seen[i], expected[i]) << "token " << i << " of: " << text;
      }
    }
  }
}

TEST(DbcLexer, CountsTheSignalLinesAfterTheCurrentOneHoweverIndentedAndEnded) {
  for (const char* line_end : {"\n", "\r\n", "\r"}) {
    const std::string text = with_line_ends(
        "BO_ 1 A: 8 X\n SG_ a : 0|1@1+ (1,0) [0|0] \"\" X\n\tSG_ b\n  SG_\tc\nSG_d\nSG_ e\n",
        line_end);
    Lexer lexer(text);
    (void)lexer.next();  // BO_: the count starts at the next line
    EXPECT_EQ(lexer.count_lines_starting_with("SG_"), 3U) << "line end " << int(line_end[1]);
  }
}

TEST(DbcLexer, ASignalCountStopsAtTheFirstOtherLineAndAtTheEndButNotAtBlankLines) {
  {
    Lexer lexer("BO_ 1 A: 8 X\n SG_ a\n// c\n SG_ b\n");
    (void)lexer.next();
    EXPECT_EQ(lexer.count_lines_starting_with("SG_"), 1U);
  }
  {
    Lexer lexer("BO_ 1 A: 8 X\n SG_ a\n\n\r\n SG_ b\nBA_ x");
    (void)lexer.next();
    EXPECT_EQ(lexer.count_lines_starting_with("SG_"), 2U);  // blank lines do not end it
  }
  {
    Lexer lexer("BO_ 1 A: 8 X\n SG_ a\nSG_");
    (void)lexer.next();
    EXPECT_EQ(lexer.count_lines_starting_with("SG_"), 1U);
  }
  {
    Lexer lexer("BO_ 1 A: 8 X");
    (void)lexer.next();
    EXPECT_EQ(lexer.count_lines_starting_with("SG_"), 0U);
  }
}

}  // namespace
}  // namespace cabind::dbc::detail
