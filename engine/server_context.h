// ServerContext: the state a server's processors share on the event loop — the published
// snapshot and the zxid it shows, the ACL cache, watches, the session table, request
// statistics. One per server, owned by Server::Impl (engine/server.cc); the processors hold a
// reference. Loop thread only, except `metrics.fsync` (see engine/metrics.h).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "engine/net/client_connection.h"
#include "engine/config.h"
#include "engine/metrics.h"
#include "engine/session_tracker.h"
#include "engine/watch_manager.h"
#include "graph/znode_store.h"

namespace gk::engine {

inline constexpr const char* kServerVersion = "3.8.0-graphkeeper-0.1.0";

inline int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t monoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A session id or zxid as ZooKeeper prints it: 0x and lowercase hex.
inline std::string hexId(int64_t v) { return fmt::format("0x{:x}", uint64_t(v)); }

// True for the opcodes that change state (they go down the write chain).
bool isWriteOp(int32_t opcode);
// ZooKeeper's four-letter abbreviation of an opcode for `cons` ("GETD", "SETD", ...).
const char* opAbbrev(int32_t opcode);

struct ServerContext {
  explicit ServerContext(const ServerConfig& c) : cfg(c) {}
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  const ServerConfig& cfg;
  graph::ZnodeStore* store = nullptr;
  // The published view: it shows exactly the committed txns whose effects (watch events,
  // replies) have been delivered, so a read never shows a change before its event.
  std::optional<graph::Snapshot> snap;
  int64_t appliedZxid = 0;
  WatchManager watches;
  SessionTracker sessions;
  Metrics metrics;  // per-op latencies, fsync time: the admin server's monitor and /metrics
  int64_t startedMs = 0;

  // Server-wide latencies for srvr/stat (ms).
  int64_t minLatency = 0, maxLatency = 0, totalLatency = 0, latencyCount = 0;

  // ACL lists by id, read from the snapshot (ids are never reused, so entries never go stale).
  const graph::AclList& aclOf(uint64_t aclId) {
    auto it = aclCache_.find(aclId);
    if (it != aclCache_.end()) return it->second;
    if (aclCache_.size() > 65536) aclCache_.clear();  // bound it; entries are cheap to reload
    return aclCache_.emplace(aclId, snap->acl(aclId)).first->second;
  }

  // Counts a finished request in `metrics` (pings included, as ZooKeeper's readlatency does)
  // and, pings aside, in the connection's and the server's latency stats.
  void noteLatency(Connection& c, int64_t startMs, int32_t cxid, int32_t opcode);
  void resetLatencies() { minLatency = maxLatency = totalLatency = latencyCount = 0; }

 private:
  std::unordered_map<uint64_t, graph::AclList> aclCache_;
};

}  // namespace gk::engine
