#include "engine/prep.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "engine/acl.h"
#include "engine/log.h"
#include "engine/path_utils.h"
#include "graph/projection_rule.h"
#include "graph/stats_track.h"

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
  while (!quotaOrder_.empty() && quotaOrder_.front().zxid <= appliedZxid) {
    const QuotaDelta& d = quotaOrder_.front();
    auto it = quotaPending_.find(d.statsPath);
    if (it != quotaPending_.end()) {
      it->second.first -= d.count;
      it->second.second -= d.bytes;
      if (it->second.first == 0 && it->second.second == 0) quotaPending_.erase(it);
    }
    quotaOrder_.pop_front();
  }
}

void ChangeOverlay::clear() {
  byPath_.clear();
  order_.clear();
  quotaPending_.clear();
  quotaOrder_.clear();
}

void ChangeOverlay::addQuotaDelta(const std::string& statsPath, int64_t count, int64_t bytes,
                                  int64_t zxid) {
  quotaOrder_.push_back(QuotaDelta{zxid, statsPath, count, bytes});
  auto& sum = quotaPending_[statsPath];
  sum.first += count;
  sum.second += bytes;
}

std::pair<int64_t, int64_t> ChangeOverlay::quotaDelta(const std::string& statsPath) const {
  auto it = quotaPending_.find(statsPath);
  return it == quotaPending_.end() ? std::pair<int64_t, int64_t>{0, 0} : it->second;
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
  // This request's quota stats deltas (count, bytes) by stats node path.
  std::map<std::string, std::pair<int64_t, int64_t>> quota = {};

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
  // The stat alone (no ACL read): for existence checks off the request's own path.
  std::optional<graph::Stat> stat(const std::string& path) const {
    if (auto it = changes.find(path); it != changes.end()) {
      if (!it->second.exists) return std::nullopt;
      return it->second.meta.stat;
    }
    if (const auto* e = overlay.find(path)) {
      if (!e->exists) return std::nullopt;
      return e->meta.stat;
    }
    return snap.stat(path);
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
  std::vector<graph::TxnOp> extra;    // quota bookkeeping that goes with it
};

namespace {

bool isSpecialPath(const std::string& p) {
  return p == "/" || p == "/zookeeper" || p == "/zookeeper/quota" || p == "/zookeeper/config";
}

constexpr std::string_view kQuotaRoot = "/zookeeper/quota";
constexpr std::string_view kLimitNode = "zookeeper_limits";
constexpr std::string_view kStatNode = "zookeeper_stats";

std::string parentOf(const std::string& path) {
  size_t lastSlash = path.rfind('/');
  return lastSlash == 0 ? std::string("/") : path.substr(0, lastSlash);
}

// ZooKeeper's checkAndIncVersion: -1 matches any version.
int32_t checkVersion(int32_t current, int32_t expected, int32_t& next) {
  if (expected != -1 && expected != current) return err::kBadVersion;
  next = current + 1;
  return err::kOk;
}

}  // namespace

// ZooKeeperServer.checkQuota: a soft limit exceeded is logged, a hard one refuses the write
// (QuotaExceededException, QUOTAEXCEEDED). The limits are the committed ones; the current
// count and bytes are the committed stats plus every prepared, not yet applied delta (the
// overlay's and this request's), so two pipelined creates cannot both slip under a limit.
// ZooKeeper reads only its applied DataTree there. A stats node not committed yet (setquota
// still in the pipeline) is not checked, as ZooKeeper skips a missing one.
int32_t RequestPreparer::checkQuota(const Scratch& s, const std::string& prefix,
                                    int64_t countDelta, int64_t bytesDelta) {
  graph::Stat st;
  std::string_view text;
  std::string limitsPath = std::string(kQuotaRoot) + prefix + "/" + std::string(kLimitNode);
  if (!s.snap.getData(limitsPath, st, text)) return err::kOk;
  graph::StatsTrack limits(text);
  bool checkCount = countDelta != 0 && (limits.count() > -1 || limits.countHardLimit() > -1);
  bool checkBytes = bytesDelta != 0 && (limits.bytes() > -1 || limits.byteHardLimit() > -1);
  if (!checkCount && !checkBytes) return err::kOk;
  std::string statsPath = std::string(kQuotaRoot) + prefix + "/" + std::string(kStatNode);
  if (!s.snap.getData(statsPath, st, text)) return err::kOk;
  graph::StatsTrack current(text);
  auto [pendingCount, pendingBytes] = overlay_.quotaDelta(statsPath);
  if (auto it = s.quota.find(statsPath); it != s.quota.end()) {
    pendingCount += it->second.first;
    pendingBytes += it->second.second;
  }
  auto check = [&](const char* what, int64_t now, int64_t soft, int64_t hard) {
    bool isHard = hard > -1;
    int64_t limit = isHard ? hard : soft;
    if (now <= limit) return false;
    GK_LOG_WARN("Quota exceeded: {} [current {}={}, {}{}Limit={}]", prefix, what, now,
                isHard ? "hard" : "soft", what == std::string_view("count") ? "Count" : "Byte",
                limit);
    return isHard;
  };
  if (checkCount && check("count", current.count() + pendingCount + countDelta, limits.count(),
                          limits.countHardLimit())) {
    return err::kQuotaExceeded;
  }
  if (checkBytes && check("bytes", current.bytes() + pendingBytes + bytesDelta, limits.bytes(),
                          limits.byteHardLimit())) {
    return err::kQuotaExceeded;
  }
  return err::kOk;
}

int32_t RequestPreparer::quotaOps(Scratch& s, const std::string& path, int64_t countDelta,
                                  int64_t bytesDelta, std::vector<graph::TxnOp>& out,
                                  bool checkLimits) {
  if (path == "/") return err::kOk;
  // Most trees have no quota at all: one lookup settles it.
  auto quotaRoot = s.stat(std::string(kQuotaRoot));
  if (!quotaRoot || quotaRoot->numChildren == 0) return err::kOk;
  // DataTree.getMaxPrefixWithQuota: the longest prefix of path (itself included, "/" not)
  // that has a limits node. ZooKeeper keeps those prefixes in a trie, added and dropped as
  // limits nodes come and go; looking the limits nodes up is the same answer.
  std::string prefix = path;
  for (;;) {
    std::string limits = std::string(kQuotaRoot) + prefix + "/" + std::string(kLimitNode);
    if (s.stat(limits)) {
      std::string stats = std::string(kQuotaRoot) + prefix + "/" + std::string(kStatNode);
      // No stats node yet (the client creates it right after the limits node): ZooKeeper
      // logs "Missing node for stat" and counts nothing.
      if (checkLimits && limits_.enforceQuota) {
        if (int32_t e = checkQuota(s, prefix, countDelta, bytesDelta)) return e;
      }
      if (s.stat(stats)) {
        out.push_back(graph::UpdateQuotaStatsOp{stats, countDelta, bytesDelta});
        auto& sum = s.quota[stats];
        sum.first += countDelta;
        sum.second += bytesDelta;
      }
      return err::kOk;
    }
    size_t lastSlash = prefix.rfind('/');
    if (lastSlash == 0 || lastSlash == std::string::npos) return err::kOk;
    prefix.resize(lastSlash);
  }
}

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
      // PrepRequestProcessor.validateCreateRequest, before anything about the path.
      bool ttlMode = c.flags == create_mode::kPersistentWithTtl ||
                     c.flags == create_mode::kPersistentSequentialWithTtl;
      if (ttlMode && !limits_.extendedTypesEnabled) return err::kUnimplemented;
      // EphemeralType.validateTTL: a TTL mode needs 1..kMaxTtlMs, any other mode no TTL
      // (createTTL with a plain mode is BADARGUMENTS; create's ttl is -1).
      if (ttlMode ? (c.ttl <= 0 || c.ttl > graph::kMaxTtlMs) : c.ttl >= 0) {
        return err::kBadArguments;
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
      if (s.stat(finalPath)) return err::kNodeExists;
      // Only a session's ephemerals are childless (EphemeralType NORMAL); containers and TTL
      // nodes are parents.
      if (graph::isSessionOwner(parent->stat.ephemeralOwner)) {
        return err::kNoChildrenForEphemerals;
      }
      // A projection rule is checked whole before it is stored: a bad one is refused, never
      // half applied (graph/projection_rule.h).
      if (auto why = graph::validateProjectionZnode(finalPath, c.data)) {
        GK_LOG_WARN("refusing create {}: {}", finalPath, *why);
        return err::kBadArguments;
      }

      graph::ZnodeMeta node;
      node.stat.czxid = node.stat.mzxid = node.stat.pzxid = zxid;
      node.stat.ctime = node.stat.mtime = nowMs;
      // What ZooKeeper applies goes by the txn type: createContainer makes a container
      // whatever the flags say, while create/create2 with the container flag (4) make a
      // plain persistent node (a CreateTxn is ephemeral or not) — seen on 3.8.0.
      if (op.type == op::kCreateContainer) {
        node.stat.ephemeralOwner = graph::kContainerOwner;
      } else if (ttlMode) {
        node.stat.ephemeralOwner = graph::ttlOwner(c.ttl);
      } else if (create_mode::ephemeral(c.flags)) {
        node.stat.ephemeralOwner = who.sessionId;
      }
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
      // DataTree.createNode: a new stats node is filled with its subtree's count and bytes,
      // then the created node itself counts toward its quota.
      if (parentPath.size() > kQuotaRoot.size() + 1 && parentPath.starts_with(kQuotaRoot) &&
          parentPath[kQuotaRoot.size()] == '/' &&
          std::string_view(finalPath).substr(lastSlash + 1) == kStatNode) {
        op.extra.push_back(
            graph::RecountQuotaStatsOp{finalPath, parentPath.substr(kQuotaRoot.size())});
      }
      if (int32_t e = quotaOps(s, finalPath, 1, int64_t(c.data.size()), op.extra, true)) {
        return e;
      }
      op.txnOp = graph::CreateOp{finalPath, std::move(c.data), std::move(acl),
                                 node.stat.ephemeralOwner, c.dataNull, op.type};
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
      quotaOps(s, path, -1, -int64_t(node->stat.dataLength), op.extra);
      op.txnOp = graph::DeleteOp{path};
      return err::kOk;
    }
    case op::kSetData: {
      SetDataRequest& r = op.setData;
      if (validatePath(r.path, false)) return err::kBadArguments;
      auto node = s.lookup(r.path);
      if (!node) return err::kNoNode;
      if (!aclAllows(who, node->acl, perm::kWrite)) return err::kNoAuth;
      // Even with no size change: ZooKeeper rewrites the stats text either way. The quota
      // check comes before the version check, as in PrepRequestProcessor.
      int64_t bytesDiff = int64_t(r.data.size()) - node->stat.dataLength;
      if (int32_t e = quotaOps(s, r.path, 0, bytesDiff, op.extra, true)) return e;
      int32_t next = 0;
      if (int32_t e = checkVersion(node->stat.version, r.version, next)) return e;
      if (auto why = graph::validateProjectionZnode(r.path, r.data)) {
        GK_LOG_WARN("refusing setData {}: {}", r.path, *why);
        return err::kBadArguments;
      }
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
      if (int32_t e = checkVersion(node->stat.version, op.pathVersion.version, ignored)) return e;
      op.txnOp = graph::CheckOp{path, op.pathVersion.version};
      return err::kOk;
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
  txn.type = opcode;
  for (auto& o : ops) {
    if (o.txnOp) txn.ops.push_back(std::move(*o.txnOp));
    for (auto& e : o.extra) txn.ops.push_back(std::move(e));
  }
  if (multi) {
    // Inside a multi, createContainer and createTTL answer as create2 (Create2Result).
    for (auto& r : out.results) {
      if (r.type == op::kCreateContainer || r.type == op::kCreateTtl) r.type = op::kCreate2;
    }
  }
  publish(s, out, zxid);
  ++nextZxid;
  out.txn = std::move(txn);
  return out;
}

void RequestPreparer::publish(Scratch& s, Prepared& out, int64_t zxid) {
  for (auto& [path, e] : s.changes) overlay_.put(path, std::move(e));
  for (const auto& [stats, d] : s.quota) overlay_.addQuotaDelta(stats, d.first, d.second, zxid);
}

Prepared RequestPreparer::createSession(int64_t sessionId, int32_t timeoutMs,
                                        const std::string& password, int64_t& nextZxid,
                                        int64_t nowMs) {
  Prepared out;
  graph::Txn txn;
  txn.zxid = nextZxid++;
  txn.time = nowMs;
  txn.sessionId = sessionId;
  txn.type = op::kCreateSession;
  txn.ops.push_back(graph::CreateSessionOp{sessionId, timeoutMs, password});
  out.txn = std::move(txn);
  out.results.resize(1);
  out.results[0].type = op::kCreateSession;
  return out;
}

Prepared RequestPreparer::closeSession(const graph::Snapshot& snap, int64_t sessionId,
                                       int64_t& nextZxid, int64_t nowMs, int32_t cxid) {
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
  std::vector<graph::TxnOp> quota;
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
    quotaOps(s, path, -1, -int64_t(node->stat.dataLength), quota);
    deleted.push_back(path);
  }
  graph::Txn txn;
  txn.zxid = zxid;
  txn.time = nowMs;
  txn.sessionId = sessionId;
  txn.cxid = cxid;
  txn.type = op::kCloseSession;
  txn.ops.push_back(graph::CloseSessionOp{sessionId, std::move(deleted)});
  for (auto& q : quota) txn.ops.push_back(std::move(q));
  publish(s, out, zxid);
  ++nextZxid;
  out.txn = std::move(txn);
  out.results.resize(1);
  out.results[0].type = op::kCloseSession;
  return out;
}

