// The graph walking that MATCH operators and pattern expressions share: the order in which a
// pattern's relationships are followed from a chosen start node, one-hop neighbours, label and
// property checks, variable-length expansion and breadth-first shortest paths. Every loop here
// ticks the LimitGuard, so none of them can outrun the time limit.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "graph/graph_reader.h"
#include "query/ast.h"
#include "query/cypher_value.h"
#include "query/exec_context.h"

namespace gk::query {

// Node i of a pattern part: 0 is part.start, i is part.chain[i - 1].second.
const NodePattern& patternNode(const PatternPart& part, size_t i);

// One relationship of a pattern, followed from node `from` to node `to` (indexes as above).
// `reversed`: followed against the written order (right to left), so a `->` is walked as `<-`.
struct PatternStep {
  size_t from = 0;
  size_t rel = 0;  // index into part.chain
  size_t to = 0;
  bool reversed = false;
};

// The steps that match a part starting at node `anchor`: rightwards to the end, then leftwards
// from the anchor to node 0. Each step's `from` is bound by the time the step runs.
std::vector<PatternStep> stepsFrom(const PatternPart& part, size_t anchor);

graph::EdgeDirection stepDirection(Direction written, bool reversed);

// The other end of `edge` seen from `node` (for a self-loop, node itself).
const graph::NodeRef& otherEnd(const graph::EdgeRef& edge, const graph::NodeRef& node);

// `props` is the pattern's evaluated property map (null: no map). Equality is Cypher's `=`.
bool nodeMatches(const graph::GraphReader& graph, const graph::NodeRef& node,
                 const std::vector<std::string>& labels, const CypherMap* props);
bool edgeMatches(const graph::GraphReader& graph, const graph::EdgeRef& edge,
                 const CypherMap* props);

using EdgeFilter = std::function<bool(const graph::EdgeRef&)>;
using VarLengthVisitor =
    std::function<bool(const std::vector<graph::EdgeRef>& edges, const graph::NodeRef& end)>;

// Every walk of minHops..maxHops (no maximum: unbounded) relationships from `start` that uses no
// relationship twice (Cypher's relationship uniqueness) and only relationships `allowed` accepts.
// Returns false when `visit` asked to stop.
bool expandVarLength(ExecContext& ctx, const graph::NodeRef& start, graph::EdgeDirection direction,
                     std::span<const std::string> types, int64_t minHops,
                     std::optional<int64_t> maxHops, const EdgeFilter& allowed,
                     const VarLengthVisitor& visit);

// Breadth-first search from `from` to `to`: the shortest path (all of them when `all`), of at
// least minHops (0 or 1) and at most maxHops relationships. Returns false when `visit` stopped.
bool shortestPaths(ExecContext& ctx, const graph::NodeRef& from, const graph::NodeRef& to,
                   graph::EdgeDirection direction, std::span<const std::string> types,
                   int64_t minHops, std::optional<int64_t> maxHops, const EdgeFilter& allowed,
                   bool all, const std::function<bool(const PathValue&)>& visit);

}  // namespace gk::query
