// Shared graph walking for MATCH and pattern expressions; see pattern_steps.h.
#include "query/pattern_steps.h"

#include <algorithm>
#include <map>

#include "query/value_ops.h"

namespace gk::query {

const NodePattern& patternNode(const PatternPart& part, size_t i) {
  return i == 0 ? part.start : part.chain[i - 1].second;
}

std::vector<PatternStep> stepsFrom(const PatternPart& part, size_t anchor) {
  std::vector<PatternStep> steps;
  for (size_t i = anchor; i < part.chain.size(); ++i) steps.push_back({i, i, i + 1, false});
  for (size_t i = anchor; i > 0; --i) steps.push_back({i, i - 1, i - 1, true});
  return steps;
}

graph::EdgeDirection stepDirection(Direction written, bool reversed) {
  switch (written) {
    case Direction::kRight: return reversed ? graph::EdgeDirection::kIn : graph::EdgeDirection::kOut;
    case Direction::kLeft: return reversed ? graph::EdgeDirection::kOut : graph::EdgeDirection::kIn;
    case Direction::kUndirected: break;
  }
  return graph::EdgeDirection::kBoth;
}

const graph::NodeRef& otherEnd(const graph::EdgeRef& edge, const graph::NodeRef& node) {
  return edge.from == node ? edge.to : edge.from;
}

bool nodeMatches(const graph::GraphReader& graph, const graph::NodeRef& node,
                 const std::vector<std::string>& labels, const CypherMap* props) {
  if (!labels.empty()) {
    std::vector<std::string> has = graph.nodeLabels(node);
    for (const std::string& label : labels) {
      if (std::find(has.begin(), has.end(), label) == has.end()) return false;
    }
  }
  if (props) {
    for (const auto& [key, wanted] : *props) {
      Ternary eq = cypherEquals(fromGraphValue(graph.nodeProperty(node, key)), wanted);
      if (!eq || !*eq) return false;
    }
  }
  return true;
}

bool edgeMatches(const graph::GraphReader& graph, const graph::EdgeRef& edge,
                 const CypherMap* props) {
  if (props) {
    for (const auto& [key, wanted] : *props) {
      Ternary eq = cypherEquals(fromGraphValue(graph.edgeProperty(edge, key)), wanted);
      if (!eq || !*eq) return false;
    }
  }
  return true;
}

namespace {

using Neighbours = std::vector<std::pair<graph::EdgeRef, graph::NodeRef>>;

Neighbours neighboursOf(ExecContext& ctx, const graph::NodeRef& node,
                        graph::EdgeDirection direction, std::span<const std::string> types) {
  Neighbours out;
  ctx.graph.edges(node, direction, types, [&](const graph::EdgeRef& edge) {
    ctx.guard.tick();
    out.emplace_back(edge, otherEnd(edge, node));
    return true;
  });
  return out;
}

}  // namespace

bool expandVarLength(ExecContext& ctx, const graph::NodeRef& start, graph::EdgeDirection direction,
                     std::span<const std::string> types, int64_t minHops,
                     std::optional<int64_t> maxHops, const EdgeFilter& allowed,
                     const VarLengthVisitor& visit) {
  // Iterative depth-first search (an unbounded `*` over a long chain must not use the C++
  // stack). Invariant: frames.size() == edges.size() + 1; frame k lists the choices after the
  // first k relationships.
  struct Frame {
    Neighbours next;
    size_t i = 0;
  };
  std::vector<graph::EdgeRef> edges;
  if (minHops == 0 && !visit(edges, start)) return false;
  if (maxHops && *maxHops == 0) return true;
  std::vector<Frame> frames;
  frames.push_back({neighboursOf(ctx, start, direction, types), 0});
  while (!frames.empty()) {
    ctx.guard.tick();
    Frame& frame = frames.back();
    if (frame.i == frame.next.size()) {
      frames.pop_back();
      if (!edges.empty()) edges.pop_back();
      continue;
    }
    auto [edge, node] = frame.next[frame.i++];
    if (std::find(edges.begin(), edges.end(), edge) != edges.end()) continue;
    if (allowed && !allowed(edge)) continue;
    edges.push_back(edge);
    if (static_cast<int64_t>(edges.size()) >= minHops && !visit(edges, node)) return false;
    if (!maxHops || static_cast<int64_t>(edges.size()) < *maxHops) {
      frames.push_back({neighboursOf(ctx, node, direction, types), 0});
    } else {
      edges.pop_back();
    }
  }
  return true;
}

bool shortestPaths(ExecContext& ctx, const graph::NodeRef& from, const graph::NodeRef& to,
                   graph::EdgeDirection direction, std::span<const std::string> types,
                   int64_t minHops, std::optional<int64_t> maxHops, const EdgeFilter& allowed,
                   bool all, const std::function<bool(const PathValue&)>& visit) {
  if (from == to) {
    // A shortest path from a node to itself has no relationships; with a minimum of one hop
    // there is none (openCypher leaves this case to implementations; Neo4j also returns none).
    if (minHops > 0) return true;
    return visit(PathValue{{from}, {}});
  }
  // Breadth-first, level by level. parents[n] holds every (edge, previous node) that reaches n
  // on a shortest walk; with `all` false only the first one is kept.
  std::map<graph::NodeRef, std::vector<std::pair<graph::EdgeRef, graph::NodeRef>>> parents;
  std::map<graph::NodeRef, int64_t> depth{{from, 0}};
  std::vector<graph::NodeRef> frontier{from};
  int64_t level = 0;
  bool found = false;
  while (!frontier.empty() && !found && (!maxHops || level < *maxHops)) {
    ++level;
    std::vector<graph::NodeRef> nextFrontier;
    for (const graph::NodeRef& node : frontier) {
      ctx.graph.edges(node, direction, types, [&](const graph::EdgeRef& edge) {
        ctx.guard.tick();
        if (allowed && !allowed(edge)) return true;
        const graph::NodeRef& next = otherEnd(edge, node);
        auto it = depth.find(next);
        if (it == depth.end()) {
          depth.emplace(next, level);
          parents[next].emplace_back(edge, node);
          nextFrontier.push_back(next);
        } else if (it->second == level && all) {
          parents[next].emplace_back(edge, node);
        }
        if (next == to) found = true;
        return true;
      });
    }
    ctx.guard.checkRows(depth.size(), "shortestPath search");
    frontier = std::move(nextFrontier);
  }
  if (!found) return true;
  // Walk back from `to` through the parents; each walk, reversed, is a shortest path.
  std::vector<std::pair<graph::EdgeRef, graph::NodeRef>> back;  // (edge, node it leads from)
  std::function<bool(const graph::NodeRef&)> unwind = [&](const graph::NodeRef& node) -> bool {
    ctx.guard.tick();
    if (node == from) {
      PathValue path;
      path.nodes.push_back(from);
      for (auto it = back.rbegin(); it != back.rend(); ++it) {
        path.relationships.push_back(it->first);
        path.nodes.push_back(otherEnd(it->first, path.nodes.back()));
      }
      return visit(path);
    }
    for (const auto& [edge, previous] : parents[node]) {
      back.emplace_back(edge, previous);
      bool more = unwind(previous);
      back.pop_back();
      if (!more) return false;
      if (!all) break;
    }
    return true;
  };
  return unwind(to);
}

}  // namespace gk::query
