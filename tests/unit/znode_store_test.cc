// ZnodeStore against real LMDB files (a fresh /tmp directory per test): bootstrap nodes,
// op semantics and exact stats, ephemerals and sessions, ACL dedup, all-or-nothing batches,
// replays, reopening, MVCC snapshots and a read-only opener in another process.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

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
  o.sync = false;  // tests do not need durability; one test keeps the default
  return o;
}

const AclList kWorld{Acl{31, "world", "anyone"}};
const AclList kDigest{Acl{31, "digest", "alice:abc="}, Acl{1, "world", "anyone"}};

Txn txnOf(int64_t zxid, std::vector<TxnOp> ops) {
  Txn t;
  t.zxid = zxid;
  t.time = 1000 + zxid;
  t.sessionId = 0;
  t.ops = std::move(ops);
  return t;
}

Txn create(int64_t zxid, std::string path, std::string data = "", int64_t owner = 0,
           AclList acl = kWorld) {
  return txnOf(zxid, {CreateOp{std::move(path), std::move(data), std::move(acl), owner}});
}
Txn remove(int64_t zxid, std::string path) { return txnOf(zxid, {DeleteOp{std::move(path)}}); }

Stat statOf(const ZnodeStore& store, std::string_view path) {
  auto s = store.snapshot().stat(path);
  REQUIRE(s.has_value());
  return *s;
}

