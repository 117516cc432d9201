// The executor's operators. Execution is push-based: the first operator receives one empty row,
// and every operator hands the rows it produces to the next with emit(). A row is a fixed-width
// vector of slots (the planner gives every variable, named or anonymous, a slot of its own), so
// an operator writes its slots into the row it was given and passes it on without copying;
// only operators that must keep rows (Sort, Aggregate, Distinct's keys) copy them.
//
// push() returns false when the rest of the plan wants no more rows (a LIMIT was reached): the
// caller stops producing, which is how a scan under LIMIT stops early. finish() is called once
// at the end of input; the buffering operators emit their rows then, and pass finish() on.
//
// Every operator counts the rows it emits and checks them against QueryLimits.maxRows; every
// loop ticks the LimitGuard (time limit). Under PROFILE each operator also measures the time
// spent in itself (excluding the operators after it).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "query/aggregation.h"
#include "query/ast.h"
#include "query/evaluator.h"
#include "query/exec_context.h"

namespace gk::query {

class Operator {
 public:
  explicit Operator(ExecContext& ctx, Evaluator& evaluator) : ctx_(ctx), eval_(evaluator) {}
  virtual ~Operator() = default;
  Operator(const Operator&) = delete;
  Operator& operator=(const Operator&) = delete;

  bool push(Row& row);
  void finish();
  void setNext(Operator* next) { next_ = next; }
  Operator* next() const { return next_; }

  // EXPLAIN: the operator's name and what it does ("NodeByLabelScan", "(p:Partition)").
  virtual std::string name() const = 0;
  virtual std::string detail() const { return {}; }
  // An operator that runs a branch of operators per row (OptionalMatch): the branch's first.
  virtual const Operator* branch() const { return nullptr; }

  double estimatedRows = 0;
  uint64_t rowsEmitted() const { return rowsOut_; }
  double selfMs() const;

 protected:
  virtual bool consume(Row& row) = 0;
  virtual void onFinish() {}
  // Hands a row to the next operator: counts it, checks the row limit and the clock.
  bool emit(Row& row);
  // Runs `op` on the row as part of this operator's downstream (for branches).
  bool pushTo(Operator& op, Row& row);

  ExecContext& ctx_;
  Evaluator& eval_;
  Operator* next_ = nullptr;

 private:
  uint64_t rowsOut_ = 0;
  std::chrono::steady_clock::duration inclusive_{}, downstream_{};
};

// How a MATCH names a node it binds or checks: its slot, labels and inline property map.
struct NodeSpec {
  int slot = -1;
  std::string variable;  // for EXPLAIN; empty for an anonymous node
  std::vector<std::string> labels;
  const Expr* properties = nullptr;
};

// Relationship uniqueness: the slots of the relationships (single, or lists from variable
// length) already bound by the same MATCH, which a new relationship must differ from.
struct UniquenessSlots {
  std::vector<int> single;
  std::vector<int> lists;
  bool conflicts(const Row& row, const graph::EdgeRef& edge) const;
};

enum class ScanKind { kAll, kLabel, kIndexSeek };

// Binds `node` to every node that matches (all nodes, a label, or an index seek), per input row.
class NodeScan : public Operator {
 public:
  NodeScan(ExecContext& ctx, Evaluator& ev, ScanKind kind, NodeSpec node, SlotScope scope)
      : Operator(ctx, ev), kind_(kind), node_(std::move(node)), scope_(std::move(scope)) {}
  std::string name() const override;
  std::string detail() const override;
  // kLabel and kIndexSeek: the label scanned/seeked; kIndexSeek: the property and its value.
  std::string label;
  std::string property;
  const Expr* seekValue = nullptr;

 protected:
  bool consume(Row& row) override;

 private:
  ScanKind kind_;
  NodeSpec node_;
  SlotScope scope_;
};

// A node bound earlier (or null from OPTIONAL MATCH): passes the row when it is a node with
// the pattern's labels and properties.
class NodeCheck : public Operator {
 public:
  NodeCheck(ExecContext& ctx, Evaluator& ev, NodeSpec node, SlotScope scope)
      : Operator(ctx, ev), node_(std::move(node)), scope_(std::move(scope)) {}
  std::string name() const override { return "NodeCheck"; }
  std::string detail() const override;

 protected:
  bool consume(Row& row) override;

