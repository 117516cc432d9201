// Containers, TTL nodes and quota stats in the write path (engine/prep.cc,
// engine/container_manager.cc) against a real store: what createContainer/createTTL make and
// refuse, the container manager's candidates and its deletes (checked again against pending
// changes), and the quota stats ops prepare adds to a txn so that every replica keeps
// /zookeeper/quota/<path>/zookeeper_stats as ZooKeeper's DataTree does. Expected values were
// seen on ZooKeeper 3.8.0 with the same requests (tests/integration/test_special_nodes.py).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/container_manager.h"
#include "engine/jute.h"
#include "engine/prep.h"
#include "engine/proto.h"
#include "graph/znode_store.h"
#include "tests/unit/temp_dir.h"

using namespace gk::engine;
using namespace gk::graph;
namespace fs = std::filesystem;

namespace {

using gk::testing::TempDir;

const AclList kOpen{Acl{31, "world", "anyone"}};
const Requester kAlice{0x1001, {Acl{0, "ip", "127.0.0.1"}}};
const Requester kBob{0x1002, {Acl{0, "ip", "127.0.0.1"}}};

std::string createBody(const std::string& path, int32_t flags, const std::string& data = "",
                       int64_t ttl = -2) {
  std::string out;
  JuteWriter w(out);
  w.writeString(path);
  w.writeBuffer(data);
  w.writeInt(int32_t(kOpen.size()));
  for (const auto& a : kOpen) {
    w.writeInt(a.perms);
    w.writeString(a.scheme);
    w.writeString(a.id);
  }
  w.writeInt(flags);
  if (ttl != -2) w.writeLong(ttl);  // CreateTTLRequest
  return out;
}

std::string pathVersionBody(const std::string& path, int32_t version = -1) {
  std::string out;
  JuteWriter w(out);
  w.writeString(path);
  w.writeInt(version);
  return out;
}

std::string setDataBody(const std::string& path, const std::string& data) {
  std::string out;
  JuteWriter w(out);
  w.writeString(path);
  w.writeBuffer(data);
  w.writeInt(-1);
  return out;
}

struct MultiOp {
  int32_t type;
  std::string body;
};
std::string multiBody(const std::vector<MultiOp>& ops) {
  std::string out;
  JuteWriter w(out);
  for (const auto& op : ops) {
    w.writeInt(op.type);
    w.writeBool(false);
    w.writeInt(-1);
    out += op.body;
  }
  w.writeInt(-1);
  w.writeBool(true);
  w.writeInt(-1);
  return out;
}

struct Env {
  TempDir dir;
  std::unique_ptr<ZnodeStore> store;
  Snapshot snap;
  ChangeOverlay overlay;
  RequestPreparer prep;
  int64_t nextZxid = 1;
  int64_t now = 1'700'000'000'000;
  int32_t cxid = 0;
  std::vector<Txn> pending;

  static StoreOptions options(const TempDir& d) {
    StoreOptions o;
    o.dir = d.path() + "/store";
    o.mapSizeBytes = size_t(1) << 30;
    o.sync = false;
    return o;
  }
  explicit Env(bool extendedTypes = false, bool enforceQuota = false)
      : store(ZnodeStore::open(options(dir))),
        snap(store->snapshot()),
        prep(overlay, PrepareLimits{extendedTypes, enforceQuota}) {}

