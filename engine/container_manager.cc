#include "engine/container_manager.h"

#include <algorithm>
#include <charconv>
#include <optional>

namespace gk::engine {

namespace {

std::optional<int64_t> property(const ServerConfig& config, const std::string& name) {
  for (const std::string& key : {"zookeeper." + name, name}) {
    auto it = config.systemProperties.find(key);
    if (it == config.systemProperties.end()) continue;
    int64_t v = 0;
    const std::string& s = it->second;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return v;
  }
  return std::nullopt;
}

}  // namespace

int64_t ContainerPolicy::deletesPerCheck() const {
  // ContainerManager sleeps 60000 / maxPerMinute ms between deletes.
  return std::max<int64_t>(1, maxPerMinute * checkIntervalMs / 60000);
}

ContainerPolicy containerPolicy(const ServerConfig& config) {
  ContainerPolicy p;
  if (auto v = property(config, "znode.container.checkIntervalMs"); v && *v > 0) {
    p.checkIntervalMs = std::min<int64_t>(*v, INT32_MAX);
  }
  if (auto v = property(config, "znode.container.maxPerMinute"); v && *v > 0) {
    p.maxPerMinute = std::min<int64_t>(*v, INT32_MAX);
  }
  if (auto v = property(config, "znode.container.maxNeverUsedIntervalMs"); v && *v >= 0) {
    p.maxNeverUsedIntervalMs = *v;
  }
  p.ttlEnabled = config.extendedTypesEnabled;
  return p;
}

bool dueForDeletion(const graph::Stat& stat, int64_t nowMs, const ContainerPolicy& policy) {
  if (stat.numChildren != 0) return false;
  int64_t elapsed = nowMs - stat.mtime;
  if (graph::isContainerOwner(stat.ephemeralOwner)) {
    // cversion > 0: it has had a child. A fresh container is left alone, or it could go
    // right after its creation, before the client had a chance to add anything.
    if (stat.cversion > 0) return true;
    return policy.maxNeverUsedIntervalMs != 0 && elapsed > policy.maxNeverUsedIntervalMs;
  }
  if (graph::isTtlOwner(stat.ephemeralOwner) && policy.ttlEnabled) {
    int64_t ttl = graph::ttlOfOwner(stat.ephemeralOwner);
    return ttl != 0 && elapsed > ttl;
  }
  return false;
}

std::vector<std::string> containerCandidates(const graph::Snapshot& snap, int64_t nowMs,
                                             const ContainerPolicy& policy) {
  std::vector<std::string> out;
  for (std::string& path : snap.containersAndTtls()) {
    auto st = snap.stat(path);
    if (st && dueForDeletion(*st, nowMs, policy)) out.push_back(std::move(path));
  }
  return out;
}

}  // namespace gk::engine