std::string dataOf(const ZnodeStore& store, std::string_view path) {
  Snapshot snap = store.snapshot();
  Stat s;
  std::string_view data;
  REQUIRE(snap.getData(path, s, data));
  return std::string(data);
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("store: a fresh env holds /, /zookeeper, /zookeeper/config, /zookeeper/quota",
          "[store]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  REQUIRE(fs::exists(fs::path(dir.store()) / "data.mdb"));
  Snapshot snap = store->snapshot();
  CHECK(snap.lastZxid() == 0);
  CHECK(snap.znodeCount() == 4);
  CHECK(snap.ephemeralCount() == 0);
  CHECK(snap.aclCount() == 2);  // world:anyone all, and read-only for /zookeeper/config
  CHECK(snap.sessions().empty());
  CHECK(snap.children("/") == Names{"zookeeper"});
  CHECK(snap.children("/zookeeper") == Names{"config", "quota"});
  CHECK(snap.children("/zookeeper/config").empty());

  Stat root;
  root.numChildren = 1;
  CHECK(snap.stat("/") == root);
  Stat zk;
  zk.numChildren = 2;
  CHECK(snap.stat("/zookeeper") == zk);
  CHECK(snap.stat("/zookeeper/config") == Stat{});
  CHECK(snap.stat("/zookeeper/quota") == Stat{});
  for (const char* path : {"/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"}) {
    auto meta = snap.meta(path);
    REQUIRE(meta.has_value());
    if (std::string_view(path) == "/zookeeper/config") {
      CHECK(meta->acl == AclList{Acl{1, "world", "anyone"}});  // READ_ACL_UNSAFE, as ZooKeeper
    } else {
      CHECK(meta->acl == kWorld);
    }
    CHECK(meta->childSeq == 0);
  }

  CHECK_FALSE(snap.stat("/nope").has_value());
  CHECK_FALSE(snap.meta("/nope").has_value());
  CHECK_FALSE(snap.stat("").has_value());
  CHECK_FALSE(snap.stat("zookeeper").has_value());
  CHECK_FALSE(snap.stat("/zookeeper/").has_value());
  CHECK(snap.children("/nope").empty());
  CHECK(store->diskBytes() > 0);
}

TEST_CASE("store: create, children order, getData, setData, delete", "[store]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  const std::string binary("a\0b\xff", 4);
  const std::string big(1'000'000, 'z');
  store->apply({create(1, "/b", "bee"), create(2, "/a", binary), create(3, "/c", big),
                create(4, "/a/x"), create(5, "/a/x/deep"), create(6, "/ab")});

  Snapshot snap = store->snapshot();
  CHECK(snap.lastZxid() == 6);
  CHECK(snap.znodeCount() == 10);
  CHECK(snap.children("/") == Names{"a", "ab", "b", "c", "zookeeper"});
  CHECK(snap.children("/a") == Names{"x"});
  CHECK(snap.children("/a/x") == Names{"deep"});
  CHECK(dataOf(*store, "/a") == binary);
  CHECK(dataOf(*store, "/c") == big);
  CHECK(dataOf(*store, "/a/x").empty());

  Stat a = statOf(*store, "/a");
  CHECK(a.czxid == 2);
  CHECK(a.mzxid == 2);
  CHECK(a.ctime == 1002);
  CHECK(a.dataLength == 4);

  store->apply({txnOf(7, {SetDataOp{"/a", "new", 1}}), txnOf(8, {SetDataOp{"/c", "", 2}})});
  Stat a2 = statOf(*store, "/a");
  Stat expected = a;
  expected.version = 1;
  expected.mzxid = 7;
  expected.mtime = 1007;
  expected.dataLength = 3;
  expected.numChildren = 1;
  CHECK(a2 == expected);
  CHECK(dataOf(*store, "/a") == "new");
  CHECK(dataOf(*store, "/c").empty());
  CHECK(statOf(*store, "/c").version == 2);

  store->apply({remove(9, "/b"), remove(10, "/a/x/deep")});
  snap.refresh();
  CHECK_FALSE(snap.stat("/b").has_value());
  CHECK_FALSE(snap.stat("/a/x/deep").has_value());
  CHECK(snap.children("/") == Names{"a", "ab", "c", "zookeeper"});
  CHECK(snap.children("/a/x").empty());
  CHECK(snap.znodeCount() == 8);
}

TEST_CASE("store: parent stat after create, delete, create; child stat exact", "[store]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  store->apply({create(1, "/p", "pp")});
  Stat root = statOf(*store, "/");
  CHECK(root.numChildren == 2);
  CHECK(root.cversion == 1);
  CHECK(root.pzxid == 1);
  CHECK(root.mzxid == 0);

  Stat p;
  p.czxid = p.mzxid = p.pzxid = 1;
  p.ctime = p.mtime = 1001;
  p.dataLength = 2;
  CHECK(statOf(*store, "/p") == p);

  // ZK-FACTS: create s0, delete it, create s1, create x, create s3 -> cversion 5.
  store->apply({create(2, "/p/n0000000000")});
  p.numChildren = 1;
  p.cversion = 1;
  p.pzxid = 2;
  CHECK(statOf(*store, "/p") == p);
  CHECK(store->snapshot().meta("/p")->childSeq == 1);

  store->apply({remove(3, "/p/n0000000000")});
  p.numChildren = 0;
  p.cversion = 2;
  p.pzxid = 3;
  CHECK(statOf(*store, "/p") == p);
  CHECK(store->snapshot().meta("/p")->childSeq == 1);  // deletes do not give numbers back

  store->apply({create(4, "/p/n0000000001"), create(5, "/p/x"), create(6, "/p/n0000000003")});
  p.numChildren = 3;
  p.cversion = 5;
  p.pzxid = 6;
  CHECK(statOf(*store, "/p") == p);
  CHECK(store->snapshot().meta("/p")->childSeq == 4);

  Stat child;
  child.czxid = child.mzxid = child.pzxid = 5;
  child.ctime = child.mtime = 1005;
  CHECK(statOf(*store, "/p/x") == child);

  // Data and ACL changes leave the parent alone.
  store->apply({txnOf(7, {SetDataOp{"/p/x", "d", 1}, SetAclOp{"/p/x", kDigest, 1}})});
  CHECK(statOf(*store, "/p") == p);
  child.mzxid = 7;
  child.mtime = 1007;
  child.version = 1;
  child.aversion = 1;
  child.dataLength = 1;
  CHECK(statOf(*store, "/p/x") == child);
  CHECK(store->snapshot().meta("/p/x")->acl == kDigest);
}

TEST_CASE("store: ephemerals are listed per session and closeSession deletes them", "[store]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  const int64_t s1 = 0x100, s2 = 0x200;
  store->apply({txnOf(1, {CreateSessionOp{s1, 30000, std::string(16, 'a')}}),
                txnOf(2, {CreateSessionOp{s2, 10000, std::string(16, 'b')}}),
                create(3, "/p"), create(4, "/p/e2", "", s1), create(5, "/e1", "", s1),
                create(6, "/e3", "", s1), create(7, "/o", "", s2)});
  Snapshot snap = store->snapshot();
  CHECK(snap.ephemerals(s1) == Names{"/e1", "/e3", "/p/e2"});
  CHECK(snap.ephemerals(s2) == Names{"/o"});
  CHECK(snap.ephemerals(0x300).empty());
  CHECK(snap.ephemeralCount() == 4);
  CHECK(snap.stat("/e1")->ephemeralOwner == s1);
  CHECK(snap.stat("/p")->ephemeralOwner == 0);

  store->apply({remove(8, "/e3")});
  snap.refresh();
  CHECK(snap.ephemerals(s1) == Names{"/e1", "/p/e2"});

  // "/e3" is gone already and "/o" belongs to s2: both are left alone.
  Stat pBefore = *snap.stat("/p");
  store->apply({txnOf(9, {CloseSessionOp{s1, {"/p/e2", "/e1", "/e3", "/o"}}})});
  snap.refresh();
  CHECK(snap.ephemerals(s1).empty());
  CHECK(snap.ephemerals(s2) == Names{"/o"});
  CHECK(snap.ephemeralCount() == 1);
  CHECK_FALSE(snap.stat("/e1").has_value());
  CHECK_FALSE(snap.stat("/p/e2").has_value());
  CHECK(snap.stat("/o").has_value());
  Stat p = *snap.stat("/p");
  CHECK(p.numChildren == pBefore.numChildren - 1);
  CHECK(p.cversion == pBefore.cversion + 1);
  CHECK(p.pzxid == 9);
  auto sessions = snap.sessions();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0] == SessionRecord{s2, 10000, std::string(16, 'b')});
}

