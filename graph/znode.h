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

// What ephemeralOwner holds (ZooKeeper's EphemeralType): 0 for a persistent node, the owning
// session's id for an ephemeral, or a marker for the node kinds no session owns — containers
// (Long.MIN_VALUE) and TTL nodes (0xFF in the top byte, the TTL in ms in the low 40 bits).
// Clients see ephemeralOwner 0 for containers and TTL nodes (DataNode.copyStat).
inline constexpr int64_t kContainerOwner = INT64_MIN;
inline constexpr uint64_t kTtlOwnerBits = 0xFF00000000000000ULL;
inline constexpr uint64_t kTtlReservedBits = 0x00FFFF0000000000ULL;
inline constexpr int64_t kMaxTtlMs = 0xFFFFFFFFFFLL;  // EphemeralType.TTL.maxValue()

inline bool isContainerOwner(int64_t owner) { return owner == kContainerOwner; }
inline bool isTtlOwner(int64_t owner) {
  return (static_cast<uint64_t>(owner) & (kTtlOwnerBits | kTtlReservedBits)) == kTtlOwnerBits;
}
inline int64_t ttlOfOwner(int64_t owner) { return owner & kMaxTtlMs; }
// For 1 <= ttlMs <= kMaxTtlMs (EphemeralType.TTL.toEphemeralOwner).
inline int64_t ttlOwner(int64_t ttlMs) {
  return static_cast<int64_t>(kTtlOwnerBits | static_cast<uint64_t>(ttlMs));
}
// A real ephemeral (EphemeralType.NORMAL): owned by a session.
inline bool isSessionOwner(int64_t owner) {
  return owner != 0 && !isContainerOwner(owner) && !isTtlOwner(owner);
}
inline int64_t clientVisibleOwner(int64_t owner) { return isSessionOwner(owner) ? owner : 0; }

// A client session as it is stored (so a restarted server keeps it).
struct SessionRecord {
  int64_t id = 0;
  int32_t timeoutMs = 0;
  std::string password;  // 16 bytes
  bool operator==(const SessionRecord&) const = default;
};

}  // namespace gk::graph
