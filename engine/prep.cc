#include "engine/prep.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "engine/acl.h"
#include "engine/path_utils.h"

namespace gk::engine {

// ---------------------------------------------------------------------------------------
// ChangeOverlay

const ChangeOverlay::Entry* ChangeOverlay::find(const std::string& path) const {
  auto it = byPath_.find(path);
  return it == byPath_.end() ? nullptr : &it->second;
}

void ChangeOverlay::put(const std::string& path, Entry e) {
  order_.emplace_back(e.zxid, path);
  byPath_[path] = std::move(e);
}

void ChangeOverlay::releaseUpTo(int64_t appliedZxid) {
  while (!order_.empty() && order_.front().first <= appliedZxid) {
    auto it = byPath_.find(order_.front().second);
    // A later change to the same path keeps the entry until it too is applied.
    if (it != byPath_.end() && it->second.zxid <= appliedZxid) byPath_.erase(it);
    order_.pop_front();
  }
}

void ChangeOverlay::clear() {
  byPath_.clear();
  order_.clear();
}

std::vector<std::pair<std::string, bool>> ChangeOverlay::ephemeralChanges(int64_t sessionId) const {
  std::vector<std::pair<std::string, bool>> out;
  for (const auto& [path, e] : byPath_) {
    if (e.meta.stat.ephemeralOwner == sessionId) out.emplace_back(path, e.exists);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Scratch: one request's changes, looked up before the overlay and the snapshot.

struct RequestPreparer::Scratch {
  const graph::Snapshot& snap;
  const ChangeOverlay& overlay;
  std::map<std::string, ChangeOverlay::Entry> changes;

  // The node as the request sees it, or nullopt if it does not exist.
  std::optional<graph::ZnodeMeta> lookup(const std::string& path) const {
    if (auto it = changes.find(path); it != changes.end()) {
      if (!it->second.exists) return std::nullopt;
      return it->second.meta;
    }
    if (const auto* e = overlay.find(path)) {
      if (!e->exists) return std::nullopt;
      return e->meta;
    }
    return snap.meta(path);
  }
  void put(const std::string& path, const graph::ZnodeMeta& meta, int64_t zxid) {
    changes[path] = ChangeOverlay::Entry{true, meta, zxid};
  }
  void erase(const std::string& path, const graph::ZnodeMeta& last, int64_t zxid) {
    // Keeps the owner so closeSession sees pending deletes of a session's ephemerals.
    changes[path] = ChangeOverlay::Entry{false, last, zxid};
  }
};

struct RequestPreparer::Op {
  int32_t type = 0;
  CreateRequest create;
  PathVersion pathVersion;  // delete, check
  SetDataRequest setData;
  SetAclRequest setAcl;
  std::optional<graph::TxnOp> txnOp;  // filled by prepareOp
};

namespace {

bool isSpecialPath(const std::string& p) {
  return p == "/" || p == "/zookeeper" || p == "/zookeeper/quota" || p == "/zookeeper/config";
}

// ZooKeeper's checkAndIncVersion: -1 matches any version.
int32_t checkVersion(int32_t current, int32_t expected, int32_t& next) {
  if (expected != -1 && expected != current) return err::kBadVersion;
  next = current + 1;
  return err::kOk;
}

}  // namespace

int32_t RequestPreparer::prepareOp(const Requester& who, Scratch& s, Op& op, int64_t zxid,
                                   int64_t nowMs, OpResult& result) {
  result.type = op.type;
  switch (op.type) {
    case op::kCreate:
    case op::kCreate2:
    case op::kCreateContainer:
    case op::kCreateTtl: {
      CreateRequest& c = op.create;
      if (!create_mode::valid(c.flags)) return err::kBadArguments;
      bool ttlMode = c.flags == create_mode::kPersistentWithTtl ||
                     c.flags == create_mode::kPersistentSequentialWithTtl;
      if (op.type == op::kCreateTtl || ttlMode) {
        // TTL nodes need extendedTypesEnabled; the TTL reaper is not built yet either way.
        return err::kUnimplemented;
      }
      if (op.type == op::kCreateContainer || c.flags == create_mode::kContainer) {
        return err::kUnimplemented;  // containers: a later issue (ContainerManager)
      }
      const std::string& path = c.path;
      size_t lastSlash = path.rfind('/');
      if (lastSlash == std::string::npos || path.find('\0') != std::string::npos) {
        return err::kBadArguments;
      }
      bool sequential = create_mode::sequential(c.flags);
      // As PrepRequestProcessor: ACL, parent and permission first; the path is validated only
      // once the suffix is on. So "/a//b" is NONODE (no parent "/a/"), "create -s /" makes
      // "/0000000001" and "create /" is NODEEXISTS, as on ZooKeeper 3.8.
      graph::AclList acl;
      if (int32_t e = fixupAcl(who, c.acl, acl)) return e;
      std::string parentPath = lastSlash == 0 ? std::string("/") : path.substr(0, lastSlash);
      auto parent = s.lookup(parentPath);
      if (!parent) return err::kNoNode;
      if (!aclAllows(who, parent->acl, perm::kCreate)) return err::kNoAuth;
      std::string finalPath = path;
      if (sequential) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "%010d", int32_t(parent->childSeq));
        finalPath += suffix;
      }
      if (validatePath(finalPath, false)) return err::kBadArguments;
      // LMDB keys are bounded; ZooKeeper's paths are not. Refuse rather than fail at apply.
      if (finalPath.size() > graph::ZnodeStore::kMaxPathBytes) return err::kBadArguments;
      if (s.lookup(finalPath)) return err::kNodeExists;
      if (parent->stat.ephemeralOwner != 0) return err::kNoChildrenForEphemerals;

      graph::ZnodeMeta node;
      node.stat.czxid = node.stat.mzxid = node.stat.pzxid = zxid;
      node.stat.ctime = node.stat.mtime = nowMs;
      node.stat.ephemeralOwner = create_mode::ephemeral(c.flags) ? who.sessionId : 0;
      node.stat.dataLength = int32_t(c.data.size());
      node.acl = acl;
      parent->stat.cversion += 1;
      parent->stat.numChildren += 1;
      parent->stat.pzxid = zxid;
      parent->childSeq += 1;
      s.put(parentPath, *parent, zxid);
      s.put(finalPath, node, zxid);
      result.path = finalPath;
      result.stat = node.stat;
      op.txnOp = graph::CreateOp{finalPath, std::move(c.data), std::move(acl),
                                 node.stat.ephemeralOwner, c.dataNull};
      return err::kOk;
    }
    case op::kDelete: {
      const std::string& path = op.pathVersion.path;
      size_t lastSlash = path.rfind('/');
      if (lastSlash == std::string::npos || path.find('\0') != std::string::npos ||
          isSpecialPath(path)) {
        return err::kBadArguments;
      }
      // No validatePath (getParentPathAndValidate): "/a/" or "/a//b" name no node, NONODE.
      std::string parentPath = lastSlash == 0 ? std::string("/") : path.substr(0, lastSlash);
      auto parent = s.lookup(parentPath);
      if (!parent) return err::kNoNode;
      if (!aclAllows(who, parent->acl, perm::kDelete)) return err::kNoAuth;
      auto node = s.lookup(path);
      if (!node) return err::kNoNode;
      int32_t ignored = 0;
      if (int32_t e = checkVersion(node->stat.version, op.pathVersion.version, ignored)) return e;
      if (node->stat.numChildren > 0) return err::kNotEmpty;
      parent->stat.cversion += 1;
      parent->stat.numChildren -= 1;
      parent->stat.pzxid = zxid;
      s.put(parentPath, *parent, zxid);
      s.erase(path, *node, zxid);
      op.txnOp = graph::DeleteOp{path};
      return err::kOk;
    }
    case op::kSetData: {
      SetDataRequest& r = op.setData;
      if (validatePath(r.path, false)) return err::kBadArguments;
      auto node = s.lookup(r.path);
      if (!node) return err::kNoNode;
      if (!aclAllows(who, node->acl, perm::kWrite)) return err::kNoAuth;
      int32_t next = 0;
      if (int32_t e = checkVersion(node->stat.version, r.version, next)) return e;
      node->stat.version = next;
      node->stat.mzxid = zxid;
      node->stat.mtime = nowMs;
      node->stat.dataLength = int32_t(r.data.size());
      s.put(r.path, *node, zxid);
      result.stat = node->stat;
      op.txnOp = graph::SetDataOp{r.path, std::move(r.data), next, r.dataNull};
      return err::kOk;
    }
    case op::kSetAcl: {
      SetAclRequest& r = op.setAcl;
      if (validatePath(r.path, false)) return err::kBadArguments;
      graph::AclList acl;
      if (r.acl.empty()) return err::kInvalidAcl;
      if (int32_t e = fixupAcl(who, r.acl, acl)) return e;
      auto node = s.lookup(r.path);
      if (!node) return err::kNoNode;
      if (!aclAllows(who, node->acl, perm::kAdmin)) return err::kNoAuth;
      int32_t next = 0;
      if (int32_t e = checkVersion(node->stat.aversion, r.version, next)) return e;
      node->stat.aversion = next;
      node->acl = acl;
      s.put(r.path, *node, zxid);
      result.stat = node->stat;
      op.txnOp = graph::SetAclOp{r.path, std::move(acl), next};
      return err::kOk;
    }
    case op::kCheck: {
      const std::string& path = op.pathVersion.path;
      if (validatePath(path, false)) return err::kBadArguments;
      auto node = s.lookup(path);
      if (!node) return err::kNoNode;
      if (!aclAllows(who, node->acl, perm::kRead)) return err::kNoAuth;
      int32_t ignored = 0;
      return checkVersion(node->stat.version, op.pathVersion.version, ignored);
    }
    default:
      return err::kUnimplemented;
  }
}

Prepared RequestPreparer::prepare(const graph::Snapshot& snap, const Requester& who,
                                  int32_t cxid, int32_t opcode, JuteReader& body,
                                  int64_t& nextZxid, int64_t nowMs) {
  auto readOp = [](JuteReader& r, int32_t type) {
    Op o;
    o.type = type;
    switch (type) {
      case op::kCreate:
      case op::kCreate2:
      case op::kCreateContainer:
        o.create = readCreateRequest(r, false);
        break;
      case op::kCreateTtl:
        o.create = readCreateRequest(r, true);
        break;
      case op::kDelete:
      case op::kCheck:
        o.pathVersion = readPathVersion(r);
        break;
      case op::kSetData:
        o.setData = readSetDataRequest(r);
        break;
      case op::kSetAcl:
        o.setAcl = readSetAclRequest(r);
        break;
      default:
        throw JuteError(std::string("op ") + std::to_string(type) + " cannot be in a multi");
    }
    return o;
  };

  std::vector<Op> ops;
  bool multi = opcode == op::kMulti;
  if (multi) {
    for (;;) {
      int32_t type = body.readInt();
      bool done = body.readBool();
      body.readInt();  // err, unused in requests
      if (done) break;
      ops.push_back(readOp(body, type));
      if (ops.size() > 100000) throw JuteError("too many ops in multi");
    }
  } else {
    ops.push_back(readOp(body, opcode));
  }

  Prepared out;
  int64_t zxid = nextZxid;
  Scratch s{snap, overlay_, {}};
  out.results.resize(ops.size());
  size_t failed = ops.size();
  int32_t failErr = err::kOk;
  for (size_t i = 0; i < ops.size(); ++i) {
    int32_t e = prepareOp(who, s, ops[i], zxid, nowMs, out.results[i]);
    if (e != err::kOk) {
      failed = i;
      failErr = e;
      break;
    }
  }
  if (failed < ops.size()) {
    if (!multi) {
      out.err = failErr;
      out.results[0].err = failErr;
      return out;
    }
    // ZooKeeper's answer to a failed multi: OK before the failing op, its error, then
    // RUNTIMEINCONSISTENCY, every result typed as an error result.
    for (size_t i = 0; i < ops.size(); ++i) {
      out.results[i] = OpResult{};
      out.results[i].type = op::kError;
      out.results[i].err = i < failed ? err::kOk : i == failed ? failErr : err::kRuntimeInconsistency;
    }
    return out;
  }
  graph::Txn txn;
  txn.zxid = zxid;
  txn.time = nowMs;
  txn.sessionId = who.sessionId;
  txn.cxid = cxid;
  for (auto& o : ops) {
    if (o.txnOp) txn.ops.push_back(std::move(*o.txnOp));
  }
  for (auto& [path, e] : s.changes) overlay_.put(path, std::move(e));
  ++nextZxid;
  out.txn = std::move(txn);
  return out;
}

Prepared RequestPreparer::createSession(int64_t sessionId, int32_t timeoutMs,
                                        const std::string& password, int64_t& nextZxid,
                                        int64_t nowMs) {
  Prepared out;
  graph::Txn txn;
  txn.zxid = nextZxid++;
  txn.time = nowMs;
  txn.sessionId = sessionId;
  txn.ops.push_back(graph::CreateSessionOp{sessionId, timeoutMs, password});
  out.txn = std::move(txn);
  out.results.resize(1);
  out.results[0].type = op::kCreateSession;
  return out;
}

Prepared RequestPreparer::closeSession(const graph::Snapshot& snap, int64_t sessionId,
                                       int64_t& nextZxid, int64_t nowMs) {
  // The session's ephemerals: committed ones, plus pending creates, minus pending deletes.
  std::vector<std::string> paths = snap.ephemerals(sessionId);
  for (const auto& [path, exists] : overlay_.ephemeralChanges(sessionId)) {
    auto it = std::find(paths.begin(), paths.end(), path);
    if (exists && it == paths.end()) paths.push_back(path);
    if (!exists && it != paths.end()) paths.erase(it);
  }
  std::sort(paths.begin(), paths.end());

  Prepared out;
  int64_t zxid = nextZxid;
  Scratch s{snap, overlay_, {}};
  std::vector<std::string> deleted;
  for (const auto& path : paths) {
    auto node = s.lookup(path);
    if (!node || node->stat.ephemeralOwner != sessionId) continue;
    size_t lastSlash = path.rfind('/');
    std::string parentPath = lastSlash == 0 ? std::string("/") : path.substr(0, lastSlash);
    auto parent = s.lookup(parentPath);
    if (!parent) continue;
    parent->stat.cversion += 1;
    parent->stat.numChildren -= 1;
    parent->stat.pzxid = zxid;
    s.put(parentPath, *parent, zxid);
    s.erase(path, *node, zxid);
    deleted.push_back(path);
  }
  graph::Txn txn;
  txn.zxid = zxid;
  txn.time = nowMs;
  txn.sessionId = sessionId;
  txn.ops.push_back(graph::CloseSessionOp{sessionId, std::move(deleted)});
  for (auto& [path, e] : s.changes) overlay_.put(path, std::move(e));
  ++nextZxid;
  out.txn = std::move(txn);
  out.results.resize(1);
  out.results[0].type = op::kCloseSession;
  return out;
}

}  // namespace gk::engine
