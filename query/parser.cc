// Recursive-descent parser for the openCypher subset in docs/query-language.md; see parser.h.
// Errors are thrown inside (SyntaxError) and turned into a ParseResult at the API boundary, so
// every production can stop at the first problem without threading error codes through.
#include "query/parser.h"

#include <array>
#include <cstdint>
#include <limits>
#include <new>
#include <stdexcept>

#include "query/checker.h"
#include "query/functions.h"
#include "query/lexer.h"

namespace gk::query {
namespace {

struct SyntaxError {
  ParseError error;
};

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

constexpr std::array kReserved = {
    "MATCH", "OPTIONAL", "WHERE", "RETURN", "WITH", "DISTINCT", "ORDER", "BY", "SKIP", "LIMIT",
    "ASC", "ASCENDING", "DESC", "DESCENDING", "UNWIND", "AS", "AND", "OR", "XOR", "NOT", "IN",
    "STARTS", "ENDS", "CONTAINS", "IS", "NULL", "TRUE", "FALSE", "CASE", "WHEN", "THEN", "ELSE",
    "END", "CALL", "YIELD", "EXPLAIN", "PROFILE", "UNION", "CREATE", "MERGE", "SET", "DELETE",
    "DETACH", "REMOVE", "FOREACH", "LOAD",
};

// Clause keywords that would write: refused with a clear message rather than "expected ...".
constexpr std::array kWriteClauses = {"CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE",
                                      "FOREACH", "LOAD"};

class Parser {
 public:
  explicit Parser(const std::vector<Token>& tokens) : tokens_(tokens) {}

  std::unique_ptr<Query> parseQuery() {
    auto query = std::make_unique<Query>();
    if (acceptKeyword("EXPLAIN")) {
      query->explain = true;
    } else if (acceptKeyword("PROFILE")) {
      query->profile = true;
    }
    while (peek().kind != TokenKind::kEnd && peek().kind != TokenKind::kSemicolon) {
      if (!query->clauses.empty() && query->clauses.back().kind == ClauseKind::kReturn) {
        if (atKeyword("UNION")) fail(peek().pos, "UNION is not supported");
        expected("end of input");
      }
      query->clauses.push_back(parseClause());
    }
    if (query->clauses.empty()) {
      expected("a clause (MATCH, OPTIONAL MATCH, WITH, UNWIND, CALL or RETURN)");
    }
    const Clause& last = query->clauses.back();
    if (last.kind != ClauseKind::kReturn && last.kind != ClauseKind::kCall) {
      fail(peek().pos, "a query must end with RETURN");
    }
    if (peek().kind == TokenKind::kSemicolon) next();
    if (peek().kind != TokenKind::kEnd) expected("end of input");
    return query;
  }

 private:
  // Raises the nesting level for one recursive production; the tree height goes up with it.
  class Nest {
   public:
    explicit Nest(Parser& p) : p_(p) {
      ++p_.nesting_;
      ++p_.height_;
      if (p_.nesting_ > kMaxNesting || p_.height_ > kMaxTreeHeight) p_.tooDeep();
    }
    ~Nest() {
      --p_.nesting_;
      --p_.height_;
    }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Parser& p_;
  };

  // One more link in a left-deep operator chain: the tree grows a level without recursion.
  class Chain {
   public:
    explicit Chain(Parser& p) : p_(p) {}
    void grow() {
      ++links_;
      if (++p_.height_ > kMaxTreeHeight) p_.tooDeep();
    }
    ~Chain() { p_.height_ -= links_; }
    Chain(const Chain&) = delete;
    Chain& operator=(const Chain&) = delete;

   private:
    Parser& p_;
    int links_ = 0;
  };

  [[noreturn]] void tooDeep() {
    fail(peek().pos, "query is nested too deeply (the limit is " + std::to_string(kMaxNesting) +
                         " levels)");
  }

  // ---- tokens ----

  const Token& peek(size_t ahead = 0) const {
    size_t index = pos_ + ahead;
    return index < tokens_.size() ? tokens_[index] : tokens_.back();
  }
  const Token& next() {
    const Token& token = peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return token;
  }
  bool at(TokenKind kind, size_t ahead = 0) const { return peek(ahead).kind == kind; }
  bool accept(TokenKind kind) {
    if (!at(kind)) return false;
    next();
    return true;
  }
  static bool isKeyword(const Token& token, std::string_view word) {
    return token.kind == TokenKind::kIdentifier && equalsIgnoreCase(token.text, word);
  }
  bool atKeyword(std::string_view word, size_t ahead = 0) const {
    return isKeyword(peek(ahead), word);
  }
  bool acceptKeyword(std::string_view word) {
    if (!atKeyword(word)) return false;
    next();
    return true;
  }

