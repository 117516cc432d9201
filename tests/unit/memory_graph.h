// MemoryGraph: a tiny in-memory GraphReader FOR TESTS ONLY. It lets operator and planner tests
// shape the graph exactly (self-loops, parallel edges of different types, chosen label counts
// and indexes) without a store. The expected-results corpus runs against the real LMDB store
// (query_corpus_test.cc); nothing outside tests/ may use this class.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "graph/graph_reader.h"

namespace gk::testing {

class MemoryGraph : public graph::GraphReader {
 public:
  static void sortByKey(graph::ValueMap& props) {
    std::sort(props.begin(), props.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  // Adds a node; returns its ref (key: the decimal id, space kStored).
  graph::NodeRef addNode(std::vector<std::string> labels, graph::ValueMap props = {}) {
    int64_t id = static_cast<int64_t>(nodes_.size()) + 1;
    graph::NodeRef ref{graph::NodeSpace::kStored, std::to_string(id)};
    sortByKey(props);
    nodes_.push_back({ref, std::move(labels), std::move(props)});
    return ref;
  }
  graph::EdgeRef addEdge(const graph::NodeRef& from, std::string type, const graph::NodeRef& to,
                         graph::ValueMap props = {}) {
    graph::EdgeRef ref{std::move(type), from, to};
    sortByKey(props);
    edges_.push_back({ref, std::move(props)});
    return ref;
  }
  // The planner's statistics: overrides a label's approxCount; declares an index.
  void setLabelCount(std::string label, uint64_t count) { counts_[std::move(label)] = count; }
  void addIndex(std::string label, std::string property, bool unique) {
    indexes_.push_back({std::move(label), std::move(property), unique});
  }
  int seeks = 0;  // how many seekIndex calls were answered from an index

  int64_t zxid() const override { return 42; }
  std::vector<graph::LabelInfo> labels() const override {
    std::map<std::string, uint64_t> counts;
    for (const Node& n : nodes_) {
      for (const std::string& l : n.labels) ++counts[l];
    }
    for (const auto& [label, count] : counts_) counts[label] = count;
    std::vector<graph::LabelInfo> out;
    for (const auto& [label, count] : counts) out.push_back({label, count});
    return out;
  }
  std::vector<graph::IndexInfo> indexes() const override { return indexes_; }
  void scanAll(const graph::NodeVisitor& visit) const override {
    for (const Node& n : nodes_) {
      if (!visit(n.ref)) return;
    }
  }
  void scanLabel(std::string_view label, const graph::NodeVisitor& visit) const override {
    for (const Node& n : nodes_) {
      if (std::find(n.labels.begin(), n.labels.end(), label) == n.labels.end()) continue;
      if (!visit(n.ref)) return;
    }
  }
  bool seekIndex(std::string_view label, std::string_view property, const graph::Value& value,
                 const graph::NodeVisitor& visit) const override {
    bool indexed = std::any_of(indexes_.begin(), indexes_.end(), [&](const graph::IndexInfo& i) {
      return i.label == label && i.property == property;
    });
    if (!indexed) return false;
    ++const_cast<MemoryGraph*>(this)->seeks;
    for (const Node& n : nodes_) {
      if (std::find(n.labels.begin(), n.labels.end(), label) == n.labels.end()) continue;
      const graph::Value* v = graph::valueMapGet(n.props, property);
      if (v && *v == value && !visit(n.ref)) return true;
    }
    return true;
  }
  bool exists(const graph::NodeRef& node) const override { return find(node) != nullptr; }
  std::vector<std::string> nodeLabels(const graph::NodeRef& node) const override {
    const Node* n = find(node);
    return n ? n->labels : std::vector<std::string>{};
  }
  graph::Value nodeProperty(const graph::NodeRef& node, std::string_view name) const override {
    const Node* n = find(node);
    const graph::Value* v = n ? graph::valueMapGet(n->props, name) : nullptr;
    return v ? *v : graph::Value();
  }
  graph::ValueMap nodeProperties(const graph::NodeRef& node) const override {
    const Node* n = find(node);
    return n ? n->props : graph::ValueMap{};
  }
  int64_t nodeId(const graph::NodeRef& node) const override { return std::stoll(node.key); }
  void edges(const graph::NodeRef& node, graph::EdgeDirection direction,
             std::span<const std::string> types, const graph::EdgeVisitor& visit) const override {
    for (const Edge& e : edges_) {
      if (!types.empty() && std::find(types.begin(), types.end(), e.ref.type) == types.end()) {
        continue;
      }
      bool out = e.ref.from == node && direction != graph::EdgeDirection::kIn;
      bool in = e.ref.to == node && direction != graph::EdgeDirection::kOut;
      if ((out || in) && !visit(e.ref)) return;  // a self-loop once, even for kBoth
    }
  }
  graph::Value edgeProperty(const graph::EdgeRef& edge, std::string_view name) const override {
    for (const Edge& e : edges_) {
      if (e.ref == edge) {
        const graph::Value* v = graph::valueMapGet(e.props, name);
        return v ? *v : graph::Value();
      }
    }
    return {};
  }
  graph::ValueMap edgeProperties(const graph::EdgeRef& edge) const override {
    for (const Edge& e : edges_) {
      if (e.ref == edge) return e.props;
    }
    return {};
  }
  int64_t edgeId(const graph::EdgeRef& edge) const override {
    for (size_t i = 0; i < edges_.size(); ++i) {
      if (edges_[i].ref == edge) return static_cast<int64_t>(i) + 1000;
    }
    return -1;
  }

 private:
  struct Node {
    graph::NodeRef ref;
    std::vector<std::string> labels;
    graph::ValueMap props;
  };
  struct Edge {
    graph::EdgeRef ref;
    graph::ValueMap props;
  };
  const Node* find(const graph::NodeRef& ref) const {
    for (const Node& n : nodes_) {
      if (n.ref == ref) return &n;
    }
    return nullptr;
  }
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::map<std::string, uint64_t> counts_;
  std::vector<graph::IndexInfo> indexes_;
};

}  // namespace gk::testing
