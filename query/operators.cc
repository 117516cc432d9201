// The executor's operators; see operators.h.
#include "query/operators.h"

#include <algorithm>
#include <cmath>

#include "query/pattern_steps.h"
#include "query/printer.h"

namespace gk::query {

using Clock = std::chrono::steady_clock;

// ---- Operator ------------------------------------------------------------------------------

bool Operator::push(Row& row) {
  if (!ctx_.profiling) return consume(row);
  auto start = Clock::now();
  bool more = consume(row);
  inclusive_ += Clock::now() - start;
  return more;
}

void Operator::finish() {
  if (ctx_.profiling) {
    // onFinish's emits count as downstream time, as in push().
    auto start = Clock::now();
    onFinish();
    inclusive_ += Clock::now() - start;
  } else {
    onFinish();
  }
  if (next_) next_->finish();
}

bool Operator::emit(Row& row) {
  ++rowsOut_;
  ctx_.guard.checkRows(rowsOut_, name());
  ctx_.guard.tick();
  if (!next_) return true;
  if (!ctx_.profiling) return next_->push(row);
  auto start = Clock::now();
  bool more = next_->push(row);
  downstream_ += Clock::now() - start;
  return more;
}

bool Operator::pushTo(Operator& op, Row& row) {
  if (!ctx_.profiling) return op.push(row);
  auto start = Clock::now();
  bool more = op.push(row);
  downstream_ += Clock::now() - start;
  return more;
}

double Operator::selfMs() const {
  auto self = inclusive_ - downstream_;
  if (self.count() < 0) self = {};
  return std::chrono::duration<double, std::milli>(self).count();
}

// ---- helpers -------------------------------------------------------------------------------

namespace {

std::string nodeText(const NodeSpec& node) {
  std::string out = "(" + node.variable;
  for (const std::string& label : node.labels) out += ":" + label;
  if (node.properties) out += " " + printExpr(*node.properties);
  return out + ")";
}

std::string relText(const RelSpec& rel) {
  std::string inner = rel.variable;
  for (size_t i = 0; i < rel.types.size(); ++i) inner += (i ? "|" : ":") + rel.types[i];
  if (rel.varLength) {
    inner += "*";
    if (rel.minHops != 1 || rel.maxHops != rel.minHops) {
      inner += std::to_string(rel.minHops) + "..";
      if (rel.maxHops) inner += std::to_string(*rel.maxHops);
    } else {
      inner += "1";
    }
  }
  if (rel.properties) inner += " " + printExpr(*rel.properties);
  std::string body = inner.empty() ? "-" : "-[" + inner + "]-";
  switch (rel.direction) {
    case graph::EdgeDirection::kOut: return body + ">";
    case graph::EdgeDirection::kIn: return "<" + body;
    case graph::EdgeDirection::kBoth: break;
  }
  return body;
}

// The value a seek looks up: an integral float finds the integer it equals (1.0 = 1).
graph::Value seekKey(const CypherValue& v, const graph::GraphReader& graph) {
  if (v.isFloat() && std::trunc(v.asFloat()) == v.asFloat() && std::fabs(v.asFloat()) < 9e18) {
    return static_cast<int64_t>(v.asFloat());
  }
  return toResultValue(v, graph);
}

}  // namespace

bool UniquenessSlots::conflicts(const Row& row, const graph::EdgeRef& edge) const {
  for (int slot : single) {
    const CypherValue& v = row[static_cast<size_t>(slot)];
    if (v.isRelationship() && v.asRelationship() == edge) return true;
  }
  for (int slot : lists) {
    const CypherValue& v = row[static_cast<size_t>(slot)];
    if (!v.isList()) continue;
    for (const CypherValue& e : v.asList()) {
      if (e.isRelationship() && e.asRelationship() == edge) return true;
    }
  }
  return false;
}

// ---- NodeScan, NodeCheck ---------------------------------------------------------------------

std::string NodeScan::name() const {
  switch (kind_) {
    case ScanKind::kAll: return "AllNodesScan";
    case ScanKind::kLabel: return "NodeByLabelScan";
    case ScanKind::kIndexSeek: return "NodeIndexSeek";
  }
  return "NodeScan";
}

std::string NodeScan::detail() const {
  std::string out = nodeText(node_);
  if (kind_ == ScanKind::kLabel) out += " label " + label;
  if (kind_ == ScanKind::kIndexSeek) {
    out += " index " + label + "(" + property + ") = " + printExpr(*seekValue);
  }
  return out;
}

bool NodeScan::consume(Row& row) {
  std::optional<CypherMap> props = eval_.evalPropertyMap(node_.properties, row, scope_);
  const CypherMap* propsPtr = props ? &*props : nullptr;
  bool more = true;
  auto visit = [&](const graph::NodeRef& node) {
    ctx_.guard.tick();
    if (!nodeMatches(ctx_.graph, node, node_.labels, propsPtr)) return true;
    row[static_cast<size_t>(node_.slot)] = node;
    more = emit(row);
    return more;
  };
  switch (kind_) {
    case ScanKind::kAll: ctx_.graph.scanAll(visit); break;
    case ScanKind::kLabel: ctx_.graph.scanLabel(label, visit); break;
    case ScanKind::kIndexSeek: {
      CypherValue value = eval_.eval(*seekValue, row, scope_);
      if (value.isNull()) break;  // `= null` matches nothing
      if (!ctx_.graph.seekIndex(label, property, seekKey(value, ctx_.graph), visit)) {
        // The index went away between planning and running: scan the label instead (the
        // node's property map or the WHERE filter after this operator checks the value).
        ctx_.graph.scanLabel(label, [&](const graph::NodeRef& node) {
          ctx_.guard.tick();
          Ternary eq = cypherEquals(fromGraphValue(ctx_.graph.nodeProperty(node, property)), value);
          if (!eq || !*eq) return true;
          return visit(node);
        });
      }
      break;
    }
  }
  return more;
}

std::string NodeCheck::detail() const { return nodeText(node_); }

bool NodeCheck::consume(Row& row) {
  const CypherValue& v = row[static_cast<size_t>(node_.slot)];
  if (v.isNull()) return true;  // a null from OPTIONAL MATCH matches no pattern
  if (!v.isNode()) {
    throw QueryError(QueryErrorKind::kType, "variable '" + node_.variable + "' is a " +
                                                std::string(typeName(v)) + ", not a node");
  }
  std::optional<CypherMap> props = eval_.evalPropertyMap(node_.properties, row, scope_);
  if (!nodeMatches(ctx_.graph, v.asNode(), node_.labels, props ? &*props : nullptr)) return true;
  return emit(row);
}

// ---- Expand ----------------------------------------------------------------------------------

std::string Expand::name() const {
  if (rel_.varLength) return toBound_ ? "VarLengthExpandInto" : "VarLengthExpand";
  return toBound_ ? "ExpandInto" : "Expand";
}

std::string Expand::detail() const {
  return "(" + fromName_ + ")" + relText(rel_) + nodeText(to_);
}

bool Expand::acceptTarget(Row& row, const graph::NodeRef& target, const CypherMap* toProps) {
  if (toBound_) {
    const CypherValue& bound = row[static_cast<size_t>(to_.slot)];
    return bound.isNode() && bound.asNode() == target &&
           nodeMatches(ctx_.graph, target, to_.labels, toProps);
  }
  if (!nodeMatches(ctx_.graph, target, to_.labels, toProps)) return false;
  row[static_cast<size_t>(to_.slot)] = target;
  return true;
}

bool Expand::consume(Row& row) {
  const CypherValue& fromValue = row[static_cast<size_t>(fromSlot_)];
  if (fromValue.isNull()) return true;
  if (!fromValue.isNode()) {
    throw QueryError(QueryErrorKind::kType, "variable '" + fromName_ + "' is a " +
                                                std::string(typeName(fromValue)) + ", not a node");
  }
  graph::NodeRef from = fromValue.asNode();  // a copy: the row's slots change below
  std::optional<CypherMap> relProps = eval_.evalPropertyMap(rel_.properties, row, scope_);
  std::optional<CypherMap> toProps = eval_.evalPropertyMap(to_.properties, row, scope_);
  const CypherMap* relPropsPtr = relProps ? &*relProps : nullptr;
  const CypherMap* toPropsPtr = toProps ? &*toProps : nullptr;
  std::optional<CypherValue> boundRel;
  if (rel_.bound) boundRel = row[static_cast<size_t>(rel_.slot)];

  if (rel_.varLength) {
    EdgeFilter allowed = [&](const graph::EdgeRef& e) {
      return !unique_.conflicts(row, e) && edgeMatches(ctx_.graph, e, relPropsPtr);
    };
    return expandVarLength(
        ctx_, from, rel_.direction, rel_.types, rel_.minHops, rel_.maxHops, allowed,
        [&](const std::vector<graph::EdgeRef>& edges, const graph::NodeRef& end) {
          CypherList list;
          list.reserve(edges.size());
          for (const graph::EdgeRef& e : edges) list.emplace_back(e);
          if (rel_.reverseList) std::reverse(list.begin(), list.end());
          if (boundRel) {
            Ternary same = cypherEquals(*boundRel, list);
            if (!same || !*same) return true;
          }
          if (!acceptTarget(row, end, toPropsPtr)) return true;
          row[static_cast<size_t>(rel_.slot)] = std::move(list);
          return emit(row);
        });
  }

  // Collected first, so the reader's edge cursor is closed before the rest of the plan runs
  // (which may walk edges of the same node again, e.g. a pattern predicate).
  std::vector<graph::EdgeRef> edges;
  ctx_.graph.edges(from, rel_.direction, rel_.types, [&](const graph::EdgeRef& e) {
    ctx_.guard.tick();
    edges.push_back(e);
    return true;
  });
  for (graph::EdgeRef& e : edges) {
    ctx_.guard.tick();
    if (unique_.conflicts(row, e)) continue;
    if (!edgeMatches(ctx_.graph, e, relPropsPtr)) continue;
    if (boundRel && !(boundRel->isRelationship() && boundRel->asRelationship() == e)) continue;
    if (!acceptTarget(row, otherEnd(e, from), toPropsPtr)) continue;
    row[static_cast<size_t>(rel_.slot)] = std::move(e);
    if (!emit(row)) return false;
  }
  return true;
}

// ---- ShortestPath, BuildPath -------------------------------------------------------------------

std::string ShortestPath::detail() const { return relText(rel_); }

bool ShortestPath::consume(Row& row) {
  const CypherValue& a = row[static_cast<size_t>(fromSlot_)];
  const CypherValue& b = row[static_cast<size_t>(toSlot_)];
  if (!a.isNode() || !b.isNode()) return true;
  graph::NodeRef from = a.asNode(), to = b.asNode();
  std::optional<CypherMap> relProps = eval_.evalPropertyMap(rel_.properties, row, scope_);
  EdgeFilter allowed = [&](const graph::EdgeRef& e) {
    return edgeMatches(ctx_.graph, e, relProps ? &*relProps : nullptr);
  };
  bool more = true;
  shortestPaths(ctx_, from, to, rel_.direction, rel_.types, rel_.minHops, rel_.maxHops, allowed,
                all_, [&](const PathValue& path) {
                  if (rel_.slot >= 0) {
                    CypherList list;
                    for (const graph::EdgeRef& e : path.relationships) list.emplace_back(e);
                    row[static_cast<size_t>(rel_.slot)] = std::move(list);
                  }
                  if (pathSlot_ >= 0) row[static_cast<size_t>(pathSlot_)] = path;
                  more = emit(row);
                  return more;
                });
  return more;
}

bool BuildPath::consume(Row& row) {
  PathValue path;
  const CypherValue& first = row[static_cast<size_t>(nodeSlots_[0])];
  if (!first.isNode()) {
    row[static_cast<size_t>(pathSlot_)] = CypherValue();  // never a stale path from a prior row
    return emit(row);
  }
  path.nodes.push_back(first.asNode());
  for (size_t i = 0; i < rels_.size(); ++i) {
    const CypherValue& r = row[static_cast<size_t>(rels_[i].slot)];
    if (rels_[i].isList) {
      for (const CypherValue& e : r.asList()) {
        path.relationships.push_back(e.asRelationship());
        path.nodes.push_back(otherEnd(e.asRelationship(), path.nodes.back()));
      }
    } else {
      path.relationships.push_back(r.asRelationship());
      path.nodes.push_back(row[static_cast<size_t>(nodeSlots_[i + 1])].asNode());
    }
  }
  row[static_cast<size_t>(pathSlot_)] = std::move(path);
  return emit(row);
}

// ---- Filter, OptionalMatch, Unwind, Project -----------------------------------------------------

std::string Filter::detail() const { return printExpr(*predicate_); }

bool Filter::consume(Row& row) {
  if (!eval_.isTrue(*predicate_, row, scope_)) return true;
  return emit(row);
}

std::string OptionalMatch::detail() const {
  std::string out;
  for (const std::string& n : nullNames) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? out : "null if no match: " + out;
}

bool OptionalMatch::consume(Row& row) {
  matched_ = false;
  bool more = pushTo(*branchFirst_, row);
  if (matched_) return more;
  for (int slot : nullSlots_) row[static_cast<size_t>(slot)] = CypherValue();
  return emit(row);
}

std::string Unwind::detail() const { return printExpr(*list_) + " AS " + alias_; }

bool Unwind::consume(Row& row) {
  CypherValue list = eval_.eval(*list_, row, scope_);
  if (list.isNull()) return true;
  if (!list.isList()) {
    // UNWIND of a single value gives one row (as Neo4j).
    row[static_cast<size_t>(slot_)] = std::move(list);
    return emit(row);
  }
  for (const CypherValue& item : list.asList()) {
    row[static_cast<size_t>(slot_)] = item;
    if (!emit(row)) return false;
  }
  return true;
}

std::string Project::detail() const {
  std::string out;
  for (const ProjectItem& item : items_) {
    if (!out.empty()) out += ", ";
    std::string text = printExpr(*item.expr);
    out += text == item.name ? text : text + " AS " + item.name;
  }
  return out;
}

bool Project::consume(Row& row) {
  // Evaluate all first: an item may read a slot another item is about to... never overwrite
  // (slots are fresh), but evaluating first keeps the row unchanged if an item fails.
  std::vector<CypherValue> values;
  values.reserve(items_.size());
  for (const ProjectItem& item : items_) values.push_back(eval_.eval(*item.expr, row, scope_));
  for (size_t i = 0; i < items_.size(); ++i) {
    row[static_cast<size_t>(items_[i].slot)] = std::move(values[i]);
  }
  return emit(row);
}

// ---- Aggregate, Distinct --------------------------------------------------------------------------

std::string Aggregate::detail() const {
  std::string keys, aggs;
  for (const ProjectItem& k : keys_) keys += (keys.empty() ? "" : ", ") + k.name;
  for (const ProjectItem& a : aggregates_) aggs += (aggs.empty() ? "" : ", ") + a.name;
  return "keys: [" + keys + "] aggregates: [" + aggs + "]";
}

bool Aggregate::consume(Row& row) {
  std::vector<CypherValue> key;
  key.reserve(keys_.size());
  for (const ProjectItem& k : keys_) key.push_back(eval_.eval(*k.expr, row, scope_));
  auto it = index_.find(key);
  if (it == index_.end()) {
    Group group;
    group.first = row;
    for (const Expr* call : calls_) group.states.push_back(makeAggregator(*call, ctx_));
    groups_.push_back(std::move(group));
    ctx_.guard.checkRows(groups_.size(), "Aggregate (groups)");
    it = index_.emplace(std::move(key), groups_.size() - 1).first;
  }
  Group& group = groups_[it->second];
  for (size_t i = 0; i < calls_.size(); ++i) {
    const Expr& call = *calls_[i];
    try {
      if (call.kind == ExprKind::kCountStar) {
        group.states[i]->add(CypherValue(true));  // count(*) counts rows, nulls or not
      } else {
        group.states[i]->add(eval_.eval(*call.children[0], row, scope_));
      }
    } catch (const QueryError& e) {
      if (e.line() != 0 || dynamic_cast<const TimeLimitExceeded*>(&e)) throw;
      throw QueryError(e.kind(),
                       "line " + std::to_string(call.pos.line) + ", column " +
                           std::to_string(call.pos.column) + ": " + e.what(),
                       call.pos.line, call.pos.column);
    }
  }
  return true;
}

void Aggregate::onFinish() {
  // No input and no grouping keys: one row (count(*) = 0, collect = [], sum = 0, others null).
  if (groups_.empty() && keys_.empty()) {
    Group group;
    for (const Expr* call : calls_) group.states.push_back(makeAggregator(*call, ctx_));
    groups_.push_back(std::move(group));
  }
  for (Group& group : groups_) {
    ctx_.guard.tick();
    Row& row = group.first;
    if (row.empty()) row.resize(rowWidth);
    std::map<const Expr*, CypherValue> results;
    for (size_t i = 0; i < calls_.size(); ++i) results[calls_[i]] = group.states[i]->result();
    std::vector<CypherValue> keyValues;
    for (const ProjectItem& k : keys_) keyValues.push_back(eval_.eval(*k.expr, row, scope_));
    eval_.setAggregateResults(&results);
    std::vector<CypherValue> aggValues;
    try {
      for (const ProjectItem& a : aggregates_) aggValues.push_back(eval_.eval(*a.expr, row, scope_));
    } catch (...) {
      eval_.setAggregateResults(nullptr);
      throw;
    }
    eval_.setAggregateResults(nullptr);
    for (size_t i = 0; i < keys_.size(); ++i) {
      row[static_cast<size_t>(keys_[i].slot)] = std::move(keyValues[i]);
    }
    for (size_t i = 0; i < aggregates_.size(); ++i) {
      row[static_cast<size_t>(aggregates_[i].slot)] = std::move(aggValues[i]);
    }
    if (!emit(row)) break;
  }
}

bool Distinct::consume(Row& row) {
  std::vector<CypherValue> key;
  key.reserve(slots_.size());
  for (int slot : slots_) key.push_back(row[static_cast<size_t>(slot)]);
  if (!seen_.insert(std::move(key)).second) return true;
  ctx_.guard.checkRows(seen_.size(), "Distinct");
  return emit(row);
}

// ---- Sort, Skip, Limit, ProduceResults -------------------------------------------------------------

std::string Sort::detail() const {
  std::string out;
  for (const SortKey& k : keys_) {
    out += (out.empty() ? "" : ", ") + k.text + (k.descending ? " DESC" : "");
  }
  if (keep_) out += " keep " + std::to_string(*keep_);
  return out;
}

bool Sort::consume(Row& row) {
  std::vector<CypherValue> key;
  key.reserve(keys_.size());
  for (const SortKey& k : keys_) {
    key.push_back(k.expr ? eval_.eval(*k.expr, row, scope_) : row[static_cast<size_t>(k.slot)]);
  }
  rows_.emplace_back(std::move(key), row);
  ctx_.guard.checkRows(rows_.size(), "Sort");
  // Top-N: trim to `keep` rows whenever the buffer doubles, so memory stays O(keep).
  if (keep_ && rows_.size() >= 2 * *keep_ + 1024) {
    sortBuffer();
    rows_.resize(*keep_);
  }
  return true;
}

void Sort::sortBuffer() {
  std::stable_sort(rows_.begin(), rows_.end(), [&](const auto& a, const auto& b) {
    ctx_.guard.tick();
    for (size_t i = 0; i < keys_.size(); ++i) {
      int c = orderCompare(a.first[i], b.first[i]);
      if (c != 0) return keys_[i].descending ? c > 0 : c < 0;
    }
    return false;
  });
}

void Sort::onFinish() {
  sortBuffer();
  if (keep_ && rows_.size() > *keep_) rows_.resize(*keep_);
  for (auto& [key, row] : rows_) {
    if (!emit(row)) break;
  }
  rows_.clear();
}

bool Skip::consume(Row& row) {
  if (skipped_ < count_) {
    ++skipped_;
    return true;
  }
  return emit(row);
}

bool Limit::consume(Row& row) {
  if (passed_ >= count_) return false;
  ++passed_;
  bool more = emit(row);
  return more && passed_ < count_;
}

std::string ProduceResults::detail() const {
  std::string out;
  for (const std::string& c : columns_) out += (out.empty() ? "" : ", ") + c;
  return out;
}

bool ProduceResults::consume(Row& row) {
  std::vector<graph::Value> out;
  out.reserve(slots_.size());
  for (int slot : slots_) out.push_back(toResultValue(row[static_cast<size_t>(slot)], ctx_.graph));
  rows.push_back(std::move(out));
  return emit(row);
}

}  // namespace gk::query
