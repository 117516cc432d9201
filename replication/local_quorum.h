// LocalQuorum: the Replicator of a standalone server — the quorum is this server.
//
// With a TxnLog, a batch is committed when it is durable in the log AND applied: the log's
// write + fdatasync and the state machine's apply run at the same time on two threads, so a
// batch costs about one device flush of latency, and the state machine may commit without
// making each batch durable itself (it checkpoints instead). Applying before the entry is
// durable is safe only because the quorum is one: nobody else can decide differently about
// the entry, nothing of the batch is acknowledged (or published to readers by the engine)
// before both finish, and a crash in between replays the log over the store on start. A
// replicated server never does this: it applies only what its quorum committed.
// Without a log, durability is the state machine's own fsync'd commit. Either way every
// entry proposed while a batch is being made durable goes into the next batch (group commit).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "replication/entry.h"
#include "replication/replicator.h"
#include "replication/state_machine.h"

namespace gk::replication {

class TxnLog;

// Start-up: applies, in order and in chunks, the logged entries above machine.lastApplied(),
// then checkpoints so they need no replay next time. Returns how many were replayed.
size_t recover(TxnLog& log, StateMachine& machine);

class LocalQuorum final : public Replicator {
 public:
  // `log` (may be null) must outlive this object and be recovered (recover()) first.
  LocalQuorum(StateMachine& machine, TxnLog* log, CommitCallback onCommit);
  ~LocalQuorum() override;  // logs and applies what is queued, then stops
  ProposeResult propose(std::vector<Entry> entries) override;  // always accepted

 private:
  struct Batch {
    std::vector<Entry> entries;
    bool logged = false, applied = false;
    std::string error;
  };
  enum class Role { Log, Apply };
  void run(Role role);
  void maybeCheckpoint();

  StateMachine& machine_;
  TxnLog* log_;
  CommitCallback onCommit_;
  std::mutex mu_;
  std::condition_variable cv_;
  // Proposed and not yet committed, in order; batches_[i] has number front_ + i.
  std::deque<std::shared_ptr<Batch>> batches_;
  uint64_t front_ = 0, nextLog_ = 0, nextApply_ = 0;
  std::string checkpointError_;  // reported with the next batch
  int64_t appliedIndex_ = 0;      // last index applied (apply thread only)
  bool checkpointWanted_ = false;  // the log sealed a segment while the apply thread idled
  bool stopping_ = false;
  std::thread applier_, logger_;
};

}  // namespace gk::replication
