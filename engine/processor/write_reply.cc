#include "engine/processor/write_reply.h"

#include <type_traits>
#include <variant>

#include "engine/jute.h"
#include "engine/proto.h"

namespace gk::engine {

std::vector<OpResult> committedResults(const graph::Txn& txn, const graph::TxnOutcome& outcome) {
  std::vector<OpResult> results;
  bool multi = txn.type == op::kMulti;
  for (size_t i = 0; i < txn.ops.size(); ++i) {
    const graph::Stat stat = i < outcome.opStats.size() ? outcome.opStats[i] : graph::Stat{};
    std::visit(
        [&](const auto& o) {
          using T = std::decay_t<decltype(o)>;
          OpResult r;
          r.stat = stat;
          if constexpr (std::is_same_v<T, graph::CreateOp>) {
            r.type = o.requestOp;
            // Inside a multi, createContainer and createTTL answer as create2 (Create2Result).
            if (multi && (r.type == op::kCreateContainer || r.type == op::kCreateTtl)) {
              r.type = op::kCreate2;
            }
            r.path = o.path;
          } else if constexpr (std::is_same_v<T, graph::DeleteOp>) {
            r.type = op::kDelete;
          } else if constexpr (std::is_same_v<T, graph::SetDataOp>) {
            r.type = op::kSetData;
          } else if constexpr (std::is_same_v<T, graph::SetAclOp>) {
            r.type = op::kSetAcl;
          } else if constexpr (std::is_same_v<T, graph::CheckOp>) {
            r.type = op::kCheck;
          } else {
            return;  // quota bookkeeping and session ops: not the client's
          }
          results.push_back(std::move(r));
        },
        txn.ops[i]);
  }
  return results;
}

std::string encodeWriteReply(int32_t xid, int32_t type, int64_t zxid, int32_t err,
                             const std::vector<OpResult>& results) {
  std::string b;
  JuteWriter w(b);
  size_t f = w.beginFrame();
  w.writeInt(xid);
  w.writeLong(zxid);
  if (type == op::kMulti) {
    w.writeInt(0);
    for (const auto& res : results) {
      w.writeInt(res.type);
      w.writeBool(false);
      w.writeInt(res.err);
      switch (res.type) {
        case op::kCreate:
          w.writeString(res.path);
          break;
        case op::kCreate2:
        case op::kCreateContainer:
        case op::kCreateTtl:
          w.writeString(res.path);
          writeStat(w, res.stat);
          break;
        case op::kSetData:
          writeStat(w, res.stat);
          break;
        case op::kError:
          w.writeInt(res.err);
          break;
        default:
          break;  // delete, check: no body
      }
    }
    w.writeInt(-1);
    w.writeBool(true);
    w.writeInt(-1);
  } else {
    w.writeInt(err);
    if (err == err::kOk && !results.empty()) {
      const auto& res = results[0];
      switch (type) {
        case op::kCreate:
          w.writeString(res.path);
          break;
        case op::kCreate2:
        case op::kCreateContainer:
        case op::kCreateTtl:
          w.writeString(res.path);
          writeStat(w, res.stat);
          break;
        case op::kSetData:
        case op::kSetAcl:
          writeStat(w, res.stat);
          break;
        default:
          break;
      }
    }
  }
  w.endFrame(f);
  return b;
}

std::string encodeReplyHeader(int32_t xid, int64_t zxid, int32_t err) {
  std::string b;
  JuteWriter w(b);
  size_t f = w.beginFrame();
  w.writeInt(xid);
  w.writeLong(zxid);
  w.writeInt(err);
  w.endFrame(f);
  return b;
}

std::string encodeConnectResponse(int32_t timeoutMs, int64_t sessionId,
                                  const std::string& password) {
  std::string b;
  JuteWriter w(b);
  size_t f = w.beginFrame();
  w.writeInt(0);
  w.writeInt(timeoutMs);
  w.writeLong(sessionId);
  w.writeBuffer(password);
  w.writeBool(false);  // readOnly
  w.endFrame(f);
  return b;
}

}  // namespace gk::engine
