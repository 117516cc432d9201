#include "engine/processor/prepare_pipeline.h"

#include <cstdlib>

#include "engine/log.h"
#include "engine/proto.h"
#include "engine/processor/write_reply.h"

namespace gk::engine {

PreparePipeline::PreparePipeline(ServerContext& ctx, ConnectionManager& conns,
                                 CommitEffects& effects, replication::Replicator& replicator,
                                 PrepareLimits limits)
    : ctx_(ctx),
      conns_(conns),
      effects_(effects),
      replicator_(replicator),
      preparer_(overlay_, limits),
      nextZxid_(ctx.appliedZxid + 1) {}

void PreparePipeline::submitWrite(Connection& c, int32_t xid, int32_t opcode, JuteReader& body,
                                  int64_t receivedMs) {
  Prepared p = preparer_.prepare(*ctx_.snap, c.who, xid, opcode, body, nextZxid_, wallMs());
  if (!p.txn) {
    if (lastPrepared() <= ctx_.appliedZxid) {
      // Refused against committed state only: answer now, in order.
      conns_.pushReady(c, encodeWriteReply(xid, opcode, ctx_.appliedZxid, p.err, p.results));
      ctx_.noteLatency(c, receivedMs, xid, opcode);
      return;
    }
    // Refused against a state that includes writes not yet applied (NODEEXISTS because
    // another client's create is pending, say): it leaves once that state is published.
    conns_.addSlot(c, xid, opcode, receivedMs);
    c.writesInFlight++;
    effects_.answerAfter(lastPrepared(), c.id, xid,
                         encodeWriteReply(xid, opcode, lastPrepared(), p.err, p.results));
    return;
  }
  conns_.addSlot(c, xid, opcode, receivedMs);
  c.writesInFlight++;
  enqueue(std::move(*p.txn));
}

void PreparePipeline::submitCreateSession(Connection& c, int64_t sessionId, int32_t timeoutMs,
                                          const std::string& password) {
  int64_t now = wallMs();
  conns_.addSlot(c, 0, op::kCreateSession, now);
  Prepared p = preparer_.createSession(sessionId, timeoutMs, password, nextZxid_, now);
  enqueue(std::move(*p.txn));
}

void PreparePipeline::submitCloseSession(Connection& c, int32_t xid, int64_t receivedMs) {
  ctx_.sessions.markClosing(c.sessionId);
  conns_.addSlot(c, xid, op::kCloseSession, receivedMs);
  c.writesInFlight++;
  Prepared p = preparer_.closeSession(*ctx_.snap, c.sessionId, nextZxid_, wallMs(), xid);
  enqueue(std::move(*p.txn));
}

void PreparePipeline::expireSession(int64_t sessionId) {
  Prepared p = preparer_.closeSession(*ctx_.snap, sessionId, nextZxid_, wallMs());
  enqueue(std::move(*p.txn));
}

bool PreparePipeline::deleteContainer(const std::string& path, const ContainerPolicy& policy) {
  Prepared p = preparer_.deleteContainer(*ctx_.snap, path, nextZxid_, wallMs(), policy);
  if (!p.txn) return false;
  enqueue(std::move(*p.txn));
  return true;
}

size_t PreparePipeline::outstanding() const {
  return pending_.size() + inFlightCount_ + effects_.waitingRefusals();
}

void PreparePipeline::enqueue(graph::Txn txn) {
  int64_t zxid = txn.zxid;
  pending_.push_back(replication::Entry{zxid, 0, graph::encodeTxn(txn)});
  proposeIfIdle();
}

void PreparePipeline::proposeIfIdle() {
  if (inFlightUpTo_ != 0 || pending_.empty()) return;
  inFlightUpTo_ = pending_.back().index;
  inFlightCount_ = pending_.size();
  std::vector<replication::Entry> batch;
  batch.swap(pending_);
  replication::ProposeResult r = replicator_.propose(std::move(batch));
  if (!r.accepted) {
    // Only a replicated leader that lost its leadership says so; the ensemble's write chain
    // (forwarding to the new leader) is not built yet, so this cannot go on safely.
    GK_LOG_ERROR("Severe unrecoverable error, exiting: the replicator refused a proposal "
                 "(not the leader; leader hint {})",
                 r.leaderHint);
    std::exit(1);
  }
}

void PreparePipeline::onPublished(int64_t zxid) {
  overlay_.releaseUpTo(zxid);
  if (inFlightUpTo_ != 0 && zxid >= inFlightUpTo_) {
    inFlightUpTo_ = 0;
    inFlightCount_ = 0;
  }
  proposeIfIdle();
}

}  // namespace gk::engine
