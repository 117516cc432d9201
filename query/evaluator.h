// Evaluator: computes an expression of the AST for one row. A row is a fixed-width vector of
// values; a SlotScope (fixed when the plan is built) says which slot holds which variable.
// Comprehension, quantifier and pattern-comprehension variables are bound on a small stack of
// locals inside the evaluator, searched before the scope, so they shadow outer names.
//
// Errors are QueryError with the line and column of the expression that failed:
// kType for type errors, overflow and division by zero; kSemantic for a missing parameter or a
// bad regular expression; kLimit when a list or search exceeds the limits.
#pragma once

#include <map>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "query/ast.h"
#include "query/cypher_value.h"
#include "query/exec_context.h"
#include "query/value_ops.h"

namespace gk::query {

using Row = std::vector<CypherValue>;

class SlotScope {
 public:
  // -1 when the name is not bound.
  int find(std::string_view name) const {
    for (const auto& [n, slot] : names_) {
      if (n == name) return slot;
    }
    return -1;
  }
  void bind(std::string name, int slot) {
    for (auto& [n, s] : names_) {
      if (n == name) {
        s = slot;
        return;
      }
    }
    names_.emplace_back(std::move(name), slot);
  }
  const std::vector<std::pair<std::string, int>>& names() const { return names_; }

 private:
  std::vector<std::pair<std::string, int>> names_;
};

// Strings longer than this are refused by =~ (std::regex matches recursively, so an unbounded
// input could exhaust the stack).
inline constexpr size_t kMaxRegexInputBytes = 4096;
inline constexpr size_t kMaxRegexPatternBytes = 1024;

class Evaluator {
 public:
  explicit Evaluator(ExecContext& ctx) : ctx_(ctx) {}
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  CypherValue eval(const Expr& expr, const Row& row, const SlotScope& scope);
  // WHERE semantics: only true passes (false and null do not); a non-boolean is a type error.
  bool isTrue(const Expr& expr, const Row& row, const SlotScope& scope);

  // While an aggregation computes its output, the values of its aggregate calls (keyed by the
  // call's node in the AST); eval() of an aggregate call answers from here. Null: none.
  void setAggregateResults(const std::map<const Expr*, CypherValue>* results) {
    aggregateResults_ = results;
  }

  // An inline property map ({k: v} or $param) as a map; null expr gives nullopt.
  std::optional<CypherMap> evalPropertyMap(const Expr* expr, const Row& row,
                                           const SlotScope& scope);

  ExecContext& context() { return ctx_; }

 private:
  CypherValue evalInner(const Expr& expr, const Row& row, const SlotScope& scope);
  const CypherValue* lookup(std::string_view name, const Row& row, const SlotScope& scope) const;
  CypherValue evalProperty(const Expr& expr, const Row& row, const SlotScope& scope);
  CypherValue evalIndex(const Expr& expr, const Row& row, const SlotScope& scope);
  CypherValue evalSlice(const Expr& expr, const Row& row, const SlotScope& scope);
  CypherValue evalFunction(const Expr& expr, const Row& row, const SlotScope& scope);
  CypherValue evalBinary(const Expr& expr, const Row& row, const SlotScope& scope);
  CypherValue evalComparison(const Expr& expr, const Row& row, const SlotScope& scope);
  CypherValue evalCase(const Expr& expr, const Row& row, const SlotScope& scope);
  CypherValue evalListComprehension(const Expr& expr, const Row& row, const SlotScope& scope);
  CypherValue evalQuantifier(const Expr& expr, const Row& row, const SlotScope& scope);
  CypherValue evalPattern(const Expr& expr, const Row& row, const SlotScope& scope);
  CypherValue evalPatternComprehension(const Expr& expr, const Row& row, const SlotScope& scope);
  bool regexMatch(const std::string& text, const std::string& pattern);

  // Calls `onMatch` for every match of `part` given the row (bound variables fixed, new ones
  // pushed as locals while onMatch runs). Returns false when onMatch asked to stop.
  bool matchPattern(const PatternPart& part, const Row& row, const SlotScope& scope,
                    const std::function<bool()>& onMatch);

  ExecContext& ctx_;
  std::vector<std::pair<std::string_view, CypherValue>> locals_;
  const std::map<const Expr*, CypherValue>* aggregateResults_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<std::regex>> regexCache_;
};

// A conversion of a boolean operand: true/false/null, or a type error naming `what`.
Ternary asTernary(const CypherValue& value, const char* what);

}  // namespace gk::query
