// Read access to the materialized graph tables (graph_schema.h) inside any LMDB txn: used by
// GraphReader for (:Broker), (:Topic), rule nodes..., and by the writer and the tests.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph_schema.h"
#include "graph/value.h"

namespace gk::graph {

struct StoredNode {
  uint64_t id = 0;
  std::string label;
  Value key;
  ValueMap properties;
};

class StoredGraph {
 public:
  StoredGraph(MDB_txn* txn, const GraphDbs& dbs) : txn_(txn), dbs_(dbs) {}

  bool present() const { return dbs_.present(); }
  std::optional<StoredNode> node(uint64_t id) const;
  std::optional<uint64_t> nodeIdByKey(std::string_view label, const Value& key) const;
  // Visitors return false to stop.
  void scanAll(const std::function<bool(uint64_t)>& visit) const;
  void scanLabel(std::string_view label, const std::function<bool(uint64_t)>& visit) const;
  std::vector<std::pair<std::string, uint64_t>> labelCounts() const;
  // Declared (label, property, unique) indexes, each once.
  struct Index {
    std::string label, property;
    bool unique = false;
  };
  std::vector<Index> indexes() const;
  std::vector<std::string> indexedProperties(std::string_view label) const;
  bool hasIndex(std::string_view label, std::string_view property) const;
  // Ids of the nodes whose indexed `property` may equal `value` (long values are indexed by
  // hash: the caller compares the property itself).
  void seekIndex(std::string_view label, std::string_view property, const Value& value,
                 const std::function<bool(uint64_t)>& visit) const;
  // Edges at `id`: visit(type, otherId, properties-bytes-view valid during the call).
  // `out` true: g_out (id is the source), false: g_in (id is the target). `type` empty: all.
  void edges(uint64_t id, bool out, std::string_view type,
             const std::function<bool(std::string_view type, uint64_t other)>& visit) const;
  std::optional<ValueMap> edgeProperties(uint64_t from, std::string_view type, uint64_t to) const;

  // The index key of (label, prop, value) without the trailing id; nullopt for null values.
  static std::optional<std::string> indexKey(std::string_view label, std::string_view prop,
                                             const Value& value, size_t maxKeyBytes);

 private:
  MDB_txn* txn_;
  const GraphDbs& dbs_;
};

// Decodes a g_nodes value.
bool decodeStoredNode(std::string_view value, StoredNode& node);
void encodeStoredNode(const StoredNode& node, std::string& out);

}  // namespace gk::graph