TEST_CASE("store: equal ACL lists are stored once and released with their last node",
          "[store]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  // The bootstrap holds two lists: world:anyone all, and read-only for /zookeeper/config.
  auto aclCount = [&] { return store->snapshot().aclCount() - 1; };
  REQUIRE(aclCount() == 1);

  store->apply({create(1, "/a", "", 0, kDigest), create(2, "/b", "", 0, kDigest),
                create(3, "/c")});
  CHECK(aclCount() == 2);
  CHECK(store->snapshot().meta("/a")->acl == kDigest);
  CHECK(store->snapshot().meta("/b")->acl == kDigest);

  store->apply({remove(4, "/a")});
  CHECK(aclCount() == 2);
  CHECK(store->snapshot().meta("/b")->acl == kDigest);
  store->apply({remove(5, "/b")});
  CHECK(aclCount() == 1);

  store->apply({txnOf(6, {SetAclOp{"/c", kDigest, 1}})});
  CHECK(aclCount() == 2);
  store->apply({txnOf(7, {SetAclOp{"/c", kDigest, 2}})});  // same list again
  CHECK(aclCount() == 2);
  CHECK(statOf(*store, "/c").aversion == 2);
  store->apply({txnOf(8, {SetAclOp{"/c", kWorld, 3}})});
  CHECK(aclCount() == 1);
  CHECK(store->snapshot().meta("/c")->acl == kWorld);

  // A list that had been released gets a fresh entry and is shared again.
  store->apply({create(9, "/d", "", 0, kDigest), create(10, "/e", "", 0, kDigest)});
  CHECK(aclCount() == 2);

  SECTION("lists longer than an LMDB key are told apart past the key limit") {
    AclList longA, longB;
    for (int i = 0; i < 30; ++i) longA.push_back(Acl{1, "digest", "user" + std::to_string(i) + ":xxxxxxxxxxxx="});
    longB = longA;
    longB.back().perms = 2;  // differs only at the end, far beyond 511 bytes
    store->apply({create(11, "/la1", "", 0, longA), create(12, "/lb", "", 0, longB),
                  create(13, "/la2", "", 0, longA)});
    CHECK(aclCount() == 4);
    CHECK(store->snapshot().meta("/la1")->acl == longA);
    CHECK(store->snapshot().meta("/la2")->acl == longA);
    CHECK(store->snapshot().meta("/lb")->acl == longB);
    store->apply({remove(14, "/la1"), remove(15, "/lb")});
    CHECK(aclCount() == 3);
    CHECK(store->snapshot().meta("/la2")->acl == longA);
    store->apply({remove(16, "/la2")});
    CHECK(aclCount() == 2);
    store->apply({create(17, "/lb2", "", 0, longB)});
    CHECK(store->snapshot().meta("/lb2")->acl == longB);
    CHECK(aclCount() == 3);
  }

  SECTION("counts survive a reopen") {
    store.reset();
    store = ZnodeStore::open(options(dir));
    CHECK(aclCount() == 2);
    store->apply({remove(11, "/d"), remove(12, "/e")});
    CHECK(aclCount() == 1);
  }
}

