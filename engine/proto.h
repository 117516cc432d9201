// The ZooKeeper client protocol's constants and records (zookeeper.jute, ZooDefs.java,
// KeeperException.Code, Watcher.Event), with jute read/write for the ones the server uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/jute.h"
#include "graph/znode.h"

namespace gk::engine {

namespace op {
constexpr int32_t kNotification = 0, kCreate = 1, kDelete = 2, kExists = 3, kGetData = 4,
                  kSetData = 5, kGetAcl = 6, kSetAcl = 7, kGetChildren = 8, kSync = 9,
                  kPing = 11, kGetChildren2 = 12, kCheck = 13, kMulti = 14, kCreate2 = 15,
                  kReconfig = 16, kCheckWatches = 17, kRemoveWatches = 18,
                  kCreateContainer = 19, kDeleteContainer = 20, kCreateTtl = 21,
                  kMultiRead = 22, kAuth = 100, kSetWatches = 101, kSasl = 102,
                  kGetEphemerals = 103, kGetAllChildrenNumber = 104, kSetWatches2 = 105,
                  kAddWatch = 106, kWhoAmI = 107, kCreateSession = -10, kCloseSession = -11,
                  kError = -1;
}  // namespace op

// KeeperException.Code
namespace err {
constexpr int32_t kOk = 0, kSystemError = -1, kRuntimeInconsistency = -2,
                  kDataInconsistency = -3, kConnectionLoss = -4, kMarshallingError = -5,
                  kUnimplemented = -6, kOperationTimeout = -7, kBadArguments = -8,
                  kUnknownSession = -12, kApiError = -100, kNoNode = -101, kNoAuth = -102,
                  kBadVersion = -103, kNoChildrenForEphemerals = -108, kNodeExists = -110,
                  kNotEmpty = -111, kSessionExpired = -112, kInvalidCallback = -113,
                  kInvalidAcl = -114, kAuthFailed = -115, kSessionMoved = -118,
                  kNotReadOnly = -119, kNoWatcher = -121, kQuotaExceeded = -125;
}  // namespace err

// Special xids the client uses.
namespace xid {
constexpr int32_t kNotification = -1, kPing = -2, kAuth = -4, kSetWatches = -8;
}

// Watcher.Event.EventType and KeeperState
namespace event {
constexpr int32_t kNone = -1, kNodeCreated = 1, kNodeDeleted = 2, kNodeDataChanged = 3,
                  kNodeChildrenChanged = 4;
constexpr int32_t kStateSyncConnected = 3, kStateExpired = -112;
}  // namespace event

// CreateMode flags
namespace create_mode {
constexpr int32_t kPersistent = 0, kEphemeral = 1, kPersistentSequential = 2,
                  kEphemeralSequential = 3, kContainer = 4, kPersistentWithTtl = 5,
                  kPersistentSequentialWithTtl = 6;
inline bool valid(int32_t f) { return f >= 0 && f <= 6; }
inline bool ephemeral(int32_t f) { return f == kEphemeral || f == kEphemeralSequential; }
inline bool sequential(int32_t f) {
  return f == kPersistentSequential || f == kEphemeralSequential ||
         f == kPersistentSequentialWithTtl;
}
}  // namespace create_mode

namespace perm {
constexpr int32_t kRead = 1, kWrite = 2, kCreate = 4, kDelete = 8, kAdmin = 16, kAll = 31;
}

const char* opName(int32_t type);  // "create", "getData", ... for logs and 4lw

struct ConnectRequest {
  int32_t protocolVersion = 0;
  int64_t lastZxidSeen = 0;
  int32_t timeoutMs = 0;
  int64_t sessionId = 0;
  std::string password;
  bool readOnly = false;
};
ConnectRequest readConnectRequest(JuteReader& r);

// Containers and TTL nodes go out with ephemeralOwner 0 (DataNode.copyStat).
void writeStat(JuteWriter& w, const graph::Stat& s);
graph::AclList readAclList(JuteReader& r);
void writeAclList(JuteWriter& w, const graph::AclList& acl);

// The records of the requests the server decodes. Each read* throws JuteError when the
// bytes do not hold the record.
struct CreateRequest {
  std::string path;
  std::string data;
  bool dataNull = false;
  graph::AclList acl;
  int32_t flags = 0;
  int64_t ttl = -1;  // createTTL only
};
CreateRequest readCreateRequest(JuteReader& r, bool withTtl);

struct PathVersion {  // delete, check
  std::string path;
  int32_t version = -1;
};
PathVersion readPathVersion(JuteReader& r);

struct PathWatch {  // exists, getData, getChildren, getChildren2
  std::string path;
  bool watch = false;
};
PathWatch readPathWatch(JuteReader& r);

struct SetDataRequest {
  std::string path;
  std::string data;
  bool dataNull = false;
  int32_t version = -1;
};
SetDataRequest readSetDataRequest(JuteReader& r);

struct SetAclRequest {
  std::string path;
  graph::AclList acl;
  int32_t version = -1;
};
SetAclRequest readSetAclRequest(JuteReader& r);

struct SetWatchesRequest {
  int64_t relativeZxid = 0;
  std::vector<std::string> dataWatches, existWatches, childWatches;
  std::vector<std::string> persistentWatches, persistentRecursiveWatches;  // setWatches2
};
SetWatchesRequest readSetWatches(JuteReader& r, bool v2);

// addWatch (AddWatchRequest: path, mode), checkWatches and removeWatches
// (CheckWatchesRequest/RemoveWatchesRequest: path, type) share one layout.
struct PathInt {
  std::string path;
  int32_t value = 0;
};
PathInt readPathInt(JuteReader& r);

// AddWatchMode (ZooDefs.AddWatchModes)
namespace add_watch_mode {
constexpr int32_t kPersistent = 0, kPersistentRecursive = 1;
}
// Watcher.WatcherType as checkWatches/removeWatches send it. 3.8 clients send 1..3; 4 and 5
// (one persistent kind only) come from 3.9 clients.
namespace watcher_type {
constexpr int32_t kChildren = 1, kData = 2, kAny = 3, kPersistent = 4, kPersistentRecursive = 5;
}

struct AuthPacket {
  int32_t type = 0;
  std::string scheme;
  std::string auth;
};
AuthPacket readAuthPacket(JuteReader& r);

}  // namespace gk::engine
