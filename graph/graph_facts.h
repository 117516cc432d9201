// Facts: what one projection derives from one znode — nodes (by label and key), edges between
// them, index declarations. A projection is a pure function (path, data) -> Facts, so the graph
// is exactly the merge of every source's current facts, whatever order the changes came in.
#pragma once

#include <string>
#include <vector>

#include "graph/value.h"

namespace gk::graph {

struct NodeKey {
  std::string label;
  Value key;  // identifies the node within its label (an int, a string, a list...)
  bool operator==(const NodeKey&) const = default;
};

struct NodeFact {
  NodeKey node;
  ValueMap properties;
  // The source that defines the node (e.g. /brokers/ids/3 for Broker 3) wins where sources
  // disagree on a property; others (a topic naming broker 3 as a replica) only fill gaps.
  bool defining = false;
};

// An edge needs both endpoints among the same source's node facts (so a node never outlives
// the sources of its edges).
struct EdgeFact {
  std::string type;
  NodeKey from, to;
  ValueMap properties;
};

struct IndexFact {
  std::string label, property;
  bool unique = false;
};

struct Facts {
  std::vector<NodeFact> nodes;
  std::vector<EdgeFact> edges;
  std::vector<IndexFact> indexes;
  bool empty() const { return nodes.empty() && edges.empty() && indexes.empty(); }
};

}  // namespace gk::graph