TEST_CASE("store: a batch with a bad op applies nothing", "[store]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  store->apply({create(1, "/p"), create(2, "/p/kid"), txnOf(3, {CreateSessionOp{7, 5000, "pw"}})});
  const Stat root = statOf(*store, "/");
  const Stat p = statOf(*store, "/p");
  const uint64_t count = store->snapshot().znodeCount();
  const uint64_t acls = store->snapshot().aclCount();

  auto rejected = [&](std::vector<Txn> batch, std::string_view mention) {
    try {
      store->apply(batch);
      FAIL("apply accepted a bad batch");
    } catch (const StoreError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(mention) != std::string::npos);
    }
    Snapshot snap = store->snapshot();
    CHECK(snap.lastZxid() == 3);
    CHECK(snap.stat("/") == root);
    CHECK(snap.stat("/p") == p);
    CHECK(snap.znodeCount() == count);
    CHECK(snap.aclCount() == acls);
    CHECK_FALSE(snap.stat("/new").has_value());
    CHECK(snap.ephemeralCount() == 0);
    CHECK(snap.sessions().size() == 1);
  };

  std::vector<Txn> good{create(4, "/new", "", 7, kDigest), txnOf(5, {CreateSessionOp{8, 1, ""}}),
                        txnOf(6, {SetDataOp{"/p", "x", 1}})};
  auto withBad = [&](Txn bad) {
    auto batch = good;
    batch.push_back(std::move(bad));
    batch.push_back(create(8, "/after"));
    return batch;
  };
  rejected(withBad(create(7, "/missing/x")), "/missing/x");
  rejected(withBad(create(7, "/p/kid")), "already exists");
  rejected(withBad(remove(7, "/p")), "children");
  rejected(withBad(remove(7, "/nothere")), "does not exist");
  rejected(withBad(remove(7, "/")), "cannot delete /");
  rejected(withBad(txnOf(7, {SetDataOp{"/nothere", "", 1}})), "/nothere");
  rejected(withBad(txnOf(7, {SetAclOp{"/nothere", kWorld, 1}})), "/nothere");
  rejected(withBad(create(7, "no-slash")), "malformed");
  rejected(withBad(create(7, "/" + std::string(600, 'x'))), "too long");
  // The bad op in the middle of one multi.
  rejected({txnOf(4, {CreateOp{"/new", "", kWorld, 0}, DeleteOp{"/p"}, SetDataOp{"/p", "", 1}})},
           "zxid 0x4");

  store->apply(good);  // the store still works
  CHECK(store->snapshot().lastZxid() == 6);
  CHECK(store->snapshot().ephemerals(7) == Names{"/new"});
}

