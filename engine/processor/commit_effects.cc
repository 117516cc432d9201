#include "engine/processor/commit_effects.h"

#include <variant>

#include "engine/acl.h"
#include "engine/log.h"
#include "engine/proto.h"
#include "engine/processor/write_reply.h"

namespace gk::engine {

int64_t CommitEffects::publish() {
  conns_.beginBatch();
  ctx_.snap->refresh();
  int64_t published = ctx_.snap->lastZxid();
  ctx_.appliedZxid = published;
  std::vector<Connection*> touched;
  for (AppliedTxn& applied : machine_.takeUpTo(published)) deliver(applied, touched);
  while (!refusals_.empty() && refusals_.front().after <= published) {
    Refusal r = std::move(refusals_.front());
    refusals_.pop_front();
    if (Connection* c = conns_.find(r.connId); c && answer(*c, r.xid, std::move(r.reply))) {
      touched.push_back(c);
    }
  }
  for (Connection* c : touched) {
    if (!c->closed && c->writesInFlight == 0 && onWritesDone_) onWritesDone_(*c);
  }
  conns_.endBatch();
  return published;
}

void CommitEffects::answerAfter(int64_t after, uint64_t connId, int32_t xid, std::string reply) {
  refusals_.push_back(Refusal{after, connId, xid, std::move(reply)});
}

bool CommitEffects::answer(Connection& c, int32_t xid, std::string reply, bool closeAfter) {
  const Connection::Slot* slot = conns_.unreadySlot(c, xid);
  if (!slot) return false;
  int32_t opcode = slot->opcode;
  int64_t receivedMs = slot->receivedMs;
  conns_.fillSlot(c, xid, std::move(reply), closeAfter);
  if (opcode == op::kCreateSession || opcode == op::kCloseSession) {
    ctx_.metrics.noteRequest(opcode, true, std::max<int64_t>(0, wallMs() - receivedMs));
  } else {
    ctx_.noteLatency(c, receivedMs, xid, opcode);
  }
  if (opcode != op::kCreateSession && c.writesInFlight > 0) c.writesInFlight--;
  return true;
}

void CommitEffects::deliver(AppliedTxn& applied, std::vector<Connection*>& touched) {
  const graph::Txn& txn = applied.txn;
  fireEvents(applied.outcome);
  switch (txn.type) {
    case op::kCreateSession: {
      for (const auto& o : txn.ops) {
        if (auto* cs = std::get_if<graph::CreateSessionOp>(&o)) {
          ctx_.sessions.add(cs->sessionId, cs->timeoutMs, cs->password, monoMs());
          Connection* c = conns_.bySession(cs->sessionId);
          if (!c || !c->connectPending) continue;
          if (answer(*c, 0, encodeConnectResponse(c->timeoutMs, cs->sessionId, cs->password))) {
            c->connectPending = false;
            c->handshakeDone = true;
            GK_LOG_INFO("Established session {} with negotiated timeout {} for client /{}:{}",
                        hexId(c->sessionId), c->timeoutMs, c->ip, c->port);
            touched.push_back(c);
          }
        }
      }
      return;
    }
    case op::kCloseSession: {
      ctx_.sessions.remove(txn.sessionId);
      Connection* c = conns_.bySession(txn.sessionId);
      if (c && answer(*c, txn.cxid, encodeReplyHeader(txn.cxid, txn.zxid, 0), true)) {
        GK_LOG_INFO("Closed session {} for client /{}:{}", hexId(txn.sessionId), c->ip, c->port);
        return;
      }
      if (txn.cxid == 0) {
        GK_LOG_INFO("Expired session {}", hexId(txn.sessionId));
      } else {
        GK_LOG_INFO("Closed session {}", hexId(txn.sessionId));
      }
      if (c) conns_.close(*c, "session closed");
      return;
    }
    default:
      break;
  }
  if (txn.sessionId == 0) return;  // the server's own write (container manager): no reply
  Connection* c = conns_.bySession(txn.sessionId);
  if (c && answer(*c, txn.cxid, encodeCommittedReply(txn, applied.outcome))) touched.push_back(c);
}

void CommitEffects::fireEvents(const graph::TxnOutcome& outcome) {
  for (const graph::TxnEvent& e : outcome.events) {
    int32_t type = static_cast<int32_t>(e.type);
    for (WatcherId wid : ctx_.watches.trigger(e.path, type)) {
      // As ServerCnxn.process(event, znodeAcl): a watcher that may not READ the node gets no
      // event (its one-shot watch is used up all the same).
      Connection* c = conns_.find(wid);
      if (!c || !aclAllows(c->who, e.acl, perm::kRead)) continue;
      conns_.sendEvent(*c, type, event::kStateSyncConnected, e.path);
    }
  }
}

}  // namespace gk::engine
