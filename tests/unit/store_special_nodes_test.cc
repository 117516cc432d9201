// The store's side of containers, TTL nodes and quotas: the containers_ttls index kept in the
// same write txn as the tree (and never confused with the ephemerals index), the quota stats
// ops (UpdateQuotaStatsOp, RecountQuotaStatsOp) and StatsTrack's text, plus the Txn codec of
// the new ops.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "graph/stats_track.h"
#include "graph/txn.h"
#include "graph/znode_store.h"
#include "tests/unit/temp_dir.h"

using namespace gk::graph;
namespace fs = std::filesystem;

namespace {

using gk::testing::TempDir;

StoreOptions options(const TempDir& dir, bool readOnly = false) {
  StoreOptions o;
  o.dir = dir.store();
  o.mapSizeBytes = size_t(1) << 30;
  o.readOnly = readOnly;
  o.sync = false;
  return o;
}

const AclList kWorld{Acl{31, "world", "anyone"}};
constexpr int64_t kSession = 0x0100000000000001LL;

Txn txnOf(int64_t zxid, std::vector<TxnOp> ops) {
  Txn t;
  t.zxid = zxid;
  t.time = 1000 + zxid;
  t.ops = std::move(ops);
  return t;
}
CreateOp createOp(std::string path, std::string data = "", int64_t owner = 0) {
  return CreateOp{std::move(path), std::move(data), kWorld, owner};
}

std::string dataOf(const ZnodeStore& store, std::string_view path) {
  Snapshot snap = store.snapshot();
  Stat s;
  std::string_view data;
  REQUIRE(snap.getData(path, s, data));
  return std::string(data);
}

}  // namespace

TEST_CASE("owner markers: containers, TTL nodes and sessions told apart", "[store][special]") {
  CHECK(isContainerOwner(kContainerOwner));
  CHECK(static_cast<uint64_t>(kContainerOwner) == 0x8000000000000000ULL);
  CHECK(ttlOwner(1000) == static_cast<int64_t>(0xFF000000000003E8ULL));
  CHECK(isTtlOwner(ttlOwner(1)));
  CHECK(isTtlOwner(ttlOwner(kMaxTtlMs)));
  CHECK(ttlOfOwner(ttlOwner(123456)) == 123456);
  for (int64_t owner : {kContainerOwner, ttlOwner(5)}) {
    CHECK_FALSE(isSessionOwner(owner));
    CHECK(clientVisibleOwner(owner) == 0);
  }
  CHECK_FALSE(isSessionOwner(0));
  CHECK(isSessionOwner(kSession));
  CHECK(clientVisibleOwner(kSession) == kSession);
  // Session ids carry the server id in the top byte; only 0xFF with the reserved bits clear
  // reads as TTL (ZooKeeper refuses server ids above 254 with extended types on).
  CHECK(isSessionOwner(static_cast<int64_t>(0xFF12345678000001ULL)));
  CHECK(isSessionOwner(static_cast<int64_t>(0x8000000000000001ULL)));
}

TEST_CASE("store: containers and TTL nodes are indexed, not taken for ephemerals",
          "[store][special]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  store->apply({txnOf(1, {CreateSessionOp{kSession, 30000, std::string(16, 'p')}}),
                txnOf(2, {createOp("/c", "", kContainerOwner)}),
                txnOf(3, {createOp("/t", "", ttlOwner(500))}),
                txnOf(4, {createOp("/c/kid"), createOp("/t/kid"), createOp("/e", "", kSession)}),
                txnOf(5, {createOp("/c/kid/deep", "", kContainerOwner)})});
  {
    Snapshot snap = store->snapshot();
    CHECK(snap.containersAndTtls() == std::vector<std::string>{"/c", "/c/kid/deep", "/t"});
    CHECK(snap.ephemerals(kSession) == std::vector<std::string>{"/e"});
    CHECK(snap.ephemeralCount() == 1);
    CHECK(snap.ephemerals(kContainerOwner).empty());
    CHECK(snap.ephemerals(ttlOwner(500)).empty());
    // The marker is what is stored; clients are shown 0 by the protocol layer.
    CHECK(snap.stat("/c")->ephemeralOwner == kContainerOwner);
    CHECK(snap.stat("/t")->ephemeralOwner == ttlOwner(500));
  }
  // Closing the session deletes its ephemerals only.
  store->apply({txnOf(6, {CloseSessionOp{kSession, {"/e", "/c", "/t"}}})});
  {
    Snapshot snap = store->snapshot();
    CHECK_FALSE(snap.stat("/e"));
    CHECK(snap.stat("/c"));
    CHECK(snap.stat("/t"));
    CHECK(snap.containersAndTtls().size() == 3);
  }
  // Deletes leave the index in the same txn; a failed batch leaves it as it was.
  CHECK_THROWS_AS(store->apply({txnOf(7, {DeleteOp{"/c/kid/deep"}, DeleteOp{"/missing"}})}),
                  StoreError);
  CHECK(store->snapshot().containersAndTtls().size() == 3);
  store->apply({txnOf(8, {DeleteOp{"/c/kid/deep"}, DeleteOp{"/t/kid"}, DeleteOp{"/t"}})});
  CHECK(store->snapshot().containersAndTtls() == std::vector<std::string>{"/c"});
  // A path re-created as a plain node is not indexed again.
  store->apply({txnOf(9, {createOp("/t")})});
  CHECK(store->snapshot().containersAndTtls() == std::vector<std::string>{"/c"});

  // The index survives a restart (nothing is rebuilt on open) and a read-only opener sees it.
  store.reset();
  store = ZnodeStore::open(options(dir));
  CHECK(store->snapshot().containersAndTtls() == std::vector<std::string>{"/c"});
  store.reset();  // one env per process at a time (LMDB's locks are per process)
  auto ro = ZnodeStore::open(options(dir, true));
  CHECK(ro->snapshot().containersAndTtls() == std::vector<std::string>{"/c"});
}

