// MemoryStorage: a Storage held in memory, with the writes a driver makes — append (with
// truncation of a conflicting suffix), the HardState, compaction and installing a snapshot.
// The deterministic simulator's disk: it keeps what was "flushed" and drops the rest on a
// simulated crash by simply not having been written. Not thread-safe.
#pragma once

#include <deque>

#include "replication/raft/storage.h"

namespace gk::replication::raft {

class MemoryStorage final : public Storage {
 public:
  HardState hardState() const override { return hard_; }
  int64_t firstIndex() const override { return snap_.index + 1; }
  int64_t lastIndex() const override { return snap_.index + int64_t(entries_.size()); }
  std::optional<int64_t> term(int64_t index) const override;
  std::vector<Entry> entries(int64_t lo, int64_t hi, uint64_t maxBytes) const override;
  SnapshotMeta snapshot() const override { return snap_; }

  void setHardState(const HardState& hs) { hard_ = hs; }
  // Appends entries; one at or below lastIndex() first drops the stable suffix from there.
  // Throws std::invalid_argument on a gap or an index at or below the snapshot.
  void append(const std::vector<Entry>& entries);
  // Drops entries up to `index` (<= lastIndex()); the snapshot point becomes (index, term).
  void compact(int64_t index);
  // Replaces everything with the snapshot: no entries, snapshot point = meta.
  void applySnapshot(const SnapshotMeta& meta);

 private:
  HardState hard_;
  SnapshotMeta snap_;
  std::deque<Entry> entries_;  // snap_.index + 1 ...
};

}  // namespace gk::replication::raft
