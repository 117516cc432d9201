// RaftLog: the core's view of its log — the stable part in Storage and the unstable suffix
// (entries, or a received snapshot, not yet handed to the driver to persist), with the commit
// and applied indexes. Part of the core; no I/O. Not thread-safe.
//
// Invariants: applied <= committed <= lastIndex(); a committed entry is never replaced
// (maybeAppend refuses with std::logic_error, which is a safety violation, not bad input).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "replication/raft/storage.h"

namespace gk::replication::raft {

class RaftLog {
 public:
  explicit RaftLog(const Storage& storage);

  int64_t firstIndex() const;
  int64_t lastIndex() const;
  int64_t lastTerm() const { return *term(lastIndex()); }
  // nullopt when compacted away or past the end.
  std::optional<int64_t> term(int64_t index) const;
  bool matchTerm(int64_t index, int64_t t) const {
    auto x = term(index);
    return x && *x == t;
  }
  // Raft's "at least as up-to-date" (§5.4.1).
  bool isUpToDate(int64_t lastIdx, int64_t lastTrm) const {
    return lastTrm > lastTerm() || (lastTrm == lastTerm() && lastIdx >= lastIndex());
  }
  // Entries lo <= index < hi from stable and unstable parts, bounded by maxBytes (at least one).
  std::vector<Entry> slice(int64_t lo, int64_t hi, uint64_t maxBytes) const;

  // Follower: the leader's entries after (prevIndex, prevTerm). Returns the new last index the
  // leader's message vouches for, or nullopt when prev does not match.
  std::optional<int64_t> maybeAppend(int64_t prevIndex, int64_t prevTerm, int64_t leaderCommit,
                                     const std::vector<Entry>& entries);
  // Leader: appends new entries at its last index.
  void append(const std::vector<Entry>& entries);
  void commitTo(int64_t index);  // never moves back; index must be <= lastIndex()
  // Leader: commits `index` if it is past the commit index and of the current term.
  bool maybeCommit(int64_t index, int64_t currentTerm);
  // Installs a snapshot received from the leader: the log becomes just that point.
  void restore(const SnapshotMeta& snap);

  // The last index whose entry is durable in Storage and still part of this log (0 while a
  // received snapshot waits to be installed): what the leader may count as its own copy.
  int64_t stableLastIndex() const;

  int64_t committed() const { return committed_; }
  int64_t applied() const { return applied_; }

  // What the driver must persist next, and the committed entries it may apply.
  const std::vector<Entry>& unstableEntries() const { return unstable_; }
  const std::optional<SnapshotMeta>& unstableSnapshot() const { return unstableSnap_; }
  std::vector<Entry> nextCommitted(uint64_t maxBytes) const;
  bool hasNextCommitted() const { return committed_ > applied_; }

  // After the driver persisted entries up to `index` (of term `t`) / the snapshot.
  void stableTo(int64_t index, int64_t t);
  void stableSnapTo(int64_t index);
  void appliedTo(int64_t index);

 private:
  void truncateAndAppend(const std::vector<Entry>& entries, size_t from);

  const Storage& storage_;
  std::optional<SnapshotMeta> unstableSnap_;
  int64_t unstableOffset_;      // index of unstable_[0]
  std::vector<Entry> unstable_;
  int64_t committed_ = 0;
  int64_t applied_ = 0;
};

}  // namespace gk::replication::raft