  Prepared keep(Prepared p) {
    if (p.txn) pending.push_back(*p.txn);
    return p;
  }
  Prepared run(int32_t opcode, const std::string& body, const Requester& who = kAlice) {
    JuteReader r(body);
    ++now;
    return keep(prep.prepare(snap, who, ++cxid, opcode, r, nextZxid, now));
  }
  Prepared create(const std::string& path, int32_t flags = 0, const std::string& data = "",
                  const Requester& who = kAlice) {
    return run(op::kCreate, createBody(path, flags, data), who);
  }
  Prepared container(const std::string& path, int32_t flags = create_mode::kContainer) {
    return run(op::kCreateContainer, createBody(path, flags));
  }
  Prepared ttl(const std::string& path, int64_t ttlMs,
               int32_t flags = create_mode::kPersistentWithTtl) {
    return run(op::kCreateTtl, createBody(path, flags, "", ttlMs));
  }
  Prepared remove(const std::string& path) { return run(op::kDelete, pathVersionBody(path)); }
  Prepared setData(const std::string& path, const std::string& data) {
    return run(op::kSetData, setDataBody(path, data));
  }
  Prepared reap(const std::string& path, const ContainerPolicy& policy) {
    return keep(prep.deleteContainer(snap, path, nextZxid, now, policy));
  }
  void apply() {
    if (pending.empty()) return;
    store->apply(pending);
    pending.clear();
    snap.refresh();
    overlay.releaseUpTo(snap.lastZxid());
  }
  Stat stat(const std::string& path) {
    auto s = snap.stat(path);
    REQUIRE(s.has_value());
    return *s;
  }
  std::string data(const std::string& path) {
    Stat s;
    std::string_view d;
    REQUIRE(snap.getData(path, s, d));
    return std::string(d);
  }
};

ContainerPolicy policy(bool ttlEnabled = true, int64_t maxNeverUsedMs = 0) {
  ContainerPolicy p;
  p.ttlEnabled = ttlEnabled;
  p.maxNeverUsedIntervalMs = maxNeverUsedMs;
  return p;
}

}  // namespace

TEST_CASE("containers: createContainer makes one, create with flag 4 does not",
          "[prep][container]") {
  Env env;
  Prepared c = env.container("/c");
  REQUIRE(c.err == err::kOk);
  CHECK(std::get<CreateOp>(c.txn->ops.at(0)).ephemeralOwner == kContainerOwner);
  CHECK(c.results[0].stat.ephemeralOwner == kContainerOwner);  // masked on the wire
  // The txn type decides, as in ZooKeeper (CreateContainerTxn vs CreateTxn): any flags
  // with createContainer make a container, sequential ones with a suffix.
  Prepared c0 = env.container("/c0", create_mode::kPersistent);
  CHECK(std::get<CreateOp>(c0.txn->ops.at(0)).ephemeralOwner == kContainerOwner);
  Prepared cs = env.container("/cs", create_mode::kPersistentSequential);
  CHECK(cs.results[0].path == "/cs0000000002");
  for (int32_t opcode : {op::kCreate, op::kCreate2}) {
    Prepared p = env.run(opcode, createBody(opcode == op::kCreate ? "/f1" : "/f2",
                                            create_mode::kContainer));
    REQUIRE(p.err == err::kOk);
    CHECK(std::get<CreateOp>(p.txn->ops.at(0)).ephemeralOwner == 0);
  }
  // Containers (and TTL nodes) have children; a session's ephemerals do not.
  CHECK(env.create("/c/kid").err == err::kOk);
  env.apply();
  CHECK(env.stat("/c").ephemeralOwner == kContainerOwner);
  CHECK(env.snap.containersAndTtls() == std::vector<std::string>{"/c", "/c0", "/cs0000000002"});
  REQUIRE(env.create("/e", create_mode::kEphemeral).err == err::kOk);
  CHECK(env.create("/e/x").err == err::kNoChildrenForEphemerals);
  CHECK(env.container("/e/x").err == err::kNoChildrenForEphemerals);
}

TEST_CASE("containers and TTL nodes are shown with ephemeralOwner 0", "[prep][container]") {
  for (int64_t owner : {kContainerOwner, ttlOwner(1000), int64_t(0x1234)}) {
    Stat st;
    st.ephemeralOwner = owner;
    std::string out;
    JuteWriter w(out);
    writeStat(w, st);
    JuteReader r(out);
    for (int i = 0; i < 4; ++i) r.readLong();
    for (int i = 0; i < 3; ++i) r.readInt();
    CHECK(r.readLong() == (owner == 0x1234 ? 0x1234 : 0));
  }
}

