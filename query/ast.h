// The syntax tree of a read-only openCypher query, as the parser produces it and the printer,
// checker and (later) planner consume it. Plain structs with owning pointers: a Query owns its
// clauses, a clause its expressions and patterns. Every node keeps the Position where it began,
// so later stages can report errors at the right place too.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/error.h"

namespace gk::query {

struct Expr;
struct PatternPart;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  kNull,
  kBool,               // boolValue
  kInteger,            // intValue
  kFloat,              // floatValue
  kString,             // text
  kList,               // children = elements
  kMap,                // names[i]: children[i]
  kParameter,          // $text
  kVariable,           // text
  kProperty,           // children[0].text
  kIndex,              // children[0][children[1]]
  kSlice,              // children[0][children[1]..children[2]]; either bound may be null
  kHasLabels,          // children[0]:names[0]:names[1]...
  kFunction,           // text(children...), `distinct` for count(DISTINCT x); text is canonical
  kCountStar,          // count(*)
  kUnary,              // unaryOp children[0]
  kBinary,             // children[0] binaryOp children[1]
  kComparison,         // children[0] compareOps[0] children[1] compareOps[1] children[2] ...
  kIsNull,             // children[0] IS NULL, or IS NOT NULL when `negated`
  kCase,               // CASE [children[0]] WHEN children[2] THEN children[3] ... [ELSE children[1]]
  kListComprehension,  // [text IN children[0] WHERE children[1] | children[2]]; 1, 2 may be null
  kQuantifier,         // quantifier(text IN children[0] WHERE children[1])
  kPattern,            // pattern predicate: (a)-[:T]->(b), also shortestPath(...)
  kPatternComprehension,  // [pattern WHERE children[0] | children[1]]; children[0] may be null
};

enum class UnaryOp { kNot, kNegate, kPlus };

// Listed from the loosest to the tightest binding; the printer relies on the grouping.
enum class BinaryOp {
  kOr, kXor, kAnd,
  kIn, kStartsWith, kEndsWith, kContains, kRegexMatch,
  kAdd, kSubtract, kMultiply, kDivide, kModulo, kPower,
};

enum class CompareOp { kEq, kNe, kLt, kGt, kLe, kGe };

enum class Quantifier { kAll, kAny, kNone, kSingle };

struct Expr {
  ExprKind kind = ExprKind::kNull;
  Position pos;
  bool boolValue = false;
  int64_t intValue = 0;
  double floatValue = 0;
  std::string text;
  std::vector<std::string> names;
  std::vector<ExprPtr> children;
  UnaryOp unaryOp = UnaryOp::kNot;
  BinaryOp binaryOp = BinaryOp::kOr;
  std::vector<CompareOp> compareOps;
  Quantifier quantifier = Quantifier::kAll;
  bool distinct = false;
  bool negated = false;
  std::unique_ptr<PatternPart> pattern;  // kPattern, kPatternComprehension

  Expr() = default;
  Expr(ExprKind k, Position p) : kind(k), pos(p) {}
  ~Expr();
};

enum class Direction {
  kRight,       // -[]->
  kLeft,        // <-[]-
  kUndirected,  // -[]-  (also <-[]->, which matches either way)
};

struct NodePattern {
  Position pos;
  std::string variable;          // empty: anonymous
  std::vector<std::string> labels;
  ExprPtr properties;            // a kMap or kParameter, or null
};

// `*` alone: minHops and maxHops empty; `*2`: both 2; `*1..3`, `*..3`, `*2..`.
struct VarLength {
  std::optional<int64_t> minHops;
  std::optional<int64_t> maxHops;
};

struct RelPattern {
  Position pos;
  Direction direction = Direction::kUndirected;
  std::string variable;
  std::vector<std::string> types;  // alternatives: [:A|B]
  std::optional<VarLength> varLength;
  ExprPtr properties;
};

enum class PathFunction { kNone, kShortestPath, kAllShortestPaths };

struct PatternPart {
  Position pos;
  std::string pathVariable;  // p = ...
  PathFunction function = PathFunction::kNone;
  NodePattern start;
  std::vector<std::pair<RelPattern, NodePattern>> chain;  // each step: relationship, next node
};

inline Expr::~Expr() = default;

struct SortItem {
  ExprPtr expr;
  bool descending = false;
};

struct ReturnItem {
  ExprPtr expr;
  std::string alias;  // empty: no AS
  Position aliasPos;
};

struct Projection {
  bool distinct = false;
  bool star = false;  // RETURN * (items may follow: RETURN *, a.x AS y)
  Position starPos;
  std::vector<ReturnItem> items;
  std::vector<SortItem> orderBy;
  ExprPtr skip;
  ExprPtr limit;
};

enum class ClauseKind { kMatch, kUnwind, kWith, kReturn, kCall };

struct YieldItem {
  std::string name;
  std::string alias;  // empty: no AS
  Position pos;
};

struct Clause {
  ClauseKind kind = ClauseKind::kMatch;
  Position pos;
  // kMatch
  bool optional = false;
  std::vector<PatternPart> patterns;
  // kMatch, kWith, kCall: the WHERE that follows
  ExprPtr where;
  // kUnwind: UNWIND expr AS alias
  ExprPtr expr;
  std::string alias;
  Position aliasPos;
  // kWith, kReturn
  Projection projection;
  // kCall: CALL procedure(args) YIELD ...
  std::string procedure;  // dotted name, e.g. algo.pageRank
  std::vector<ExprPtr> args;
  bool hasArgs = false;   // written with parentheses
  bool hasYield = false;
  std::vector<YieldItem> yields;
};

struct Query {
  bool explain = false;
  bool profile = false;
  std::vector<Clause> clauses;
};

}  // namespace gk::query
