#include "engine/server_context.h"

#include "engine/proto.h"

namespace gk::engine {

bool isWriteOp(int32_t type) {
  switch (type) {
    case op::kCreate:
    case op::kCreate2:
    case op::kCreateContainer:
    case op::kCreateTtl:
    case op::kDelete:
    case op::kSetData:
    case op::kSetAcl:
    case op::kCheck:
    case op::kMulti:
      return true;
    default:
      return false;
  }
}

const char* opAbbrev(int32_t type) {
  switch (type) {
    case op::kCreate: case op::kCreate2: return "CREA";
    case op::kDelete: return "DELE";
    case op::kExists: return "EXIS";
    case op::kGetData: return "GETD";
    case op::kSetData: return "SETD";
    case op::kGetAcl: return "GETA";
    case op::kSetAcl: return "SETA";
    case op::kGetChildren: return "GETC";
    case op::kGetChildren2: return "GETC";
    case op::kSync: return "SYNC";
    case op::kPing: return "PING";
    case op::kCheck: return "CHEC";
    case op::kMulti: return "MULT";
    case op::kMultiRead: return "MLTR";
    case op::kSetWatches: case op::kSetWatches2: return "SETW";
    case op::kAddWatch: return "ADDW";
    case op::kCheckWatches: return "CHKW";
    case op::kRemoveWatches: return "REMW";
    case op::kAuth: return "AUTH";
    case op::kCloseSession: return "CLOS";
    default: return "UNKN";
  }
}

void ServerContext::noteLatency(Connection& c, int64_t startMs, int32_t cxid, int32_t opcode) {
  int64_t now = wallMs();
  int64_t lat = std::max<int64_t>(0, now - startMs);
  metrics.noteRequest(opcode, isWriteOp(opcode), lat);
  if (opcode == op::kPing) return;
  c.lastLatency = lat;
  c.minLatency = c.latencyCount == 0 ? lat : std::min(c.minLatency, lat);
  c.maxLatency = std::max(c.maxLatency, lat);
  c.totalLatency += lat;
  c.latencyCount++;
  minLatency = latencyCount == 0 ? lat : std::min(minLatency, lat);
  maxLatency = std::max(maxLatency, lat);
  totalLatency += lat;
  latencyCount++;
  c.lastCxid = cxid;
  c.lastZxid = appliedZxid;
  c.lastOpMs = now;
  c.lastOp = opAbbrev(opcode);
}

}  // namespace gk::engine