TEST_CASE("TTL nodes: refused unless extended types are on, TTL in range", "[prep][ttl]") {
  SECTION("extended types off (the default)") {
    Env env;
    CHECK(env.ttl("/t", 100).err == err::kUnimplemented);
    CHECK(env.ttl("/t", 100, create_mode::kPersistentSequentialWithTtl).err ==
          err::kUnimplemented);
    CHECK(env.ttl("/t", 0).err == err::kUnimplemented);  // the mode is checked first
    CHECK(env.create("/t", create_mode::kPersistentWithTtl).err == err::kUnimplemented);
    CHECK(env.ttl("/t", 100, create_mode::kPersistent).err == err::kBadArguments);
    CHECK(env.create("/t", 7).err == err::kBadArguments);
    CHECK(env.nextZxid == 1);
  }
  SECTION("extended types on") {
    Env env(true);
    Prepared t = env.ttl("/t", 1000);
    REQUIRE(t.err == err::kOk);
    CHECK(std::get<CreateOp>(t.txn->ops.at(0)).ephemeralOwner ==
          static_cast<int64_t>(0xFF000000000003E8ULL));
    CHECK(env.ttl("/tmax", kMaxTtlMs).err == err::kOk);
    Prepared seq = env.ttl("/ts", 10, create_mode::kPersistentSequentialWithTtl);
    CHECK(seq.results[0].path == "/ts0000000002");
    for (int64_t bad : {int64_t(0), int64_t(-1), kMaxTtlMs + 1, INT64_MAX}) {
      INFO(bad);
      CHECK(env.ttl("/bad", bad).err == err::kBadArguments);
    }
    // A TTL mode without a TTL (create, createContainer), or a TTL with another mode.
    CHECK(env.create("/bad", create_mode::kPersistentWithTtl).err == err::kBadArguments);
    CHECK(env.container("/bad", create_mode::kPersistentWithTtl).err == err::kBadArguments);
    for (int32_t mode : {create_mode::kPersistent, create_mode::kEphemeral,
                         create_mode::kContainer, create_mode::kPersistentSequential}) {
      CHECK(env.ttl("/bad", 100, mode).err == err::kBadArguments);
    }
    CHECK(env.create("/t/kid").err == err::kOk);
    env.apply();
    CHECK(env.snap.containersAndTtls() ==
          std::vector<std::string>{"/t", "/tmax", "/ts0000000002"});
  }
}

TEST_CASE("multi: createContainer and createTTL answer as create2", "[prep][container]") {
  Env env(true);
  Prepared p = env.run(op::kMulti,
                       multiBody({{op::kCreateContainer, createBody("/mc", 4)},
                                  {op::kCreateTtl, createBody("/mt", 5, "", 500)},
                                  {op::kCreate, createBody("/mc/x", 0)}}));
  REQUIRE(p.err == err::kOk);
  REQUIRE(p.results.size() == 3);
  CHECK(p.results[0].type == op::kCreate2);
  CHECK(p.results[1].type == op::kCreate2);
  CHECK(p.results[2].type == op::kCreate);
  CHECK(std::get<CreateOp>(p.txn->ops.at(0)).ephemeralOwner == kContainerOwner);
  CHECK(std::get<CreateOp>(p.txn->ops.at(1)).ephemeralOwner == ttlOwner(500));
}