 private:
  NodeSpec node_;
  SlotScope scope_;
};

struct RelSpec {
  int slot = -1;
  std::string variable;
  bool bound = false;  // bound before this MATCH: the edge must equal it
  std::vector<std::string> types;
  graph::EdgeDirection direction = graph::EdgeDirection::kOut;
  const Expr* properties = nullptr;
  // Variable length.
  bool varLength = false;
  int64_t minHops = 1;
  std::optional<int64_t> maxHops;
  bool reverseList = false;  // walked right to left: the list is reversed to pattern order
};

// One hop (or, with rel.varLength, minHops..maxHops hops) from `fromSlot` to `to`; when `to`
// is already bound (toBound) the hop must end there (an "expand into").
class Expand : public Operator {
 public:
  Expand(ExecContext& ctx, Evaluator& ev, int fromSlot, std::string fromName, RelSpec rel,
         NodeSpec to, bool toBound, UniquenessSlots unique, SlotScope scope)
      : Operator(ctx, ev), fromSlot_(fromSlot), fromName_(std::move(fromName)),
        rel_(std::move(rel)), to_(std::move(to)), toBound_(toBound), unique_(std::move(unique)),
        scope_(std::move(scope)) {}
  std::string name() const override;
  std::string detail() const override;

 protected:
  bool consume(Row& row) override;

 private:
  bool acceptTarget(Row& row, const graph::NodeRef& target, const CypherMap* toProps);
  int fromSlot_;
  std::string fromName_;
  RelSpec rel_;
  NodeSpec to_;
  bool toBound_;
  UniquenessSlots unique_;
  SlotScope scope_;
};

// shortestPath / allShortestPaths between two bound nodes (breadth-first search).
class ShortestPath : public Operator {
 public:
  ShortestPath(ExecContext& ctx, Evaluator& ev, int fromSlot, int toSlot, RelSpec rel,
               int pathSlot, bool all, SlotScope scope)
      : Operator(ctx, ev), fromSlot_(fromSlot), toSlot_(toSlot), rel_(std::move(rel)),
        pathSlot_(pathSlot), all_(all), scope_(std::move(scope)) {}
  std::string name() const override { return all_ ? "AllShortestPaths" : "ShortestPath"; }
  std::string detail() const override;

 protected:
  bool consume(Row& row) override;

 private:
  int fromSlot_, toSlot_;
  RelSpec rel_;
  int pathSlot_;
  bool all_;
  SlotScope scope_;
};

// p = (a)-[r]->(b)...: builds the path from the slots of its nodes and relationships.
class BuildPath : public Operator {
 public:
  struct Element {
    int slot;
    bool isList;  // a variable-length relationship's list
  };
  BuildPath(ExecContext& ctx, Evaluator& ev, int pathSlot, std::string pathName,
            std::vector<int> nodeSlots, std::vector<Element> rels)
      : Operator(ctx, ev), pathSlot_(pathSlot), pathName_(std::move(pathName)),
        nodeSlots_(std::move(nodeSlots)), rels_(std::move(rels)) {}
  std::string name() const override { return "BuildPath"; }
  std::string detail() const override { return pathName_; }

 protected:
  bool consume(Row& row) override;

 private:
  int pathSlot_;
  std::string pathName_;
  std::vector<int> nodeSlots_;
  std::vector<Element> rels_;
};

class Filter : public Operator {
 public:
  Filter(ExecContext& ctx, Evaluator& ev, const Expr* predicate, SlotScope scope)
      : Operator(ctx, ev), predicate_(predicate), scope_(std::move(scope)) {}
  std::string name() const override { return "Filter"; }
  std::string detail() const override;

 protected:
  bool consume(Row& row) override;

 private:
  const Expr* predicate_;
  SlotScope scope_;
};

// OPTIONAL MATCH: runs the branch per row; when the branch produced nothing, emits the row with
// the branch's slots set to null.
class OptionalMatch : public Operator {
 public:
  OptionalMatch(ExecContext& ctx, Evaluator& ev, std::vector<int> nullSlots)
      : Operator(ctx, ev), nullSlots_(std::move(nullSlots)) {}
  std::string name() const override { return "OptionalMatch"; }
  std::string detail() const override;
  const Operator* branch() const override { return branchFirst_; }
  void setBranch(Operator* first) { branchFirst_ = first; }
  // The branch's last operator hands rows here.
  bool branchRow(Row& row) {
    matched_ = true;
    return emit(row);
  }
  std::vector<std::string> nullNames;  // for EXPLAIN

 protected:
  bool consume(Row& row) override;

 private:
  std::vector<int> nullSlots_;
  Operator* branchFirst_ = nullptr;
  bool matched_ = false;
};

// The end of an OPTIONAL MATCH branch.
class OptionalTail : public Operator {
 public:
  OptionalTail(ExecContext& ctx, Evaluator& ev, OptionalMatch& owner)
      : Operator(ctx, ev), owner_(owner) {}
  std::string name() const override { return "Argument"; }

 protected:
  bool consume(Row& row) override { return owner_.branchRow(row); }

 private:
  OptionalMatch& owner_;
};

class Unwind : public Operator {
 public:
  Unwind(ExecContext& ctx, Evaluator& ev, const Expr* list, int slot, std::string alias,
         SlotScope scope)
      : Operator(ctx, ev), list_(list), slot_(slot), alias_(std::move(alias)),
        scope_(std::move(scope)) {}
  std::string name() const override { return "Unwind"; }
  std::string detail() const override;