  [[noreturn]] void fail(Position pos, std::string message) {
    throw SyntaxError{makeError(pos, std::move(message))};
  }
  [[noreturn]] void expected(std::string_view what) {
    fail(peek().pos, "expected " + std::string(what) + " but found " + describeToken(peek()));
  }
  void expect(TokenKind kind, std::string_view what) {
    if (!accept(kind)) expected(what);
  }
  void expectKeyword(std::string_view word) {
    if (!acceptKeyword(word)) expected(word);
  }

  // A word usable as a variable or alias: any quoted name, or an unreserved word.
  bool atVariableName(size_t ahead = 0) const {
    const Token& token = peek(ahead);
    if (token.kind == TokenKind::kQuotedIdentifier) return true;
    return token.kind == TokenKind::kIdentifier && !isReservedWord(token.text);
  }
  std::string parseVariableName(std::string_view what = "a variable name") {
    if (!atVariableName()) expected(what);
    return next().text;
  }
  // Labels, relationship types, property and map keys: any word, keywords included.
  std::string parseSymbolicName(std::string_view what) {
    if (!at(TokenKind::kIdentifier) && !at(TokenKind::kQuotedIdentifier)) expected(what);
    return next().text;
  }

  // ---- clauses ----

  Clause parseClause() {
    Clause clause;
    clause.pos = peek().pos;
    if (acceptKeyword("OPTIONAL")) {
      expectKeyword("MATCH");
      clause.optional = true;
      parseMatch(clause);
    } else if (acceptKeyword("MATCH")) {
      parseMatch(clause);
    } else if (acceptKeyword("UNWIND")) {
      clause.kind = ClauseKind::kUnwind;
      clause.expr = parseExpression();
      expectKeyword("AS");
      clause.aliasPos = peek().pos;
      clause.alias = parseVariableName();
    } else if (acceptKeyword("WITH")) {
      clause.kind = ClauseKind::kWith;
      parseProjection(clause.projection);
      if (acceptKeyword("WHERE")) clause.where = parseExpression();
    } else if (acceptKeyword("RETURN")) {
      clause.kind = ClauseKind::kReturn;
      parseProjection(clause.projection);
    } else if (acceptKeyword("CALL")) {
      clause.kind = ClauseKind::kCall;
      parseCall(clause);
    } else {
      for (const char* word : kWriteClauses) {
        if (atKeyword(word)) {
          std::string name = upper(word);
          if (name == "DETACH" && atKeyword("DELETE", 1)) name = "DETACH DELETE";
          if (name == "LOAD") name = "LOAD CSV";
          fail(peek().pos, "GraphKeeper queries are read-only: " + name + " is not supported");
        }
      }
      if (atKeyword("UNION")) fail(peek().pos, "UNION is not supported");
      expected("a clause (MATCH, OPTIONAL MATCH, WITH, UNWIND, CALL or RETURN)");
    }
    return clause;
  }

  void parseMatch(Clause& clause) {
    clause.kind = ClauseKind::kMatch;
    do {
      clause.patterns.push_back(parsePatternPart());
    } while (accept(TokenKind::kComma));
    if (acceptKeyword("WHERE")) clause.where = parseExpression();
  }

  void parseProjection(Projection& projection) {
    if (acceptKeyword("DISTINCT")) projection.distinct = true;
    bool needItem = true;
    if (at(TokenKind::kStar)) {
      projection.star = true;
      projection.starPos = next().pos;
      needItem = accept(TokenKind::kComma);
    }
    if (needItem) {
      do {
        ReturnItem item;
        item.expr = parseExpression();
        if (acceptKeyword("AS")) {
          item.aliasPos = peek().pos;
          item.alias = parseVariableName("an alias");
        }
        projection.items.push_back(std::move(item));
      } while (accept(TokenKind::kComma));
    }
    if (acceptKeyword("ORDER")) {
      expectKeyword("BY");
      do {
        SortItem item;
        item.expr = parseExpression();
        if (acceptKeyword("DESC") || acceptKeyword("DESCENDING")) {
          item.descending = true;
        } else if (acceptKeyword("ASC") || acceptKeyword("ASCENDING")) {
          item.descending = false;
        }
        projection.orderBy.push_back(std::move(item));
      } while (accept(TokenKind::kComma));
    }
    if (acceptKeyword("SKIP")) projection.skip = parseExpression();
    if (acceptKeyword("LIMIT")) projection.limit = parseExpression();
  }

