// Precedence-climbing parser over the token list from the lexer.

#include <utility>

#include "syntax_tree.hpp"

namespace cabind::rules::detail {
namespace {

constexpr int kOr = 1;
constexpr int kAnd = 2;
constexpr int kNot = 3;
constexpr int kCompare = 4;
constexpr int kAdditive = 5;
constexpr int kMultiplicative = 6;
constexpr int kUnaryMinus = 7;

// Precedence of a binary operator token, or 0 when the token is not one.
int binary_precedence(TokenKind kind) {
  switch (kind) {
    case TokenKind::kw_or:
      return kOr;
    case TokenKind::kw_and:
      return kAnd;
    case TokenKind::equal:
    case TokenKind::not_equal:
    case TokenKind::less:
    case TokenKind::less_equal:
    case TokenKind::greater:
    case TokenKind::greater_equal:
    case TokenKind::kw_in:
      return kCompare;
    case TokenKind::plus:
    case TokenKind::minus:
      return kAdditive;
    case TokenKind::star:
    case TokenKind::slash:
    case TokenKind::percent:
      return kMultiplicative;
    default:
      return 0;
  }
}

// Thrown inside the parser only and caught in parse(): load time, never the hot path.
struct Abort {
  SyntaxError error;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::unique_ptr<Node> run() {
    if (peek().kind == TokenKind::end) fail(peek(), "empty expression");
    auto root = expression(kOr);
    if (peek().kind != TokenKind::end) {
      fail(peek(), "unexpected " + describe(peek()) + " after the end of the expression");
    }
    return root;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& take() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  // Where the last token taken ends: the end of the node just completed.
  std::uint32_t taken_end() const { return pos_ == 0 ? 0 : tokens_[pos_ - 1].end; }

  [[noreturn]] static void fail(const Token& at, std::string message) {
    throw Abort{{at.offset, std::move(message)}};
  }

  static std::unique_ptr<Node> make(NodeKind kind, const Token& token) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->offset = token.offset;
    node->end = token.end;
    node->op_offset = token.offset;
    node->op = token.kind;
    node->text = token.text;
    node->number = token.number;
    return node;
  }

  std::unique_ptr<Node> expression(int min_precedence) {
    if (++depth_ > kMaxNesting) {
      fail(peek(), "expression is nested too deeply (more than " + std::to_string(kMaxNesting) +
                       " levels)");
    }
    auto left = prefix();
    while (true) {
      const int precedence = binary_precedence(peek().kind);
      if (precedence == 0 || precedence < min_precedence) break;
      const Token& op = take();
      if (op.kind == TokenKind::kw_in) {
        left = in_list(std::move(left), op);
      } else {
        auto node = make(NodeKind::binary, op);
        node->offset = left->offset;
        node->children.push_back(std::move(left));
        node->children.push_back(expression(precedence + 1));
        node->end = taken_end();
        left = std::move(node);
      }
      if (precedence == kCompare && binary_precedence(peek().kind) == kCompare) {
        fail(peek(), "comparisons cannot be chained: " + describe(peek()) +
                         " follows a comparison; combine them with 'and'");
      }
    }
    --depth_;
    return left;
  }

  std::unique_ptr<Node> prefix() {
    const Token& token = peek();
    if (token.kind == TokenKind::kw_not || token.kind == TokenKind::minus) {
      take();
      auto node = make(NodeKind::unary, token);
      node->children.push_back(expression(token.kind == TokenKind::kw_not ? kNot : kUnaryMinus));
      node->end = taken_end();
      return node;
    }
    return operand();
  }

  std::unique_ptr<Node> operand() {
    const Token& token = take();
    switch (token.kind) {
      case TokenKind::number:
        return make(NodeKind::number, token);
      case TokenKind::string:
        return make(NodeKind::string, token);
      case TokenKind::kw_true:
      case TokenKind::kw_false: {
        auto node = make(NodeKind::boolean, token);
        node->number = token.kind == TokenKind::kw_true ? 1.0 : 0.0;
        return node;
      }
      case TokenKind::name:
        if (peek().kind == TokenKind::left_paren) return call(token);
        return make(NodeKind::name, token);
      case TokenKind::left_paren: {
        auto inner = expression(kOr);
        inner->offset = token.offset;
        if (peek().kind != TokenKind::right_paren) {
          fail(peek(), "expected ')' to close the '(', found " + describe(peek()));
        }
        take();
        inner->end = taken_end();
        return inner;
      }
      default:
        fail(token, "expected a value, found " + describe(token));
    }
  }

  std::unique_ptr<Node> call(const Token& name) {
    auto node = make(NodeKind::call, name);
    take();  // '('
    if (peek().kind == TokenKind::right_paren) {
      take();
      node->end = taken_end();
      return node;
    }
    while (true) {
      node->children.push_back(expression(kOr));
      const Token& next = take();
      node->end = next.end;
      if (next.kind == TokenKind::right_paren) return node;
      if (next.kind != TokenKind::comma) {
        fail(next, "expected ',' or ')' in the arguments of " + std::string(name.text) +
                       "(), found " + describe(next));
      }
    }
  }

  // subject 'in' '[' literal (',' literal)* ']'
  std::unique_ptr<Node> in_list(std::unique_ptr<Node> subject, const Token& in) {
    auto node = make(NodeKind::in_list, in);
    node->offset = subject->offset;
    node->children.push_back(std::move(subject));
    if (peek().kind != TokenKind::left_bracket) {
      fail(peek(), "'in' needs a list such as ['P', 'N'], found " + describe(peek()));
    }
    take();
    if (peek().kind == TokenKind::right_bracket) fail(peek(), "the list after 'in' is empty");
    while (true) {
      node->children.push_back(list_element());
      const Token& next = take();
      node->end = next.end;
      if (next.kind == TokenKind::right_bracket) return node;
      if (next.kind != TokenKind::comma) {
        fail(next, "expected ',' or ']' in the list, found " + describe(next));
      }
    }
  }

  // A literal: number, -number, string, true or false.
  std::unique_ptr<Node> list_element() {
    const Token& token = take();
    switch (token.kind) {
      case TokenKind::number:
      case TokenKind::string:
      case TokenKind::kw_true:
      case TokenKind::kw_false: {
        auto node = make(token.kind == TokenKind::number   ? NodeKind::number
                         : token.kind == TokenKind::string ? NodeKind::string
                                                           : NodeKind::boolean,
                         token);
        if (token.kind == TokenKind::kw_true) node->number = 1.0;
        if (token.kind == TokenKind::kw_false) node->number = 0.0;
        return node;
      }
      case TokenKind::minus:
        if (peek().kind == TokenKind::number) {
          auto node = make(NodeKind::number, take());
          node->offset = token.offset;
          node->number = -node->number;
          return node;
        }
        break;
      default:
        break;
    }
    fail(token, "list elements must be literals (numbers, strings, true or false), found " +
                    describe(token));
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

ParseResult parse(std::string_view text) {
  ParseResult result;
  auto lexed = tokenize(text);
  if (lexed.error) {
    result.error = SyntaxError{lexed.error->offset, std::move(lexed.error->message)};
    return result;
  }
  try {
    result.root = Parser(std::move(lexed.tokens)).run();
  } catch (Abort& abort) {
    result.error = std::move(abort.error);
  }
  return result;
}

}  // namespace cabind::rules::detail
