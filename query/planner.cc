// The planner; see planner.h.
#include "query/planner.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "query/functions.h"
#include "query/pattern_steps.h"
#include "query/printer.h"

namespace gk::query {
namespace {

[[noreturn]] void semanticError(Position pos, const std::string& message) {
  throw QueryError(QueryErrorKind::kSemantic,
                   "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) +
                       ": " + message,
                   pos.line, pos.column);
}

bool isAggregateCall(const Expr& e) {
  if (e.kind == ExprKind::kCountStar) return true;
  if (e.kind != ExprKind::kFunction) return false;
  const FunctionInfo* info = findFunction(e.text);
  return info && info->aggregate;
}

bool containsAggregate(const Expr& e) {
  if (isAggregateCall(e)) return true;
  for (const ExprPtr& child : e.children) {
    if (child && containsAggregate(*child)) return true;
  }
  return false;
}

void collectAggregateCalls(const Expr& e, std::vector<const Expr*>& out) {
  if (isAggregateCall(e)) {
    out.push_back(&e);
    return;
  }
  for (const ExprPtr& child : e.children) {
    if (child) collectAggregateCalls(*child, out);
  }
}

void collectPatternNames(const PatternPart& part, std::set<std::string>& out) {
  if (!part.pathVariable.empty()) out.insert(part.pathVariable);
  if (!part.start.variable.empty()) out.insert(part.start.variable);
  for (const auto& [rel, node] : part.chain) {
    if (!rel.variable.empty()) out.insert(rel.variable);
    if (!node.variable.empty()) out.insert(node.variable);
  }
}

// Every name an expression may read (a superset: comprehension variables are included, which
// can only delay a filter, never place it too early).
void collectVariables(const Expr& e, std::set<std::string>& out) {
  if (e.kind == ExprKind::kVariable) out.insert(e.text);
  if (e.pattern) collectPatternNames(*e.pattern, out);
  for (const ExprPtr& child : e.children) {
    if (child) collectVariables(*child, out);
  }
}

void splitAnd(const Expr* e, std::vector<const Expr*>& out) {
  if (!e) return;
  if (e->kind == ExprKind::kBinary && e->binaryOp == BinaryOp::kAnd) {
    splitAnd(e->children[0].get(), out);
    splitAnd(e->children[1].get(), out);
    return;
  }
  out.push_back(e);
}

bool isSeekValue(const Expr& e) {
  return e.kind == ExprKind::kInteger || e.kind == ExprKind::kFloat ||
         e.kind == ExprKind::kString || e.kind == ExprKind::kBool ||
         e.kind == ExprKind::kParameter;
}

// Every expression of the query, for the parameter check.
void forEachExpr(const Expr& e, const std::function<void(const Expr&)>& fn);
void forEachPatternExpr(const PatternPart& part, const std::function<void(const Expr&)>& fn) {
  if (part.start.properties) forEachExpr(*part.start.properties, fn);
  for (const auto& [rel, node] : part.chain) {
    if (rel.properties) forEachExpr(*rel.properties, fn);
    if (node.properties) forEachExpr(*node.properties, fn);
  }
}
void forEachExpr(const Expr& e, const std::function<void(const Expr&)>& fn) {
  fn(e);
  for (const ExprPtr& child : e.children) {
    if (child) forEachExpr(*child, fn);
  }
  if (e.pattern) forEachPatternExpr(*e.pattern, fn);
}
void forEachQueryExpr(const Query& q, const std::function<void(const Expr&)>& fn) {
  for (const Clause& c : q.clauses) {
    for (const PatternPart& part : c.patterns) forEachPatternExpr(part, fn);
    if (c.where) forEachExpr(*c.where, fn);
    if (c.expr) forEachExpr(*c.expr, fn);
    for (const ReturnItem& item : c.projection.items) forEachExpr(*item.expr, fn);
    for (const SortItem& item : c.projection.orderBy) forEachExpr(*item.expr, fn);
    if (c.projection.skip) forEachExpr(*c.projection.skip, fn);
    if (c.projection.limit) forEachExpr(*c.projection.limit, fn);
    for (const ExprPtr& arg : c.args) forEachExpr(*arg, fn);
  }
}

struct StartChoice {
  size_t anchor = 0;
  bool bound = false;
  ScanKind kind = ScanKind::kAll;
  std::string label, property;
  const Expr* value = nullptr;
  double cost = 0;
};

struct PendingFilter {
  const Expr* expr;
  std::set<std::string> vars;
  bool placed = false;
};

class Planner {
 public:
  Planner(ExecContext& ctx, Evaluator& ev) : ctx_(ctx), ev_(ev) {}