  void parseCall(Clause& clause) {
    clause.procedure = parseSymbolicName("a procedure name");
    while (accept(TokenKind::kDot)) {
      clause.procedure += '.';
      clause.procedure += parseSymbolicName("a procedure name");
    }
    if (accept(TokenKind::kLParen)) {
      clause.hasArgs = true;
      if (!accept(TokenKind::kRParen)) {
        do {
          clause.args.push_back(parseExpression());
        } while (accept(TokenKind::kComma));
        expect(TokenKind::kRParen, "',' or ')'");
      }
    }
    if (acceptKeyword("YIELD")) {
      clause.hasYield = true;
      do {
        YieldItem item;
        item.pos = peek().pos;
        item.name = parseSymbolicName("a result name");
        if (acceptKeyword("AS")) item.alias = parseVariableName("an alias");
        clause.yields.push_back(std::move(item));
      } while (accept(TokenKind::kComma));
      if (acceptKeyword("WHERE")) clause.where = parseExpression();
    }
  }

  // ---- patterns ----

  PatternPart parsePatternPart() {
    PatternPart part;
    part.pos = peek().pos;
    if (atVariableName() && at(TokenKind::kEq, 1)) {
      part.pathVariable = next().text;
      next();
    }
    if ((atKeyword("shortestPath") || atKeyword("allShortestPaths")) && at(TokenKind::kLParen, 1)) {
      parseShortestPath(part, true);
    } else {
      parsePatternElement(part, true);
    }
    return part;
  }

  void parseShortestPath(PatternPart& part, bool inMatch = false) {
    Position pos = peek().pos;
    part.function = atKeyword("shortestPath") ? PathFunction::kShortestPath
                                              : PathFunction::kAllShortestPaths;
    next();
    next();  // '('
    parsePatternElement(part, inMatch);
    expect(TokenKind::kRParen, "')'");
    if (part.chain.size() != 1) {
      fail(pos, std::string(part.function == PathFunction::kShortestPath ? "shortestPath"
                                                                         : "allShortestPaths") +
                    " needs a pattern with exactly one relationship");
    }
  }

  bool atRelationshipStart() const {
    if (at(TokenKind::kMinus)) return at(TokenKind::kMinus, 1) || at(TokenKind::kLBracket, 1);
    if (at(TokenKind::kLt) && at(TokenKind::kMinus, 1)) {
      return at(TokenKind::kMinus, 2) || at(TokenKind::kLBracket, 2);
    }
    return false;
  }

  // In MATCH a '-' or '<' after a node can only continue the pattern, so a malformed arrow
  // is reported where it is; inside an expression it may be arithmetic or a comparison.
  void parsePatternElement(PatternPart& part, bool inMatch = false) {
    Nest nest(*this);
    part.start = parseNodePattern();
    Chain chain(*this);
    while (inMatch ? (at(TokenKind::kMinus) || at(TokenKind::kLt)) : atRelationshipStart()) {
      chain.grow();
      RelPattern rel = parseRelPattern();
      NodePattern node = parseNodePattern();
      part.chain.emplace_back(std::move(rel), std::move(node));
    }
  }

  NodePattern parseNodePattern() {
    NodePattern node;
    node.pos = peek().pos;
    expect(TokenKind::kLParen, "'(' to start a node pattern");
    if (atVariableName()) node.variable = next().text;
    while (accept(TokenKind::kColon)) node.labels.push_back(parseSymbolicName("a label name"));
    node.properties = parsePatternProperties();
    expect(TokenKind::kRParen, "')'");
    return node;
  }

  ExprPtr parsePatternProperties() {
    if (at(TokenKind::kLBrace)) return parseMapLiteral();
    if (at(TokenKind::kParameter)) return parseAtom();
    return nullptr;
  }

