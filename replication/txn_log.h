// TxnLog: the write-ahead log of replication entries — append, make durable, read back.
//
// A batch of entries is one write and one fdatasync, as ZooKeeper's transaction log does. It
// lives in segment files `log.<seq, 16 hex digits>` of a fixed size, written full of zeros
// before use (or recycled from a segment no longer needed), so that appending overwrites
// blocks that already exist: the fdatasync then flushes data only, with no file-system
// journal commit for a growing file (docs/benchmarks.md has the measurement).
//
// Record: [u32 payload length][u32 crc][u64 index][payload], little-endian. The crc is a
// CRC-32C over length, index and payload, seeded with the crc of the record before it (the
// first record of a segment: with the segment's seq). This chaining is what makes reading
// back safe without ever truncating a file: a torn write, zeros, a recycled file's old
// records and the leftovers of a torn batch partly overwritten after a restart all fail the
// check, so the valid log is exactly the chain of records up to the first failure.
//
// Checkpoints: once the state machine has made everything up to index I durable by itself,
// releaseUpTo(I) drops the sealed segments holding nothing above I (one is kept as the spare
// file that becomes the next segment). The log therefore holds about one segment, which
// bounds the replay at start-up.
//
// Threads: one thread appends; releaseUpTo/hasSealed may run on another at the same time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "replication/entry.h"

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

  // Appends the entries (indexes strictly increasing and above lastIndex()) with one write
  // and, if options.sync, one fdatasync. Throws TxnLogError; the log is then unusable.
  void append(const std::vector<Entry>& entries);

  int64_t lastIndex() const;  // 0 when the log is empty
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
    uint64_t end = 0;        // where the next record goes
    uint64_t fileBytes = 0;  // allocated (written) size
    uint32_t lastCrc = 0;    // chain seed for the next record
    int64_t firstIndex = 0, lastIndex = 0;  // 0 when empty
  };
  explicit TxnLog(const TxnLogOptions& options);
  void openExisting();
  void scan(Segment& s, const std::function<void(int64_t, std::string_view)>& onRecord) const;
  std::string segmentPath(uint64_t seq) const;
  Segment newSegment(uint64_t seq);  // from the spare, or a fresh zero-filled file; mu_ held
  void syncDir() const;

  TxnLogOptions options_;
  mutable std::mutex mu_;         // sealed_, spare file, active_ identity (not its writes)
  std::vector<Segment> sealed_;   // full, oldest first
  Segment active_;
  int64_t lastIndex_ = 0;
};

}  // namespace gk::replication