Prepared RequestPreparer::deleteContainer(const graph::Snapshot& snap, const std::string& path,
                                          int64_t& nextZxid, int64_t nowMs,
                                          const ContainerPolicy& policy) {
  Prepared out;
  out.results.resize(1);
  out.results[0].type = op::kDeleteContainer;
  int64_t zxid = nextZxid;
  Scratch s{snap, overlay_, {}};
  auto fail = [&](int32_t e) {
    out.err = e;
    out.results[0].err = e;
    return out;
  };
  size_t lastSlash = path.rfind('/');
  if (lastSlash == std::string::npos || path.find('\0') != std::string::npos ||
      isSpecialPath(path)) {
    return fail(err::kBadArguments);
  }
  auto node = s.lookup(path);
  if (!node) return fail(err::kNoNode);
  if (node->stat.numChildren > 0) return fail(err::kNotEmpty);
  // ZooKeeper refuses a real ephemeral (BADVERSION); here only what the manager may reap goes.
  if (!graph::isContainerOwner(node->stat.ephemeralOwner) &&
      !graph::isTtlOwner(node->stat.ephemeralOwner)) {
    return fail(err::kBadVersion);
  }
  if (!dueForDeletion(node->stat, nowMs, policy)) return fail(err::kBadVersion);
  std::string parentPath = parentOf(path);
  auto parent = s.lookup(parentPath);
  if (!parent) return fail(err::kNoNode);
  parent->stat.cversion += 1;
  parent->stat.numChildren -= 1;
  parent->stat.pzxid = zxid;
  s.put(parentPath, *parent, zxid);
  s.erase(path, *node, zxid);
  graph::Txn txn;
  txn.zxid = zxid;
  txn.time = nowMs;
  txn.sessionId = 0;  // the server's own request
  txn.type = op::kDeleteContainer;
  txn.ops.push_back(graph::DeleteOp{path});
  quotaOps(s, path, -1, -int64_t(node->stat.dataLength), txn.ops);
  publish(s, out, zxid);
  ++nextZxid;
  out.txn = std::move(txn);
  return out;
}

}  // namespace gk::engine
