// StoreWriter: Txn ops -> LMDB puts/deletes (see store_writer.h).
//
// Values are never written from pointers into LMDB pages: a put may move or free the page a
// previous get pointed into, so anything re-written is first copied into one of our buffers
// (or comes from the op itself). New values are laid out in place via MDB_RESERVE.
#include "graph/store_writer.h"

#include <charconv>
#include <climits>
#include <cstring>

#include "graph/stats_track.h"

namespace gk::graph {

void StoreWriter::check(int rc, std::string_view call) {
  if (rc == MDB_SUCCESS) return;
  std::string why(call);
  why += ": ";
  why += mdb_strerror(rc);
  fail(why);
}

void StoreWriter::fail(std::string_view why) {
  char hex[32];
  auto [end, ec] = std::to_chars(hex, hex + sizeof hex, static_cast<uint64_t>(zxid_), 16);
  std::string msg = "apply zxid 0x";
  msg.append(hex, end);
  msg += ": ";
  msg += opName_;
  if (!opPath_.empty()) {
    msg += ' ';
    msg += opPath_;
  }
  msg += ": ";
  msg += why;
  throw StoreError(msg);
}

KeyBuf StoreWriter::nodeKey(std::string_view path) {
  if (!isValidPath(path)) fail("malformed path");
  KeyBuf key = treeKey(path);
  if (!key.ok() || key.view().size() > dbs_.maxKeyBytes) fail("path too long for the store");
  return key;
}

void StoreWriter::putNode(std::string_view path, const NodeHeader& header, std::string_view data,
                          unsigned flags) {
  KeyBuf key = nodeKey(path);
  MDB_val k = key.val();
  MDB_val v{kNodeHeaderBytes + data.size(), nullptr};
  int rc = mdb_put(txn_, dbs_.tree, &k, &v, flags | MDB_RESERVE);
  if (rc == MDB_KEYEXIST) fail("node already exists");
  check(rc, "mdb_put tree");
  char* out = static_cast<char*>(v.mv_data);
  writeNodeHeader(header, out);
  if (!data.empty()) std::memcpy(out + kNodeHeaderBytes, data.data(), data.size());
}

void StoreWriter::noteEvent(NodeEvent type, std::string_view path, const AclList& acl) {
  if (outcome_) outcome_->events.push_back(TxnEvent{type, std::string(path), acl});
}

void StoreWriter::noteEvent(NodeEvent type, std::string_view path, uint64_t aclId) {
  if (!outcome_) return;
  auto it = aclCache_.find(aclId);
  if (it == aclCache_.end()) it = aclCache_.emplace(aclId, readAcl(txn_, dbs_, aclId)).first;
  noteEvent(type, path, it->second);
}

void StoreWriter::noteStat(const Stat& stat) {
  if (outcome_) outcome_->opStats[opIndex_] = stat;
}

uint64_t StoreWriter::touchParent(std::string_view childPath, int delta) {
  std::string_view parent = parentPath(childPath);
  std::string_view value, data;
  NodeHeader h;
  if (!lmdbGet(txn_, dbs_.tree, nodeKey(parent).view(), value, "mdb_get tree"))
    fail("parent " + std::string(parent) + " does not exist");
  if (!readNodeValue(value, h, data)) fail("corrupt record of parent " + std::string(parent));
  if (!data.empty()) {
    parentValue_.assign(data);
    data = parentValue_;
  }
  h.stat.numChildren += delta;
  h.stat.cversion += 1;
  h.stat.pzxid = zxid_;
  if (delta > 0) h.childSeq += 1;
  putNode(parent, h, data, 0);
  return h.aclId;
}

void StoreWriter::create(const CreateOp& op) {
  if (op.path == "/") fail("node already exists");
  if (op.data.size() > static_cast<size_t>(INT32_MAX)) fail("data too large");
  NodeHeader h;
  h.stat.czxid = h.stat.mzxid = h.stat.pzxid = zxid_;
  h.stat.ctime = h.stat.mtime = time_;
  h.stat.ephemeralOwner = op.ephemeralOwner;
  h.stat.dataLength = static_cast<int32_t>(op.data.size());
  h.dataNull = op.dataNull;
  h.aclId = acquireAcl(op.acl);
  putNode(op.path, h, op.data, MDB_NOOVERWRITE);
  uint64_t parentAcl = touchParent(op.path, +1);
  noteStat(h.stat);
  // DataTree.createNode: NodeCreated at the node, then NodeChildrenChanged at its parent.
  noteEvent(NodeEvent::Created, op.path, op.acl);
  noteEvent(NodeEvent::ChildrenChanged, parentPath(op.path), parentAcl);
  if (isSessionOwner(op.ephemeralOwner)) {
    KeyBuf key = ephemeralKey(op.ephemeralOwner, op.path);
    if (!key.ok()) fail("path too long for the ephemeral index");
    MDB_val k = key.val(), v{0, nullptr};
    check(mdb_put(txn_, dbs_.ephemerals, &k, &v, 0), "mdb_put ephemerals");
  } else if (op.ephemeralOwner != 0) {
    // A container or TTL node: no session owns it; the container manager looks here.
    MDB_val k = lmdb::val(op.path), v{0, nullptr};
    check(mdb_put(txn_, dbs_.containersTtls, &k, &v, 0), "mdb_put containers_ttls");
  }
  projector_.changed(txn_, op.path);
}

void StoreWriter::remove(std::string_view path) {
  if (path == "/") fail("cannot delete /");
  KeyBuf key = nodeKey(path);
  std::string_view value, data;
  NodeHeader h;
  if (!lmdbGet(txn_, dbs_.tree, key.view(), value, "mdb_get tree")) fail("node does not exist");
  if (!readNodeValue(value, h, data)) fail("corrupt node record");
  if (h.stat.numChildren != 0)
    fail("node has " + std::to_string(h.stat.numChildren) + " children");
  MDB_val k = key.val();
  check(mdb_del(txn_, dbs_.tree, &k, nullptr), "mdb_del tree");
  noteEvent(NodeEvent::Deleted, path, h.aclId);  // its last ACL: read before it is released
  releaseAcl(h.aclId);
  if (isSessionOwner(h.stat.ephemeralOwner)) {
    KeyBuf ekey = ephemeralKey(h.stat.ephemeralOwner, path);
    MDB_val ek = ekey.val();
    int rc = ekey.ok() ? mdb_del(txn_, dbs_.ephemerals, &ek, nullptr) : MDB_NOTFOUND;
    if (rc != MDB_NOTFOUND) check(rc, "mdb_del ephemerals");
  } else if (h.stat.ephemeralOwner != 0) {
    MDB_val k = lmdb::val(path);
    int rc = mdb_del(txn_, dbs_.containersTtls, &k, nullptr);
    if (rc != MDB_NOTFOUND) check(rc, "mdb_del containers_ttls");
  }
  uint64_t parentAcl = touchParent(path, -1);
  noteEvent(NodeEvent::ChildrenChanged, parentPath(path), parentAcl);
  projector_.changed(txn_, path);
}

void StoreWriter::setData(const SetDataOp& op) {
  if (op.data.size() > static_cast<size_t>(INT32_MAX)) fail("data too large");
  std::string_view value, data;
  NodeHeader h;
  if (!lmdbGet(txn_, dbs_.tree, nodeKey(op.path).view(), value, "mdb_get tree"))
    fail("node does not exist");
  if (!readNodeValue(value, h, data)) fail("corrupt node record");
  h.stat.version = op.newVersion;
  h.stat.mzxid = zxid_;
  h.stat.mtime = time_;
  h.stat.dataLength = static_cast<int32_t>(op.data.size());
  h.dataNull = op.dataNull;
  putNode(op.path, h, op.data, 0);
  noteStat(h.stat);
  noteEvent(NodeEvent::DataChanged, op.path, h.aclId);
  projector_.changed(txn_, op.path);
}

void StoreWriter::setAcl(const SetAclOp& op) {
  std::string_view value, data;
  NodeHeader h;
  if (!lmdbGet(txn_, dbs_.tree, nodeKey(op.path).view(), value, "mdb_get tree"))
    fail("node does not exist");
  if (!readNodeValue(value, h, data)) fail("corrupt node record");
  nodeValue_.assign(data);  // the ACL puts below may move the page `data` points into
  // Acquire before release: re-setting the same list must not drop its entry on the way.
  uint64_t oldAcl = h.aclId;
  h.aclId = acquireAcl(op.acl);
  releaseAcl(oldAcl);
  h.stat.aversion = op.newAversion;
  putNode(op.path, h, nodeValue_, 0);
  noteStat(h.stat);
}

void StoreWriter::createSession(const CreateSessionOp& op) {
  KeyBuf key = idKey(static_cast<uint64_t>(op.sessionId));
  MDB_val k = key.val();
  MDB_val v{4 + op.password.size(), nullptr};
  check(mdb_put(txn_, dbs_.sessions, &k, &v, MDB_RESERVE), "mdb_put sessions");
  char* out = static_cast<char*>(v.mv_data);
  storeLE(out, op.timeoutMs);
  if (!op.password.empty()) std::memcpy(out + 4, op.password.data(), op.password.size());
}

void StoreWriter::closeSession(const CloseSessionOp& op) {
  for (const std::string& path : op.ephemerals) {
    opPath_ = path;
    std::string_view value, data;
    NodeHeader h;
    if (!lmdbGet(txn_, dbs_.tree, nodeKey(path).view(), value, "mdb_get tree")) continue;
    if (!readNodeValue(value, h, data)) fail("corrupt node record");
    // A listed path now owned by someone else is not this session's to delete.
    if (h.stat.ephemeralOwner != op.sessionId) continue;
    remove(path);
  }
  opPath_ = {};
  KeyBuf key = idKey(static_cast<uint64_t>(op.sessionId));
  MDB_val k = key.val();
  int rc = mdb_del(txn_, dbs_.sessions, &k, nullptr);
  if (rc != MDB_NOTFOUND) check(rc, "mdb_del sessions");
}

// Rewrites a stats node's data only: version, mzxid and mtime stay (ZooKeeper changes
// DataNode.data in place), dataLength follows the new text.
void StoreWriter::putStatsText(std::string_view path, NodeHeader h, const std::string& text) {
  h.stat.dataLength = static_cast<int32_t>(text.size());
  h.dataNull = false;
  putNode(path, h, text, 0);
  projector_.changed(txn_, path);
}

void StoreWriter::updateQuotaStats(const UpdateQuotaStatsOp& op) {
  std::string_view value, data;
  NodeHeader h;
  KeyBuf key = nodeKey(op.path);
  // No stats node (not created yet, or deleted by a client): ZooKeeper logs and goes on.
  if (!lmdbGet(txn_, dbs_.tree, key.view(), value, "mdb_get tree")) return;
  if (!readNodeValue(value, h, data)) fail("corrupt node record");
  StatsTrack stats(data);
  // Java longs wrap; so do these (no undefined behaviour on absurd stored values).
  stats.setCount(static_cast<int64_t>(static_cast<uint64_t>(stats.count()) +
                                      static_cast<uint64_t>(op.countDelta)));
  stats.setBytes(static_cast<int64_t>(static_cast<uint64_t>(stats.bytes()) +
                                      static_cast<uint64_t>(op.bytesDelta)));
  nodeValue_ = stats.toString();
  putStatsText(op.path, h, nodeValue_);
}

void StoreWriter::recountQuotaStats(const RecountQuotaStatsOp& op) {
  std::string_view value, data;
  NodeHeader h;
  if (!lmdbGet(txn_, dbs_.tree, nodeKey(op.path).view(), value, "mdb_get tree")) return;
  if (!readNodeValue(value, h, data)) fail("corrupt node record");
  int64_t count = 0, bytes = 0;
  auto add = [&](std::string_view nodeValue) {
    NodeHeader nh;
    std::string_view nd;
    if (!readNodeValue(nodeValue, nh, nd)) fail("corrupt node record in quota subtree");
    count += 1;
    bytes += nh.stat.dataLength;
  };
  if (isValidPath(op.subtree) && op.subtree != "/") {
    std::string_view nodeValue;
    KeyBuf rootKey = treeKey(op.subtree);
    if (rootKey.ok() && lmdbGet(txn_, dbs_.tree, rootKey.view(), nodeValue, "mdb_get tree")) {
      add(nodeValue);
      // The children are the keys `subtree \0 name`, deeper nodes have parents `subtree/...`.
      for (char sep : {'\0', '/'}) {
        std::string p = op.subtree;
        p += sep;
        lmdb::Cursor cursor(txn_, dbs_.tree);
        MDB_val k = lmdb::val(p), v;
        for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc != MDB_NOTFOUND;
             rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
          check(rc, "mdb_cursor_get tree");
          if (!lmdb::view(k).starts_with(p)) break;
          add(lmdb::view(v));
        }
      }
    }
  }
  StatsTrack stats;
  stats.setCount(count);
  stats.setBytes(bytes);
  nodeValue_ = stats.toString();
  putStatsText(op.path, h, nodeValue_);  // `h` is a copy, the text our own buffer
}