TEST_CASE("StatsTrack: ZooKeeper's quota text", "[store][quota]") {
  CHECK(StatsTrack("count=5,bytes=-1").toString() == "count=5,bytes=-1");
  StatsTrack limits("count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
  CHECK(limits.count() == 5);
  CHECK(limits.bytes() == -1);
  CHECK(limits.countHardLimit() == -1);
  CHECK(limits.toString() == "count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
  // Extra keys come after "=", sorted; count and bytes are always there (-1 if absent).
  CHECK(StatsTrack("zeta=1;count=2;alpha=3").toString() == "count=2,bytes=-1=;alpha=3;zeta=1");
  CHECK(StatsTrack("").toString() == "count=-1,bytes=-1");
  CHECK(StatsTrack("count=,bytes=7").count() == -1);  // an empty value is -1
  CHECK(StatsTrack("count=100,bytes=7;foo=3").toString() == "count=100,bytes=7=;foo=3");
  CHECK(StatsTrack("count=+4,bytes=-2").count() == 4);
  // Where ZooKeeper's parser throws, pairs are skipped.
  CHECK(StatsTrack("garbage").toString() == "count=-1,bytes=-1");
  CHECK(StatsTrack(",,count=3;;x,bytes=z1").toString() == "count=3,bytes=-1");
  CHECK(StatsTrack("count=99999999999999999999").count() == -1);
}

TEST_CASE("store: quota stats ops change the stats node's data only", "[store][quota]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  const std::string stats = "/zookeeper/quota/q/zookeeper_stats";
  store->apply({txnOf(1, {createOp("/q", "12345"), createOp("/q/a", "abc"),
                          createOp("/q/a/b"), createOp("/qx", "not below /q"),
                          createOp("/q/c", "zz")}),
                txnOf(2, {createOp("/zookeeper/quota/q"),
                          createOp("/zookeeper/quota/q/zookeeper_limits", "count=5,bytes=-1"),
                          createOp(stats, "count=0,bytes=0"),
                          RecountQuotaStatsOp{stats, "/q"}})});
  Stat before = *store->snapshot().stat(stats);
  CHECK(dataOf(*store, stats) == "count=4,bytes=10");
  CHECK(before.dataLength == 16);
  CHECK(before.version == 0);
  CHECK(before.mzxid == 2);

  store->apply({txnOf(3, {UpdateQuotaStatsOp{stats, 1, 7}}),
                txnOf(4, {UpdateQuotaStatsOp{stats, -1, 0}, UpdateQuotaStatsOp{stats, 0, 3}})});
  CHECK(dataOf(*store, stats) == "count=4,bytes=20");
  Stat after = *store->snapshot().stat(stats);
  CHECK(after.version == before.version);
  CHECK(after.mzxid == before.mzxid);
  CHECK(after.mtime == before.mtime);
  CHECK(after.dataLength == 16);

  // Other keys stay, in StatsTrack's form; a client's garbage is read leniently.
  store->apply({txnOf(5, {SetDataOp{stats, "count=100,bytes=7;foo=3", 1}}),
                txnOf(6, {UpdateQuotaStatsOp{stats, 1, 1}})});
  CHECK(dataOf(*store, stats) == "count=101,bytes=8=;foo=3");
  store->apply({txnOf(7, {SetDataOp{stats, "garbage", 2}}),
                txnOf(8, {UpdateQuotaStatsOp{stats, 1, 0}})});
  CHECK(dataOf(*store, stats) == "count=0,bytes=-1");

  // A missing stats node or subtree: nothing happens, nothing fails.
  store->apply({txnOf(9, {UpdateQuotaStatsOp{"/zookeeper/quota/none/zookeeper_stats", 1, 1},
                          RecountQuotaStatsOp{"/zookeeper/quota/none/zookeeper_stats", "/q"}})});
  CHECK_FALSE(store->snapshot().stat("/zookeeper/quota/none/zookeeper_stats"));
  store->apply({txnOf(10, {RecountQuotaStatsOp{stats, "/nothing"}})});
  CHECK(dataOf(*store, stats) == "count=0,bytes=0");
  // A recount sees the earlier ops of its own txn.
  store->apply({txnOf(11, {createOp("/q/new", "1234"), DeleteOp{"/q/a/b"},
                           RecountQuotaStatsOp{stats, "/q"}})});
  CHECK(dataOf(*store, stats) == "count=4,bytes=14");
}

TEST_CASE("txn: the quota ops round-trip", "[txn][quota]") {
  Txn t;
  t.zxid = 9;
  t.ops.push_back(UpdateQuotaStatsOp{"/zookeeper/quota/a/zookeeper_stats", -1, -123456789012LL});
  t.ops.push_back(RecountQuotaStatsOp{"/zookeeper/quota/a/zookeeper_stats", "/a"});
  t.ops.push_back(CreateOp{"/c", "", kWorld, kContainerOwner});
  auto back = decodeTxn(encodeTxn(t));
  REQUIRE(back.has_value());
  CHECK(*back == t);
  std::string bytes = encodeTxn(t);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    CHECK_FALSE(decodeTxn(std::string_view(bytes).substr(0, cut)).has_value());
  }
}