TEST_CASE("store: the longest allowed path works, ephemeral included", "[store]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  std::string longest = "/" + std::string(ZnodeStore::kMaxPathBytes - 1, 'n');
  store->apply({create(1, longest, "x", 42)});
  Snapshot snap = store->snapshot();
  CHECK(snap.children("/").size() == 2);
  CHECK(snap.ephemerals(42) == Names{longest});
  store->apply({txnOf(2, {CloseSessionOp{42, {longest}}})});
  snap.refresh();
  CHECK_FALSE(snap.stat(longest).has_value());
}

TEST_CASE("store: replayed zxids are skipped", "[store]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  store->apply({create(1, "/a", "one")});
  store->apply({create(1, "/a", "one")});  // would fail if applied again
  store->apply({create(1, "/a"), create(2, "/b"), create(2, "/b"), create(1, "/a")});
  Snapshot snap = store->snapshot();
  CHECK(snap.lastZxid() == 2);
  CHECK(snap.children("/") == Names{"a", "b", "zookeeper"});
  CHECK(dataOf(*store, "/a") == "one");
  CHECK(statOf(*store, "/").cversion == 2);
  store->apply({});
  CHECK(store->snapshot().lastZxid() == 2);
}

TEST_CASE("store: everything survives close and reopen", "[store]") {
  TempDir dir;
  StoreOptions opts = options(dir);
  opts.sync = true;
  Stat a, root;
  {
    auto store = ZnodeStore::open(opts);
    store->apply({txnOf(1, {CreateSessionOp{0x11, 4000, std::string(16, '\x01')}}),
                  txnOf(2, {CreateSessionOp{0x22, 6000, std::string(16, '\x02')}}),
                  create(3, "/a", "data", 0, kDigest), create(4, "/a/e", "", 0x11),
                  txnOf(5, {SetDataOp{"/a", "data2", 1}})});
    a = statOf(*store, "/a");
    root = statOf(*store, "/");
  }
  auto store = ZnodeStore::open(opts);
  Snapshot snap = store->snapshot();
  CHECK(snap.lastZxid() == 5);
  CHECK(snap.znodeCount() == 6);
  CHECK(snap.stat("/a") == a);
  CHECK(snap.stat("/") == root);
  CHECK(snap.meta("/a")->acl == kDigest);
  CHECK(snap.meta("/a")->childSeq == 1);
  CHECK(dataOf(*store, "/a") == "data2");
  CHECK(snap.children("/a") == Names{"e"});
  CHECK(snap.ephemerals(0x11) == Names{"/a/e"});
  CHECK(snap.aclCount() == 3);
  CHECK(snap.sessions() == std::vector<SessionRecord>{{0x11, 4000, std::string(16, '\x01')},
                                                      {0x22, 6000, std::string(16, '\x02')}});
  CHECK(snap.children("/zookeeper") == Names{"config", "quota"});
  // Still writable after reopening, and the session can be closed.
  store->apply({txnOf(6, {CloseSessionOp{0x11, {"/a/e"}}})});
  snap.refresh();
  CHECK(snap.sessions().size() == 1);
  CHECK(snap.ephemeralCount() == 0);
}