  std::unique_ptr<Plan> build(const Query& query) {
    plan_ = std::make_unique<Plan>();
    forEachQueryExpr(query, [&](const Expr& e) {
      if (e.kind == ExprKind::kParameter && !cypherMapGet(ctx_.parameters, e.text)) {
        semanticError(e.pos, "missing parameter $" + e.text);
      }
    });
    for (const graph::LabelInfo& info : ctx_.graph.labels()) {
      labelCounts_[info.label] = info.approxCount;
      totalNodes_ += info.approxCount;
    }
    indexes_ = ctx_.graph.indexes();
    for (const Clause& clause : query.clauses) {
      switch (clause.kind) {
        case ClauseKind::kMatch: planMatch(clause); break;
        case ClauseKind::kUnwind: planUnwind(clause); break;
        case ClauseKind::kWith: planProjection(clause, false); break;
        case ClauseKind::kReturn: planProjection(clause, true); break;
        case ClauseKind::kCall:
          semanticError(clause.pos, "unknown procedure '" + clause.procedure + "'");
      }
    }
    plan_->first = chain_.first;
    plan_->rowWidth = static_cast<size_t>(nextSlot_);
    for (Aggregate* aggregate : aggregates_) aggregate->rowWidth = plan_->rowWidth;
    return std::move(plan_);
  }

 private:
  struct Chain {
    Operator* first = nullptr;
    Operator* last = nullptr;
  };

  template <typename Op, typename... Args>
  Op* make(Args&&... args) {
    auto op = std::make_unique<Op>(ctx_, ev_, std::forward<Args>(args)...);
    Op* raw = op.get();
    raw->estimatedRows = est_;
    plan_->operators.push_back(std::move(op));
    return raw;
  }
  void append(Operator* op) {
    if (chain_.last) {
      chain_.last->setNext(op);
    } else {
      chain_.first = op;
    }
    chain_.last = op;
  }
  template <typename Op, typename... Args>
  Op* add(Args&&... args) {
    Op* op = make<Op>(std::forward<Args>(args)...);
    append(op);
    return op;
  }
  int newSlot() { return nextSlot_++; }

  double labelCount(const std::string& label) const {
    auto it = labelCounts_.find(label);
    return it == labelCounts_.end() ? 0 : static_cast<double>(it->second);
  }
  const graph::IndexInfo* findIndex(const std::string& label, const std::string& property) const {
    for (const graph::IndexInfo& index : indexes_) {
      if (index.label == label && index.property == property) return &index;
    }
    return nullptr;
  }

  // ---- MATCH --------------------------------------------------------------------------------

  // The cheapest way to find node `node` of a pattern from nothing.
  StartChoice nodeStartCost(const NodePattern& node, const std::vector<PendingFilter>& filters) {
    StartChoice best;
    best.kind = ScanKind::kAll;
    best.cost = std::max<double>(static_cast<double>(totalNodes_), 1);
    for (const std::string& label : node.labels) {
      double count = labelCount(label);
      if (count < best.cost || best.kind == ScanKind::kAll) {
        best.kind = ScanKind::kLabel;
        best.label = label;
        best.cost = count;
      }
    }
    // Equalities a seek can use: the inline map, then `n.p = value` conjuncts of the WHERE.
    std::vector<std::pair<std::string, const Expr*>> equalities;
    if (node.properties && node.properties->kind == ExprKind::kMap) {
      for (size_t i = 0; i < node.properties->names.size(); ++i) {
        if (isSeekValue(*node.properties->children[i])) {
          equalities.emplace_back(node.properties->names[i], node.properties->children[i].get());
        }
      }
    }
    if (!node.variable.empty()) {
      for (const PendingFilter& f : filters) {
        const Expr& e = *f.expr;
        if (e.kind != ExprKind::kComparison || e.compareOps.size() != 1 ||
            e.compareOps[0] != CompareOp::kEq) {
          continue;
        }
        for (int side = 0; side < 2; ++side) {
          const Expr& prop = *e.children[side];
          const Expr& value = *e.children[1 - side];
          if (prop.kind == ExprKind::kProperty && prop.children[0]->kind == ExprKind::kVariable &&
              prop.children[0]->text == node.variable && isSeekValue(value)) {
            equalities.emplace_back(prop.text, &value);
          }
        }
      }
    }
    for (const auto& [property, value] : equalities) {
      for (const std::string& label : node.labels) {
        const graph::IndexInfo* index = findIndex(label, property);
        if (!index) continue;
        double cost = index->unique ? 1 : std::max(1.0, labelCount(label) / 10);
        if (best.kind != ScanKind::kIndexSeek || cost < best.cost) {
          best.kind = ScanKind::kIndexSeek;
          best.label = label;
          best.property = property;
          best.value = value;
          best.cost = cost;
        }
      }
    }
    return best;
  }