uint64_t StoreWriter::acquireAcl(const AclList& acl) {
  aclList_.clear();
  ByteWriter w(aclList_);
  appendAclList(w, acl);
  std::string_view byValue = std::string_view(aclList_).substr(0, dbs_.maxKeyBytes);
  bool exactKey = byValue.size() == aclList_.size();

  uint64_t id = 0;
  std::string_view entry, encoded;
  uint64_t refs = 0;
  if (exactKey) {
    std::string_view idBytes;
    if (lmdbGet(txn_, dbs_.aclByValue, byValue, idBytes, "mdb_get acl_by_value")) {
      if (idBytes.size() != 8) fail("corrupt acl_by_value entry");
      id = loadBE64(idBytes.data());
      if (!lmdbGet(txn_, dbs_.acls, idKey(id).view(), entry, "mdb_get acls") ||
          !readAclEntry(entry, refs, encoded))
        fail("missing acls entry " + std::to_string(id));
    }
  } else {
    // A list longer than a key: candidates share the cut key; compare the stored lists.
    lmdb::Cursor cursor(txn_, dbs_.aclByValue);
    MDB_val k = lmdb::val(byValue), v;
    for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_KEY); rc != MDB_NOTFOUND;
         rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT_DUP)) {
      check(rc, "mdb_cursor_get acl_by_value");
      if (v.mv_size != 8) fail("corrupt acl_by_value entry");
      uint64_t candidate = loadBE64(static_cast<const char*>(v.mv_data));
      if (!lmdbGet(txn_, dbs_.acls, idKey(candidate).view(), entry, "mdb_get acls") ||
          !readAclEntry(entry, refs, encoded))
        fail("missing acls entry " + std::to_string(candidate));
      if (encoded == aclList_) {
        id = candidate;
        break;
      }
    }
  }

  KeyBuf idk = idKey(id);
  MDB_val k = idk.val();
  if (id != 0) {
    aclValue_.assign(entry);
    storeLE(aclValue_.data(), refs + 1);
    MDB_val v = lmdb::val(aclValue_);
    check(mdb_put(txn_, dbs_.acls, &k, &v, 0), "mdb_put acls");
    return id;
  }

  id = static_cast<uint64_t>(readMetaInt(txn_, dbs_, kMetaNextAclId, 1));
  writeMetaInt(txn_, dbs_, kMetaNextAclId, static_cast<int64_t>(id + 1));
  idk = idKey(id);
  k = idk.val();
  aclValue_.assign(kAclRefBytes, '\0');
  storeLE(aclValue_.data(), uint64_t{1});
  aclValue_ += aclList_;
  MDB_val v = lmdb::val(aclValue_);
  check(mdb_put(txn_, dbs_.acls, &k, &v, MDB_NOOVERWRITE), "mdb_put acls");
  MDB_val bk = lmdb::val(byValue);
  check(mdb_put(txn_, dbs_.aclByValue, &bk, &k, 0), "mdb_put acl_by_value");
  return id;
}