TEST_CASE("store: a snapshot keeps its view until refreshed", "[store]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  store->apply({create(1, "/a", "old")});
  Snapshot before = store->snapshot();
  Stat s;
  std::string_view oldData;
  REQUIRE(before.getData("/a", s, oldData));

  store->apply({txnOf(2, {SetDataOp{"/a", "new", 1}}), create(3, "/b")});
  CHECK(before.lastZxid() == 1);
  CHECK_FALSE(before.stat("/b").has_value());
  CHECK(oldData == "old");  // the view stays valid while the snapshot lives
  CHECK(store->snapshot().lastZxid() == 3);

  before.refresh();
  CHECK(before.lastZxid() == 3);
  CHECK(before.stat("/b").has_value());
  CHECK(before.stat("/a")->version == 1);

  SECTION("moves") {
    Snapshot moved = std::move(before);
    CHECK(moved.lastZxid() == 3);
    Snapshot other = store->snapshot();
    other = std::move(moved);
    CHECK(other.lastZxid() == 3);
    Snapshot third = store->snapshot();
    other = std::move(third);
    CHECK(other.stat("/b").has_value());
  }  // moved-from snapshots are destroyed here

  SECTION("across threads, several per thread") {
    std::vector<Snapshot> snaps;
    for (int i = 0; i < 3; ++i) snaps.push_back(store->snapshot());
    std::thread writer([&] { store->apply({create(4, "/c")}); });
    writer.join();
    std::thread reader([snaps = std::move(snaps)]() mutable {
      for (Snapshot& s : snaps) {
        if (s.stat("/c").has_value()) std::abort();
        s.refresh();
        if (!s.stat("/c").has_value()) std::abort();
      }
      snaps.clear();  // destroyed on another thread than they were made on
    });
    reader.join();
    CHECK(store->snapshot().lastZxid() == 4);
  }
}

TEST_CASE("store: a read-only open in another process sees committed data", "[store]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  store->apply({create(1, "/a", "hello"), txnOf(2, {CreateSessionOp{5, 100, "pw"}})});

  // LMDB forbids opening one env twice in a process, so the reader is a child process.
  auto childSees = [&](int64_t zxid, const char* path) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int code = 0;
      try {
        auto ro = ZnodeStore::open(options(dir, true));
        Snapshot snap = ro->snapshot();
        if (snap.lastZxid() != zxid) code = 2;
        else if (!snap.stat(path)) code = 3;
        else if (snap.sessions().size() != 1) code = 4;
        try {
          ro->apply({create(zxid + 1, "/ro")});
          code = 5;
        } catch (const StoreError&) {
        }
      } catch (...) {
        code = 1;
      }
      _exit(code);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  };
  childSees(2, "/a");
  store->apply({create(3, "/b")});
  childSees(3, "/b");
  CHECK_FALSE(store->snapshot().stat("/ro").has_value());
}

TEST_CASE("store: read-only open of a missing store is a clear StoreError", "[store]") {
  TempDir dir;
  try {
    ZnodeStore::open(options(dir, true));
    FAIL("opened a missing store");
  } catch (const StoreError& e) {
    CHECK(std::string(e.what()).find(dir.store()) != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir.store()));
}

