// CommitEffects: the last processor of every role's write chain (ZooKeeper's
// FinalRequestProcessor; ClickHouse Keeper's processing of committed requests into responses
// per session). Once the replication layer reports entries committed and applied, publish()
// refreshes the published snapshot and, for every txn it now shows, in log order:
//   - fires the watch events the store reported for it (graph::TxnOutcome), each to the
//     watchers that may READ the node by the ACL read at that zxid;
//   - applies session table changes (createSession adds, closeSession removes: on every
//     server, since every server applies the same txns);
//   - answers the client that sent it if that client is connected HERE, matched by
//     (session id, xid) — the reply is written from the txn and its outcome, never from what
//     this server prepared, so a follower answers its clients exactly as the leader would.
// Then it answers the refusals whose turn has come (answerAfter): a write refused against a
// state that includes writes not yet applied leaves only once that state is published, so a
// client told "node exists" can read the node with its next request (ZooKeeper passes error
// txns through its commit pipeline for the same guarantee; here they take no zxid).
//
// Events precede replies: events go to the sockets at once, replies through the connection's
// slots, and the whole publish is one ConnectionManager batch.
//
// Threads: the event loop's only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "engine/net/connection_manager.h"
#include "engine/server_context.h"
#include "engine/processor/store_machine.h"

namespace gk::engine {

class CommitEffects {
 public:
  CommitEffects(ServerContext& ctx, ConnectionManager& conns, StoreMachine& machine)
      : ctx_(ctx), conns_(conns), machine_(machine) {}

  // Called for a connection whose writes have all been answered (its held reads may go on).
  void setOnWritesDone(std::function<void(Connection&)> fn) { onWritesDone_ = std::move(fn); }

  // Publishes what is applied and delivers its effects; returns the zxid now published.
  int64_t publish();

  // The refusal `reply` to request `xid` of connection `connId` (which has a slot for it)
  // leaves once zxid `after` is published.
  void answerAfter(int64_t after, uint64_t connId, int32_t xid, std::string reply);
  size_t waitingRefusals() const { return refusals_.size(); }

 private:
  void deliver(AppliedTxn& applied, std::vector<Connection*>& touched);
  void fireEvents(const graph::TxnOutcome& outcome);
  // Fills connection c's slot for `xid` and counts the request; false if it has none.
  bool answer(Connection& c, int32_t xid, std::string reply, bool closeAfter = false);

  ServerContext& ctx_;
  ConnectionManager& conns_;
  StoreMachine& machine_;
  std::function<void(Connection&)> onWritesDone_;
  struct Refusal {
    int64_t after;
    uint64_t connId;
    int32_t xid;
    std::string reply;
  };
  std::deque<Refusal> refusals_;  // `after` never decreases
};

}  // namespace gk::engine