  RelPattern parseRelPattern() {
    RelPattern rel;
    rel.pos = peek().pos;
    bool left = accept(TokenKind::kLt);
    expect(TokenKind::kMinus, "'-'");
    if (!at(TokenKind::kLBracket) && !at(TokenKind::kMinus)) expected("'-' or '['");
    if (accept(TokenKind::kLBracket)) {
      if (atVariableName()) rel.variable = next().text;
      if (accept(TokenKind::kColon)) {
        rel.types.push_back(parseSymbolicName("a relationship type"));
        while (accept(TokenKind::kPipe)) {
          accept(TokenKind::kColon);  // [:A|:B] is an old spelling of [:A|B]
          rel.types.push_back(parseSymbolicName("a relationship type"));
        }
      }
      if (accept(TokenKind::kStar)) rel.varLength = parseVarLength();
      rel.properties = parsePatternProperties();
      expect(TokenKind::kRBracket, "']'");
    }
    expect(TokenKind::kMinus, "'-'");
    bool right = accept(TokenKind::kGt);
    if (left && !right) {
      rel.direction = Direction::kLeft;
    } else if (right && !left) {
      rel.direction = Direction::kRight;
    } else {
      rel.direction = Direction::kUndirected;
    }
    return rel;
  }

  int64_t parseHopCount() {
    const Token& token = next();
    if (token.intValue > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      fail(token.pos, "integer literal is too large");
    }
    return static_cast<int64_t>(token.intValue);
  }

  VarLength parseVarLength() {
    VarLength length;
    Position pos = peek().pos;
    if (at(TokenKind::kInteger)) length.minHops = parseHopCount();
    if (accept(TokenKind::kDotDot)) {
      if (at(TokenKind::kInteger)) length.maxHops = parseHopCount();
      if (!length.minHops && !length.maxHops) expected("a number of hops");
    } else {
      length.maxHops = length.minHops;  // *2 means exactly two hops
    }
    if (length.minHops && length.maxHops && *length.minHops > *length.maxHops) {
      fail(pos, "the minimum number of hops is greater than the maximum");
    }
    return length;
  }

  // ---- expressions, loosest binding first ----

  ExprPtr parseExpression() {
    Nest nest(*this);
    return parseOr();
  }

  static ExprPtr makeBinary(BinaryOp op, ExprPtr left, ExprPtr right) {
    auto expr = std::make_unique<Expr>(ExprKind::kBinary, left->pos);
    expr->binaryOp = op;
    expr->children.push_back(std::move(left));
    expr->children.push_back(std::move(right));
    return expr;
  }

  ExprPtr parseOr() {
    ExprPtr left = parseXor();
    Chain chain(*this);
    while (acceptKeyword("OR")) {
      chain.grow();
      left = makeBinary(BinaryOp::kOr, std::move(left), parseXor());
    }
    return left;
  }

  ExprPtr parseXor() {
    ExprPtr left = parseAnd();
    Chain chain(*this);
    while (acceptKeyword("XOR")) {
      chain.grow();
      left = makeBinary(BinaryOp::kXor, std::move(left), parseAnd());
    }
    return left;
  }

  ExprPtr parseAnd() {
    ExprPtr left = parseNot();
    Chain chain(*this);
    while (acceptKeyword("AND")) {
      chain.grow();
      left = makeBinary(BinaryOp::kAnd, std::move(left), parseNot());
    }
    return left;
  }

  ExprPtr parseNot() {
    if (!atKeyword("NOT")) return parseComparison();
    Nest nest(*this);
    auto expr = std::make_unique<Expr>(ExprKind::kUnary, next().pos);
    expr->unaryOp = UnaryOp::kNot;
    expr->children.push_back(parseNot());
    return expr;
  }

  bool atCompareOp(CompareOp& op) const {
    switch (peek().kind) {
      case TokenKind::kEq: op = CompareOp::kEq; return true;
      case TokenKind::kNe: op = CompareOp::kNe; return true;
      case TokenKind::kLt: op = CompareOp::kLt; return true;
      case TokenKind::kGt: op = CompareOp::kGt; return true;
      case TokenKind::kLe: op = CompareOp::kLe; return true;
      case TokenKind::kGe: op = CompareOp::kGe; return true;
      default: return false;
    }
  }

  // a < b <= c is one chained comparison (a < b AND b <= c), as in openCypher.
  ExprPtr parseComparison() {
    ExprPtr first = parsePredicate();
    CompareOp op;
    if (!atCompareOp(op)) return first;
    auto expr = std::make_unique<Expr>(ExprKind::kComparison, first->pos);
    expr->children.push_back(std::move(first));
    while (atCompareOp(op)) {
      next();
      expr->compareOps.push_back(op);
      expr->children.push_back(parsePredicate());
    }
    return expr;
  }

