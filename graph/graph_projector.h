// GraphProjector: the write path's hook into the graph. StoreWriter calls changed(path) after
// every op that creates, deletes or rewrites a znode, inside the same LMDB write txn, so the
// materialized graph is never behind the tree at any zxid. For a path no projection cares about
// the hook is a few prefix compares: no allocation, no LMDB access.
//
// Sources: Kafka (kafka_projection.h) for Kafka's paths, and the rules stored under
// /graphkeeper/projections (projection_rule.h). A rule znode's change re-derives everything
// that rule contributes, over the existing tree, in the same txn. Rules are cached in memory and
// reloaded whenever the stored rules version (meta graph_rules_version) differs from the cache's.
// After a rule change that version is checked at the start of each txn until a later write txn
// shows the change committed, so a batch that rolled back cannot leave stale rules behind; the
// steady state costs a flag test.
#pragma once

#include <lmdb.h>

#include <string>
#include <string_view>
#include <vector>

#include "graph/graph_table_writer.h"
#include "graph/projection_rule.h"
#include "graph/store_schema.h"

namespace gk::graph {

class GraphProjector {
 public:
  explicit GraphProjector(const StoreDbs& dbs) : dbs_(dbs), tables_(dbs) {}

  // At open: builds the graph tables when absent, of another kGraphVersion, or when asked.
  void open(MDB_txn* txn, bool rebuild);
  // At the start of each Txn's apply.
  void beginTxn(MDB_txn* txn);
  // After `path` was created, deleted or had its data rewritten.
  void changed(MDB_txn* txn, std::string_view path) {
    if (!mayMatter(path)) return;
    project(txn, path);
  }

 private:
  struct LoadedRule {
    std::string name;
    ProjectionRule rule;
  };

  bool mayMatter(std::string_view path) const;
  void project(MDB_txn* txn, std::string_view path);
  void ruleChanged(MDB_txn* txn, std::string_view name);
  void applyRule(MDB_txn* txn, const LoadedRule& r);
  void loadRules(MDB_txn* txn);
  void projectKafka(MDB_txn* txn, std::string_view path);
  void projectRule(MDB_txn* txn, const LoadedRule& r, std::string_view path);

  const StoreDbs& dbs_;
  GraphTableWriter tables_;
  std::vector<LoadedRule> rules_;
  int64_t rulesVersion_ = -1;  // of rules_; -1: not loaded
  // Set by a rule change in write txn `changedInTxn_` (mdb_txn_id): until a later txn id shows
  // that txn committed, each txn compares the stored rules version with the cache's.
  bool rulesUnconfirmed_ = false;
  size_t changedInTxn_ = 0;
};

}  // namespace gk::graph
