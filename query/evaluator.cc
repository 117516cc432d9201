// Expression evaluation; see evaluator.h.
#include "query/evaluator.h"

#include <algorithm>

#include "query/functions.h"
#include "query/pattern_steps.h"
#include "query/scalar_functions.h"

namespace gk::query {

Ternary asTernary(const CypherValue& value, const char* what) {
  if (value.isNull()) return std::nullopt;
  if (!value.isBool()) {
    throwTypeError(std::string(what) + " expects a boolean, not " + std::string(typeName(value)));
  }
  return value.asBool();
}

namespace {

CypherValue fromTernary(Ternary t) {
  if (!t) return {};
  return *t;
}

// A list index, counting from the end when negative; nullopt when outside the list.
std::optional<size_t> listIndex(int64_t index, size_t size) {
  auto n = static_cast<int64_t>(size);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return std::nullopt;
  return static_cast<size_t>(index);
}

}  // namespace

CypherValue Evaluator::eval(const Expr& expr, const Row& row, const SlotScope& scope) {
  try {
    return evalInner(expr, row, scope);
  } catch (const QueryError& e) {
    if (e.line() != 0 || dynamic_cast<const TimeLimitExceeded*>(&e)) throw;
    // The innermost expression that failed gives the position users see.
    throw QueryError(e.kind(),
                     "line " + std::to_string(expr.pos.line) + ", column " +
                         std::to_string(expr.pos.column) + ": " + e.what(),
                     expr.pos.line, expr.pos.column);
  }
}

bool Evaluator::isTrue(const Expr& expr, const Row& row, const SlotScope& scope) {
  CypherValue v = eval(expr, row, scope);
  if (v.isNull()) return false;
  if (!v.isBool()) {
    throw QueryError(QueryErrorKind::kType,
                     "line " + std::to_string(expr.pos.line) + ", column " +
                         std::to_string(expr.pos.column) + ": a predicate must be a boolean, not " +
                         std::string(typeName(v)),
                     expr.pos.line, expr.pos.column);
  }
  return v.asBool();
}

std::optional<CypherMap> Evaluator::evalPropertyMap(const Expr* expr, const Row& row,
                                                    const SlotScope& scope) {
  if (expr == nullptr) return std::nullopt;
  CypherValue v = eval(*expr, row, scope);
  if (v.isMap()) return v.asMap();
  throw QueryError(QueryErrorKind::kType,
                   "line " + std::to_string(expr->pos.line) + ", column " +
                       std::to_string(expr->pos.column) +
                       ": a pattern's properties must be a map, not " + std::string(typeName(v)),
                   expr->pos.line, expr->pos.column);
}

const CypherValue* Evaluator::lookup(std::string_view name, const Row& row,
                                     const SlotScope& scope) const {
  for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  int slot = scope.find(name);
  if (slot < 0) return nullptr;
  return &row[static_cast<size_t>(slot)];
}

CypherValue Evaluator::evalInner(const Expr& expr, const Row& row, const SlotScope& scope) {
  switch (expr.kind) {
    case ExprKind::kNull: return {};
    case ExprKind::kBool: return expr.boolValue;
    case ExprKind::kInteger: return expr.intValue;
    case ExprKind::kFloat: return expr.floatValue;
    case ExprKind::kString: return expr.text;
    case ExprKind::kList: {
      CypherList out;
      out.reserve(expr.children.size());
      for (const ExprPtr& child : expr.children) out.push_back(eval(*child, row, scope));
      return out;
    }
    case ExprKind::kMap: {
      CypherMap out;
      for (size_t i = 0; i < expr.children.size(); ++i) {
        cypherMapSet(out, expr.names[i], eval(*expr.children[i], row, scope));
      }
      return out;
    }
    case ExprKind::kParameter: {
      if (const CypherValue* v = cypherMapGet(ctx_.parameters, expr.text)) return *v;
      throw QueryError(QueryErrorKind::kSemantic, "missing parameter $" + expr.text);
    }
    case ExprKind::kVariable: {
      if (const CypherValue* v = lookup(expr.text, row, scope)) return *v;
      throw QueryError(QueryErrorKind::kSemantic, "variable '" + expr.text + "' is not defined");
    }
    case ExprKind::kProperty: return evalProperty(expr, row, scope);
    case ExprKind::kIndex: return evalIndex(expr, row, scope);
    case ExprKind::kSlice: return evalSlice(expr, row, scope);
    case ExprKind::kHasLabels: {
      CypherValue v = eval(*expr.children[0], row, scope);
      if (v.isNull()) return {};
      if (!v.isNode()) throwTypeError("label test on " + std::string(typeName(v)) + ", not a node");
      return nodeMatches(ctx_.graph, v.asNode(), expr.names, nullptr);
    }
    case ExprKind::kFunction:
    case ExprKind::kCountStar: return evalFunction(expr, row, scope);
    case ExprKind::kUnary: {
      CypherValue v = eval(*expr.children[0], row, scope);
      switch (expr.unaryOp) {
        case UnaryOp::kNot: {
          Ternary t = asTernary(v, "NOT");
          return t ? CypherValue(!*t) : CypherValue();
        }
        case UnaryOp::kNegate: return negate(v);
        case UnaryOp::kPlus:
          if (!v.isNull() && !v.isNumber()) {
            throwTypeError("unary + expects a number, not " + std::string(typeName(v)));
          }
          return v;
      }
      return {};
    }
    case ExprKind::kBinary: return evalBinary(expr, row, scope);
    case ExprKind::kComparison: return evalComparison(expr, row, scope);
    case ExprKind::kIsNull: {
      bool isNull = eval(*expr.children[0], row, scope).isNull();
      return expr.negated ? !isNull : isNull;
    }
    case ExprKind::kCase: return evalCase(expr, row, scope);
    case ExprKind::kListComprehension: return evalListComprehension(expr, row, scope);
    case ExprKind::kQuantifier: return evalQuantifier(expr, row, scope);
    case ExprKind::kPattern: return evalPattern(expr, row, scope);
    case ExprKind::kPatternComprehension: return evalPatternComprehension(expr, row, scope);
  }
  throwTypeError("unsupported expression");
}

CypherValue Evaluator::evalProperty(const Expr& expr, const Row& row, const SlotScope& scope) {
  CypherValue base = eval(*expr.children[0], row, scope);
  if (base.isNull()) return {};
  if (base.isNode()) return fromGraphValue(ctx_.graph.nodeProperty(base.asNode(), expr.text));
  if (base.isRelationship()) {
    return fromGraphValue(ctx_.graph.edgeProperty(base.asRelationship(), expr.text));
  }
  if (base.isMap()) {
    const CypherValue* v = cypherMapGet(base.asMap(), expr.text);
    return v ? *v : CypherValue();
  }
  throwTypeError("cannot read property '" + expr.text + "' of " + std::string(typeName(base)));
}

CypherValue Evaluator::evalIndex(const Expr& expr, const Row& row, const SlotScope& scope) {
  CypherValue base = eval(*expr.children[0], row, scope);
  CypherValue index = eval(*expr.children[1], row, scope);
  if (base.isNull() || index.isNull()) return {};
  if (base.isList()) {
    if (!index.isInt()) throwTypeError("a list index must be an integer, not " + std::string(typeName(index)));
    auto i = listIndex(index.asInt(), base.asList().size());
    return i ? base.asList()[*i] : CypherValue();
  }
  if (base.isMap() || base.isNode() || base.isRelationship()) {
    if (!index.isString()) throwTypeError("a map key must be a string, not " + std::string(typeName(index)));
    if (base.isNode()) return fromGraphValue(ctx_.graph.nodeProperty(base.asNode(), index.asString()));
    if (base.isRelationship()) {
      return fromGraphValue(ctx_.graph.edgeProperty(base.asRelationship(), index.asString()));
    }
    const CypherValue* v = cypherMapGet(base.asMap(), index.asString());
    return v ? *v : CypherValue();
  }
  throwTypeError("cannot index into " + std::string(typeName(base)));
}

CypherValue Evaluator::evalSlice(const Expr& expr, const Row& row, const SlotScope& scope) {
  CypherValue base = eval(*expr.children[0], row, scope);
  CypherValue from = expr.children[1] ? eval(*expr.children[1], row, scope) : CypherValue();
  CypherValue to = expr.children[2] ? eval(*expr.children[2], row, scope) : CypherValue();
  if (base.isNull()) return {};
  if (!base.isList()) throwTypeError("cannot slice " + std::string(typeName(base)));
  if ((expr.children[1] && from.isNull()) || (expr.children[2] && to.isNull())) return {};
  if ((!from.isNull() && !from.isInt()) || (!to.isNull() && !to.isInt())) {
    throwTypeError("slice bounds must be integers");
  }
  const CypherList& list = base.asList();
  auto n = static_cast<int64_t>(list.size());
  auto clamp = [n](int64_t i) { return std::clamp(i < 0 ? i + n : i, int64_t{0}, n); };
  int64_t begin = from.isNull() ? 0 : clamp(from.asInt());
  int64_t end = to.isNull() ? n : clamp(to.asInt());
  if (begin >= end) return CypherList{};
  return CypherList(list.begin() + begin, list.begin() + end);
}

CypherValue Evaluator::evalFunction(const Expr& expr, const Row& row, const SlotScope& scope) {
  const FunctionInfo* info =
      expr.kind == ExprKind::kCountStar ? findFunction("count") : findFunction(expr.text);
  if (info && info->aggregate) {
    if (aggregateResults_) {
      auto it = aggregateResults_->find(&expr);
      if (it != aggregateResults_->end()) return it->second;
    }
    throw QueryError(QueryErrorKind::kSemantic,
                     "aggregate function '" + std::string(info->name) + "' is not allowed here");
  }
  // exists(pattern) is the pattern predicate itself; exists(x) is "x is not null".
  if (expr.text == "exists" && expr.children[0]->kind == ExprKind::kPattern) {
    return eval(*expr.children[0], row, scope);
  }
  std::vector<CypherValue> args;
  args.reserve(expr.children.size());
  for (const ExprPtr& child : expr.children) args.push_back(eval(*child, row, scope));
  return callScalarFunction(ctx_, expr.text, args);
}

bool Evaluator::regexMatch(const std::string& text, const std::string& pattern) {
  if (text.size() > kMaxRegexInputBytes) {
    throw QueryError(QueryErrorKind::kLimit, "=~ is limited to strings of " +
                                                 std::to_string(kMaxRegexInputBytes) + " bytes");
  }
  if (pattern.size() > kMaxRegexPatternBytes) {
    throw QueryError(QueryErrorKind::kLimit, "=~ is limited to patterns of " +
                                                 std::to_string(kMaxRegexPatternBytes) + " bytes");
  }
  auto it = regexCache_.find(pattern);
  if (it == regexCache_.end()) {
    try {
      it = regexCache_.emplace(pattern, std::make_unique<std::regex>(pattern, std::regex::ECMAScript))
               .first;
    } catch (const std::regex_error& e) {
      throw QueryError(QueryErrorKind::kSemantic,
                       "invalid regular expression '" + pattern + "': " + e.what());
    }
  }
  try {
    // =~ matches the whole string, as Java's String.matches in Neo4j.
    return std::regex_match(text, *it->second);
  } catch (const std::regex_error& e) {
    throw QueryError(QueryErrorKind::kLimit, std::string("regular expression too complex: ") + e.what());
  }
}

CypherValue Evaluator::evalBinary(const Expr& expr, const Row& row, const SlotScope& scope) {
  const Expr& lhs = *expr.children[0];
  const Expr& rhs = *expr.children[1];
  switch (expr.binaryOp) {
    case BinaryOp::kOr: {
      Ternary a = asTernary(eval(lhs, row, scope), "OR");
      if (a && *a) return true;
      Ternary b = asTernary(eval(rhs, row, scope), "OR");
      if (b && *b) return true;
      if (!a || !b) return {};
      return false;
    }
    case BinaryOp::kAnd: {
      Ternary a = asTernary(eval(lhs, row, scope), "AND");
      if (a && !*a) return false;
      Ternary b = asTernary(eval(rhs, row, scope), "AND");
      if (b && !*b) return false;
      if (!a || !b) return {};
      return true;
    }
    case BinaryOp::kXor: {
      Ternary a = asTernary(eval(lhs, row, scope), "XOR");
      Ternary b = asTernary(eval(rhs, row, scope), "XOR");
      if (!a || !b) return {};
      return *a != *b;
    }
    case BinaryOp::kIn: {
      CypherValue item = eval(lhs, row, scope);
      CypherValue list = eval(rhs, row, scope);
      if (list.isNull()) return {};
      if (!list.isList()) throwTypeError("IN expects a list, not " + std::string(typeName(list)));
      bool unknown = false;
      for (const CypherValue& element : list.asList()) {
        Ternary eq = cypherEquals(item, element);
        if (eq && *eq) return true;
        if (!eq) unknown = true;
      }
      if (unknown) return {};
      return false;
    }
    case BinaryOp::kStartsWith:
    case BinaryOp::kEndsWith:
    case BinaryOp::kContains:
    case BinaryOp::kRegexMatch: {
      CypherValue a = eval(lhs, row, scope);
      CypherValue b = eval(rhs, row, scope);
      // Anything but two strings is null (not an error), as openCypher specifies.
      if (!a.isString() || !b.isString()) return {};
      const std::string &s = a.asString(), &t = b.asString();
      switch (expr.binaryOp) {
        case BinaryOp::kStartsWith: return s.starts_with(t);
        case BinaryOp::kEndsWith: return s.ends_with(t);
        case BinaryOp::kContains: return s.find(t) != std::string::npos;
        default: return regexMatch(s, t);
      }
    }
    default:
      return arithmetic(expr.binaryOp, eval(lhs, row, scope), eval(rhs, row, scope));
  }
}

CypherValue Evaluator::evalComparison(const Expr& expr, const Row& row, const SlotScope& scope) {
  // a < b <= c is a < b AND b <= c, each operand evaluated once.
  CypherValue left = eval(*expr.children[0], row, scope);
  Ternary result = true;
  for (size_t i = 0; i < expr.compareOps.size(); ++i) {
    CypherValue right = eval(*expr.children[i + 1], row, scope);
    Ternary t;
    CompareOp op = expr.compareOps[i];
    if (op == CompareOp::kEq || op == CompareOp::kNe) {
      t = cypherEquals(left, right);
      if (t && op == CompareOp::kNe) t = !*t;
    } else if (auto c = cypherCompare(left, right)) {
      switch (op) {
        case CompareOp::kLt: t = *c < 0; break;
        case CompareOp::kGt: t = *c > 0; break;
        case CompareOp::kLe: t = *c <= 0; break;
        default: t = *c >= 0; break;
      }
    }
    if (t && !*t) return false;
    if (!t) result = std::nullopt;
    left = std::move(right);
  }
  return fromTernary(result);
}

CypherValue Evaluator::evalCase(const Expr& expr, const Row& row, const SlotScope& scope) {
  // children: [subject or null, else or null, when1, then1, when2, then2, ...]
  if (expr.children[0]) {
    CypherValue subject = eval(*expr.children[0], row, scope);
    for (size_t i = 2; i + 1 < expr.children.size(); i += 2) {
      Ternary eq = cypherEquals(subject, eval(*expr.children[i], row, scope));
      if (eq && *eq) return eval(*expr.children[i + 1], row, scope);
    }
  } else {
    for (size_t i = 2; i + 1 < expr.children.size(); i += 2) {
      if (isTrue(*expr.children[i], row, scope)) return eval(*expr.children[i + 1], row, scope);
    }
  }
  return expr.children[1] ? eval(*expr.children[1], row, scope) : CypherValue();
}

CypherValue Evaluator::evalListComprehension(const Expr& expr, const Row& row,
                                             const SlotScope& scope) {
  CypherValue list = eval(*expr.children[0], row, scope);
  if (list.isNull()) return {};
  if (!list.isList()) throwTypeError("a list comprehension needs a list, not " + std::string(typeName(list)));
  CypherList out;
  for (const CypherValue& element : list.asList()) {
    ctx_.guard.tick();
    locals_.emplace_back(expr.text, element);
    bool keep = !expr.children[1] || isTrue(*expr.children[1], row, scope);
    if (keep) out.push_back(expr.children[2] ? eval(*expr.children[2], row, scope) : element);
    locals_.pop_back();
  }
  return out;
}

CypherValue Evaluator::evalQuantifier(const Expr& expr, const Row& row, const SlotScope& scope) {
  CypherValue list = eval(*expr.children[0], row, scope);
  if (list.isNull()) return {};
  if (!list.isList()) throwTypeError("a quantifier needs a list, not " + std::string(typeName(list)));
  size_t trues = 0, nulls = 0, falses = 0;
  for (const CypherValue& element : list.asList()) {
    ctx_.guard.tick();
    locals_.emplace_back(expr.text, element);
    Ternary t = asTernary(eval(*expr.children[1], row, scope), "a quantifier's WHERE");
    locals_.pop_back();
    if (!t) {
      ++nulls;
    } else if (*t) {
      ++trues;
    } else {
      ++falses;
    }
  }
  switch (expr.quantifier) {
    case Quantifier::kAll:
      if (falses) return false;
      return nulls ? CypherValue() : CypherValue(true);
    case Quantifier::kAny:
      if (trues) return true;
      return nulls ? CypherValue() : CypherValue(false);
    case Quantifier::kNone:
      if (trues) return false;
      return nulls ? CypherValue() : CypherValue(true);
    case Quantifier::kSingle:
      if (trues > 1) return false;
      if (nulls) return {};
      return trues == 1;
  }
  return {};
}

bool Evaluator::matchPattern(const PatternPart& part, const Row& row, const SlotScope& scope,
                             const std::function<bool()>& onMatch) {
  size_t nodeCount = part.chain.size() + 1;
  // The first node already bound (outside the pattern) anchors the search; with none, every
  // node with the first node's label (or every node) is a start.
  std::optional<size_t> anchor;
  for (size_t i = 0; i < nodeCount && !anchor; ++i) {
    const std::string& name = patternNode(part, i).variable;
    if (!name.empty() && lookup(name, row, scope)) anchor = i;
  }
  std::vector<graph::EdgeRef> used;  // relationship uniqueness within the pattern
  std::vector<PatternStep> steps = stepsFrom(part, anchor.value_or(0));
  std::vector<graph::NodeRef> nodes(nodeCount);

  // Binds node i to `node` if it fits (labels, properties, an earlier binding of the same
  // name), then continues with `next`.
  auto bindNode = [&](size_t i, const graph::NodeRef& node, const std::function<bool()>& next) {
    const NodePattern& pattern = patternNode(part, i);
    if (!pattern.variable.empty()) {
      if (const CypherValue* bound = lookup(pattern.variable, row, scope)) {
        if (!bound->isNode() || bound->asNode() != node) return true;
        nodes[i] = node;
        std::optional<CypherMap> props = evalPropertyMap(pattern.properties.get(), row, scope);
        if (!nodeMatches(ctx_.graph, node, pattern.labels, props ? &*props : nullptr)) return true;
        return next();
      }
    }
    std::optional<CypherMap> props = evalPropertyMap(pattern.properties.get(), row, scope);
    if (!nodeMatches(ctx_.graph, node, pattern.labels, props ? &*props : nullptr)) return true;
    nodes[i] = node;
    if (pattern.variable.empty()) return next();
    locals_.emplace_back(pattern.variable, node);
    bool more = next();
    locals_.pop_back();
    return more;
  };

  std::function<bool(size_t)> step = [&](size_t k) -> bool {
    ctx_.guard.tick();
    if (k == steps.size()) return onMatch();
    const PatternStep& s = steps[k];
    const RelPattern& rel = part.chain[s.rel].first;
    graph::EdgeDirection direction = stepDirection(rel.direction, s.reversed);
    std::optional<CypherMap> relProps = evalPropertyMap(rel.properties.get(), row, scope);
    const CypherMap* relPropsPtr = relProps ? &*relProps : nullptr;
    const CypherValue* boundRel = rel.variable.empty() ? nullptr : lookup(rel.variable, row, scope);
    if (rel.varLength) {
      EdgeFilter allowed = [&](const graph::EdgeRef& e) {
        return std::find(used.begin(), used.end(), e) == used.end() &&
               edgeMatches(ctx_.graph, e, relPropsPtr);
      };
      return expandVarLength(
          ctx_, nodes[s.from], direction, rel.types, rel.varLength->minHops.value_or(1),
          rel.varLength->maxHops, allowed,
          [&](const std::vector<graph::EdgeRef>& edges, const graph::NodeRef& end) {
            CypherList list;
            for (const graph::EdgeRef& e : edges) list.emplace_back(e);
            if (s.reversed) std::reverse(list.begin(), list.end());
            if (boundRel && !(boundRel->isList() && cypherEquals(*boundRel, list) == true)) {
              return true;
            }
            size_t before = used.size();
            used.insert(used.end(), edges.begin(), edges.end());
            bool pushed = !rel.variable.empty() && !boundRel;
            if (pushed) locals_.emplace_back(rel.variable, std::move(list));
            bool more = bindNode(s.to, end, [&] { return step(k + 1); });
            if (pushed) locals_.pop_back();
            used.resize(before);
            return more;
          });
    }
    std::vector<graph::EdgeRef> candidates;
    ctx_.graph.edges(nodes[s.from], direction, rel.types, [&](const graph::EdgeRef& e) {
      ctx_.guard.tick();
      candidates.push_back(e);
      return true;
    });
    for (const graph::EdgeRef& e : candidates) {
      if (std::find(used.begin(), used.end(), e) != used.end()) continue;
      if (!edgeMatches(ctx_.graph, e, relPropsPtr)) continue;
      if (boundRel && !(boundRel->isRelationship() && boundRel->asRelationship() == e)) continue;
      used.push_back(e);
      bool pushed = !rel.variable.empty() && !boundRel;
      if (pushed) locals_.emplace_back(rel.variable, e);
      bool more = bindNode(s.to, otherEnd(e, nodes[s.from]), [&] { return step(k + 1); });
      if (pushed) locals_.pop_back();
      used.pop_back();
      if (!more) return false;
    }
    return true;
  };

  if (anchor) {
    const CypherValue* start = lookup(patternNode(part, *anchor).variable, row, scope);
    if (start->isNull()) return true;  // a null (from OPTIONAL MATCH) matches nothing
    if (!start->isNode()) {
      throwTypeError("variable '" + patternNode(part, *anchor).variable + "' is a " +
                     std::string(typeName(*start)) + ", not a node");
    }
    return bindNode(*anchor, start->asNode(), [&] { return step(0); });
  }
  // No bound node: scan (a pattern comprehension such as [(a:Broker)-->(b) | b.id]).
  std::vector<graph::NodeRef> starts;
  auto collect = [&](const graph::NodeRef& n) {
    ctx_.guard.tick();
    starts.push_back(n);
    ctx_.guard.checkRows(starts.size(), "pattern expression scan");
    return true;
  };
  if (!part.start.labels.empty()) {
    ctx_.graph.scanLabel(part.start.labels[0], collect);
  } else {
    ctx_.graph.scanAll(collect);
  }
  for (const graph::NodeRef& n : starts) {
    if (!bindNode(0, n, [&] { return step(0); })) return false;
  }
  return true;
}

CypherValue Evaluator::evalPattern(const Expr& expr, const Row& row, const SlotScope& scope) {
  const PatternPart& part = *expr.pattern;
  if (part.function == PathFunction::kNone) {
    // A pattern predicate: true when there is at least one match.
    bool found = false;
    matchPattern(part, row, scope, [&] {
      found = true;
      return false;
    });
    return found;
  }
  // shortestPath(...) as an expression: both ends must be bound.
  const RelPattern& rel = part.chain[0].first;
  const CypherValue* from = lookup(part.start.variable, row, scope);
  const CypherValue* to = lookup(part.chain[0].second.variable, row, scope);
  if (!from || !to) {
    throwTypeError("shortestPath() in an expression needs both end nodes bound");
  }
  if (from->isNull() || to->isNull()) return {};
  if (!from->isNode() || !to->isNode()) throwTypeError("shortestPath() ends must be nodes");
  std::optional<CypherMap> relProps = evalPropertyMap(rel.properties.get(), row, scope);
  EdgeFilter allowed = [&](const graph::EdgeRef& e) {
    return edgeMatches(ctx_.graph, e, relProps ? &*relProps : nullptr);
  };
  int64_t minHops = rel.varLength ? rel.varLength->minHops.value_or(1) : 1;
  std::optional<int64_t> maxHops = rel.varLength ? rel.varLength->maxHops : std::optional<int64_t>(1);
  bool all = part.function == PathFunction::kAllShortestPaths;
  CypherList paths;
  shortestPaths(ctx_, from->asNode(), to->asNode(), stepDirection(rel.direction, false), rel.types,
                minHops, maxHops, allowed, all, [&](const PathValue& p) {
                  paths.emplace_back(p);
                  ctx_.guard.checkRows(paths.size(), "allShortestPaths()");
                  return all;
                });
  if (all) return paths;
  if (paths.empty()) return {};
  return paths[0];
}

CypherValue Evaluator::evalPatternComprehension(const Expr& expr, const Row& row,
                                                const SlotScope& scope) {
  CypherList out;
  matchPattern(*expr.pattern, row, scope, [&] {
    if (!expr.children[0] || isTrue(*expr.children[0], row, scope)) {
      out.push_back(eval(*expr.children[1], row, scope));
      ctx_.guard.checkRows(out.size(), "pattern comprehension");
    }
    return true;
  });
  return out;
}

}  // namespace gk::query