  // IN, STARTS WITH, ENDS WITH, CONTAINS, =~, IS [NOT] NULL.
  ExprPtr parsePredicate() {
    ExprPtr left = parseAdditive();
    Chain chain(*this);
    while (true) {
      BinaryOp op;
      if (acceptKeyword("IN")) {
        op = BinaryOp::kIn;
      } else if (atKeyword("STARTS") || atKeyword("ENDS")) {
        op = atKeyword("STARTS") ? BinaryOp::kStartsWith : BinaryOp::kEndsWith;
        next();
        expectKeyword("WITH");
      } else if (acceptKeyword("CONTAINS")) {
        op = BinaryOp::kContains;
      } else if (accept(TokenKind::kRegexMatch)) {
        op = BinaryOp::kRegexMatch;
      } else if (atKeyword("IS")) {
        chain.grow();
        next();
        auto expr = std::make_unique<Expr>(ExprKind::kIsNull, left->pos);
        expr->negated = acceptKeyword("NOT");
        expectKeyword("NULL");
        expr->children.push_back(std::move(left));
        left = std::move(expr);
        continue;
      } else {
        return left;
      }
      chain.grow();
      left = makeBinary(op, std::move(left), parseAdditive());
    }
  }

  ExprPtr parseAdditive() {
    ExprPtr left = parseMultiplicative();
    Chain chain(*this);
    while (at(TokenKind::kPlus) || at(TokenKind::kMinus)) {
      BinaryOp op = next().kind == TokenKind::kPlus ? BinaryOp::kAdd : BinaryOp::kSubtract;
      chain.grow();
      left = makeBinary(op, std::move(left), parseMultiplicative());
    }
    return left;
  }

  ExprPtr parseMultiplicative() {
    ExprPtr left = parsePower();
    Chain chain(*this);
    while (at(TokenKind::kStar) || at(TokenKind::kSlash) || at(TokenKind::kPercent)) {
      TokenKind kind = next().kind;
      BinaryOp op = kind == TokenKind::kStar    ? BinaryOp::kMultiply
                    : kind == TokenKind::kSlash ? BinaryOp::kDivide
                                                : BinaryOp::kModulo;
      chain.grow();
      left = makeBinary(op, std::move(left), parsePower());
    }
    return left;
  }

  // openCypher makes ^ left-associative and binds unary minus tighter: -2^2 is (-2)^2.
  ExprPtr parsePower() {
    ExprPtr left = parseUnary();
    Chain chain(*this);
    while (accept(TokenKind::kCaret)) {
      chain.grow();
      left = makeBinary(BinaryOp::kPower, std::move(left), parseUnary());
    }
    return left;
  }

  ExprPtr parseUnary() {
    if (!at(TokenKind::kMinus) && !at(TokenKind::kPlus)) return parsePostfix();
    Nest nest(*this);
    const Token& sign = next();
    bool negate = sign.kind == TokenKind::kMinus;
    // -9223372036854775808 is the one integer whose magnitude alone does not fit.
    if (negate && at(TokenKind::kInteger) && peek().intValue == (uint64_t{1} << 63)) {
      auto literal = std::make_unique<Expr>(ExprKind::kInteger, sign.pos);
      literal->intValue = std::numeric_limits<int64_t>::min();
      next();
      return literal;
    }
    ExprPtr operand = parseUnary();
    // Fold signs into number literals so that "-1" is the literal -1, as users think of it.
    if (operand->kind == ExprKind::kInteger &&
        (!negate || operand->intValue != std::numeric_limits<int64_t>::min())) {
      if (negate) operand->intValue = -operand->intValue;
      operand->pos = sign.pos;
      return operand;
    }
    if (operand->kind == ExprKind::kFloat) {
      if (negate) operand->floatValue = -operand->floatValue;
      operand->pos = sign.pos;
      return operand;
    }
    auto expr = std::make_unique<Expr>(ExprKind::kUnary, sign.pos);
    expr->unaryOp = negate ? UnaryOp::kNegate : UnaryOp::kPlus;
    expr->children.push_back(std::move(operand));
    return expr;
  }

