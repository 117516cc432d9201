// Storage: the durable part of a Raft log as the core reads it — what etcd raft's Storage
// interface asks. The core never writes it; the driver persists what Ready hands out and then
// calls Raft::advance. Implementations: MemoryStorage (the simulator, tests), the TxnLog-backed
// storage of a real server.
//
// Indexes are contiguous from firstIndex() to lastIndex(). Everything up to snapshot().index
// is compacted: term() answers for snapshot().index itself (that is what an Append's prevLogTerm
// check needs), entries() never returns it.
//
// Threads: called only from the thread that drives the Raft core.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "replication/entry.h"
#include "replication/hard_state.h"
#include "replication/raft/message.h"

namespace gk::replication::raft {

class Storage {
 public:
  virtual ~Storage() = default;
  virtual HardState hardState() const = 0;
  // snapshot().index + 1; the first index entries() can return.
  virtual int64_t firstIndex() const = 0;
  // The last stable index; snapshot().index when no entry follows the snapshot.
  virtual int64_t lastIndex() const = 0;
  // The term of `index` for snapshot().index <= index <= lastIndex(); nullopt outside.
  virtual std::optional<int64_t> term(int64_t index) const = 0;
  // Entries lo <= index < hi (firstIndex() <= lo, hi <= lastIndex() + 1), stopping once the
  // payloads exceed maxBytes (at least one entry when the range is not empty).
  virtual std::vector<Entry> entries(int64_t lo, int64_t hi, uint64_t maxBytes) const = 0;
  // The newest state the application can ship to a lagging peer; its index is at most the
  // applied index and at least snapshot-point of the compacted prefix.
  virtual SnapshotMeta snapshot() const = 0;
};

}  // namespace gk::replication::raft
