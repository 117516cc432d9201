// The store's named LMDB databases and meta keys, and the lookups both the writer and the
// read snapshots need. Schema version 1:
//   tree          treeKey(path) -> NodeHeader + data
//   acls          aclId (BE)   -> refcount + encoded AclList
//   acl_by_value  encoded AclList (cut to the key limit; DUPSORT) -> aclId (BE);
//                 lists longer than a key share a key and are told apart via `acls`
//   sessions      sessionId (BE) -> timeoutMs + password
//   ephemerals    sessionId (BE) + path -> ""   (real ephemerals only: owner is a session)
//   containers_ttls  path -> ""   the containers and TTL nodes, so that the container manager
//                 finds its candidates without walking the tree. Added after version 1 shipped
//                 without containers, so a version 1 store simply gets it empty.
//   meta          "last_zxid" -> i64, "schema_version" -> i64, "next_acl_id" -> u64
//   g_*           the materialized graph, see graph_schema.h (added like containers_ttls)
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <string_view>

#include "graph/graph_schema.h"
#include "graph/lmdb.h"
#include "graph/record_codec.h"
#include "graph/store_keys.h"

namespace gk::graph {

inline constexpr int64_t kSchemaVersion = 1;
inline constexpr std::string_view kMetaLastZxid = "last_zxid";
inline constexpr std::string_view kMetaSchemaVersion = "schema_version";
inline constexpr std::string_view kMetaNextAclId = "next_acl_id";

struct StoreDbs {
  MDB_dbi tree = 0;
  MDB_dbi acls = 0;
  MDB_dbi aclByValue = 0;
  MDB_dbi sessions = 0;
  MDB_dbi ephemerals = 0;
  MDB_dbi containersTtls = 0;
  MDB_dbi meta = 0;
  GraphDbs graph;  // the materialized graph (graph_schema.h)
  size_t maxKeyBytes = kMaxKeyBytes;  // mdb_env_get_maxkeysize
};

// The value stored under `key`, or false when absent; other LMDB errors throw.
inline bool lmdbGet(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view& value,
                    std::string_view what) {
  MDB_val k = lmdb::val(key), v;
  int rc = mdb_get(txn, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return false;
  lmdb::check(rc, what);
  value = lmdb::view(v);
  return true;
}

inline int64_t readMetaInt(MDB_txn* txn, const StoreDbs& dbs, std::string_view key,
                           int64_t absent) {
  std::string_view v;
  if (!lmdbGet(txn, dbs.meta, key, v, "mdb_get meta")) return absent;
  if (v.size() != 8) throw StoreError("corrupt meta entry " + std::string(key));
  return loadLE<int64_t>(v.data());
}

inline void writeMetaInt(MDB_txn* txn, const StoreDbs& dbs, std::string_view key, int64_t value) {
  char b[8];
  storeLE(b, value);
  MDB_val k = lmdb::val(key), v{8, b};
  lmdb::check(mdb_put(txn, dbs.meta, &k, &v, 0), "mdb_put meta");
}

// The ACL list stored under `aclId`.
inline AclList readAcl(MDB_txn* txn, const StoreDbs& dbs, uint64_t aclId) {
  std::string_view v, encoded;
  uint64_t refs = 0;
  AclList acl;
  if (!lmdbGet(txn, dbs.acls, idKey(aclId).view(), v, "mdb_get acls") ||
      !readAclEntry(v, refs, encoded) || !decodeAclList(encoded, acl))
    throw StoreError("missing or corrupt acls entry " + std::to_string(aclId));
  return acl;
}

}  // namespace gk::graph
