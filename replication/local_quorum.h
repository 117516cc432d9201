// Replication interface and its quorum-of-one implementation.
//
// The engine proposes batches of opaque entries; once a quorum has them durable they are
// applied, in order, through the StateMachine, and the proposer is told. replication knows
// nothing of what an entry means. LocalQuorum is the standalone case: the quorum is this
// server. With a TxnLog, a batch is committed when it is durable in the log AND applied: the
// log's write + fdatasync and the state machine's apply run at the same time on two threads,
// so a batch costs about one device flush of latency, and the state machine may commit
// without making each batch durable itself (it checkpoints instead). Without a log,
// durability is the state machine's own fsync'd commit. Either way every entry proposed
// while a batch is being made durable goes into the next batch (group commit).
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

namespace gk::replication {

class TxnLog;

// Applies committed entries (one call = one atomic batch).
class StateMachine {
 public:
  virtual ~StateMachine() = default;
  virtual void apply(const std::vector<Entry>& batch) = 0;
  // Index of the last entry applied (0 if none): where a replay of the log starts.
  virtual int64_t lastApplied() = 0;
  // Makes everything applied so far durable without the log's help and returns the last
  // index that covers; the log may then drop the entries up to it.
  virtual int64_t checkpoint() = 0;
};

// Called on a replication thread once the entries are committed and applied, or failed.
using CommitCallback = std::function<void(std::vector<Entry> applied, std::string error)>;

class Replicator {
 public:
  virtual ~Replicator() = default;
  // Entries must come with strictly increasing indexes. Thread-safe.
  virtual void propose(std::vector<Entry> entries) = 0;
};

// Start-up: applies, in order and in chunks, the logged entries above machine.lastApplied(),
// then checkpoints so they need no replay next time. Returns how many were replayed.
size_t recover(TxnLog& log, StateMachine& machine);

class LocalQuorum final : public Replicator {
 public:
  // `log` (may be null) must outlive this object and be recovered (recover()) first.
  LocalQuorum(StateMachine& machine, TxnLog* log, CommitCallback onCommit);
  ~LocalQuorum() override;  // logs and applies what is queued, then stops
  void propose(std::vector<Entry> entries) override;

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
