// ZnodeStore over LMDB: opening (and bootstrapping) the environment, the batch write path
// and the Snapshot read views. Record and key layouts live in store_schema.h; the per-op
// write logic in store_writer.cc.
#include "graph/znode_store.h"

#include <lmdb.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "graph/file_headroom.h"
#include "graph/lmdb.h"
#include "graph/record_codec.h"
#include "graph/store_keys.h"
#include "graph/store_schema.h"
#include "graph/store_writer.h"

namespace gk::graph {

namespace {

// The store's own 7 databases, the graph's (graph_schema.h), and room to grow.
constexpr unsigned kMaxDbs = 8 + kGraphDbCount + 8;
// Every live Snapshot holds a reader slot; LMDB's default of 126 is too few for a server
// that keeps one per in-flight read on several threads.
constexpr unsigned kMaxReaders = 1024;

void openDbs(MDB_env* env, const StoreOptions& options, StoreDbs& dbs, StoreWriter& writer) {
  const std::string& dir = options.dir;
  const bool ro = options.readOnly;
  lmdb::check(mdb_env_set_maxdbs(env, kMaxDbs), "mdb_env_set_maxdbs");
  lmdb::check(mdb_env_set_maxreaders(env, kMaxReaders), "mdb_env_set_maxreaders");
  lmdb::check(mdb_env_set_mapsize(env, options.mapSizeBytes), "mdb_env_set_mapsize");
  unsigned flags = MDB_NOTLS | (ro ? MDB_RDONLY : 0u) | (options.sync ? 0u : MDB_NOSYNC) |
                   (options.sync && options.walBacked ? MDB_NOMETASYNC : 0u);
  // 0600: session passwords live here.
  lmdb::check(mdb_env_open(env, dir.c_str(), flags, 0600), "cannot open store " + dir);

  int maxKey = mdb_env_get_maxkeysize(env);
  if (maxKey < static_cast<int>(ZnodeStore::kMaxPathBytes + 8))
    throw StoreError("liblmdb's key size limit (" + std::to_string(maxKey) + ") is too small");
  dbs.maxKeyBytes = std::min(static_cast<size_t>(maxKey), kMaxKeyBytes);

  lmdb::Txn txn(env, ro ? MDB_RDONLY : 0u, "store " + dir + ": mdb_txn_begin");
  auto openDb = [&](const char* name, unsigned extra, MDB_dbi& dbi) {
    int rc = mdb_dbi_open(txn.get(), name, (ro ? 0u : MDB_CREATE) | extra, &dbi);
    if (rc == MDB_NOTFOUND)
      throw StoreError("store " + dir + " is not initialized (no database '" + name + "')");
    lmdb::check(rc, "store " + dir + ": mdb_dbi_open " + name);
  };
  openDb("tree", 0, dbs.tree);
  openDb("acls", 0, dbs.acls);
  openDb("acl_by_value", MDB_DUPSORT | MDB_DUPFIXED, dbs.aclByValue);
  openDb("sessions", 0, dbs.sessions);
  openDb("ephemerals", 0, dbs.ephemerals);
  if (ro) {
    // A read-only view of a store written before containers existed: no such db, none held.
    int rc = mdb_dbi_open(txn.get(), "containers_ttls", 0, &dbs.containersTtls);
    if (rc == MDB_NOTFOUND) {
      dbs.containersTtls = 0;
    } else {
      lmdb::check(rc, "store " + dir + ": mdb_dbi_open containers_ttls");
    }
  } else {
    openDb("containers_ttls", 0, dbs.containersTtls);
  }
  openDb("meta", 0, dbs.meta);
  openGraphDbs(txn.get(), ro, dbs.graph);

  int64_t version = readMetaInt(txn.get(), dbs, kMetaSchemaVersion, 0);
  if (version == 0) {
    if (ro) throw StoreError("store " + dir + " is not initialized");
    writer.bootstrap(txn.get());
    writeMetaInt(txn.get(), dbs, kMetaSchemaVersion, kSchemaVersion);
    writeMetaInt(txn.get(), dbs, kMetaLastZxid, 0);
  } else if (version != kSchemaVersion) {
    throw StoreError("store " + dir + " has schema version " + std::to_string(version) +
                     ", this build reads " + std::to_string(kSchemaVersion));
  }
  // Brings the materialized graph up to date (built when absent or from an older version).
  if (!ro) writer.openGraph(txn.get(), options.rebuildGraph);
  // Committing (even a read txn) keeps the dbi handles for every later txn.
  txn.commit("store " + dir + ": mdb_txn_commit");
}

NodeHeader nodeHeader(std::string_view value, std::string_view path, std::string_view& data) {
  NodeHeader h;
  if (!readNodeValue(value, h, data)) throw StoreError("corrupt node record " + std::string(path));
  return h;
}

}  // namespace

struct ZnodeStore::Dbs {
  StoreDbs dbi;
  StoreWriter writer{dbi};  // the single writer's reusable state
  // With a write-ahead log: zeros written ahead of LMDB so a commit's fdatasync seldom needs
  // a journal commit (file_headroom.h). Null otherwise.
  std::unique_ptr<FileHeadroom> headroom;
  uint64_t pageBytes = 4096;
};

// ---- ZnodeStore ----

std::unique_ptr<ZnodeStore> ZnodeStore::open(const StoreOptions& options) {
  return std::unique_ptr<ZnodeStore>(new ZnodeStore(options));
}

ZnodeStore::ZnodeStore(const StoreOptions& options)
    : options_(options), dbs_(std::make_unique<Dbs>()) {
  namespace fs = std::filesystem;
  if (options_.dir.empty()) throw StoreError("store directory not set");
  std::error_code ec;
  if (options_.readOnly) {
    if (!fs::exists(fs::path(options_.dir) / "data.mdb", ec))
      throw StoreError("no store at " + options_.dir + " (data.mdb missing)");
  } else {
    fs::create_directories(options_.dir, ec);
    if (ec) throw StoreError("cannot create store directory " + options_.dir + ": " + ec.message());
  }
  lmdb::check(mdb_env_create(&env_), "mdb_env_create");
  try {
    openDbs(env_, options_, dbs_->dbi, dbs_->writer);
    if (!options_.readOnly && options_.sync && options_.walBacked) {
      MDB_stat st;
      lmdb::check(mdb_env_stat(env_, &st), "mdb_env_stat");
      dbs_->pageBytes = st.ms_psize;
      dbs_->headroom = std::make_unique<FileHeadroom>(options_.dir + "/data.mdb",
                                                      uint64_t(8) << 20);
    }
  } catch (...) {
    mdb_env_close(env_);
    env_ = nullptr;
    throw;
  }
}

ZnodeStore::~ZnodeStore() {
  if (env_) mdb_env_close(env_);
}

Snapshot ZnodeStore::snapshot() const {
  lmdb::Txn txn(env_, MDB_RDONLY, "snapshot: mdb_txn_begin");
  return Snapshot(this, txn.release());
}

void ZnodeStore::apply(const std::vector<Txn>& batch, std::vector<TxnOutcome>* outcomes,
                       const std::function<void()>& beforeCommit) {
  if (options_.readOnly) throw StoreError("apply: store " + options_.dir + " is open read-only");
  lmdb::Txn txn(env_, 0, "apply: mdb_txn_begin");
  const StoreDbs& dbs = dbs_->dbi;
  int64_t last = readMetaInt(txn.get(), dbs, kMetaLastZxid, 0);
  bool changed = false;
  if (outcomes) outcomes->assign(batch.size(), TxnOutcome{});
  dbs_->writer.beginBatch();
  for (size_t i = 0; i < batch.size(); ++i) {
    const Txn& t = batch[i];
    if (t.zxid <= last) continue;  // a replay: already applied
    dbs_->writer.apply(txn.get(), t, outcomes ? &(*outcomes)[i] : nullptr);
    last = t.zxid;
    changed = true;
  }
  if (!changed) return;  // nothing new; the txn aborts
  writeMetaInt(txn.get(), dbs, kMetaLastZxid, last);
  if (beforeCommit) beforeCommit();
  txn.commit("apply: mdb_txn_commit");
  if (dbs_->headroom) {
    MDB_envinfo info;
    lmdb::check(mdb_env_info(env_, &info), "mdb_env_info");
    dbs_->headroom->ensure((uint64_t(info.me_last_pgno) + 1) * dbs_->pageBytes);
  }
}

int64_t ZnodeStore::checkpoint() {
  int64_t last;
  {
    lmdb::Txn txn(env_, MDB_RDONLY, "checkpoint: mdb_txn_begin");
    last = readMetaInt(txn.get(), dbs_->dbi, kMetaLastZxid, 0);
  }
  // Read before the sync, on the writer's thread: every commit up to `last` is covered.
  if (!options_.readOnly) lmdb::check(mdb_env_sync(env_, 1), "checkpoint: mdb_env_sync");
  return last;
}

uint64_t ZnodeStore::diskBytes() const {
  std::error_code ec;
  auto size = std::filesystem::file_size(std::filesystem::path(options_.dir) / "data.mdb", ec);
  return ec ? 0 : static_cast<uint64_t>(size);
}

// ---- Snapshot ----

Snapshot::Snapshot(Snapshot&& o) noexcept
    : store_(std::exchange(o.store_, nullptr)), txn_(std::exchange(o.txn_, nullptr)) {}

Snapshot& Snapshot::operator=(Snapshot&& o) noexcept {
  if (this != &o) {
    if (txn_) mdb_txn_abort(txn_);
    store_ = std::exchange(o.store_, nullptr);
    txn_ = std::exchange(o.txn_, nullptr);
  }
  return *this;
}

Snapshot::~Snapshot() {
  if (txn_) mdb_txn_abort(txn_);
}

void Snapshot::refresh() {
  mdb_txn_reset(txn_);
  lmdb::check(mdb_txn_renew(txn_), "snapshot refresh: mdb_txn_renew");
}

int64_t Snapshot::lastZxid() const {
  return readMetaInt(txn_, store_->dbs_->dbi, kMetaLastZxid, 0);
}

std::optional<Stat> Snapshot::stat(std::string_view path) const {
  Stat s;
  std::string_view data;
  if (!getData(path, s, data)) return std::nullopt;
  return s;
}

bool Snapshot::getData(std::string_view path, Stat& stat, std::string_view& data,
                       bool* dataNull) const {
  if (!isValidPath(path)) return false;
  KeyBuf key = treeKey(path);
  std::string_view value;
  if (!key.ok() || !lmdbGet(txn_, store_->dbs_->dbi.tree, key.view(), value, "mdb_get tree"))
    return false;
  NodeHeader h = nodeHeader(value, path, data);
  stat = h.stat;
  if (dataNull) *dataNull = h.dataNull;
  return true;
}

bool Snapshot::node(std::string_view path, NodeView& out) const {
  if (!isValidPath(path)) return false;
  KeyBuf key = treeKey(path);
  std::string_view value;
  if (!key.ok() || !lmdbGet(txn_, store_->dbs_->dbi.tree, key.view(), value, "mdb_get tree"))
    return false;
  NodeHeader h = nodeHeader(value, path, out.data);
  out.stat = h.stat;
  out.dataNull = h.dataNull;
  out.childSeq = h.childSeq;
  out.aclId = h.aclId;
  return true;
}

AclList Snapshot::acl(uint64_t aclId) const { return readAcl(txn_, store_->dbs_->dbi, aclId); }

std::optional<ZnodeMeta> Snapshot::meta(std::string_view path) const {
  if (!isValidPath(path)) return std::nullopt;
  const StoreDbs& dbs = store_->dbs_->dbi;
  KeyBuf key = treeKey(path);
  std::string_view value, data;
  if (!key.ok() || !lmdbGet(txn_, dbs.tree, key.view(), value, "mdb_get tree"))
    return std::nullopt;
  NodeHeader h = nodeHeader(value, path, data);
  ZnodeMeta m;
  m.stat = h.stat;
  m.childSeq = h.childSeq;
  m.acl = readAcl(txn_, dbs, h.aclId);
  return m;
}

std::vector<std::string> Snapshot::children(std::string_view path) const {
  std::vector<std::string> names;
  if (!isValidPath(path)) return names;
  KeyBuf prefix = childPrefix(path);
  if (!prefix.ok()) return names;
  size_t skip = prefix.view().size();
  // LMDB's key order is byte order, which is the name order std::sort would give.
  lmdb::scanPrefix(txn_, store_->dbs_->dbi.tree, prefix.view(),
                   [&](std::string_view key, std::string_view) {
                     names.emplace_back(key.substr(skip));
                   });
  return names;
}

uint64_t Snapshot::descendantCount(std::string_view path) const {
  if (!isValidPath(path)) return 0;
  if (path == "/") return znodeCount() - 1;
  // Children are the keys `path \0 name`; deeper nodes have parents `path/...`.
  uint64_t n = 0;
  auto count = [&n](std::string_view, std::string_view) { ++n; };
  std::string prefix(path);
  prefix += '\0';
  lmdb::scanPrefix(txn_, store_->dbs_->dbi.tree, prefix, count);
  prefix.back() = '/';
  lmdb::scanPrefix(txn_, store_->dbs_->dbi.tree, prefix, count);
  return n;
}

std::vector<std::string> Snapshot::ephemerals(int64_t sessionId) const {
  std::vector<std::string> paths;
  KeyBuf prefix = idKey(static_cast<uint64_t>(sessionId));
  lmdb::scanPrefix(txn_, store_->dbs_->dbi.ephemerals, prefix.view(),
                   [&](std::string_view key, std::string_view) {
                     paths.emplace_back(key.substr(8));
                   });
  return paths;
}

std::vector<std::string> Snapshot::containersAndTtls() const {
  std::vector<std::string> paths;
  if (store_->dbs_->dbi.containersTtls == 0) return paths;  // read-only view of an old store
  lmdb::scanPrefix(txn_, store_->dbs_->dbi.containersTtls, {},
                   [&](std::string_view key, std::string_view) { paths.emplace_back(key); });
  return paths;
}

std::vector<SessionRecord> Snapshot::sessions() const {
  std::vector<SessionRecord> out;
  auto decode = [&](std::string_view key, std::string_view value) {
    SessionRecord s;
    if (key.size() != 8 || !decodeSessionValue(value, s))
      throw StoreError("corrupt session record");
    s.id = static_cast<int64_t>(loadBE64(key.data()));
    out.push_back(std::move(s));
  };
  lmdb::scanPrefix(txn_, store_->dbs_->dbi.sessions, {}, decode);
  return out;
}

namespace {
uint64_t entries(MDB_txn* txn, MDB_dbi dbi) {
  MDB_stat st;
  lmdb::check(mdb_stat(txn, dbi, &st), "mdb_stat");
  return st.ms_entries;
}
}  // namespace

uint64_t Snapshot::znodeCount() const { return entries(txn_, store_->dbs_->dbi.tree); }
uint64_t Snapshot::ephemeralCount() const { return entries(txn_, store_->dbs_->dbi.ephemerals); }
uint64_t Snapshot::aclCount() const { return entries(txn_, store_->dbs_->dbi.acls); }

const StoreDbs& Snapshot::storeDbs() const { return store_->dbs_->dbi; }

}  // namespace gk::graph
