// The *prepare* step of the write path (ZooKeeper's PrepRequestProcessor): checks a write
// against the current state — what is committed plus what is prepared but not yet applied —
// and turns it into a deterministic graph::Txn (final paths with sequence suffixes, versions,
// timestamps, the zxid), together with the reply each op will get once the Txn is applied.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/acl.h"
#include "engine/container_manager.h"
#include "engine/jute.h"
#include "engine/proto.h"
#include "graph/txn.h"
#include "graph/znode_store.h"

namespace gk::engine {

// Prepared-but-unapplied state of znodes, by path. Entries leave once their zxid is applied
// (and the published snapshot shows them).
class ChangeOverlay {
 public:
  struct Entry {
    bool exists = false;
    graph::ZnodeMeta meta;
    int64_t zxid = 0;
  };
  const Entry* find(const std::string& path) const;
  void put(const std::string& path, Entry e);
  void releaseUpTo(int64_t appliedZxid);
  bool empty() const { return byPath_.empty(); }
  void clear();
  // Pending ephemerals of a session: created (true) or deleted (false) since the snapshot.
  std::vector<std::pair<std::string, bool>> ephemeralChanges(int64_t sessionId) const;
  // Quota stats deltas (count, bytes) of prepared, not yet applied txns, by stats node path:
  // what the stored zookeeper_stats text does not show yet. Released with the entries.
  void addQuotaDelta(const std::string& statsPath, int64_t count, int64_t bytes, int64_t zxid);
  std::pair<int64_t, int64_t> quotaDelta(const std::string& statsPath) const;

 private:
  std::unordered_map<std::string, Entry> byPath_;
  std::deque<std::pair<int64_t, std::string>> order_;
  struct QuotaDelta {
    int64_t zxid;
    std::string statsPath;
    int64_t count;
    int64_t bytes;
  };
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> quotaPending_;
  std::deque<QuotaDelta> quotaOrder_;
};

struct OpResult {
  int32_t type = 0;  // the op's opcode, or op::kError in a failed multi
  int32_t err = 0;
  std::string path;  // create
  graph::Stat stat;  // create2, setData, setACL
};

struct Prepared {
  int32_t err = 0;                 // a single request's error (then no txn)
  std::optional<graph::Txn> txn;   // the change, if any
  // One per op. What a refusal answers; a committed txn's reply is written from the txn and
  // what applying it did (engine/processor/commit_effects.h), on whichever server the client is on.
  std::vector<OpResult> results;
};

struct PrepareLimits {
  bool extendedTypesEnabled = false;
  // zookeeper.enforceQuota: ZooKeeper 3.8 then checks creates and setData against the quota
  // limits: a soft limit exceeded is logged, a hard one refuses the write with QUOTAEXCEEDED.
  bool enforceQuota = false;
};

class RequestPreparer {
 public:
  RequestPreparer(ChangeOverlay& overlay, PrepareLimits limits)
      : overlay_(overlay), limits_(limits) {}

  // Prepares one client write (create/create2/createContainer/createTTL/delete/setData/
  // setACL/check/multi); `body` holds its record. Throws JuteError when the record is
  // malformed. On success the overlay holds the change and `nextZxid` was consumed.
  Prepared prepare(const graph::Snapshot& snap, const Requester& who, int32_t cxid,
                   int32_t opcode, JuteReader& body, int64_t& nextZxid, int64_t nowMs);

  Prepared createSession(int64_t sessionId, int32_t timeoutMs, const std::string& password,
                         int64_t& nextZxid, int64_t nowMs);
  // `cxid`: the client's closeSession xid; 0 when the server expires the session.
  Prepared closeSession(const graph::Snapshot& snap, int64_t sessionId, int64_t& nextZxid,
                        int64_t nowMs, int32_t cxid = 0);
  // The container manager's delete (ZooKeeper's deleteContainer, sessionId 0, no ACL check)
  // of a container or TTL node it found due. Checked again here against the current state
  // (committed + prepared), so a child or a setData still in flight saves the node: then
  // `err` says why and there is no txn.
  Prepared deleteContainer(const graph::Snapshot& snap, const std::string& path,
                           int64_t& nextZxid, int64_t nowMs, const ContainerPolicy& policy);

 private:
  struct Scratch;  // the changes of the request being prepared, before they reach the overlay
  struct Op;
  int32_t prepareOp(const Requester& who, Scratch& s, Op& op, int64_t zxid, int64_t nowMs,
                    OpResult& result);
  // Quota bookkeeping (DataTree.updateQuotaStat) for a change under `path`: the ops that
  // keep the stats node of the longest quota'd prefix of `path` up to date.
  // With `checkLimits` (creates and setData, as ZooKeeperServer.checkQuota) and
  // enforceQuota, a soft limit exceeded is logged and a hard one returns QUOTAEXCEEDED
  // (then nothing is added). The deltas are noted in `s` for the overlay.
  int32_t quotaOps(Scratch& s, const std::string& path, int64_t countDelta, int64_t bytesDelta,
                   std::vector<graph::TxnOp>& out, bool checkLimits = false);
  int32_t checkQuota(const Scratch& s, const std::string& prefix, int64_t countDelta,
                     int64_t bytesDelta);
  // Moves a prepared request's changes (and quota deltas) into the overlay.
  void publish(Scratch& s, Prepared& out, int64_t zxid);
  ChangeOverlay& overlay_;
  PrepareLimits limits_;
};

}  // namespace gk::engine