 protected:
  bool consume(Row& row) override;

 private:
  const Expr* list_;
  int slot_;
  std::string alias_;
  SlotScope scope_;
};

struct ProjectItem {
  const Expr* expr;
  int slot;
  std::string name;
};

// WITH/RETURN without aggregation: computes each item into its slot.
class Project : public Operator {
 public:
  Project(ExecContext& ctx, Evaluator& ev, std::vector<ProjectItem> items, SlotScope scope)
      : Operator(ctx, ev), items_(std::move(items)), scope_(std::move(scope)) {}
  std::string name() const override { return "Projection"; }
  std::string detail() const override;

 protected:
  bool consume(Row& row) override;

 private:
  std::vector<ProjectItem> items_;
  SlotScope scope_;
};

// Grouping keys and aggregates. Items that contain aggregates are computed, per group, with
// the aggregate calls' results substituted and the group's first row for everything else.
class Aggregate : public Operator {
 public:
  Aggregate(ExecContext& ctx, Evaluator& ev, std::vector<ProjectItem> keys,
            std::vector<ProjectItem> aggregates, std::vector<const Expr*> calls, SlotScope scope)
      : Operator(ctx, ev), keys_(std::move(keys)), aggregates_(std::move(aggregates)),
        calls_(std::move(calls)), scope_(std::move(scope)) {}
  std::string name() const override { return "Aggregate"; }
  std::string detail() const override;
  size_t rowWidth = 0;  // for the one row an aggregation without keys gives on no input

 protected:
  bool consume(Row& row) override;
  void onFinish() override;

 private:
  struct Group {
    Row first;
    std::vector<std::unique_ptr<Aggregator>> states;
  };
  std::vector<ProjectItem> keys_, aggregates_;
  std::vector<const Expr*> calls_;
  SlotScope scope_;
  std::map<std::vector<CypherValue>, size_t, RowOrderLess> index_;
  std::vector<Group> groups_;
};

class Distinct : public Operator {
 public:
  Distinct(ExecContext& ctx, Evaluator& ev, std::vector<int> slots, std::string names)
      : Operator(ctx, ev), slots_(std::move(slots)), names_(std::move(names)) {}
  std::string name() const override { return "Distinct"; }
  std::string detail() const override { return names_; }

 protected:
  bool consume(Row& row) override;

 private:
  std::vector<int> slots_;
  std::string names_;
  std::set<std::vector<CypherValue>, RowOrderLess> seen_;
};

struct SortKey {
  int slot = -1;               // a projected column, or
  const Expr* expr = nullptr;  // an expression over the scope
  bool descending = false;
  std::string text;            // for EXPLAIN
};

// ORDER BY: stable, so equal keys keep their input order. With `keep` (from SKIP + LIMIT), only
// the first `keep` rows are kept while buffering (a top-N sort).
class Sort : public Operator {
 public:
  Sort(ExecContext& ctx, Evaluator& ev, std::vector<SortKey> keys, SlotScope scope,
       std::optional<uint64_t> keep)
      : Operator(ctx, ev), keys_(std::move(keys)), scope_(std::move(scope)), keep_(keep) {}
  std::string name() const override { return keep_ ? "Top" : "Sort"; }
  std::string detail() const override;

 protected:
  bool consume(Row& row) override;
  void onFinish() override;

 private:
  void sortBuffer();
  std::vector<SortKey> keys_;
  SlotScope scope_;
  std::optional<uint64_t> keep_;
  std::vector<std::pair<std::vector<CypherValue>, Row>> rows_;
};

class Skip : public Operator {
 public:
  Skip(ExecContext& ctx, Evaluator& ev, uint64_t count) : Operator(ctx, ev), count_(count) {}
  std::string name() const override { return "Skip"; }
  std::string detail() const override { return std::to_string(count_); }

 protected:
  bool consume(Row& row) override;

 private:
  uint64_t count_, skipped_ = 0;
};

class Limit : public Operator {
 public:
  Limit(ExecContext& ctx, Evaluator& ev, uint64_t count) : Operator(ctx, ev), count_(count) {}
  std::string name() const override { return "Limit"; }
  std::string detail() const override { return std::to_string(count_); }

 protected:
  bool consume(Row& row) override;

 private:
  uint64_t count_, passed_ = 0;
};

// The end of the plan: converts each row's columns to result values.
class ProduceResults : public Operator {
 public:
  ProduceResults(ExecContext& ctx, Evaluator& ev, std::vector<std::string> columns,
                 std::vector<int> slots)
      : Operator(ctx, ev), columns_(std::move(columns)), slots_(std::move(slots)) {}
  std::string name() const override { return "ProduceResults"; }
  std::string detail() const override;
  std::vector<std::vector<graph::Value>> rows;

 protected:
  bool consume(Row& row) override;

 private:
  std::vector<std::string> columns_;
  std::vector<int> slots_;
};

}  // namespace gk::query
