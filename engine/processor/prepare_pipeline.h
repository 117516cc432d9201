// PreparePipeline: the write chain of a server that prepares writes itself — standalone today,
// the leader once replication runs (ZooKeeper's PrepRequestProcessor → ProposalRequestProcessor).
//
// prepare: RequestPreparer checks each write against the published snapshot plus the changes
//   prepared and not yet applied (ChangeOverlay) and turns it into a deterministic graph::Txn
//   with the next zxid.
// propose: txns wait in `pending` while one batch is in flight in the Replicator; when that
//   batch is published everything pending goes as the next one (group commit without timers:
//   under load batches grow by themselves, a lone client's write is its own batch).
// Refusals are answered by CommitEffects: at once when nothing is pending, else once the last
//   prepared zxid is published (see commit_effects.h).
//
// Threads: the event loop's only; the Replicator's commit callback runs elsewhere and only
// wakes the loop, which then calls CommitEffects::publish() and onPublished().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/processor/commit_effects.h"
#include "engine/net/connection_manager.h"
#include "engine/container_manager.h"
#include "engine/prep.h"
#include "engine/server_context.h"
#include "engine/processor/write_processor.h"
#include "replication/local_quorum.h"

namespace gk::engine {

class PreparePipeline final : public WriteProcessor {
 public:
  PreparePipeline(ServerContext& ctx, ConnectionManager& conns, CommitEffects& effects,
                  replication::Replicator& replicator, PrepareLimits limits);

  void submitWrite(Connection& c, int32_t xid, int32_t opcode, JuteReader& body,
                   int64_t receivedMs) override;
  void submitCreateSession(Connection& c, int64_t sessionId, int32_t timeoutMs,
                           const std::string& password) override;
  void submitCloseSession(Connection& c, int32_t xid, int64_t receivedMs) override;
  size_t outstanding() const override;

  // The leader's own writes: a session's expiry (its ephemerals go in the same txn) and the
  // container manager's delete of `path` (false if a pending change saved the node).
  void expireSession(int64_t sessionId);
  bool deleteContainer(const std::string& path, const ContainerPolicy& policy);

  // After CommitEffects published `zxid`: the overlay lets go of what the snapshot now shows
  // and the next batch is proposed.
  void onPublished(int64_t zxid);

 private:
  void enqueue(graph::Txn txn);
  void proposeIfIdle();
  int64_t lastPrepared() const { return nextZxid_ - 1; }

  ServerContext& ctx_;
  ConnectionManager& conns_;
  CommitEffects& effects_;
  replication::Replicator& replicator_;
  ChangeOverlay overlay_;
  RequestPreparer preparer_;
  int64_t nextZxid_ = 1;
  std::vector<replication::Entry> pending_;  // prepared, not yet proposed
  int64_t inFlightUpTo_ = 0;                 // last zxid of the batch in flight (0: none)
  size_t inFlightCount_ = 0;
};

}  // namespace gk::engine
