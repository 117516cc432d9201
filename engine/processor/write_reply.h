// The replies to writes, as ZooKeeper's FinalRequestProcessor writes them: from a committed
// txn and what applying it did (graph::TxnOutcome) — so any server that applies the txn can
// answer the client that sent it — or from a refusal found when the write was prepared.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/prep.h"
#include "graph/txn.h"

namespace gk::engine {

// The per-op results a committed txn gives its client: one per op the client sent (quota
// bookkeeping and session ops give none), typed as ZooKeeper types them.
std::vector<OpResult> committedResults(const graph::Txn& txn, const graph::TxnOutcome& outcome);

// A write's reply frame: header (xid, zxid, err), then a multi's results or a single op's body.
std::string encodeWriteReply(int32_t xid, int32_t opcode, int64_t zxid, int32_t err,
                             const std::vector<OpResult>& results);

inline std::string encodeCommittedReply(const graph::Txn& txn, const graph::TxnOutcome& outcome) {
  return encodeWriteReply(txn.cxid, txn.type, txn.zxid, 0, committedResults(txn, outcome));
}

// A frame with only the reply header (closeSession's reply, errors).
std::string encodeReplyHeader(int32_t xid, int64_t zxid, int32_t err);

// The connect response (ConnectResponse, with the readOnly flag).
std::string encodeConnectResponse(int32_t timeoutMs, int64_t sessionId,
                                  const std::string& password);

}  // namespace gk::engine