  StartChoice chooseStart(const PatternPart& part, const std::vector<PendingFilter>& filters) {
    std::vector<size_t> candidates;
    if (part.function != PathFunction::kNone) {
      candidates = {0, part.chain.size()};
    } else {
      for (size_t i = 0; i <= part.chain.size(); ++i) candidates.push_back(i);
    }
    std::optional<StartChoice> best;
    for (size_t i : candidates) {
      const NodePattern& node = patternNode(part, i);
      if (!node.variable.empty() && scope_.find(node.variable) >= 0) {
        StartChoice bound;
        bound.anchor = i;
        bound.bound = true;
        bound.cost = 0;
        return bound;
      }
      StartChoice choice = nodeStartCost(node, filters);
      choice.anchor = i;
      if (!best || choice.cost < best->cost) best = choice;
    }
    return *best;
  }

  NodeSpec nodeSpec(const NodePattern& node, int slot) {
    NodeSpec spec;
    spec.slot = slot;
    spec.variable = node.variable;
    spec.labels = node.labels;
    spec.properties = node.properties.get();
    return spec;
  }

  // Binds (or checks) node `node` as the start of a pattern; returns its slot.
  int planStartNode(const NodePattern& node, const StartChoice& choice, bool standalone) {
    if (choice.bound) {
      int slot = scope_.find(node.variable);
      if (!node.labels.empty() || node.properties || standalone) {
        est_ = std::max(1.0, est_ * 0.5);
        add<NodeCheck>(nodeSpec(node, slot), scope_);
      }
      return slot;
    }
    int slot = newSlot();
    est_ = est_ * std::max(choice.cost, 1.0);
    NodeScan* scan = make<NodeScan>(choice.kind, nodeSpec(node, slot), scope_);
    scan->label = choice.label;
    scan->property = choice.property;
    scan->seekValue = choice.value;
    append(scan);
    if (!node.variable.empty()) scope_.bind(node.variable, slot);
    return slot;
  }

  RelSpec relSpec(const RelPattern& rel, bool reversed) {
    RelSpec spec;
    spec.variable = rel.variable;
    spec.types = rel.types;
    spec.direction = stepDirection(rel.direction, reversed);
    spec.properties = rel.properties.get();
    if (rel.varLength) {
      spec.varLength = true;
      spec.minHops = rel.varLength->minHops.value_or(1);
      spec.maxHops = rel.varLength->maxHops;
      spec.reverseList = reversed;
    }
    if (!rel.variable.empty() && scope_.find(rel.variable) >= 0) {
      spec.bound = true;
      spec.slot = scope_.find(rel.variable);
    } else {
      spec.slot = newSlot();
    }
    return spec;
  }

  // A heuristic fan-out for one hop: the ratio of the labels' counts, at least 1.
  double fanout(const NodePattern& from, const NodePattern& to, const RelPattern& rel) {
    double a = from.labels.empty() ? 0 : labelCount(from.labels[0]);
    double b = to.labels.empty() ? 0 : labelCount(to.labels[0]);
    double f = (a > 0 && b > 0) ? std::max(1.0, b / a) : 1.0;
    if (rel.varLength) f *= 3;
    return f;
  }

  void placeReady(std::vector<PendingFilter>& filters, const std::set<std::string>& matchVars) {
    for (PendingFilter& f : filters) {
      if (f.placed) continue;
      bool ready = true;
      for (const std::string& v : f.vars) {
        if (matchVars.count(v) && scope_.find(v) < 0) ready = false;
      }
      if (!ready) continue;
      est_ = std::max(1.0, est_ * 0.5);
      add<Filter>(f.expr, scope_);
      f.placed = true;
    }
  }

