#include "engine/server_stats.h"

#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <unordered_map>

namespace gk::engine {

namespace {

uint64_t dirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

}  // namespace

ServerStats gatherServerStats(ServerContext& ctx, const ConnectionManager& conns,
                              size_t outstanding, const std::string& mode,
                              const Connection* asking) {
  const ServerConfig& cfg = ctx.cfg;
  auto& snap = ctx.snap;
  auto& watches = ctx.watches;
  auto& sessions = ctx.sessions;
  ServerStats s;
  s.version = kServerVersion;
  s.mode = mode;
  s.zxid = ctx.appliedZxid;
  s.znodeCount = snap->znodeCount();
  s.ephemeralCount = snap->ephemeralCount();
  s.watchCount = watches.dataWatchCount() + watches.childWatchCount();
  s.dataWatchCount = watches.dataWatchCount();
  s.watchedPathCount = watches.dataPathCount();
  s.watcherConnections = watches.dataWatcherCount();
  std::unordered_map<uint64_t, int64_t> sessionOf;
  for (auto& [id, c] : conns.all()) sessionOf[id] = c->sessionId;
  for (auto& [path, ws] : watches.dataWatchesByPath()) {
    std::vector<int64_t> sids;
    for (auto w : ws) sids.push_back(sessionOf[w]);
    s.watchesByPath.emplace_back(path, std::move(sids));
  }
  for (auto& [w, paths] : watches.dataWatchesByWatcher()) {
    s.watchesBySession.emplace_back(sessionOf[w], std::move(paths));
  }
  int64_t wallNow = wallMs(), monoNow = monoMs();
  for (const auto& [id, sess] : sessions.all()) {
    s.sessions.emplace_back(id, sess.timeoutMs);
    s.sessionExpiry.emplace_back(id, wallNow + (sess.deadlineMs - monoNow));
    auto eph = snap->ephemerals(id);
    if (!eph.empty()) s.ephemeralsBySession.emplace_back(id, std::move(eph));
  }
  std::sort(s.sessions.begin(), s.sessions.end());
  std::sort(s.ephemeralsBySession.begin(), s.ephemeralsBySession.end());
  s.packetsReceived = conns.packetsReceived;
  s.packetsSent = conns.packetsSent;
  s.outstandingRequests = outstanding;
  s.minLatencyMs = ctx.minLatency;
  s.maxLatencyMs = ctx.maxLatency;
  s.avgLatencyMs = ctx.latencyCount ? ctx.totalLatency / ctx.latencyCount : 0;
  s.latencyCount = uint64_t(ctx.latencyCount);
  s.totalLatencyMs = ctx.totalLatency;
  for (auto& [id, c] : conns.all()) {
    if (c->closed) continue;
    s.aliveConnections++;
    ConnectionStats cs;
    cs.ip = c->ip;
    cs.port = c->port;
    cs.queued = c->held.size();
    cs.received = c->received;
    cs.sent = c->sent;
    cs.sessionId = c->sessionId;
    cs.lastOpMs = c->lastOpMs;
    cs.lastOp = c->lastOp;
    cs.lastCxid = c->lastCxid;
    cs.lastZxid = c->lastZxid;
    cs.timeoutMs = c->timeoutMs;
    cs.lastLatencyMs = c->lastLatency;
    cs.minLatencyMs = c->minLatency;
    cs.maxLatencyMs = c->maxLatency;
    cs.avgLatencyMs = c->latencyCount ? c->totalLatency / c->latencyCount : 0;
    cs.establishedMs = c->established;
    cs.interestOps = c.get() == asking ? 0 : 1;
    s.connections.push_back(std::move(cs));
  }
  s.dataDirBytes = dirBytes(cfg.dataDir);
  s.logDirBytes = cfg.dataLogDir.empty() ? s.dataDirBytes : dirBytes(cfg.dataLogDir);
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    s.openFds++;
  }
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) s.maxFds = rl.rlim_cur;
  s.uptimeMs = wallMs() - ctx.startedMs;
  s.environment = {
      {"zookeeper.version", kServerVersion},
      {"host.name", "localhost"},
      {"os.name", "Linux"},
      {"user.dir", std::filesystem::current_path(ec).string()},
      {"data.dir", cfg.dataDir},
  };
  return s;
}

}  // namespace gk::engine
