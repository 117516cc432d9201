// StoreMachine: the replication layer's StateMachine for the znode store. It applies
// committed entries (encoded graph::Txns) to LMDB in one write txn per batch and keeps, for the
// event loop, each txn with what applying it did (graph::TxnOutcome): the loop's CommitEffects
// derive replies, watch events and session changes from these, the same on every server.
//
// Threads: apply/lastApplied/checkpoint on the replication layer's apply thread; takeUpTo on
// the event loop. The queue is handed over under a mutex; a batch's outcomes are queued
// before its LMDB commit, so a snapshot that shows a txn always finds its outcome queued.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "engine/metrics.h"
#include "graph/txn.h"
#include "graph/znode_store.h"
#include "replication/local_quorum.h"

namespace gk::engine {

struct AppliedTxn {
  graph::Txn txn;
  graph::TxnOutcome outcome;
};

class StoreMachine final : public replication::StateMachine {
 public:
  StoreMachine(graph::ZnodeStore& store, FsyncStats& fsync) : store_(store), fsync_(fsync) {}

  void apply(const std::vector<replication::Entry>& batch) override;
  int64_t lastApplied() override { return store_.snapshot().lastZxid(); }
  int64_t checkpoint() override { return store_.checkpoint(); }

  // Off while the log is replayed at start-up (nobody waits for those effects), on after.
  void setRecording(bool on) { recording_ = on; }
  // The applied txns with zxid <= zxid, in log order, removed from the queue.
  std::vector<AppliedTxn> takeUpTo(int64_t zxid);

 private:
  graph::ZnodeStore& store_;
  FsyncStats& fsync_;
  bool recording_ = false;  // apply thread only (set before it starts)
  std::mutex mu_;
  std::vector<AppliedTxn> queue_;
};

}  // namespace gk::engine
