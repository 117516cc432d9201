// LogStorage: the Raft core's Storage over the on-disk TxnLog, with the writes a server's
// driver makes from a Ready — append (truncating a conflicting suffix first), the HardState,
// installing a snapshot, compaction.
//
// The snapshot point (index, term) is the state machine's: the LMDB store records the last
// index it applied durably and that entry's term (a checkpoint), and hands them over at open
// and after each checkpoint. Entries at or below it are hidden from the core even while the
// log still holds them (TxnLog drops whole segments only), so firstIndex() is always
// snapshot().index + 1, as the Storage contract states.
//
// Raft indexes are contiguous; TxnLog tolerates gaps for the standalone server but this
// class never creates one except right after a snapshot (the first entry after it is
// snapshot.index + 1).
//
// Threads: the driver's thread only, like the core.
#pragma once

#include "replication/raft/storage.h"
#include "replication/txn_log.h"

namespace gk::replication::raft {

class LogStorage final : public Storage {
 public:
  // `log` must outlive this. `snapshot`: what the state machine holds durably.
  LogStorage(TxnLog& log, const SnapshotMeta& snapshot);

  HardState hardState() const override { return log_.hardState(); }
  int64_t firstIndex() const override { return snap_.index + 1; }
  int64_t lastIndex() const override;
  std::optional<int64_t> term(int64_t index) const override;
  std::vector<Entry> entries(int64_t lo, int64_t hi, uint64_t maxBytes) const override;
  SnapshotMeta snapshot() const override { return snap_; }

  // Persists a Ready's entries: one at or below lastIndex() first drops the stored suffix
  // from there. Throws std::invalid_argument on a gap or an entry at or below the snapshot.
  void append(const std::vector<Entry>& entries);
  void setHardState(const HardState& hs) { log_.saveHardState(hs); }
  // The state machine now holds the state at meta (received from the leader): entries after
  // it are dropped, entries up to it hidden.
  void applySnapshot(const SnapshotMeta& meta);
  // The state machine checkpointed everything up to `index` (which the log holds): the
  // snapshot point moves there and whole log segments up to it may go.
  void compact(int64_t index);

 private:
  TxnLog& log_;
  SnapshotMeta snap_;
};

}  // namespace gk::replication::raft