  void planPart(const PatternPart& part, const StartChoice& choice,
                std::vector<PendingFilter>& filters, const std::set<std::string>& matchVars,
                UniquenessSlots& unique) {
    size_t nodeCount = part.chain.size() + 1;
    std::vector<int> nodeSlots(nodeCount, -1);
    std::vector<BuildPath::Element> relSlots(part.chain.size(), {-1, false});
    nodeSlots[choice.anchor] = planStartNode(patternNode(part, choice.anchor), choice,
                                             part.chain.empty());
    placeReady(filters, matchVars);

    if (part.function != PathFunction::kNone) {
      // Both ends first (the other one by its own cheapest start), then the search.
      size_t other = choice.anchor == 0 ? 1 : 0;
      const NodePattern& otherNode = patternNode(part, other);
      StartChoice otherChoice;
      if (!otherNode.variable.empty() && scope_.find(otherNode.variable) >= 0) {
        otherChoice.bound = true;
      } else {
        otherChoice = nodeStartCost(otherNode, filters);
      }
      nodeSlots[other] = planStartNode(otherNode, otherChoice, true);
      placeReady(filters, matchVars);
      const RelPattern& rel = part.chain[0].first;
      RelSpec spec = relSpec(rel, false);
      if (!rel.varLength) spec.maxHops = 1;
      int pathSlot = part.pathVariable.empty() ? -1 : newSlot();
      add<ShortestPath>(nodeSlots[0], nodeSlots[1], spec, pathSlot,
                        part.function == PathFunction::kAllShortestPaths, scope_);
      if (!rel.variable.empty()) scope_.bind(rel.variable, spec.slot);
      if (pathSlot >= 0) scope_.bind(part.pathVariable, pathSlot);
      placeReady(filters, matchVars);
      return;
    }

    for (const PatternStep& step : stepsFrom(part, choice.anchor)) {
      const RelPattern& rel = part.chain[step.rel].first;
      const NodePattern& to = patternNode(part, step.to);
      const NodePattern& from = patternNode(part, step.from);
      RelSpec spec = relSpec(rel, step.reversed);
      bool toBound = !to.variable.empty() && scope_.find(to.variable) >= 0;
      int toSlot = toBound ? scope_.find(to.variable) : newSlot();
      est_ = est_ * fanout(from, to, rel) * (toBound ? 0.1 : 1.0);
      std::string fromName = from.variable.empty() ? "anon_" + std::to_string(nodeSlots[step.from])
                                                   : from.variable;
      NodeSpec toSpec = nodeSpec(to, toSlot);
      if (toSpec.variable.empty()) toSpec.variable = "anon_" + std::to_string(toSlot);
      add<Expand>(nodeSlots[step.from], fromName, spec, toSpec, toBound, unique, scope_);
      nodeSlots[step.to] = toSlot;
      relSlots[step.rel] = {spec.slot, spec.varLength};
      (spec.varLength ? unique.lists : unique.single).push_back(spec.slot);
      if (!rel.variable.empty()) scope_.bind(rel.variable, spec.slot);
      if (!to.variable.empty()) scope_.bind(to.variable, toSlot);
      placeReady(filters, matchVars);
    }
    if (!part.pathVariable.empty()) {
      int pathSlot = newSlot();
      add<BuildPath>(pathSlot, part.pathVariable, nodeSlots, relSlots);
      scope_.bind(part.pathVariable, pathSlot);
      placeReady(filters, matchVars);
    }
  }

  void planMatchPatterns(const Clause& clause) {
    std::set<std::string> matchVars;
    for (const PatternPart& part : clause.patterns) collectPatternNames(part, matchVars);
    std::vector<const Expr*> conjuncts;
    splitAnd(clause.where.get(), conjuncts);
    std::vector<PendingFilter> filters;
    for (const Expr* c : conjuncts) {
      PendingFilter f{c, {}};
      collectVariables(*c, f.vars);
      filters.push_back(std::move(f));
    }
    placeReady(filters, matchVars);  // conditions on earlier variables only: before any scan
    UniquenessSlots unique;
    std::vector<const PatternPart*> remaining;
    for (const PatternPart& part : clause.patterns) remaining.push_back(&part);
    while (!remaining.empty()) {
      // The pattern with the cheapest start next; what it binds may make the others cheap.
      size_t bestIndex = 0;
      StartChoice best;
      for (size_t i = 0; i < remaining.size(); ++i) {
        StartChoice choice = chooseStart(*remaining[i], filters);
        if (i == 0 || choice.cost < best.cost) {
          best = choice;
          bestIndex = i;
        }
      }
      const PatternPart* part = remaining[bestIndex];
      remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(bestIndex));
      planPart(*part, best, filters, matchVars, unique);
    }
    for (PendingFilter& f : filters) {
      if (!f.placed) {
        add<Filter>(f.expr, scope_);
        f.placed = true;
      }
    }
  }

