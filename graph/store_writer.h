// StoreWriter: applies Txn ops to the store inside a caller's LMDB write txn, mirroring
// ZooKeeper's DataTree (node stats, parent cversion/pzxid/numChildren, childSeq, ephemeral
// index, reference-counted ACLs). It throws StoreError naming the zxid, op, path and cause
// on any inconsistency or LMDB error; the caller then aborts the txn, so nothing is applied.
// One instance serves the single writer thread and reuses its buffers across ops.
// After every op that creates, deletes or rewrites a znode it calls the graph projector, so the
// materialized graph changes in the same txn (graph_projector.h).
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "graph/graph_projector.h"
#include "graph/record_codec.h"
#include "graph/store_schema.h"
#include "graph/txn.h"

namespace gk::graph {

class StoreWriter {
 public:
  explicit StoreWriter(const StoreDbs& dbs) : dbs_(dbs) {}

  // Fills an empty store: "/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota".
  void bootstrap(MDB_txn* txn);
  // Applies one txn. With `outcome`, also records what it did (graph/txn.h, TxnOutcome): each
  // op's resulting stat and the watch events with the ACLs read in this same write txn.
  void apply(MDB_txn* txn, const Txn& t, TxnOutcome* outcome = nullptr);
  // Called at the start of every write txn: forgets what the previous one cached.
  void beginBatch() { aclCache_.clear(); }
  // At open, in the open txn: brings the materialized graph tables up to date with the tree
  // (rebuilt when absent, of an older projection version, or when `rebuild` is set).
  void openGraph(MDB_txn* txn, bool rebuild);

 private:
  void create(const CreateOp& op);
  void remove(std::string_view path);
  void setData(const SetDataOp& op);
  void setAcl(const SetAclOp& op);
  void createSession(const CreateSessionOp& op);
  void closeSession(const CloseSessionOp& op);
  void updateQuotaStats(const UpdateQuotaStatsOp& op);
  void recountQuotaStats(const RecountQuotaStatsOp& op);
  void putStatsText(std::string_view path, NodeHeader header, const std::string& text);

  void putNode(std::string_view path, const NodeHeader& header, std::string_view data,
               unsigned flags);
  // Returns the parent's ACL id.
  uint64_t touchParent(std::string_view childPath, int delta);
  void noteEvent(NodeEvent type, std::string_view path, uint64_t aclId);
  void noteEvent(NodeEvent type, std::string_view path, const AclList& acl);
  void noteStat(const Stat& stat);
  uint64_t acquireAcl(const AclList& acl);
  void releaseAcl(uint64_t aclId);

  KeyBuf nodeKey(std::string_view path);
  void check(int rc, std::string_view call);
  [[noreturn]] void fail(std::string_view why);

  const StoreDbs& dbs_;
  GraphProjector projector_{dbs_};  // keeps the materialized graph in step, same txn
  MDB_txn* txn_ = nullptr;
  int64_t zxid_ = 0;
  int64_t time_ = 0;
  std::string_view opName_;  // for error messages
  std::string_view opPath_;
  TxnOutcome* outcome_ = nullptr;  // where the txn being applied records its effects
  size_t opIndex_ = 0;
  std::unordered_map<uint64_t, AclList> aclCache_;  // ACL lists read in this write txn
  // Reused across ops so steady-state applies do not allocate.
  std::string parentValue_;
  std::string nodeValue_;
  std::string aclList_;
  std::string aclValue_;
};

}  // namespace gk::graph