  ExprPtr parsePostfix() {
    ExprPtr expr = parseAtom();
    Chain chain(*this);
    while (true) {
      if (at(TokenKind::kDot)) {
        chain.grow();
        next();
        auto property = std::make_unique<Expr>(ExprKind::kProperty, expr->pos);
        property->text = parseSymbolicName("a property name");
        property->children.push_back(std::move(expr));
        expr = std::move(property);
      } else if (at(TokenKind::kLBracket)) {
        chain.grow();
        expr = parseIndex(std::move(expr));
      } else if (at(TokenKind::kColon)) {
        chain.grow();
        auto labels = std::make_unique<Expr>(ExprKind::kHasLabels, expr->pos);
        while (accept(TokenKind::kColon)) labels->names.push_back(parseSymbolicName("a label name"));
        labels->children.push_back(std::move(expr));
        expr = std::move(labels);
      } else {
        return expr;
      }
    }
  }

  ExprPtr parseIndex(ExprPtr base) {
    next();  // '['
    Position pos = base->pos;
    ExprPtr from;
    if (!at(TokenKind::kDotDot)) from = parseExpression();
    if (accept(TokenKind::kDotDot)) {
      auto slice = std::make_unique<Expr>(ExprKind::kSlice, pos);
      slice->children.push_back(std::move(base));
      slice->children.push_back(std::move(from));
      slice->children.push_back(at(TokenKind::kRBracket) ? nullptr : parseExpression());
      expect(TokenKind::kRBracket, "']'");
      return slice;
    }
    expect(TokenKind::kRBracket, "']' or '..'");
    auto index = std::make_unique<Expr>(ExprKind::kIndex, pos);
    index->children.push_back(std::move(base));
    index->children.push_back(std::move(from));
    return index;
  }

  // Is the '(' here the start of a relationship pattern such as (a)-[:T]->(b), rather than a
  // parenthesised expression? Look past the matching ')' for '-' '-', '-' '[', '<' '-'.
  bool atPatternExpression() const {
    int depth = 0;
    for (size_t i = pos_; i < tokens_.size(); ++i) {
      TokenKind kind = tokens_[i].kind;
      if (kind == TokenKind::kLParen || kind == TokenKind::kLBracket || kind == TokenKind::kLBrace) {
        ++depth;
      } else if (kind == TokenKind::kRParen || kind == TokenKind::kRBracket ||
                 kind == TokenKind::kRBrace) {
        if (--depth == 0) {
          auto kindAt = [&](size_t k) {
            return k < tokens_.size() ? tokens_[k].kind : TokenKind::kEnd;
          };
          TokenKind a = kindAt(i + 1), b = kindAt(i + 2), c = kindAt(i + 3);
          if (a == TokenKind::kMinus) return b == TokenKind::kMinus || b == TokenKind::kLBracket;
          if (a == TokenKind::kLt && b == TokenKind::kMinus) {
            return c == TokenKind::kMinus || c == TokenKind::kLBracket;
          }
          return false;
        }
        if (depth < 0) return false;
      } else if (kind == TokenKind::kEnd) {
        return false;
      }
    }
    return false;
  }

  ExprPtr parsePatternExpression() {
    auto expr = std::make_unique<Expr>(ExprKind::kPattern, peek().pos);
    expr->pattern = std::make_unique<PatternPart>();
    expr->pattern->pos = expr->pos;
    if (at(TokenKind::kLParen)) {
      parsePatternElement(*expr->pattern);
    } else {
      parseShortestPath(*expr->pattern);
    }
    return expr;
  }

  ExprPtr parseAtom() {
    const Token& token = peek();
    switch (token.kind) {
      case TokenKind::kInteger: {
        if (token.intValue > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          fail(token.pos, "integer literal is too large");
        }
        auto expr = std::make_unique<Expr>(ExprKind::kInteger, token.pos);
        expr->intValue = static_cast<int64_t>(token.intValue);
        next();
        return expr;
      }
      case TokenKind::kFloat: {
        auto expr = std::make_unique<Expr>(ExprKind::kFloat, token.pos);
        expr->floatValue = token.floatValue;
        next();
        return expr;
      }
      case TokenKind::kString: {
        auto expr = std::make_unique<Expr>(ExprKind::kString, token.pos);
        expr->text = token.text;
        next();
        return expr;
      }
      case TokenKind::kParameter: {
        auto expr = std::make_unique<Expr>(ExprKind::kParameter, token.pos);
        expr->text = token.text;
        next();
        return expr;
      }
      case TokenKind::kLBracket:
        return parseListOrComprehension();
      case TokenKind::kLBrace:
        return parseMapLiteral();
      case TokenKind::kLParen: {
        if (atPatternExpression()) return parsePatternExpression();
        next();
        ExprPtr inner = parseExpression();
        expect(TokenKind::kRParen, "')'");
        return inner;
      }
      case TokenKind::kQuotedIdentifier: {
        auto expr = std::make_unique<Expr>(ExprKind::kVariable, token.pos);
        expr->text = token.text;
        next();
        return expr;
      }
      case TokenKind::kIdentifier:
        return parseWordAtom();
      default:
        expected("an expression");
    }
  }

