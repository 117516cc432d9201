// A Txn is one deterministic change to the store, prepared by the engine against the
// current state (paths checked, versions, sequence numbers, timestamps and the zxid fixed),
// so that every server applying the same Txn sequence reaches the same state.
// Txns travel through replication as opaque bytes: encodeTxn/decodeTxn give that form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "graph/znode.h"

namespace gk::graph {

struct CreateOp {
  std::string path;  // final path (sequence suffix already appended)
  std::string data;
  AclList acl;
  int64_t ephemeralOwner = 0;  // 0 = persistent; a session id; or a container/TTL marker (znode.h)
  bool dataNull = false;       // the client sent null, not empty, data
  // The client's opcode for this op (create 1, create2 15, createContainer 19, createTTL 21):
  // how its reply is written. The store ignores it.
  int32_t requestOp = 0;
  bool operator==(const CreateOp&) const = default;
};
struct DeleteOp {
  std::string path;
  bool operator==(const DeleteOp&) const = default;
};
struct SetDataOp {
  std::string path;
  std::string data;
  int32_t newVersion = 0;  // the version the node has after this op
  bool dataNull = false;
  bool operator==(const SetDataOp&) const = default;
};
struct SetAclOp {
  std::string path;
  AclList acl;
  int32_t newAversion = 0;
  bool operator==(const SetAclOp&) const = default;
};
struct CreateSessionOp {
  int64_t sessionId = 0;
  int32_t timeoutMs = 0;
  std::string password;
  bool operator==(const CreateSessionOp&) const = default;
};
// Removes the session and deletes the listed ephemerals (deepest first is not required:
// ephemerals have no children).
struct CloseSessionOp {
  int64_t sessionId = 0;
  std::vector<std::string> ephemerals;
  bool operator==(const CloseSessionOp&) const = default;
};

// Quota bookkeeping (ZooKeeper's DataTree.updateQuotaStat): adds to the count and bytes kept
// in a quota's stats node (`path`, /zookeeper/quota/<quota'd path>/zookeeper_stats, text as
// StatsTrack writes it). Only the data changes — not version, mzxid or mtime — and no watch
// fires. A missing stats node is left alone, as ZooKeeper does.
struct UpdateQuotaStatsOp {
  std::string path;
  int64_t countDelta = 0;
  int64_t bytesDelta = 0;
  bool operator==(const UpdateQuotaStatsOp&) const = default;
};
// Recounts `subtree` (the node and everything below it) into the stats node `path`, as
// DataTree.updateQuotaForPath does when a zookeeper_stats node is created.
struct RecountQuotaStatsOp {
  std::string path;
  std::string subtree;
  bool operator==(const RecountQuotaStatsOp&) const = default;
};

// A multi's check op: it changes nothing, but its place in the txn gives it its result.
struct CheckOp {
  std::string path;
  int32_t version = 0;
  bool operator==(const CheckOp&) const = default;
};

using TxnOp = std::variant<CreateOp, DeleteOp, SetDataOp, SetAclOp, CreateSessionOp, CloseSessionOp,
                           UpdateQuotaStatsOp, RecountQuotaStatsOp, CheckOp>;

struct Txn {
  int64_t zxid = 0;
  int64_t time = 0;       // ms since epoch, chosen when prepared
  int64_t sessionId = 0;  // who asked (0 for the server itself)
  int32_t cxid = 0;       // the client's xid
  // The request's opcode (ZooDefs.OpCode: create, multi, createSession, closeSession,
  // deleteContainer, ...): with the ops, what every server needs to write the reply to the
  // client that asked, whichever server it is connected to. The store ignores it.
  int32_t type = 0;
  std::vector<TxnOp> ops; // applied atomically; a multi has several
  bool operator==(const Txn&) const;
};

// What applying one txn did that the world outside the store must hear of, produced by the
// store in the write txn (ZooKeeper's ProcessTxnResult plus the watches DataTree triggers):
// every server derives replies and watch events from it, never from what it prepared.
enum class NodeEvent : int32_t {  // ZooKeeper's Watcher.Event.EventType numbers
  Created = 1,
  Deleted = 2,
  DataChanged = 3,
  ChildrenChanged = 4,
};
struct TxnEvent {
  NodeEvent type = NodeEvent::Created;
  std::string path;
  AclList acl;  // the node's ACL at this zxid (a deleted node's last one): who may hear of it
};
struct TxnOutcome {
  std::vector<Stat> opStats;     // per op of the txn: the node's stat right after the op
                                 // (create, setData, setACL; zero for the others)
  std::vector<TxnEvent> events;  // in the order ZooKeeper's DataTree triggers them
};

// Compact binary form; decodeTxn returns nullopt on malformed or truncated input.
std::string encodeTxn(const Txn& txn);
std::optional<Txn> decodeTxn(std::string_view bytes);

}  // namespace gk::graph