  void planMatch(const Clause& clause) {
    if (!clause.optional) {
      planMatchPatterns(clause);
      return;
    }
    // OPTIONAL MATCH: the patterns become a branch run per row; every slot the branch binds is
    // null in the row emitted when the branch finds nothing.
    Chain saved = chain_;
    double savedEst = est_;
    int firstSlot = nextSlot_;
    SlotScope before = scope_;
    chain_ = {};
    planMatchPatterns(clause);
    std::vector<int> nullSlots;
    for (int s = firstSlot; s < nextSlot_; ++s) nullSlots.push_back(s);
    est_ = std::max(est_, savedEst);
    OptionalMatch* optional = make<OptionalMatch>(nullSlots);
    for (const auto& [name, slot] : scope_.names()) {
      if (before.find(name) < 0) optional->nullNames.push_back(name);
    }
    append(make<OptionalTail>(*optional));
    optional->setBranch(chain_.first);
    chain_ = saved;
    append(optional);
  }

  void planUnwind(const Clause& clause) {
    int slot = newSlot();
    est_ *= 10;
    add<Unwind>(clause.expr.get(), slot, clause.alias, scope_);
    scope_.bind(clause.alias, slot);
  }

  // ---- WITH / RETURN ---------------------------------------------------------------------

  uint64_t rowCount(const Expr& e, const char* keyword) {
    CypherValue v = ev_.eval(e, Row{}, SlotScope{});
    if (!v.isInt() || v.asInt() < 0) {
      semanticError(e.pos, std::string(keyword) + " must be a non-negative integer, not " +
                               describeValue(v));
    }
    return static_cast<uint64_t>(v.asInt());
  }

  void planProjection(const Clause& clause, bool isReturn) {
    const Projection& p = clause.projection;
    SlotScope old = scope_;
    struct Item {
      const Expr* expr;
      std::string name;
      int slot = -1;
      bool aggregate = false;
    };
    std::vector<Item> items;
    if (p.star) {
      std::vector<std::string> names;
      for (const auto& [name, slot] : old.names()) names.push_back(name);
      std::sort(names.begin(), names.end());
      for (const std::string& name : names) {
        auto e = std::make_unique<Expr>(ExprKind::kVariable, p.starPos);
        e->text = name;
        items.push_back({e.get(), name});
        plan_->syntheticExprs.push_back(std::move(e));
      }
    }
    for (const ReturnItem& item : p.items) {
      std::string name = !item.alias.empty()                        ? item.alias
                         : item.expr->kind == ExprKind::kVariable ? item.expr->text
                                                                  : printExpr(*item.expr);
      items.push_back({item.expr.get(), name});
    }
    bool aggregating = false;
    for (Item& item : items) {
      item.aggregate = containsAggregate(*item.expr);
      aggregating = aggregating || item.aggregate;
    }
    // `RETURN p.name ORDER BY count(*)` aggregates too (grouped by the returned items).
    for (const SortItem& s : p.orderBy) aggregating = aggregating || containsAggregate(*s.expr);

    // Slots: a plain variable keeps its slot (no copy) unless aggregation rebuilds the row.
    std::vector<ProjectItem> computed;
    std::vector<ProjectItem> keys, aggregateItems;
    std::vector<const Expr*> calls;
    for (Item& item : items) {
      if (!aggregating && item.expr->kind == ExprKind::kVariable) {
        item.slot = old.find(item.expr->text);
        continue;
      }
      item.slot = newSlot();
      ProjectItem pi{item.expr, item.slot, item.name};
      if (!aggregating) {
        computed.push_back(pi);
      } else if (item.aggregate) {
        aggregateItems.push_back(pi);
        collectAggregateCalls(*item.expr, calls);
      } else {
        keys.push_back(pi);
      }
    }
    SlotScope next;
    for (const Item& item : items) next.bind(item.name, item.slot);

    // ORDER BY keys: a projected column when the key names one or is written the same way;
    // after aggregation, an aggregate not projected becomes a hidden aggregate column.
    SlotScope sortScope = old;
    for (const auto& [name, slot] : next.names()) sortScope.bind(name, slot);
    std::vector<SortKey> sortKeys;
    for (const SortItem& s : p.orderBy) {
      SortKey key;
      key.descending = s.descending;
      key.text = printExpr(*s.expr);
      if (s.expr->kind == ExprKind::kVariable && next.find(s.expr->text) >= 0) {
        key.slot = next.find(s.expr->text);
      } else {
        for (const Item& item : items) {
          if (printExpr(*item.expr) == key.text) key.slot = item.slot;
        }
      }
      if (key.slot < 0) {
        if (aggregating && containsAggregate(*s.expr)) {
          key.slot = newSlot();
          aggregateItems.push_back({s.expr.get(), key.slot, key.text});
          collectAggregateCalls(*s.expr, calls);
        } else {
          key.expr = s.expr.get();
        }
      }
      sortKeys.push_back(std::move(key));
    }

    if (aggregating) {
      est_ = keys.empty() ? 1 : std::max(1.0, est_ * 0.5);
      aggregates_.push_back(add<Aggregate>(keys, aggregateItems, calls, old));
    } else if (!computed.empty()) {
      add<Project>(computed, old);
    }
    if (p.distinct) {
      std::vector<int> slots;
      std::string names;
      for (const Item& item : items) {
        slots.push_back(item.slot);
        names += (names.empty() ? "" : ", ") + item.name;
      }
      est_ = std::max(1.0, est_ * 0.5);
      add<Distinct>(slots, names);
    }
    std::optional<uint64_t> skip, limit;
    if (p.skip) skip = rowCount(*p.skip, "SKIP");
    if (p.limit) limit = rowCount(*p.limit, "LIMIT");
    if (!sortKeys.empty()) {
      std::optional<uint64_t> keep;
      if (limit) keep = *limit + skip.value_or(0);
      add<Sort>(sortKeys, sortScope, keep);
    }
    if (skip) {
      est_ = std::max(0.0, est_ - static_cast<double>(*skip));
      add<Skip>(*skip);
    }
    if (limit) {
      est_ = std::min(est_, static_cast<double>(*limit));
      add<Limit>(*limit);
    }
    scope_ = next;
    if (isReturn) {
      std::vector<std::string> columns;
      std::vector<int> slots;
      for (const Item& item : items) {
        columns.push_back(item.name);
        slots.push_back(item.slot);
      }
      plan_->columns = columns;
      plan_->results = add<ProduceResults>(columns, slots);
    } else if (clause.where) {
      est_ = std::max(1.0, est_ * 0.5);
      add<Filter>(clause.where.get(), scope_);
    }
  }

