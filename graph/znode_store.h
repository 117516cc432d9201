// ZnodeStore: the znode tree, sessions, ACLs and meta in one LMDB environment.
//
// The tree is the ZNode part of the property graph: key `parent \0 name`, so the CHILD
// edges of a node are one contiguous, name-ordered key range and need no index of their own.
// ACL lists are stored once and reference-counted (as ZooKeeper's ReferenceCountedACLCache).
//
// Threads: any number of Snapshots (LMDB read txns, MDB_NOTLS) on any threads; apply() from
// one writer thread at a time. Readers never block the writer and never see half a batch.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "graph/txn.h"
#include "graph/znode.h"

struct MDB_env;
struct MDB_txn;

namespace gk::graph {

struct StoreDbs;

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StoreOptions {
  std::string dir;                       // created if missing
  size_t mapSizeBytes = size_t(64) << 30;  // address space only; the file grows as used
  bool readOnly = false;                 // open a running server's env beside it
  bool sync = true;                      // fsync on every commit (never off in production)
  // A write-ahead log (replication/txn_log.h) holds every batch durably before it is
  // acknowledged, so a commit may skip flushing the meta page (MDB_NOMETASYNC: one device
  // flush per commit instead of two; an OS crash can undo the last commits, which the log
  // replays, but never corrupts the store). checkpoint() then makes everything durable.
  bool walBacked = false;
  bool rebuildGraph = false;             // rebuild the materialized graph tables on open
};

class ZnodeStore;

// One znode as a read sees it, without copying: `data` points into the snapshot's pages.
// ACL lists are referenced by id; ids are never reused, so callers may cache acl(id).
struct NodeView {
  Stat stat;
  std::string_view data;
  bool dataNull = false;
  int64_t childSeq = 0;
  uint64_t aclId = 0;
};

// A consistent read view at one zxid (one LMDB read txn). Move-only.
class Snapshot {
 public:
  Snapshot(Snapshot&&) noexcept;
  Snapshot& operator=(Snapshot&&) noexcept;
  ~Snapshot();

  // Moves this view forward to the newest committed state (cheap: mdb_txn_reset/renew).
  void refresh();

  int64_t lastZxid() const;
  std::optional<Stat> stat(std::string_view path) const;
  // Stat and a view of the data; the view is valid until this snapshot is refreshed or dies.
  // `dataNull` (optional) tells null data (as a client sent it) from empty data.
  bool getData(std::string_view path, Stat& stat, std::string_view& data,
               bool* dataNull = nullptr) const;
  std::optional<ZnodeMeta> meta(std::string_view path) const;  // stat, childSeq and ACL
  bool node(std::string_view path, NodeView& out) const;       // one lookup, no copies
  AclList acl(uint64_t aclId) const;
  std::vector<std::string> children(std::string_view path) const;  // names, sorted
  std::vector<std::string> ephemerals(int64_t sessionId) const;    // paths, sorted
  // Every container and TTL node (ephemeralOwner a marker, znode.h), sorted: the container
  // manager's candidates, kept in their own index so this never walks the tree.
  std::vector<std::string> containersAndTtls() const;
  uint64_t descendantCount(std::string_view path) const;  // all nodes below path
  std::vector<SessionRecord> sessions() const;
  uint64_t znodeCount() const;
  uint64_t ephemeralCount() const;
  uint64_t aclCount() const;  // distinct ACL lists stored (shared by reference count)

  // For the graph layer (graph_reader.cc), which reads the store's tables in this same txn.
  MDB_txn* lmdbTxn() const { return txn_; }
  const StoreDbs& storeDbs() const;

 private:
  friend class ZnodeStore;
  Snapshot(const ZnodeStore* store, MDB_txn* txn) : store_(store), txn_(txn) {}
  const ZnodeStore* store_ = nullptr;
  MDB_txn* txn_ = nullptr;
};

class ZnodeStore {
 public:
  // Longest path the store can hold: LMDB keys are at most 511 bytes and an ephemeral's key
  // is its session id (8 bytes) + path. apply() throws StoreError for longer paths, so the
  // engine should refuse them up front.
  static constexpr size_t kMaxPathBytes = 503;

  // Opens (creating on first use: `/`, `/zookeeper`, `/zookeeper/config`, `/zookeeper/quota`).
  static std::unique_ptr<ZnodeStore> open(const StoreOptions& options);
  ~ZnodeStore();
  ZnodeStore(const ZnodeStore&) = delete;
  ZnodeStore& operator=(const ZnodeStore&) = delete;

  Snapshot snapshot() const;

  // Applies the batch in ONE write txn together with the last applied zxid, then commits
  // (fsync'd unless options.sync is false). All or nothing: on error nothing is applied and
  // StoreError is thrown. Txns whose zxid is not above lastZxid are skipped (replays are safe).
  // With `outcomes`, it is resized to the batch and outcome i tells what txn i did (empty for
  // a skipped one): the stats and watch events every server derives its effects from.
  // `beforeCommit` runs once the whole batch is applied in the write txn, just before the
  // commit makes it visible to readers: the moment to hand the outcomes on, so that whoever
  // sees the new state can also find its effects. Neither `batch` nor `outcomes` is read
  // after it, so it may move out of them. An exception from it aborts the batch.
  void apply(const std::vector<Txn>& batch, std::vector<TxnOutcome>* outcomes = nullptr,
             const std::function<void()>& beforeCommit = {});

  // Flushes every commit so far to disk (mdb_env_sync, forced) and returns the last applied
  // zxid, now durable: the write-ahead log may drop everything up to it.
  int64_t checkpoint();

  const StoreOptions& options() const { return options_; }
  uint64_t diskBytes() const;  // size of the data file

 private:
  friend class Snapshot;
  struct Dbs;
  explicit ZnodeStore(const StoreOptions& options);
  StoreOptions options_;
  MDB_env* env_ = nullptr;
  std::unique_ptr<Dbs> dbs_;
};

}  // namespace gk::graph