  ExprPtr parseWordAtom() {
    const Token& token = peek();
    Position pos = token.pos;
    if (acceptKeyword("NULL")) return std::make_unique<Expr>(ExprKind::kNull, pos);
    if (atKeyword("TRUE") || atKeyword("FALSE")) {
      auto expr = std::make_unique<Expr>(ExprKind::kBool, pos);
      expr->boolValue = atKeyword("TRUE");
      next();
      return expr;
    }
    if (atKeyword("CASE")) return parseCase();
    if (atKeyword("COUNT") && at(TokenKind::kLParen, 1) && at(TokenKind::kStar, 2)) {
      next();
      next();
      next();
      expect(TokenKind::kRParen, "')'");
      return std::make_unique<Expr>(ExprKind::kCountStar, pos);
    }
    if ((atKeyword("shortestPath") || atKeyword("allShortestPaths")) && at(TokenKind::kLParen, 1)) {
      return parsePatternExpression();
    }
    if (at(TokenKind::kLParen, 1)) {
      for (auto [word, quantifier] : {std::pair{"ALL", Quantifier::kAll},
                                      std::pair{"ANY", Quantifier::kAny},
                                      std::pair{"NONE", Quantifier::kNone},
                                      std::pair{"SINGLE", Quantifier::kSingle}}) {
        if (atKeyword(word)) return parseQuantifier(quantifier);
      }
    }
    if (atFunctionCall()) return parseFunctionCall();
    if (isReservedWord(token.text)) expected("an expression");
    auto expr = std::make_unique<Expr>(ExprKind::kVariable, pos);
    expr->text = token.text;
    next();
    return expr;
  }

  // name(  or  name.space.name(
  bool atFunctionCall() const {
    size_t i = 0;
    while (true) {
      if (peek(i).kind != TokenKind::kIdentifier && peek(i).kind != TokenKind::kQuotedIdentifier) {
        return false;
      }
      if (peek(i + 1).kind == TokenKind::kLParen) return true;
      if (peek(i + 1).kind != TokenKind::kDot) return false;
      i += 2;
    }
  }

  ExprPtr parseFunctionCall() {
    Position pos = peek().pos;
    std::string name = next().text;
    while (accept(TokenKind::kDot)) name += "." + next().text;
    next();  // '('
    Nest nest(*this);
    const FunctionInfo* info = findFunction(name);
    if (info == nullptr) fail(pos, "unknown function '" + name + "'");
    auto expr = std::make_unique<Expr>(ExprKind::kFunction, pos);
    expr->text = std::string(info->name);
    if (atKeyword("DISTINCT")) {
      if (!info->aggregate) {
        fail(peek().pos, "DISTINCT is only allowed in aggregate functions, not in '" +
                             expr->text + "'");
      }
      expr->distinct = true;
      next();
    }
    if (!accept(TokenKind::kRParen)) {
      do {
        expr->children.push_back(parseExpression());
      } while (accept(TokenKind::kComma));
      expect(TokenKind::kRParen, "',' or ')'");
    }
    int count = static_cast<int>(expr->children.size());
    if (count < info->minArgs || (info->maxArgs != kVariadic && count > info->maxArgs)) {
      std::string wanted;
      if (info->maxArgs == kVariadic) {
        wanted = "at least " + std::to_string(info->minArgs);
      } else if (info->minArgs == info->maxArgs) {
        wanted = std::to_string(info->minArgs);
      } else {
        wanted = std::to_string(info->minArgs) + " to " + std::to_string(info->maxArgs);
      }
      bool one = wanted == "1" || wanted == "at least 1";
      fail(pos, "function '" + expr->text + "' takes " + wanted + (one ? " argument" : " arguments") +
                    " but was given " + std::to_string(count));
    }
    return expr;
  }

  ExprPtr parseQuantifier(Quantifier quantifier) {
    auto expr = std::make_unique<Expr>(ExprKind::kQuantifier, peek().pos);
    expr->quantifier = quantifier;
    next();
    next();  // '('
    Nest nest(*this);
    expr->text = parseVariableName();
    expectKeyword("IN");
    expr->children.push_back(parseExpression());
    expectKeyword("WHERE");
    expr->children.push_back(parseExpression());
    expect(TokenKind::kRParen, "')'");
    return expr;
  }

