// The znode vocabulary shared by the store, the engine and (later) the query layer:
// ZooKeeper's Stat, ACL entries and the record a znode is stored as.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gk::graph {

// ZooKeeper's Stat, field for field (zookeeper.jute `Stat`).
struct Stat {
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
  int32_t version = 0;
  int32_t cversion = 0;
  int32_t aversion = 0;
  int64_t ephemeralOwner = 0;
  int32_t dataLength = 0;
  int32_t numChildren = 0;
  int64_t pzxid = 0;
  bool operator==(const Stat&) const = default;
};

// One ACL entry (zookeeper.jute `ACL` with its `Id`).
struct Acl {
  int32_t perms = 0;
  std::string scheme;
  std::string id;
  bool operator==(const Acl&) const = default;
};
using AclList = std::vector<Acl>;

// What a znode is besides its data. `childSeq` counts the creates ever made under this
// node (sequential or not); it is the next sequential suffix. Deletes do not change it,
// while they do raise cversion (ZooKeeper 3.8 behaves exactly so, see ZK-FACTS.md).
struct ZnodeMeta {
  Stat stat;
  int64_t childSeq = 0;
  AclList acl;
  bool operator==(const ZnodeMeta&) const = default;
};

struct ZnodeRecord {
  ZnodeMeta meta;
  std::string data;
};

// A client session as it is stored (so a restarted server keeps it).
struct SessionRecord {
  int64_t id = 0;
  int32_t timeoutMs = 0;
  std::string password;  // 16 bytes
  bool operator==(const SessionRecord&) const = default;
};

}  // namespace gk::graph
