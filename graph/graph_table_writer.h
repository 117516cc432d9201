// GraphTableWriter: keeps the materialized graph tables (graph_schema.h) equal to the merge of
// every source's facts, inside the caller's LMDB write txn. replaceSource() diffs a source's new
// facts against what it contributed before, so a node's id survives while any source keeps it;
// a node lives while any source contributes it; properties merge (non-defining contributions
// first, ordered by their encoded properties, then defining ones in source order, so the result
// does not depend on history); property indexes follow every change. Throws StoreError only on
// LMDB errors (the write is then refused as a whole); facts too large for LMDB keys are dropped,
// never half written.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph_facts.h"
#include "graph/store_schema.h"

namespace gk::graph {

class GraphTableWriter {
 public:
  explicit GraphTableWriter(const StoreDbs& dbs) : dbs_(dbs) {}

  void replaceSource(MDB_txn* txn, std::string_view source, Facts facts);
  // Every source whose name starts with prefix (e.g. all of rule NAME's: "r" NAME \0).
  std::vector<std::string> sourcesWithPrefix(MDB_txn* txn, std::string_view prefix);
  // Empties every graph table (before a rebuild).
  void clearAll(MDB_txn* txn);

 private:
  struct Contribution;  // what a source contributed (decoded g_sources value)
  uint64_t ensureNode(const NodeKey& key);
  std::optional<uint64_t> findNode(const NodeKey& key);
  void remergeNode(uint64_t id);
  // Counts one source's contribution `value` (defining flag + enc(properties)) in g_node_merge.
  void addToMerge(uint64_t id, std::string_view source, std::string_view value, int delta);
  void deleteNode(uint64_t id, const std::string& nodeValue);
  void remergeEdge(const std::string& key);
  void declareIndex(const IndexFact& idx, std::string_view source);
  void undeclareIndex(std::string_view label, std::string_view prop, std::string_view source);
  void updateIndexes(uint64_t id, std::string_view label, const ValueMap* before,
                     const ValueMap* after);
  void addLabelCount(std::string_view label, int64_t delta);
  void put(MDB_dbi dbi, std::string_view key, std::string_view value);
  void del(MDB_dbi dbi, std::string_view key);  // absent is fine
  bool get(MDB_dbi dbi, std::string_view key, std::string_view& value);
  bool keyFits(size_t bytes) const { return bytes <= dbs_.maxKeyBytes; }

  const StoreDbs& dbs_;
  MDB_txn* txn_ = nullptr;
};

}  // namespace gk::graph
