// CypherValue: a value while a query runs. graph::Value holds only property types; a query also
// handles nodes, relationships and paths (a row binds `n` to a node, collect(n) is a list of
// nodes), so the runtime value is its own variant with the same property types plus those three.
// Nodes and relationships are references (graph::NodeRef/EdgeRef): their labels and properties
// are read from the GraphReader when an expression asks for them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "graph/graph_reader.h"
#include "graph/value.h"

namespace gk::query {

struct CypherValue;
using CypherList = std::vector<CypherValue>;
// Sorted by key, keys unique (as graph::ValueMap), so equal maps are equal structurally.
using CypherMap = std::vector<std::pair<std::string, CypherValue>>;

// A path alternates nodes and relationships: nodes.size() == relationships.size() + 1.
struct PathValue {
  std::vector<graph::NodeRef> nodes;
  std::vector<graph::EdgeRef> relationships;
  bool operator==(const PathValue&) const = default;
};

struct CypherValue {
  using Storage = std::variant<std::monostate, bool, int64_t, double, std::string, CypherList,
                               CypherMap, graph::NodeRef, graph::EdgeRef, PathValue>;
  Storage v;

  CypherValue() = default;
  CypherValue(std::nullptr_t) {}
  CypherValue(bool b) : v(b) {}
  CypherValue(int i) : v(int64_t{i}) {}
  CypherValue(int64_t i) : v(i) {}
  CypherValue(double d) : v(d) {}
  CypherValue(const char* s) : v(std::string(s)) {}
  CypherValue(std::string s) : v(std::move(s)) {}
  CypherValue(std::string_view s) : v(std::string(s)) {}
  CypherValue(CypherList l) : v(std::move(l)) {}
  CypherValue(CypherMap m) : v(std::move(m)) {}
  CypherValue(graph::NodeRef n) : v(std::move(n)) {}
  CypherValue(graph::EdgeRef e) : v(std::move(e)) {}
  CypherValue(PathValue p) : v(std::move(p)) {}

  bool isNull() const { return std::holds_alternative<std::monostate>(v); }
  bool isBool() const { return std::holds_alternative<bool>(v); }
  bool isInt() const { return std::holds_alternative<int64_t>(v); }
  bool isFloat() const { return std::holds_alternative<double>(v); }
  bool isNumber() const { return isInt() || isFloat(); }
  bool isString() const { return std::holds_alternative<std::string>(v); }
  bool isList() const { return std::holds_alternative<CypherList>(v); }
  bool isMap() const { return std::holds_alternative<CypherMap>(v); }
  bool isNode() const { return std::holds_alternative<graph::NodeRef>(v); }
  bool isRelationship() const { return std::holds_alternative<graph::EdgeRef>(v); }
  bool isPath() const { return std::holds_alternative<PathValue>(v); }

  bool asBool() const { return std::get<bool>(v); }
  int64_t asInt() const { return std::get<int64_t>(v); }
  double asFloat() const { return std::get<double>(v); }
  double asNumber() const { return isInt() ? static_cast<double>(asInt()) : asFloat(); }
  const std::string& asString() const { return std::get<std::string>(v); }
  const CypherList& asList() const { return std::get<CypherList>(v); }
  const CypherMap& asMap() const { return std::get<CypherMap>(v); }
  const graph::NodeRef& asNode() const { return std::get<graph::NodeRef>(v); }
  const graph::EdgeRef& asRelationship() const { return std::get<graph::EdgeRef>(v); }
  const PathValue& asPath() const { return std::get<PathValue>(v); }

  // Structural equality (1 and 1.0 differ here); Cypher's `=` is cypherEquals (value_ops.h).
  bool operator==(const CypherValue& other) const { return v == other.v; }
};

// "Null", "Boolean", "Integer", "Float", "String", "List", "Map", "Node", "Relationship", "Path":
// the names error messages use.
std::string_view typeName(const CypherValue& value);

// Sets key in a sorted map; the value under key, or nullptr.
void cypherMapSet(CypherMap& map, std::string key, CypherValue value);
const CypherValue* cypherMapGet(const CypherMap& map, std::string_view key);

// Property values in and out of the runtime form.
CypherValue fromGraphValue(const graph::Value& value);
CypherValue fromGraphMap(const graph::ValueMap& map);

// The result form run_query.h documents: nodes, relationships and paths become maps
// (their labels and properties read from `graph`), everything else maps one to one.
graph::Value toResultValue(const CypherValue& value, const graph::GraphReader& graph);

}  // namespace gk::query