  ExprPtr parseCase() {
    auto expr = std::make_unique<Expr>(ExprKind::kCase, next().pos);
    Nest nest(*this);
    if (atKeyword("END")) expected("WHEN");
    expr->children.push_back(atKeyword("WHEN") ? nullptr : parseExpression());
    expr->children.push_back(nullptr);  // ELSE, filled below
    while (acceptKeyword("WHEN")) {
      expr->children.push_back(parseExpression());
      expectKeyword("THEN");
      expr->children.push_back(parseExpression());
    }
    if (expr->children.size() == 2) expected("WHEN");
    if (acceptKeyword("ELSE")) expr->children[1] = parseExpression();
    expectKeyword("END");
    return expr;
  }

  ExprPtr parseListOrComprehension() {
    Position pos = next().pos;  // '['
    Nest nest(*this);
    if (at(TokenKind::kLParen) && atPatternExpression()) {
      // [(a)-[:T]->(b) WHERE b.x > 1 | b.id]: one value per match of the pattern.
      auto expr = std::make_unique<Expr>(ExprKind::kPatternComprehension, pos);
      expr->pattern = std::make_unique<PatternPart>();
      expr->pattern->pos = peek().pos;
      parsePatternElement(*expr->pattern);
      expr->children.push_back(acceptKeyword("WHERE") ? parseExpression() : nullptr);
      expect(TokenKind::kPipe, "WHERE or '|' in a pattern comprehension");
      expr->children.push_back(parseExpression());
      expect(TokenKind::kRBracket, "']'");
      return expr;
    }
    if (atVariableName() && atKeyword("IN", 1)) {
      auto expr = std::make_unique<Expr>(ExprKind::kListComprehension, pos);
      expr->text = next().text;
      next();  // IN
      expr->children.push_back(parseExpression());
      expr->children.push_back(acceptKeyword("WHERE") ? parseExpression() : nullptr);
      expr->children.push_back(accept(TokenKind::kPipe) ? parseExpression() : nullptr);
      expect(TokenKind::kRBracket, "']'");
      return expr;
    }
    auto expr = std::make_unique<Expr>(ExprKind::kList, pos);
    if (!accept(TokenKind::kRBracket)) {
      do {
        expr->children.push_back(parseExpression());
      } while (accept(TokenKind::kComma));
      expect(TokenKind::kRBracket, "',' or ']'");
    }
    return expr;
  }

  ExprPtr parseMapLiteral() {
    auto expr = std::make_unique<Expr>(ExprKind::kMap, peek().pos);
    expect(TokenKind::kLBrace, "'{'");
    Nest nest(*this);
    if (!accept(TokenKind::kRBrace)) {
      do {
        expr->names.push_back(parseSymbolicName("a property name"));
        expect(TokenKind::kColon, "':'");
        expr->children.push_back(parseExpression());
      } while (accept(TokenKind::kComma));
      expect(TokenKind::kRBrace, "',' or '}'");
    }
    return expr;
  }

  const std::vector<Token>& tokens_;
  size_t pos_ = 0;
  int nesting_ = 0;
  int height_ = 0;
};

ParseResult parse(std::string_view text, bool check) {
  ParseResult result;
  try {
    LexResult lexed = tokenize(text);
    if (lexed.error) {
      result.error = std::move(lexed.error);
      return result;
    }
    Parser parser(lexed.tokens);
    std::unique_ptr<Query> query = parser.parseQuery();
    if (check) {
      if (std::optional<ParseError> error = checkQuery(*query)) {
        result.error = std::move(error);
        return result;
      }
    }
    result.query = std::move(query);
  } catch (const SyntaxError& e) {
    result.error = e.error;
  } catch (const std::bad_alloc&) {
    result.error = ParseError{1, 1, "query is too large"};
  } catch (const std::exception& e) {
    // No known path leads here; the API promise is "an error, never an exception".
    result.error = ParseError{1, 1, std::string("internal parser error: ") + e.what()};
  }
  return result;
}

}  // namespace

bool isReservedWord(std::string_view word) {
  for (const char* reserved : kReserved) {
    if (equalsIgnoreCase(word, reserved)) return true;
  }
  return false;
}

ParseResult parseQuery(std::string_view text) { return parse(text, true); }

ParseResult parseQuerySyntax(std::string_view text) { return parse(text, false); }

}  // namespace gk::query
