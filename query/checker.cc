// Scope and placement checks over a parsed Query; see checker.h. Scopes are plain name sets:
// MATCH, UNWIND and CALL ... YIELD add names; WITH replaces the scope with what it projects.
#include "query/checker.h"

#include <set>
#include <string>

#include "query/functions.h"
#include "query/printer.h"

namespace gk::query {
namespace {

using Scope = std::set<std::string>;

struct CheckFailed {
  ParseError error;
};

[[noreturn]] void fail(Position pos, std::string message) {
  throw CheckFailed{makeError(pos, std::move(message))};
}

// Where an expression stands decides whether aggregates may appear in it.
enum class Place { kProjection, kNoAggregates };

class Checker {
 public:
  void checkQuery(const Query& query) {
    Scope scope;
    for (size_t i = 0; i < query.clauses.size(); ++i) {
      const Clause& clause = query.clauses[i];
      switch (clause.kind) {
        case ClauseKind::kMatch: checkMatch(clause, scope); break;
        case ClauseKind::kUnwind:
          checkExpr(*clause.expr, scope, Place::kNoAggregates, "UNWIND");
          scope.insert(clause.alias);
          break;
        case ClauseKind::kWith: scope = checkProjection(clause, scope, true); break;
        case ClauseKind::kReturn: checkProjection(clause, scope, false); break;
        case ClauseKind::kCall:
          if (!clause.hasYield && i + 1 < query.clauses.size()) {
            fail(clause.pos, "a CALL followed by other clauses must YIELD its results");
          }
          for (const ExprPtr& arg : clause.args) {
            checkExpr(*arg, scope, Place::kNoAggregates, "procedure arguments");
          }
          for (const YieldItem& item : clause.yields) {
            scope.insert(item.alias.empty() ? item.name : item.alias);
          }
          if (clause.where) checkExpr(*clause.where, scope, Place::kNoAggregates, "WHERE");
          break;
      }
    }
  }

 private:
  void checkMatch(const Clause& clause, Scope& scope) {
    // Every name in the MATCH is visible to all of its property maps and to its WHERE.
    for (const PatternPart& part : clause.patterns) {
      if (!part.pathVariable.empty()) scope.insert(part.pathVariable);
      if (!part.start.variable.empty()) scope.insert(part.start.variable);
      for (const auto& [rel, node] : part.chain) {
        if (!rel.variable.empty()) scope.insert(rel.variable);
        if (!node.variable.empty()) scope.insert(node.variable);
      }
    }
    for (const PatternPart& part : clause.patterns) checkPatternProperties(part, scope);
    if (clause.where) checkExpr(*clause.where, scope, Place::kNoAggregates, "WHERE");
  }

  void checkPatternProperties(const PatternPart& part, const Scope& scope) {
    if (part.start.properties) {
      checkExpr(*part.start.properties, scope, Place::kNoAggregates, "a pattern");
    }
    for (const auto& [rel, node] : part.chain) {
      if (rel.properties) checkExpr(*rel.properties, scope, Place::kNoAggregates, "a pattern");
      if (node.properties) checkExpr(*node.properties, scope, Place::kNoAggregates, "a pattern");
    }
  }

  // Returns the scope after the clause (the projected names, for WITH).
  Scope checkProjection(const Clause& clause, const Scope& scope, bool isWith) {
    const Projection& projection = clause.projection;
    const char* keyword = isWith ? "WITH" : "RETURN";
    if (projection.star && scope.empty()) {
      fail(projection.starPos, std::string(keyword) + " * is not allowed when no variables are bound");
    }
    Scope projected = projection.star ? scope : Scope();
    std::set<std::string> columns(projected.begin(), projected.end());
    for (const ReturnItem& item : projection.items) {
      checkExpr(*item.expr, scope, Place::kProjection, keyword);
      std::string column;
      if (!item.alias.empty()) {
        column = item.alias;
      } else if (item.expr->kind == ExprKind::kVariable) {
        column = item.expr->text;
      } else if (isWith) {
        fail(item.expr->pos, "expression in WITH must be aliased (use AS)");
      } else {
        column = printExpr(*item.expr);
      }
      if (!columns.insert(column).second) {
        fail(item.alias.empty() ? item.expr->pos : item.aliasPos,
             "duplicate column name '" + column + "'");
      }
      projected.insert(column);
    }
    // ORDER BY may use both the projected names and (simplification) the names before them.
    Scope orderScope = scope;
    orderScope.insert(projected.begin(), projected.end());
    for (const SortItem& item : projection.orderBy) {
      checkExpr(*item.expr, orderScope, Place::kProjection, "ORDER BY");
    }
    checkRowCount(projection.skip.get(), "SKIP");
    checkRowCount(projection.limit.get(), "LIMIT");
    if (clause.where) checkExpr(*clause.where, projected, Place::kNoAggregates, "WHERE");
    return projected;
  }