TEST_CASE("container manager: which nodes are due", "[prep][container]") {
  Stat st;
  st.mtime = 1000;
  st.ephemeralOwner = kContainerOwner;
  CHECK_FALSE(dueForDeletion(st, 1'000'000'000, policy()));  // never had a child
  CHECK(dueForDeletion(st, 1'000'000'000, policy(true, 5000)));  // unused for too long
  CHECK_FALSE(dueForDeletion(st, 6000, policy(true, 5000)));
  st.cversion = 2;
  CHECK(dueForDeletion(st, 1001, policy()));
  st.numChildren = 1;
  CHECK_FALSE(dueForDeletion(st, 1'000'000'000, policy()));

  Stat t;
  t.mtime = 1000;
  t.ephemeralOwner = ttlOwner(500);
  CHECK_FALSE(dueForDeletion(t, 1500, policy()));
  CHECK(dueForDeletion(t, 1501, policy()));
  CHECK_FALSE(dueForDeletion(t, 1501, policy(false)));  // extended types off: TTL ignored
  t.numChildren = 1;
  CHECK_FALSE(dueForDeletion(t, 99999, policy()));

  Stat plain;
  plain.cversion = 3;
  CHECK_FALSE(dueForDeletion(plain, 99999, policy()));
  plain.ephemeralOwner = 0x1234;
  CHECK_FALSE(dueForDeletion(plain, 99999, policy()));

  ContainerPolicy p;
  CHECK(p.checkIntervalMs == 60000);
  CHECK(p.deletesPerCheck() == 10000);
  p.checkIntervalMs = 100;
  CHECK(p.deletesPerCheck() == 16);
  p.maxPerMinute = 1;
  CHECK(p.deletesPerCheck() == 1);
}

TEST_CASE("container manager: its settings come from zoo.cfg or system properties",
          "[prep][container]") {
  ServerConfig cfg;
  CHECK(containerPolicy(cfg).checkIntervalMs == 60000);
  CHECK_FALSE(containerPolicy(cfg).ttlEnabled);
  cfg.systemProperties["zookeeper.znode.container.checkIntervalMs"] = "250";
  cfg.systemProperties["znode.container.maxPerMinute"] = "60";
  cfg.systemProperties["zookeeper.znode.container.maxNeverUsedIntervalMs"] = "5000";
  cfg.extendedTypesEnabled = true;
  ContainerPolicy p = containerPolicy(cfg);
  CHECK(p.checkIntervalMs == 250);
  CHECK(p.maxPerMinute == 60);
  CHECK(p.maxNeverUsedIntervalMs == 5000);
  CHECK(p.ttlEnabled);
  cfg.systemProperties["zookeeper.znode.container.checkIntervalMs"] = "soon";
  cfg.systemProperties["znode.container.maxPerMinute"] = "0";
  p = containerPolicy(cfg);
  CHECK(p.checkIntervalMs == 60000);
  CHECK(p.maxPerMinute == 10000);
}

TEST_CASE("container manager: candidates and deletes through the write path",
          "[prep][container]") {
  Env env(true);
  REQUIRE(env.container("/used").err == 0);
  REQUIRE(env.container("/fresh").err == 0);
  REQUIRE(env.container("/full").err == 0);
  REQUIRE(env.ttl("/t", 500).err == 0);
  REQUIRE(env.ttl("/tkid", 500).err == 0);
  REQUIRE(env.create("/plain").err == 0);
  REQUIRE(env.create("/used/k").err == 0);
  REQUIRE(env.create("/full/k").err == 0);
  REQUIRE(env.create("/tkid/k").err == 0);
  REQUIRE(env.remove("/used/k").err == 0);
  env.apply();
  const int64_t created = env.now;
  CHECK(containerCandidates(env.snap, created, policy()) == std::vector<std::string>{"/used"});
  env.now = created + 10'000;
  CHECK(containerCandidates(env.snap, env.now, policy()) ==
        std::vector<std::string>{"/t", "/used"});
  CHECK(containerCandidates(env.snap, env.now, policy(false)) ==
        std::vector<std::string>{"/used"});

  // Checked again against what is pending: a child on its way, or a refreshed TTL node.
  REQUIRE(env.create("/used/again").err == 0);
  REQUIRE(env.setData("/t", "touch").err == 0);
  Prepared saved = env.reap("/used", policy());
  CHECK(saved.err == err::kNotEmpty);
  CHECK_FALSE(saved.txn);
  CHECK(env.reap("/t", policy()).err == err::kBadVersion);
  CHECK(env.reap("/plain", policy()).err == err::kBadVersion);
  CHECK(env.reap("/fresh", policy()).err == err::kBadVersion);
  CHECK(env.reap("/missing", policy()).err == err::kNoNode);
  CHECK(env.reap("/", policy()).err == err::kBadArguments);
  REQUIRE(env.remove("/used/again").err == 0);
  Prepared gone = env.reap("/used", policy());
  REQUIRE(gone.err == err::kOk);
  CHECK(gone.txn->sessionId == 0);
  CHECK(gone.txn->ops == std::vector<TxnOp>{DeleteOp{"/used"}});
  CHECK(env.reap("/used", policy()).err == err::kNoNode);  // already going
  int64_t rootCversion = env.stat("/").cversion;
  env.apply();
  CHECK_FALSE(env.snap.stat("/used"));
  CHECK(env.stat("/").cversion == rootCversion + 1);
  CHECK(env.snap.containersAndTtls() ==
        std::vector<std::string>{"/fresh", "/full", "/t", "/tkid"});
  env.now += 10'000;
  CHECK(containerCandidates(env.snap, env.now, policy()) == std::vector<std::string>{"/t"});
  REQUIRE(env.reap("/t", policy()).err == err::kOk);
  env.apply();
  CHECK_FALSE(env.snap.stat("/t"));
}

TEST_CASE("quota: the stats node follows creates, deletes and size changes",
          "[prep][quota]") {
  Env env;
  const std::string stats = "/zookeeper/quota/q/zookeeper_stats";
  // No quota anywhere: txns carry nothing extra.
  Prepared plain = env.create("/q", 0, "12345");
  CHECK(plain.txn->ops.size() == 1);
  REQUIRE(env.create("/q/a", 0, "abc").err == 0);
  REQUIRE(env.create("/q/a/b").err == 0);
  env.apply();
  // What zkCli's setquota does: the quota's path nodes, the limits, then the stats node,
  // which the server fills with the subtree's count and bytes (/q, /q/a, /q/a/b: 3 and 8).
  REQUIRE(env.create("/zookeeper/quota/q").err == 0);
  REQUIRE(env.create("/zookeeper/quota/q/zookeeper_limits", 0, "count=5,bytes=-1").err == 0);
  REQUIRE(env.create("/q/c", 0, "zz").err == 0);  // limits but no stats yet: not counted
  Prepared s = env.run(op::kCreate2, createBody(stats, 0, "count=0,bytes=0"));
  REQUIRE(s.err == 0);
  CHECK(s.results[0].stat.dataLength == 15);  // the reply shows what the client sent
  CHECK(s.txn->ops.at(1) == TxnOp{RecountQuotaStatsOp{stats, "/q"}});
  env.apply();
  CHECK(env.data(stats) == "count=4,bytes=10");
  Stat statsStat = env.stat(stats);

  // Pipelined: each change adds its own delta; nothing needs the applied state.
  Prepared d = env.create("/q/d", 0, "1234567");
  CHECK(d.txn->ops.at(1) == TxnOp{UpdateQuotaStatsOp{stats, 1, 7}});
  REQUIRE(env.setData("/q/a", "abcdef").err == 0);
  REQUIRE(env.remove("/q/a/b").err == 0);
  REQUIRE(env.setData("/q/a", "abcdef").err == 0);  // same size: rewritten all the same
  REQUIRE(env.setData("/qx", "x").err == err::kNoNode);
  REQUIRE(env.create("/qx", 0, "not under /q").err == 0);
  CHECK(env.pending.back().ops.size() == 1);
  env.apply();
  CHECK(env.data(stats) == "count=4,bytes=20");
  // Only the data changes, as ZooKeeper writes DataNode.data in place.
  CHECK(env.stat(stats).version == statsStat.version);
  CHECK(env.stat(stats).mzxid == statsStat.mzxid);

  // A session's ephemerals count, and their going too.
  REQUIRE(env.create("/q/eph", create_mode::kEphemeral, "xyz", kBob).err == 0);
  env.apply();
  CHECK(env.data(stats) == "count=5,bytes=23");
  Prepared close = env.keep(env.prep.closeSession(env.snap, kBob.sessionId, env.nextZxid, ++env.now));
  CHECK(close.txn->ops.size() == 2);
  env.apply();
  CHECK(env.data(stats) == "count=4,bytes=20");

  // The longest quota'd prefix takes the change; deleting its limits hands it back.
  REQUIRE(env.create("/zookeeper/quota/q/a").err == 0);
  REQUIRE(env.create("/zookeeper/quota/q/a/zookeeper_limits", 0, "count=1,bytes=-1").err == 0);
  REQUIRE(env.create("/zookeeper/quota/q/a/zookeeper_stats", 0, "count=0,bytes=0").err == 0);
  REQUIRE(env.create("/q/a/z", 0, "12").err == 0);
  env.apply();
  CHECK(env.data(stats) == "count=4,bytes=20");
  CHECK(env.data("/zookeeper/quota/q/a/zookeeper_stats") == "count=2,bytes=8");
  REQUIRE(env.remove("/zookeeper/quota/q/a/zookeeper_limits").err == 0);
  REQUIRE(env.create("/q/a/zz", 0, "1").err == 0);
  env.apply();
  CHECK(env.data(stats) == "count=5,bytes=21");
  CHECK(env.data("/zookeeper/quota/q/a/zookeeper_stats") == "count=2,bytes=8");

  // A whole setquota in one multi: the recount sees the ops before it in the txn.
  REQUIRE(env.create("/m").err == 0);
  Prepared m = env.run(op::kMulti,
                       multiBody({{op::kCreate, createBody("/m/x", 0, "123")},
                                  {op::kCreate, createBody("/zookeeper/quota/m", 0)},
                                  {op::kCreate, createBody("/zookeeper/quota/m/zookeeper_limits",
                                                           0, "count=9,bytes=-1")},
                                  {op::kCreate, createBody("/zookeeper/quota/m/zookeeper_stats",
                                                           0, "count=0,bytes=0")},
                                  {op::kCreate, createBody("/m/y", 0, "4567")},
                                  {op::kDelete, pathVersionBody("/m/x")}}));
  REQUIRE(m.err == 0);
  env.apply();
  CHECK(env.data("/zookeeper/quota/m/zookeeper_stats") == "count=2,bytes=4");
}

TEST_CASE("quota: the container manager's deletes are counted", "[prep][quota][container]") {
  Env env;
  REQUIRE(env.create("/q").err == 0);
  REQUIRE(env.create("/zookeeper/quota/q").err == 0);
  REQUIRE(env.create("/zookeeper/quota/q/zookeeper_limits", 0, "count=5,bytes=-1").err == 0);
  REQUIRE(env.create("/zookeeper/quota/q/zookeeper_stats", 0, "count=0,bytes=0").err == 0);
  REQUIRE(env.container("/q/c").err == 0);
  REQUIRE(env.create("/q/c/k", 0, "kk").err == 0);
  REQUIRE(env.remove("/q/c/k").err == 0);
  env.apply();
  CHECK(env.data("/zookeeper/quota/q/zookeeper_stats") == "count=2,bytes=0");
  Prepared gone = env.reap("/q/c", policy());
  REQUIRE(gone.err == 0);
  CHECK(gone.txn->ops.size() == 2);
  env.apply();
  CHECK(env.data("/zookeeper/quota/q/zookeeper_stats") == "count=1,bytes=0");
}

namespace {

// What zkCli's setquota leaves behind for /q (limits text as ZooKeeper 3.8 writes it), applied.
void setQuota(Env& env, const std::string& limits) {
  REQUIRE(env.create("/zookeeper/quota/q").err == 0);
  REQUIRE(env.create("/zookeeper/quota/q/zookeeper_limits", 0, limits).err == 0);
  REQUIRE(env.create("/zookeeper/quota/q/zookeeper_stats", 0, "count=0,bytes=0").err == 0);
  env.apply();
}

}  // namespace

TEST_CASE("quota: a hard count limit refuses creates with QUOTAEXCEEDED, pipelined too",
          "[prep][quota]") {
  Env env(false, true);
  REQUIRE(env.create("/q").err == 0);
  env.apply();
  setQuota(env, "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=3");
  CHECK(env.data("/zookeeper/quota/q/zookeeper_stats") == "count=1,bytes=0");
  // Two creates in the pipeline, none applied: the second still sees the first.
  REQUIRE(env.create("/q/a").err == 0);
  REQUIRE(env.create("/q/b").err == 0);
  int64_t before = env.nextZxid;
  Prepared over = env.create("/q/c");
  CHECK(over.err == err::kQuotaExceeded);
  CHECK_FALSE(over.txn.has_value());
  CHECK(env.nextZxid == before);
  CHECK(env.create("/other").err == 0);  // outside the quota
  env.apply();
  CHECK(env.data("/zookeeper/quota/q/zookeeper_stats") == "count=3,bytes=0");
  CHECK(env.create("/q/c").err == err::kQuotaExceeded);
  // A pending delete makes room again; setData does not change the count.
  REQUIRE(env.remove("/q/b").err == 0);
  CHECK(env.setData("/q/a", "x").err == 0);
  CHECK(env.create("/q/c").err == 0);
  CHECK(env.create("/q/d").err == err::kQuotaExceeded);
  env.apply();
  CHECK(env.data("/zookeeper/quota/q/zookeeper_stats") == "count=3,bytes=1");
  // Inside a multi: the ops before count, and the refused op fails the whole multi.
  REQUIRE(env.remove("/q/c").err == 0);
  Prepared m = env.run(op::kMulti, multiBody({{op::kCreate, createBody("/q/x", 0)},
                                              {op::kCreate, createBody("/q/y", 0)}}));
  CHECK(m.err == 0);
  CHECK_FALSE(m.txn.has_value());
  REQUIRE(m.results.size() == 2);
  CHECK(m.results[0].err == err::kOk);
  CHECK(m.results[1].err == err::kQuotaExceeded);
  CHECK(m.results[1].type == op::kError);
  env.apply();
  CHECK(env.data("/zookeeper/quota/q/zookeeper_stats") == "count=2,bytes=1");
  CHECK_FALSE(env.snap.stat("/q/x"));
  CHECK(env.create("/q/x").err == 0);
}

TEST_CASE("quota: a hard bytes limit refuses creates and growing setData", "[prep][quota]") {
  Env env(false, true);
  REQUIRE(env.create("/q", 0, "12").err == 0);
  env.apply();
  setQuota(env, "count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=-1");
  CHECK(env.create("/q/a", 0, "12345").err == 0);           // 7
  CHECK(env.create("/q/b", 0, "1234").err == err::kQuotaExceeded);  // 11
  CHECK(env.create("/q/b", 0, "123").err == 0);             // 10, pipelined
  CHECK(env.setData("/q/b", "1234").err == err::kQuotaExceeded);
  CHECK(env.setData("/q/a", "1234").err == 0);              // shrinking: 9
  CHECK(env.setData("/q/b", "1234").err == 0);              // 10
  env.apply();
  CHECK(env.data("/zookeeper/quota/q/zookeeper_stats") == "count=3,bytes=10");
  CHECK(env.setData("/q", "123").err == err::kQuotaExceeded);
  CHECK(env.setData("/q", "21").err == 0);  // same size: no check
  // The quota check comes before the version check, as in ZooKeeper.
  Prepared v = env.run(op::kSetData, [] {
    std::string out;
    JuteWriter w(out);
    w.writeString("/q/a");
    w.writeBuffer("123456789");
    w.writeInt(42);
    return out;
  }());
  CHECK(v.err == err::kQuotaExceeded);
  env.apply();
  CHECK(env.data("/zookeeper/quota/q/zookeeper_stats") == "count=3,bytes=10");
}

TEST_CASE("quota: soft limits and enforceQuota=false only count", "[prep][quota]") {
  {
    Env env(false, true);
    REQUIRE(env.create("/q").err == 0);
    env.apply();
    setQuota(env, "count=2,bytes=3");  // soft: logged, not refused
    CHECK(env.create("/q/a", 0, "1234").err == 0);
    CHECK(env.create("/q/b").err == 0);
    env.apply();
    CHECK(env.data("/zookeeper/quota/q/zookeeper_stats") == "count=3,bytes=4");
  }
  {
    Env env;  // hard limits, but enforceQuota off
    REQUIRE(env.create("/q").err == 0);
    env.apply();
    setQuota(env, "count=-1,bytes=-1=;byteHardLimit=1;countHardLimit=1");
    CHECK(env.create("/q/a", 0, "1234").err == 0);
    env.apply();
    CHECK(env.data("/zookeeper/quota/q/zookeeper_stats") == "count=2,bytes=4");
  }
}