void StoreWriter::releaseAcl(uint64_t aclId) {
  KeyBuf idk = idKey(aclId);
  std::string_view entry, encoded;
  uint64_t refs = 0;
  if (!lmdbGet(txn_, dbs_.acls, idk.view(), entry, "mdb_get acls") ||
      !readAclEntry(entry, refs, encoded) || refs == 0)
    fail("missing acls entry " + std::to_string(aclId));
  aclValue_.assign(entry);
  MDB_val k = idk.val();
  if (refs > 1) {
    storeLE(aclValue_.data(), refs - 1);
    MDB_val v = lmdb::val(aclValue_);
    check(mdb_put(txn_, dbs_.acls, &k, &v, 0), "mdb_put acls");
    return;
  }
  check(mdb_del(txn_, dbs_.acls, &k, nullptr), "mdb_del acls");
  std::string_view byValue = std::string_view(aclValue_).substr(kAclRefBytes, dbs_.maxKeyBytes);
  MDB_val bk = lmdb::val(byValue);
  check(mdb_del(txn_, dbs_.aclByValue, &bk, &k), "mdb_del acl_by_value");
}

void StoreWriter::apply(MDB_txn* txn, const Txn& t, TxnOutcome* outcome) {
  txn_ = txn;
  zxid_ = t.zxid;
  time_ = t.time;
  outcome_ = outcome;
  if (outcome_) {
    outcome_->opStats.assign(t.ops.size(), Stat{});
    outcome_->events.clear();
  }
  projector_.beginTxn(txn);
  for (opIndex_ = 0; opIndex_ < t.ops.size(); ++opIndex_) {
    const TxnOp& op = t.ops[opIndex_];
    std::visit(
        [this](const auto& o) {
          using T = std::decay_t<decltype(o)>;
          if constexpr (std::is_same_v<T, CreateOp>) {
            opName_ = "create";
            opPath_ = o.path;
            create(o);
          } else if constexpr (std::is_same_v<T, DeleteOp>) {
            opName_ = "delete";
            opPath_ = o.path;
            remove(o.path);
          } else if constexpr (std::is_same_v<T, SetDataOp>) {
            opName_ = "setData";
            opPath_ = o.path;
            setData(o);
          } else if constexpr (std::is_same_v<T, SetAclOp>) {
            opName_ = "setAcl";
            opPath_ = o.path;
            setAcl(o);
          } else if constexpr (std::is_same_v<T, CreateSessionOp>) {
            opName_ = "createSession";
            opPath_ = {};
            createSession(o);
          } else if constexpr (std::is_same_v<T, UpdateQuotaStatsOp>) {
            opName_ = "updateQuotaStats";
            opPath_ = o.path;
            updateQuotaStats(o);
          } else if constexpr (std::is_same_v<T, RecountQuotaStatsOp>) {
            opName_ = "recountQuotaStats";
            opPath_ = o.path;
            recountQuotaStats(o);
          } else if constexpr (std::is_same_v<T, CheckOp>) {
            // Checked when prepared (every server applies the same txns); nothing to change.
          } else {
            static_assert(std::is_same_v<T, CloseSessionOp>);
            opName_ = "closeSession";
            opPath_ = {};
            closeSession(o);
          }
        },
        op);
  }
  outcome_ = nullptr;
}