  void checkRowCount(const Expr* expr, const char* keyword) {
    if (expr == nullptr) return;
    bool literal = expr->kind == ExprKind::kNull || expr->kind == ExprKind::kBool ||
                   expr->kind == ExprKind::kFloat || expr->kind == ExprKind::kString ||
                   expr->kind == ExprKind::kList || expr->kind == ExprKind::kMap;
    if (literal || (expr->kind == ExprKind::kInteger && expr->intValue < 0)) {
      fail(expr->pos, std::string(keyword) + " must be a non-negative integer");
    }
    // The row count is fixed before any row exists: literals and parameters only.
    if (const Expr* variable = firstVariable(*expr)) {
      fail(variable->pos, std::string(keyword) + " cannot refer to variables (found '" +
                              variable->text + "')");
    }
    checkExpr(*expr, Scope(), Place::kNoAggregates, keyword);
  }

  static const Expr* firstVariable(const Expr& expr) {
    if (expr.kind == ExprKind::kVariable) return &expr;
    if (expr.kind == ExprKind::kListComprehension || expr.kind == ExprKind::kQuantifier ||
        expr.kind == ExprKind::kPattern || expr.kind == ExprKind::kPatternComprehension) {
      return nullptr;  // local names; the scope check below reports what is unbound
    }
    for (const ExprPtr& child : expr.children) {
      if (child) {
        if (const Expr* found = firstVariable(*child)) return found;
      }
    }
    return nullptr;
  }

  void checkExpr(const Expr& expr, const Scope& scope, Place place, const char* where,
                 bool insideAggregate = false) {
    switch (expr.kind) {
      case ExprKind::kVariable:
        if (!scope.count(expr.text)) fail(expr.pos, "variable '" + expr.text + "' is not defined");
        return;
      case ExprKind::kFunction:
      case ExprKind::kCountStar: {
        const FunctionInfo* info =
            expr.kind == ExprKind::kCountStar ? findFunction("count") : findFunction(expr.text);
        if (info != nullptr && info->aggregate) {
          if (place == Place::kNoAggregates) {
            fail(expr.pos, "aggregate function '" + std::string(info->name) +
                               "' is not allowed in " + where);
          }
          if (insideAggregate) fail(expr.pos, "aggregate functions cannot be nested");
          insideAggregate = true;
        }
        break;
      }
      case ExprKind::kListComprehension:
      case ExprKind::kQuantifier: {
        checkExpr(*expr.children[0], scope, place, where, insideAggregate);
        Scope inner = scope;
        inner.insert(expr.text);
        for (size_t i = 1; i < expr.children.size(); ++i) {
          if (expr.children[i]) checkExpr(*expr.children[i], inner, place, where, insideAggregate);
        }
        return;
      }
      case ExprKind::kPattern:
        checkPatternPredicate(*expr.pattern, scope, where);
        return;
      case ExprKind::kPatternComprehension: {
        // Unlike a predicate, a comprehension may name new elements, visible inside it only.
        Scope inner = scope;
        const PatternPart& part = *expr.pattern;
        if (!part.start.variable.empty()) inner.insert(part.start.variable);
        for (const auto& [rel, node] : part.chain) {
          if (!rel.variable.empty()) inner.insert(rel.variable);
          if (!node.variable.empty()) inner.insert(node.variable);
        }
        checkPatternProperties(part, inner);
        for (const ExprPtr& child : expr.children) {
          if (child) checkExpr(*child, inner, place, where, insideAggregate);
        }
        return;
      }
      default:
        break;
    }
    for (const ExprPtr& child : expr.children) {
      if (child) checkExpr(*child, scope, place, where, insideAggregate);
    }
  }

  // A pattern predicate tests bound elements; it may not introduce names of its own.
  void checkPatternPredicate(const PatternPart& part, const Scope& scope, const char* where) {
    auto use = [&](const std::string& name, Position pos) {
      if (!name.empty() && !scope.count(name)) {
        fail(pos, "a pattern expression may not introduce new variables: '" + name + "'");
      }
    };
    use(part.start.variable, part.start.pos);
    for (const auto& [rel, node] : part.chain) {
      use(rel.variable, rel.pos);
      use(node.variable, node.pos);
    }
    checkPatternProperties(part, scope);
  }
};

}  // namespace

std::optional<ParseError> checkQuery(const Query& query) {
  try {
    Checker().checkQuery(query);
  } catch (const CheckFailed& e) {
    return e.error;
  }
  return std::nullopt;
}

}  // namespace gk::query