TEST_CASE("store: a full map fails the batch and keeps the store usable", "[store]") {
  TempDir dir;
  StoreOptions opts = options(dir);
  opts.mapSizeBytes = size_t(2) << 20;
  auto store = ZnodeStore::open(opts);
  const std::string chunk(100'000, 'm');
  int64_t zxid = 0;
  bool full = false;
  std::vector<Txn> failed;
  for (int i = 0; i < 100 && !full; ++i) {
    std::vector<Txn> batch{create(zxid + 1, "/n" + std::to_string(i), chunk),
                           create(zxid + 2, "/n" + std::to_string(i) + "b", chunk)};
    try {
      store->apply(batch);
      zxid += 2;
    } catch (const StoreError& e) {
      full = true;
      failed = batch;
      CHECK(std::string(e.what()).find("MDB_MAP_FULL") != std::string::npos);
    }
  }
  REQUIRE(full);
  {
    Snapshot snap = store->snapshot();
    CHECK(snap.lastZxid() == zxid);
    CHECK(snap.znodeCount() == 4 + static_cast<uint64_t>(zxid));
    CHECK(snap.stat("/").value().numChildren == 1 + zxid);
  }
  // Reopening with a bigger map lets the same batch through.
  store.reset();
  opts.mapSizeBytes = size_t(64) << 20;
  store = ZnodeStore::open(opts);
  store->apply(failed);
  CHECK(store->snapshot().lastZxid() == zxid + 2);
  CHECK(dataOf(*store, std::get<CreateOp>(failed[1].ops[0]).path) == chunk);
}

TEST_CASE("store: apply reports each op's stat and the watch events with the ACL at that zxid",
          "[store]") {
  TempDir dir;
  auto store = ZnodeStore::open(options(dir));
  const int64_t s1 = 0x101;
  std::vector<TxnOutcome> out;
  store->apply({create(1, "/p", "pp", 0, kDigest),
                txnOf(2, {CreateSessionOp{s1, 30000, std::string(16, 'a')}}),
                create(3, "/p/e", "x", s1, kWorld)},
               &out);
  REQUIRE(out.size() == 3);
  auto ev = [](NodeEvent t, std::string p, AclList a) { return TxnEvent{t, std::move(p), a}; };
  auto same = [](const std::vector<TxnEvent>& got, const std::vector<TxnEvent>& want) {
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].type == want[i].type);
      CHECK(got[i].path == want[i].path);
      CHECK(got[i].acl == want[i].acl);
    }
  };
  // create: NodeCreated at the node (its ACL), then NodeChildrenChanged at the parent (its own).
  same(out[0].events, {ev(NodeEvent::Created, "/p", kDigest),
                       ev(NodeEvent::ChildrenChanged, "/", kWorld)});
  REQUIRE(out[0].opStats.size() == 1);
  CHECK(out[0].opStats[0].czxid == 1);
  CHECK(out[0].opStats[0].dataLength == 2);
  CHECK(out[1].events.empty());
  same(out[2].events, {ev(NodeEvent::Created, "/p/e", kWorld),
                       ev(NodeEvent::ChildrenChanged, "/p", kDigest)});
  CHECK(out[2].opStats[0].ephemeralOwner == s1);

  // A multi: each op's stat right after it; setACL fires nothing; a delete carries the
  // node's last ACL, read before it is released; a check changes nothing.
  store->apply({txnOf(4, {SetDataOp{"/p", "new", 1}, SetAclOp{"/p", kWorld, 1},
                          CheckOp{"/p", 1}, CreateOp{"/p/c", "", kDigest, 0}})},
               &out);
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].opStats.size() == 4);
  CHECK(out[0].opStats[0].version == 1);
  CHECK(out[0].opStats[0].numChildren == 1);  // before the create in the same txn
  CHECK(out[0].opStats[1].aversion == 1);
  CHECK(out[0].opStats[2] == Stat{});
  CHECK(out[0].opStats[3].czxid == 4);
  same(out[0].events, {ev(NodeEvent::DataChanged, "/p", kDigest),
                       ev(NodeEvent::Created, "/p/c", kDigest),
                       ev(NodeEvent::ChildrenChanged, "/p", kWorld)});
  store->apply({remove(5, "/p/c")}, &out);
  same(out[0].events, {ev(NodeEvent::Deleted, "/p/c", kDigest),
                       ev(NodeEvent::ChildrenChanged, "/p", kWorld)});
  // closeSession deletes the session's ephemerals: their events too.
  store->apply({txnOf(6, {CloseSessionOp{s1, {"/p/e"}}})}, &out);
  same(out[0].events, {ev(NodeEvent::Deleted, "/p/e", kWorld),
                       ev(NodeEvent::ChildrenChanged, "/p", kWorld)});
  // A replayed txn (zxid not above the store's) did nothing: an empty outcome.
  store->apply({remove(5, "/p/c"), create(7, "/q")}, &out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].events.empty());
  CHECK(out[1].events.size() == 2);
}