void StoreWriter::bootstrap(MDB_txn* txn) {
  txn_ = txn;
  zxid_ = 0;
  time_ = 0;
  opName_ = "bootstrap";
  opPath_ = {};
  const AclList worldAnyone{Acl{31, "world", "anyone"}};  // ZooDefs.Ids.OPEN_ACL_UNSAFE
  // /zookeeper/config is read-only to clients (ZooDefs.Ids.READ_ACL_UNSAFE), as in 3.5+.
  const AclList worldRead{Acl{1, "world", "anyone"}};
  // Stats as a fresh ZooKeeper shows them: everything zero but numChildren.
  struct Initial {
    std::string_view path;
    int32_t numChildren;
    const AclList& acl;
  };
  for (const Initial& n :
       {Initial{"/", 1, worldAnyone}, Initial{"/zookeeper", 2, worldAnyone},
        Initial{"/zookeeper/config", 0, worldRead}, Initial{"/zookeeper/quota", 0, worldAnyone}}) {
    opPath_ = n.path;
    NodeHeader h;
    h.stat.numChildren = n.numChildren;
    h.aclId = acquireAcl(n.acl);
    putNode(n.path, h, {}, MDB_NOOVERWRITE);
  }
}

void StoreWriter::openGraph(MDB_txn* txn, bool rebuild) {
  txn_ = txn;
  opName_ = "openGraph";
  opPath_ = {};
  projector_.open(txn, rebuild);
}

}  // namespace gk::graph
