// GraphReader: the property graph as a query sees it, at one zxid (one LMDB read txn).
//
// Two kinds of nodes live behind this one interface:
//  - projected from the store's own tables, never copied: (:ZNode) from the tree (CHILD edges
//    are the tree's key ranges, OWNED_BY the ephemerals table), (:Session) from the sessions
//    table, (:Server) from the ensemble the engine describes (EnsembleView);
//  - materialized by projections (Kafka, declarative rules) into the graph tables, updated in
//    the same write txn as the znode change that caused them.
// A NodeRef names a node in either kind; an EdgeRef is (type, from, to): between two nodes there
// is at most one edge of a type. Everything returned is a copy or a value; nothing points into
// LMDB pages, so results outlive the read txn.
//
// Visitors return false to stop the scan early (LIMIT, time limit).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/value.h"

namespace gk::graph {

class Snapshot;

enum class NodeSpace : uint8_t {
  kZnode = 1,    // key: the path
  kSession = 2,  // key: 8 bytes, the session id big-endian
  kServer = 3,   // key: 8 bytes, the server id (myid) big-endian
  kStored = 4,   // key: 8 bytes, the materialized node's id big-endian
};

struct NodeRef {
  NodeSpace space = NodeSpace::kStored;
  std::string key;
  bool operator==(const NodeRef&) const = default;
  auto operator<=>(const NodeRef&) const = default;
};

struct EdgeRef {
  std::string type;
  NodeRef from;
  NodeRef to;
  bool operator==(const EdgeRef&) const = default;
  auto operator<=>(const EdgeRef&) const = default;
};

enum class EdgeDirection { kOut, kIn, kBoth };

struct LabelInfo {
  std::string label;
  uint64_t approxCount = 0;  // for the planner; exact for stored labels
};

struct IndexInfo {
  std::string label;
  std::string property;
  bool unique = false;  // at most one node per value (ZNode.path, Broker.id, Topic.name, ...)
};

// What the engine knows about the ensemble and its connections (not in the store).
struct ServerDescription {
  int64_t id = 0;         // myid
  std::string host;
  int clientPort = 0;
  std::string role;       // "standalone", "leader", "follower", "observer", "unknown"
  int64_t zxid = 0;       // last zxid this server applied (as far as we know)
  std::optional<int64_t> follows;  // id of the leader it follows
};
struct EnsembleView {
  std::vector<ServerDescription> servers;
  // session id -> server id, for the sessions connected to servers we know of.
  std::vector<std::pair<int64_t, int64_t>> sessionServer;
};

using NodeVisitor = std::function<bool(const NodeRef&)>;
using EdgeVisitor = std::function<bool(const EdgeRef&)>;

class GraphReader {
 public:
  virtual ~GraphReader() = default;

  virtual int64_t zxid() const = 0;
  virtual std::vector<LabelInfo> labels() const = 0;
  virtual std::vector<IndexInfo> indexes() const = 0;

  // Every node (all spaces), every node with a label.
  virtual void scanAll(const NodeVisitor& visit) const = 0;
  virtual void scanLabel(std::string_view label, const NodeVisitor& visit) const = 0;
  // Nodes with `label` whose `property` equals `value`; returns false, visiting nothing, when
  // there is no index on (label, property), so the caller falls back to a label scan.
  virtual bool seekIndex(std::string_view label, std::string_view property, const Value& value,
                         const NodeVisitor& visit) const = 0;

  virtual bool exists(const NodeRef& node) const = 0;
  virtual std::vector<std::string> nodeLabels(const NodeRef& node) const = 0;
  // Null when absent. ZNode `json` is the data parsed as JSON (null when it is not JSON).
  virtual Value nodeProperty(const NodeRef& node, std::string_view name) const = 0;
  virtual ValueMap nodeProperties(const NodeRef& node) const = 0;
  // A stable integer for id(): the stored id for materialized nodes; for projected ones a
  // value derived from their key (documented in docs/query-language.md).
  virtual int64_t nodeId(const NodeRef& node) const = 0;

  // Edges at `node` in `direction`, of any of `types` (empty: any type). For kBoth a self-loop
  // is visited once.
  virtual void edges(const NodeRef& node, EdgeDirection direction,
                     std::span<const std::string> types, const EdgeVisitor& visit) const = 0;
  virtual Value edgeProperty(const EdgeRef& edge, std::string_view name) const = 0;
  virtual ValueMap edgeProperties(const EdgeRef& edge) const = 0;
  virtual int64_t edgeId(const EdgeRef& edge) const = 0;
};

// The graph over one store snapshot (which must outlive the reader); `ensemble` may be null
// (no (:Server) nodes, no CONNECTED_TO edges).
std::unique_ptr<GraphReader> openGraphReader(const Snapshot& snapshot,
                                             std::shared_ptr<const EnsembleView> ensemble);

}  // namespace gk::graph