  ExecContext& ctx_;
  Evaluator& ev_;
  std::unique_ptr<Plan> plan_;
  Chain chain_;
  SlotScope scope_;
  int nextSlot_ = 0;
  double est_ = 1;
  std::map<std::string, uint64_t> labelCounts_;
  uint64_t totalNodes_ = 0;
  std::vector<graph::IndexInfo> indexes_;
  std::vector<Aggregate*> aggregates_;
};

std::string formatRows(double est) {
  return std::to_string(static_cast<long long>(std::ceil(std::max(est, 0.0))));
}

void describeChain(const Operator* last, const std::map<const Operator*, const Operator*>& prev,
                   int depth, bool profile, const std::string& prefix, std::string& out) {
  std::string firstPrefix = prefix;
  for (const Operator* op = last; op;) {
    std::string line(static_cast<size_t>(depth) * 2, ' ');
    line += firstPrefix + op->name();
    firstPrefix.clear();
    std::string detail = op->detail();
    if (!detail.empty()) line += " " + detail;
    line += "  (est. rows " + formatRows(op->estimatedRows);
    if (profile) {
      char ms[32];
      std::snprintf(ms, sizeof ms, "%.3f", op->selfMs());
      line += ", rows " + std::to_string(op->rowsEmitted()) + ", " + ms + " ms";
    }
    out += line + ")\n";
    if (const Operator* branch = op->branch()) {
      // The branch's end is its OptionalTail (not shown); print from the operator before it.
      const Operator* end = branch;
      while (end->next()) end = end->next();
      auto it = prev.find(end);
      if (it != prev.end()) describeChain(it->second, prev, depth + 1, profile, "per row: ", out);
    }
    auto it = prev.find(op);
    op = it == prev.end() ? nullptr : it->second;
    ++depth;
  }
}

}  // namespace

std::string Plan::describe(bool profile) const {
  std::map<const Operator*, const Operator*> prev;
  for (const auto& op : operators) {
    if (op->next()) prev[op->next()] = op.get();
  }
  std::string out;
  if (results) describeChain(results, prev, 0, profile, "", out);
  return out;
}

std::unique_ptr<Plan> buildPlan(const Query& query, ExecContext& ctx, Evaluator& evaluator) {
  return Planner(ctx, evaluator).build(query);
}

}  // namespace gk::query
