// The container manager's policy (ZooKeeper's ContainerManager): which containers and TTL
// nodes are due for deletion. The server runs the check every checkIntervalMs and deletes
// what it finds through the normal write path (RequestPreparer::deleteContainer), so every
// replica applies the same deletes and watches fire as for any delete.
//
// Candidates come from the store's small index of containers and TTL nodes
// (Snapshot::containersAndTtls), never from a walk of the tree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/config.h"
#include "graph/znode.h"
#include "graph/znode_store.h"

namespace gk::engine {

struct ContainerPolicy {
  int64_t checkIntervalMs = 60000;      // znode.container.checkIntervalMs
  int64_t maxPerMinute = 10000;         // znode.container.maxPerMinute
  int64_t maxNeverUsedIntervalMs = 0;   // znode.container.maxNeverUsedIntervalMs; 0 = never
  bool ttlEnabled = false;              // extendedTypesEnabled: TTL nodes expire only then

  // How many deletes one check may start: maxPerMinute spread over the interval, at least 1.
  int64_t deletesPerCheck() const;
};

// From zoo.cfg (`znode.container.checkIntervalMs=...`, kept as the system property
// zookeeper.znode.container.checkIntervalMs) or the property without the prefix, which is
// the name ZooKeeper itself reads. Values that are not positive integers (non-negative for
// maxNeverUsedIntervalMs) leave the default, as Integer.getInteger does.
ContainerPolicy containerPolicy(const ServerConfig& config);

// ContainerManager.getCandidates for one node: no children, and a container that has had a
// child (cversion > 0) or has stayed unused longer than maxNeverUsedIntervalMs, or a TTL
// node not modified for longer than its TTL.
bool dueForDeletion(const graph::Stat& stat, int64_t nowMs, const ContainerPolicy& policy);

// The containers and TTL nodes of `snap` due for deletion at nowMs, in path order.
std::vector<std::string> containerCandidates(const graph::Snapshot& snap, int64_t nowMs,
                                             const ContainerPolicy& policy);

}  // namespace gk::engine
