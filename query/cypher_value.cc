// CypherValue helpers; see cypher_value.h.
#include "query/cypher_value.h"

namespace gk::query {

std::string_view typeName(const CypherValue& value) {
  static constexpr std::string_view kNames[] = {"Null", "Boolean", "Integer", "Float", "String",
                                                "List", "Map",     "Node",    "Relationship",
                                                "Path"};
  return kNames[value.v.index()];
}

void cypherMapSet(CypherMap& map, std::string key, CypherValue value) {
  graph::sortedMapSet(map, std::move(key), std::move(value));
}

const CypherValue* cypherMapGet(const CypherMap& map, std::string_view key) {
  return graph::sortedMapGet(map, key);
}

CypherValue fromGraphValue(const graph::Value& value) {
  struct Convert {
    CypherValue operator()(std::monostate) const { return {}; }
    CypherValue operator()(bool b) const { return b; }
    CypherValue operator()(int64_t i) const { return i; }
    CypherValue operator()(double d) const { return d; }
    CypherValue operator()(const std::string& s) const { return s; }
    CypherValue operator()(const graph::ValueList& list) const {
      CypherList out;
      out.reserve(list.size());
      for (const graph::Value& item : list) out.push_back(fromGraphValue(item));
      return out;
    }
    CypherValue operator()(const graph::ValueMap& map) const { return fromGraphMap(map); }
  };
  return std::visit(Convert{}, value.v);
}

CypherValue fromGraphMap(const graph::ValueMap& map) {
  // graph::ValueMap is sorted with unique keys already, so the order carries over.
  CypherMap out;
  out.reserve(map.size());
  for (const auto& [key, item] : map) out.emplace_back(key, fromGraphValue(item));
  return out;
}

namespace {

graph::Value nodeResult(const graph::NodeRef& node, const graph::GraphReader& graph) {
  graph::ValueList labels;
  for (std::string& label : graph.nodeLabels(node)) labels.emplace_back(std::move(label));
  graph::ValueMap out;
  graph::valueMapSet(out, "id", graph.nodeId(node));
  graph::valueMapSet(out, "labels", std::move(labels));
  graph::valueMapSet(out, "properties", graph.nodeProperties(node));
  return out;
}

graph::Value relationshipResult(const graph::EdgeRef& edge, const graph::GraphReader& graph) {
  graph::ValueMap out;
  graph::valueMapSet(out, "id", graph.edgeId(edge));
  graph::valueMapSet(out, "type", edge.type);
  graph::valueMapSet(out, "start", graph.nodeId(edge.from));
  graph::valueMapSet(out, "end", graph.nodeId(edge.to));
  graph::valueMapSet(out, "properties", graph.edgeProperties(edge));
  return out;
}

}  // namespace

graph::Value toResultValue(const CypherValue& value, const graph::GraphReader& graph) {
  struct Convert {
    const graph::GraphReader& graph;
    graph::Value operator()(std::monostate) const { return {}; }
    graph::Value operator()(bool b) const { return b; }
    graph::Value operator()(int64_t i) const { return i; }
    graph::Value operator()(double d) const { return d; }
    graph::Value operator()(const std::string& s) const { return s; }
    graph::Value operator()(const CypherList& list) const {
      graph::ValueList out;
      out.reserve(list.size());
      for (const CypherValue& item : list) out.push_back(toResultValue(item, graph));
      return out;
    }
    graph::Value operator()(const CypherMap& map) const {
      graph::ValueMap out;
      out.reserve(map.size());
      for (const auto& [key, item] : map) out.emplace_back(key, toResultValue(item, graph));
      return out;
    }
    graph::Value operator()(const graph::NodeRef& node) const { return nodeResult(node, graph); }
    graph::Value operator()(const graph::EdgeRef& edge) const {
      return relationshipResult(edge, graph);
    }
    graph::Value operator()(const PathValue& path) const {
      graph::ValueList nodes, relationships;
      for (const graph::NodeRef& node : path.nodes) nodes.push_back(nodeResult(node, graph));
      for (const graph::EdgeRef& edge : path.relationships) {
        relationships.push_back(relationshipResult(edge, graph));
      }
      graph::ValueMap out;
      graph::valueMapSet(out, "nodes", std::move(nodes));
      graph::valueMapSet(out, "relationships", std::move(relationships));
      return out;
    }
  };
  return std::visit(Convert{graph}, value.v);
}

}  // namespace gk::query
