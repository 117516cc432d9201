#include "tests/unit/graph_test_util.h"

#include <cstdio>

namespace gk::testing {

std::string valueText(const Value& v) {
  if (v.isNull()) return "null";
  if (v.isBool()) return v.asBool() ? "true" : "false";
  if (v.isInt()) return std::to_string(v.asInt());
  if (v.isFloat()) {
    char b[64];
    std::snprintf(b, sizeof b, "%.17g", v.asFloat());
    return b;
  }
  if (v.isString()) return "'" + v.asString() + "'";
  std::string out;
  if (v.isList()) {
    out = "[";
    for (const Value& x : v.asList()) out += valueText(x) + ",";
    return out + "]";
  }
  out = "{";
  for (const auto& [k, x] : v.asMap()) out += k + ":" + valueText(x) + ",";
  return out + "}";
}

std::set<std::string> dumpStoredGraph(const GraphReader& g) {
  std::set<std::string> out;
  auto nodeText = [&](const NodeRef& n) {
    std::string s = "(";
    for (const auto& l : g.nodeLabels(n)) s += ":" + l;
    return s + " " + valueText(Value(g.nodeProperties(n))) + ")";
  };
  g.scanAll([&](const NodeRef& n) {
    if (n.space != NodeSpace::kStored) return true;
    out.insert(nodeText(n));
    g.edges(n, EdgeDirection::kOut, {}, [&](const EdgeRef& e) {
      out.insert(nodeText(e.from) + "-[:" + e.type + " " + valueText(Value(g.edgeProperties(e))) +
                 "]->" + nodeText(e.to));
      return true;
    });
    return true;
  });
  return out;
}

}  // namespace gk::testing
