// TxnLog: the replicated log on disk — append, read back by index, the term of an entry,
// truncate a suffix, first/last index, the durable term and vote (HardState), and dropping a
// prefix once the state machine holds it (compaction). What etcd raft's Storage asks of a log.
//
// A batch of entries is one write and one fdatasync, as ZooKeeper's transaction log does. It
// lives in segment files `log.<seq, 16 hex digits>` of a fixed size, written full of zeros
// before use (or recycled from a segment no longer needed), so that appending overwrites
// blocks that already exist: the fdatasync then flushes data only, with no file-system
// journal commit for a growing file (docs/benchmarks.md has the measurement).
//
// Record: [u32 payload length][u32 crc][u64 index][u64 term][payload], little-endian. The crc
// is a CRC-32C over length, index, term and payload, seeded with the crc of the record before
// it (the first record of a segment: with the segment's seq). This chaining is what makes
// reading back safe without truncating files: a torn write, zeros, a recycled file's old
// records and the leftovers of a torn batch partly overwritten after a restart all fail the
// check, so the valid log is exactly the chain of records up to the first failure. Segments
// written before terms existed (16-byte headers, another seed) are still read, with term 0;
// new records never go into such a segment.
//
// Indexes rise strictly; they need not be contiguous (a standalone server's log may skip the
// zxids of a batch the store applied and the log lost in a kill — see local_quorum.h). Terms
// never fall. The Raft core's own checks (contiguity, prevLogTerm) sit above this.
//
// Truncation (truncateAfter) deletes later segments first, then cuts the chain inside the
// segment that keeps the last entry: a crash in between leaves a prefix of the old log,
// which Raft treats as entries not yet received. Compaction (releaseUpTo) drops whole
// sealed segments; the caller passes the smallest index anybody still needs — what the state
// machine has not made durable, or what a lagging follower has not received.
//
// Threads: one thread appends and truncates; reads (entries, term, first/last index) and
// releaseUpTo may run on others at the same time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "replication/entry.h"
#include "replication/hard_state.h"

namespace gk::replication {

class TxnLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TxnLogOptions {
  std::string dir;                          // created if missing
  uint64_t segmentBytes = uint64_t(16) << 20;  // a batch larger than this gets a larger segment
  bool sync = true;                         // fdatasync every append (zoo.cfg forceSync)
};

class TxnLog {
 public:
  // Opens the log in options.dir, reading every segment to find where the valid records end
  // (anything after is ignored and later overwritten), and makes what it found durable.
  static std::unique_ptr<TxnLog> open(const TxnLogOptions& options);
  ~TxnLog();
  TxnLog(const TxnLog&) = delete;
  TxnLog& operator=(const TxnLog&) = delete;

  // Calls fn, in index order, for every logged entry with index > after, in chunks of at
  // most maxChunk entries. For recovery at start-up, before the first append.
  void replay(int64_t after, size_t maxChunk,
              const std::function<void(std::vector<Entry>&&)>& fn) const;

  // Appends the entries (indexes strictly increasing and above lastIndex(), terms not below
  // the last entry's) with one write and, if options.sync, one fdatasync. Throws TxnLogError
  // on a broken precondition (nothing written) or an I/O error (the log is then unusable).
  void append(const std::vector<Entry>& entries);

  int64_t firstIndex() const;  // 0 when the log holds no entry
  int64_t lastIndex() const;   // 0 when nothing was ever logged
  // The term of the entry at `index`; nullopt if the log does not hold it.
  std::optional<int64_t> term(int64_t index) const;
  // The entries with lo <= index < hi, in order, stopping once they exceed maxBytes of
  // payload (at least one entry is returned if any is in range).
  std::vector<Entry> entries(int64_t lo, int64_t hi, uint64_t maxBytes = UINT64_MAX) const;
  // Removes every entry above `index`, durably (a Raft follower dropping a conflicting
  // suffix). `index` may be below firstIndex(): then the log holds no entry afterwards.
  void truncateAfter(int64_t index);

  // The durable HardState (all zero before the first save).
  HardState hardState() const;
  // Replaces it durably: one write to alternating slots of `hardstate`, one fdatasync.
  void saveHardState(const HardState& state);

  // True when some segment is full and waits for a checkpoint to be dropped.
  bool hasSealed() const;
  // The index a checkpoint must cover for the oldest full segment to be dropped (0: none).
  int64_t releasableAt() const;
  // Drops the sealed segments whose entries all have index <= index.
  void releaseUpTo(int64_t index);
  // Live segment files, oldest first (for tests and the admin view).
  std::vector<std::string> segmentFiles() const;

 private:
  struct Segment {
    uint64_t seq = 0;
    int fd = -1;
    int format = 2;          // 1: written before terms (read only)
    uint64_t end = 0;        // where the next record goes
    uint64_t fileBytes = 0;  // allocated (written) size
    uint32_t lastCrc = 0;    // chain seed for the next record
    // Every record: its index, where it starts, its term (for reads by index).
    std::vector<int64_t> indexes;
    std::vector<uint64_t> offsets;
    std::vector<int64_t> terms;
    int64_t firstIndex() const { return indexes.empty() ? 0 : indexes.front(); }
    int64_t lastIndex() const { return indexes.empty() ? 0 : indexes.back(); }
  };
  explicit TxnLog(const TxnLogOptions& options);
  void openExisting();
  void openHardState();
  void scan(Segment& s,
            const std::function<void(int64_t, int64_t, std::string_view)>& onRecord) const;
  std::string segmentPath(uint64_t seq) const;
  Segment newSegment(uint64_t seq);  // from the spare, or a fresh zero-filled file; mu_ held
  void rollOver();                   // seals the active segment; mu_ held
  void syncDir() const;
  const Segment* segmentOf(int64_t index, size_t& pos) const;  // mu_ held

  TxnLogOptions options_;
  mutable std::mutex mu_;         // every member below
  std::vector<Segment> sealed_;   // full, oldest first
  Segment active_;
  int64_t lastIndex_ = 0;
  int hardFd_ = -1;
  HardState hard_;
  uint64_t hardSeq_ = 0;  // of the slot last written
};

}  // namespace gk::replication
