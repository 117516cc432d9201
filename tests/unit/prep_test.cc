// RequestPreparer (engine/prep.cc) against a real ZnodeStore in a fresh /tmp directory:
// requests are jute-encoded as a client sends them, prepared against snapshot + overlay,
// applied with ZnodeStore::apply, and the overlay released as the server does. Covers the
// errors PrepRequestProcessor gives, sequential suffixes, pipelining through the overlay,
// multi's all-or-nothing results, closeSession's ephemerals and zxid consumption, plus a
// seeded random pipeline whose prepared view must equal the store once applied.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "engine/jute.h"
#include "engine/prep.h"
#include "engine/proto.h"
#include "engine/processor/write_reply.h"
#include "graph/znode_store.h"
#include "tests/unit/temp_dir.h"

using namespace gk::engine;
using gk::graph::Acl;
using gk::graph::AclList;
using gk::graph::CheckOp;
using gk::graph::CloseSessionOp;
using gk::graph::CreateOp;
using gk::graph::CreateSessionOp;
using gk::graph::DeleteOp;
using gk::graph::SetAclOp;
using gk::graph::SetDataOp;
using gk::graph::Snapshot;
using gk::graph::StoreOptions;
using gk::graph::Txn;
using gk::graph::TxnOp;
using gk::graph::ZnodeMeta;
using gk::graph::ZnodeStore;
namespace fs = std::filesystem;

namespace {

using gk::testing::TempDir;

const AclList kOpen{Acl{31, "world", "anyone"}};
const AclList kReadOnly{Acl{perm::kRead, "world", "anyone"}};

StoreOptions storeOptions(const TempDir& dir) {
  StoreOptions o;
  o.dir = dir.path() + "/store";
  o.mapSizeBytes = size_t(1) << 30;
  o.sync = false;
  return o;
}

// ---- requests, encoded as a client encodes them (zookeeper.jute) ----

void writeAcl(JuteWriter& w, const AclList& acl) {
  w.writeInt(int32_t(acl.size()));
  for (const auto& a : acl) {
    w.writeInt(a.perms);
    w.writeString(a.scheme);
    w.writeString(a.id);
  }
}

std::string createBody(const std::string& path, int32_t flags = create_mode::kPersistent,
                       const std::string& data = "", const AclList& acl = kOpen) {
  std::string out;
  JuteWriter w(out);
  w.writeString(path);
  w.writeBuffer(data);
  writeAcl(w, acl);
  w.writeInt(flags);
  return out;
}

std::string createTtlBody(const std::string& path, int32_t flags, int64_t ttl) {
  std::string out = createBody(path, flags);
  JuteWriter(out).writeLong(ttl);
  return out;
}

std::string pathVersionBody(const std::string& path, int32_t version) {  // delete, check
  std::string out;
  JuteWriter w(out);
  w.writeString(path);
  w.writeInt(version);
  return out;
}

std::string setDataBody(const std::string& path, const std::string& data, int32_t version) {
  std::string out;
  JuteWriter w(out);
  w.writeString(path);
  w.writeBuffer(data);
  w.writeInt(version);
  return out;
}

std::string setAclBody(const std::string& path, const AclList& acl, int32_t version) {
  std::string out;
  JuteWriter w(out);
  w.writeString(path);
  writeAcl(w, acl);
  w.writeInt(version);
  return out;
}

struct MultiOp {
  int32_t type;
  std::string body;
};

// MultiOperationRecord: {MultiHeader(type, done=false, err=-1), op}* MultiHeader(-1, true, -1)
std::string multiBody(const std::vector<MultiOp>& ops, bool terminate = true) {
  std::string out;
  JuteWriter w(out);
  for (const auto& op : ops) {
    w.writeInt(op.type);
    w.writeBool(false);
    w.writeInt(-1);
    out += op.body;
  }
  if (terminate) {
    w.writeInt(-1);
    w.writeBool(true);
    w.writeInt(-1);
  }
  return out;
}

MultiOp mCreate(const std::string& path, int32_t flags = 0) {
  return {op::kCreate, createBody(path, flags)};
}
MultiOp mDelete(const std::string& path, int32_t version = -1) {
  return {op::kDelete, pathVersionBody(path, version)};
}
MultiOp mSetData(const std::string& path, const std::string& data, int32_t version = -1) {
  return {op::kSetData, setDataBody(path, data, version)};
}
MultiOp mCheck(const std::string& path, int32_t version) {
  return {op::kCheck, pathVersionBody(path, version)};
}

const Requester kAlice{0x1001, {Acl{0, "ip", "127.0.0.1"}}};
const Requester kBob{0x1002, {Acl{0, "ip", "127.0.0.1"}, Acl{0, "digest", "bob:Ym9i"}}};

using View = std::map<std::string, std::optional<ZnodeMeta>>;

// A store, the overlay and a preparer, driven as the server's write pipeline drives them.
struct Env {
  TempDir dir;
  std::unique_ptr<ZnodeStore> store;
  Snapshot snap;
  ChangeOverlay overlay;
  RequestPreparer prep;
  int64_t nextZxid = 1;
  int64_t now = 1'700'000'000'000;
  int32_t cxid = 0;
  std::vector<Txn> pending;  // prepared, not applied yet, in zxid order
  // What prepare said each client write will answer, by zxid: checked against what the
  // committed txn answers once applied (a server that did not prepare it answers so).
  std::map<int64_t, std::vector<OpResult>> preparedResults;
  // A second store that applies the same committed txns, as a follower would.
  TempDir followerDir;
  std::unique_ptr<ZnodeStore> follower;
  int64_t zxidBeforeLast = 0;  // nextZxid before the latest prepare

  Env()
      : store(ZnodeStore::open(storeOptions(dir))),
        snap(store->snapshot()),
        prep(overlay, PrepareLimits{}),
        follower(ZnodeStore::open(storeOptions(followerDir))) {}

  Prepared run(const Requester& who, int32_t opcode, const std::string& body) {
    JuteReader r(body);
    ++now;
    zxidBeforeLast = nextZxid;
    Prepared p = prep.prepare(snap, who, ++cxid, opcode, r, nextZxid, now);
    if (p.txn) {
      pending.push_back(*p.txn);
      preparedResults[p.txn->zxid] = p.results;
    }
    return p;
  }
  Prepared create(const std::string& path, int32_t flags = 0, const Requester& who = kAlice,
                  const std::string& data = "", const AclList& acl = kOpen) {
    return run(who, op::kCreate, createBody(path, flags, data, acl));
  }
  Prepared remove(const std::string& path, int32_t version = -1, const Requester& who = kAlice) {
    return run(who, op::kDelete, pathVersionBody(path, version));
  }
  Prepared setData(const std::string& path, const std::string& data, int32_t version = -1,
                   const Requester& who = kAlice) {
    return run(who, op::kSetData, setDataBody(path, data, version));
  }
  Prepared setAcl(const std::string& path, const AclList& acl, int32_t version = -1,
                  const Requester& who = kAlice) {
    return run(who, op::kSetAcl, setAclBody(path, acl, version));
  }
  Prepared multi(const std::vector<MultiOp>& ops, const Requester& who = kAlice) {
    return run(who, op::kMulti, multiBody(ops));
  }
  Prepared closeSession(int64_t sessionId) {
    ++now;
    zxidBeforeLast = nextZxid;
    Prepared p = prep.closeSession(snap, sessionId, nextZxid, now);
    if (p.txn) pending.push_back(*p.txn);
    return p;
  }

  // Applies the first `count` pending txns (all by default) in one batch, then publishes
  // and releases as the server's onBatchApplied does.
  void apply(size_t count = SIZE_MAX) {
    count = std::min(count, pending.size());
    if (count == 0) return;
    std::vector<Txn> batch(pending.begin(), pending.begin() + long(count));
    pending.erase(pending.begin(), pending.begin() + long(count));
    std::vector<gk::graph::TxnOutcome> outcomes, followerOutcomes;
    store->apply(batch, &outcomes);
    follower->apply(batch, &followerOutcomes);
    for (size_t i = 0; i < batch.size(); ++i) {
      // The follower's store reached the same outcome, hence the same reply and events.
      CHECK(encodeCommittedReply(batch[i], outcomes[i]) ==
            encodeCommittedReply(batch[i], followerOutcomes[i]));
      REQUIRE(outcomes[i].events.size() == followerOutcomes[i].events.size());
      for (size_t e = 0; e < outcomes[i].events.size(); ++e) {
        CHECK(outcomes[i].events[e].path == followerOutcomes[i].events[e].path);
        CHECK(outcomes[i].events[e].acl == followerOutcomes[i].events[e].acl);
      }
      auto it = preparedResults.find(batch[i].zxid);
      if (it == preparedResults.end()) continue;  // sessions, containers: no client reply
      std::vector<OpResult> committed = committedResults(batch[i], outcomes[i]);
      REQUIRE(committed.size() == it->second.size());
      for (size_t k = 0; k < committed.size(); ++k) {
        CHECK(committed[k].type == it->second[k].type);
        CHECK(committed[k].err == it->second[k].err);
        CHECK(committed[k].path == it->second[k].path);
        if (committed[k].type != op::kDelete && committed[k].type != op::kCheck) {
          CHECK(committed[k].stat == it->second[k].stat);
        }
      }
      preparedResults.erase(it);
    }
    snap.refresh();
    overlay.releaseUpTo(snap.lastZxid());
  }

  // The node as the next prepare sees it: overlay first, then the snapshot.
  std::optional<ZnodeMeta> view(const std::string& path) const {
    if (const auto* e = overlay.find(path)) {
      if (!e->exists) return std::nullopt;
      return e->meta;
    }
    return snap.meta(path);
  }
  View views(const std::set<std::string>& paths) const {
    View out;
    for (const auto& p : paths) out[p] = view(p);
    return out;
  }
  std::optional<gk::graph::Stat> stat(const std::string& path) const { return snap.stat(path); }
};

// A refused single request: its error, no txn, no zxid used, nothing in the overlay.
void requireRefused(Env& env, const Prepared& p, int32_t error) {
  CHECK(p.err == error);
  CHECK_FALSE(p.txn.has_value());
  REQUIRE(p.results.size() == 1);
  CHECK(p.results[0].err == error);
  CHECK(env.nextZxid == env.zxidBeforeLast);
}

}  // namespace

TEST_CASE("overlay: entries leave once their latest zxid is applied", "[prep][overlay]") {
  ChangeOverlay o;
  CHECK(o.empty());
  ZnodeMeta eph;
  eph.stat.ephemeralOwner = 0x42;
  o.put("/a", ChangeOverlay::Entry{true, ZnodeMeta{}, 1});
  o.put("/e", ChangeOverlay::Entry{true, eph, 2});
  o.put("/a", ChangeOverlay::Entry{true, ZnodeMeta{}, 3});
  o.put("/gone", ChangeOverlay::Entry{false, eph, 3});
  REQUIRE(o.find("/a") != nullptr);
  CHECK(o.find("/a")->zxid == 3);
  CHECK(o.find("/nope") == nullptr);

  auto changes = o.ephemeralChanges(0x42);
  std::sort(changes.begin(), changes.end());
  CHECK(changes == std::vector<std::pair<std::string, bool>>{{"/e", true}, {"/gone", false}});
  CHECK(o.ephemeralChanges(0x43).empty());

  o.releaseUpTo(1);  // /a changed again at 3: it stays
  REQUIRE(o.find("/a") != nullptr);
  CHECK(o.find("/e") != nullptr);
  o.releaseUpTo(2);
  CHECK(o.find("/e") == nullptr);
  CHECK(o.find("/a") != nullptr);
  o.releaseUpTo(3);
  CHECK(o.empty());
  o.releaseUpTo(100);  // nothing left: fine

  o.put("/x", ChangeOverlay::Entry{true, ZnodeMeta{}, 4});
  o.clear();
  CHECK(o.empty());
  CHECK(o.find("/x") == nullptr);
  o.releaseUpTo(4);
  CHECK(o.empty());
}

TEST_CASE("prep: create gives the txn, the reply and the overlay entries", "[prep]") {
  Env env;
  Prepared p = env.run(kAlice, op::kCreate2, createBody("/a", 0, "hello", kOpen));
  REQUIRE(p.err == err::kOk);
  REQUIRE(p.txn.has_value());
  CHECK(env.nextZxid == 2);
  const Txn& t = *p.txn;
  CHECK(t.zxid == 1);
  CHECK(t.time == env.now);
  CHECK(t.sessionId == kAlice.sessionId);
  CHECK(t.cxid == env.cxid);
  REQUIRE(t.ops.size() == 1);
  CHECK(t.type == op::kCreate2);
  CHECK(std::get<CreateOp>(t.ops[0]) == CreateOp{"/a", "hello", kOpen, 0, false, op::kCreate2});

  REQUIRE(p.results.size() == 1);
  const OpResult& r = p.results[0];
  CHECK(r.type == op::kCreate2);
  CHECK(r.err == err::kOk);
  CHECK(r.path == "/a");
  gk::graph::Stat expected;
  expected.czxid = expected.mzxid = expected.pzxid = 1;
  expected.ctime = expected.mtime = env.now;
  expected.dataLength = 5;
  CHECK(r.stat == expected);

  // Prepared, not applied: the overlay has it, the snapshot does not.
  const auto* node = env.overlay.find("/a");
  REQUIRE(node != nullptr);
  CHECK(node->exists);
  CHECK(node->zxid == 1);
  CHECK(node->meta.stat == expected);
  CHECK(node->meta.acl == kOpen);
  const auto* root = env.overlay.find("/");
  REQUIRE(root != nullptr);
  CHECK(root->meta.stat.numChildren == 2);
  CHECK(root->meta.stat.cversion == 1);
  CHECK(root->meta.stat.pzxid == 1);
  CHECK(root->meta.childSeq == 1);
  CHECK_FALSE(env.snap.meta("/a").has_value());

  View before = env.views({"/", "/a"});
  env.apply();
  CHECK(env.overlay.empty());
  CHECK(env.views({"/", "/a"}) == before);
  CHECK(env.snap.lastZxid() == 1);
}

TEST_CASE("prep: ephemeral creates carry the session as owner", "[prep]") {
  Env env;
  Prepared p = env.create("/e", create_mode::kEphemeral, kBob);
  REQUIRE(p.err == err::kOk);
  CHECK(std::get<CreateOp>(p.txn->ops[0]).ephemeralOwner == kBob.sessionId);
  CHECK(p.results[0].stat.ephemeralOwner == kBob.sessionId);
  env.apply();
  CHECK(env.snap.ephemerals(kBob.sessionId) == std::vector<std::string>{"/e"});
}

TEST_CASE("prep: create refusals", "[prep]") {
  Env env;
  REQUIRE(env.create("/p").err == 0);
  REQUIRE(env.create("/p/child").err == 0);
  REQUIRE(env.create("/eph", create_mode::kEphemeral).err == 0);
  REQUIRE(env.create("/locked", 0, kAlice, "", {Acl{31, "digest", "bob:Ym9i"}}).err == 0);
  env.apply();
  REQUIRE(env.overlay.empty());

  struct Case {
    std::string name;
    int32_t opcode;
    std::string body;
    const Requester* who;
    int32_t error;
  };
  const std::vector<Case> cases{
      {"parent missing", op::kCreate, createBody("/x/y"), &kAlice, err::kNoNode},
      {"exists", op::kCreate, createBody("/p"), &kAlice, err::kNodeExists},
      {"exists (create2)", op::kCreate2, createBody("/p/child"), &kAlice, err::kNodeExists},
      {"/zookeeper exists", op::kCreate, createBody("/zookeeper"), &kAlice, err::kNodeExists},
      {"/ exists", op::kCreate, createBody("/"), &kAlice, err::kNodeExists},
      {"child of ephemeral", op::kCreate, createBody("/eph/c"), &kAlice,
       err::kNoChildrenForEphemerals},
      {"sequential child of ephemeral", op::kCreate,
       createBody("/eph/c", create_mode::kPersistentSequential), &kAlice,
       err::kNoChildrenForEphemerals},
      {"no slash", op::kCreate, createBody("p2"), &kAlice, err::kBadArguments},
      // The parent is looked up before the path is validated, as PrepRequestProcessor does
      // (ZooKeeper 3.8.0 answers these NONODE).
      {"no leading slash", op::kCreate, createBody("p/x"), &kAlice, err::kNoNode},
      {"empty name", op::kCreate, createBody("/p//x"), &kAlice, err::kNoNode},
      {"empty name, no parent", op::kCreate, createBody("/nope//x"), &kAlice, err::kNoNode},
      {"empty path", op::kCreate, createBody(""), &kAlice, err::kBadArguments},
      {"nul in path", op::kCreate, createBody(std::string("/p/a\0b", 6)), &kAlice,
       err::kBadArguments},
      {"trailing slash", op::kCreate, createBody("/p/"), &kAlice, err::kBadArguments},
      {"relative .", op::kCreate, createBody("/p/."), &kAlice, err::kBadArguments},
      {"relative ..", op::kCreate, createBody("/p/.."), &kAlice, err::kBadArguments},
      {"control character", op::kCreate, createBody("/p/a\x01"), &kAlice, err::kBadArguments},
      {"flags 7", op::kCreate, createBody("/n", 7), &kAlice, err::kBadArguments},
      {"flags -1", op::kCreate, createBody("/n", -1), &kAlice, err::kBadArguments},
      // Containers are made (container_test.cc); TTL nodes need extendedTypesEnabled.
      {"container op, TTL flag", op::kCreateContainer,
       createBody("/n", create_mode::kPersistentWithTtl), &kAlice, err::kUnimplemented},
      {"ttl op, plain mode", op::kCreateTtl, createTtlBody("/n", create_mode::kPersistent, 1000),
       &kAlice, err::kBadArguments},
      {"ttl op", op::kCreateTtl, createTtlBody("/n", create_mode::kPersistentWithTtl, 1000),
       &kAlice, err::kUnimplemented},
      {"ttl flag", op::kCreate, createBody("/n", create_mode::kPersistentSequentialWithTtl),
       &kAlice, err::kUnimplemented},
      {"auth ACL, not authenticated", op::kCreate,
       createBody("/n", 0, "", {Acl{31, "auth", ""}}), &kAlice, err::kInvalidAcl},
      {"world:someone", op::kCreate, createBody("/n", 0, "", {Acl{31, "world", "someone"}}),
       &kAlice, err::kInvalidAcl},
      {"no CREATE on parent", op::kCreate, createBody("/locked/c"), &kAlice, err::kNoAuth},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Prepared p = env.run(*c.who, c.opcode, c.body);
    requireRefused(env, p, c.error);
    CHECK(env.overlay.empty());
  }
  CHECK(env.nextZxid == 5);
  CHECK(env.pending.empty());

  // Bob may create under /locked; "auth" expands to his digest id.
  Prepared ok = env.run(kBob, op::kCreate, createBody("/locked/c", 0, "", {Acl{31, "auth", ""}}));
  REQUIRE(ok.err == err::kOk);
  CHECK(std::get<CreateOp>(ok.txn->ops[0]).acl == AclList{Acl{31, "digest", "bob:Ym9i"}});
  // An empty ACL list is INVALIDACL on create too (ZooKeeper 3.8.0 answers -114).
  requireRefused(env, env.run(kAlice, op::kCreate, createBody("/open", 0, "", {})),
                 err::kInvalidAcl);
}

TEST_CASE("prep: paths the store cannot hold are refused, not applied", "[prep]") {
  Env env;
  const size_t max = ZnodeStore::kMaxPathBytes;
  const std::string longest = "/" + std::string(max - 1, 'n');
  REQUIRE(longest.size() == max);
  REQUIRE(env.create(longest, create_mode::kEphemeral).err == err::kOk);
  REQUIRE_NOTHROW(env.apply());
  CHECK(env.snap.stat(longest).has_value());

  requireRefused(env, env.create("/" + std::string(max, 'n')), err::kBadArguments);
  requireRefused(env, env.create("/" + std::string(2000, 'n')), err::kBadArguments);
  // Short enough before the suffix, too long after it.
  requireRefused(env, env.create("/" + std::string(max - 5, 's'), create_mode::kPersistentSequential),
                 err::kBadArguments);
  Prepared m = env.multi({mCreate("/fine"), mCreate("/" + std::string(max + 1, 'm'))});
  CHECK_FALSE(m.txn.has_value());
  CHECK(m.results[1].err == err::kBadArguments);
  CHECK(env.overlay.empty());
  REQUIRE_NOTHROW(env.apply());
}

TEST_CASE("prep: sequential suffixes count the creates under the parent", "[prep]") {
  // ZK-FACTS.md, seen on 3.8.0: n0000000000, delete it, n0000000001, create x, n0000000003.
  auto scenario = [](Env& env, bool applyEachStep) {
    auto step = [&](Prepared p) {
      REQUIRE(p.err == err::kOk);
      if (applyEachStep) env.apply();
      return p;
    };
    step(env.create("/s"));
    CHECK(step(env.create("/s/n", create_mode::kPersistentSequential)).results[0].path ==
          "/s/n0000000000");
    step(env.remove("/s/n0000000000"));
    CHECK(step(env.create("/s/n", create_mode::kEphemeralSequential)).results[0].path ==
          "/s/n0000000001");
    step(env.create("/s/x"));
    CHECK(step(env.create("/s/n", create_mode::kPersistentSequential)).results[0].path ==
          "/s/n0000000003");
    // A trailing slash names the child by the counter alone.
    CHECK(step(env.create("/s/", create_mode::kPersistentSequential)).results[0].path ==
          "/s/0000000004");
    env.apply();
    auto s = env.snap.meta("/s");
    REQUIRE(s.has_value());
    CHECK(s->childSeq == 5);
    CHECK(s->stat.numChildren == 4);
    // Every child create and delete; DataNode.copyStat reports creates * 2 - numChildren.
    CHECK(s->stat.cversion == 6);
    // The counter is per parent.
    CHECK(step(env.create("/t")).err == 0);
    CHECK(step(env.create("/t/n", create_mode::kPersistentSequential)).results[0].path ==
          "/t/n0000000000");
    env.apply();
  };
  SECTION("applied after every step") {
    Env env;
    scenario(env, true);
  }
  SECTION("all pipelined before anything is applied") {
    Env env;
    scenario(env, false);
  }
}

TEST_CASE("prep: a sequential create of / names a child of the root", "[prep]") {
  // PrepRequestProcessor appends the counter to "/" itself: create -s / gives /0000000000.
  Env env;
  Prepared p = env.create("/", create_mode::kPersistentSequential);
  REQUIRE(p.err == err::kOk);
  CHECK(p.results[0].path == "/0000000000");
  env.apply();
  CHECK(env.snap.stat("/0000000000").has_value());
  CHECK(env.create("/", create_mode::kPersistentSequential).results[0].path == "/0000000001");
}

TEST_CASE("prep: delete refusals and success", "[prep]") {
  Env env;
  REQUIRE(env.create("/p").err == 0);
  REQUIRE(env.create("/p/child").err == 0);
  REQUIRE(env.create("/nodelete", 0, kAlice, "", {Acl{31 & ~perm::kDelete, "world", "anyone"}}).err == 0);
  REQUIRE(env.create("/nodelete/c").err == 0);
  env.apply();

  requireRefused(env, env.remove("/"), err::kBadArguments);
  requireRefused(env, env.remove("/zookeeper"), err::kBadArguments);
  requireRefused(env, env.remove("/zookeeper/quota"), err::kBadArguments);
  requireRefused(env, env.remove("/zookeeper/config"), err::kBadArguments);
  requireRefused(env, env.remove("p"), err::kBadArguments);
  requireRefused(env, env.remove(""), err::kBadArguments);
  requireRefused(env, env.remove(std::string("/p\0", 3)), err::kBadArguments);
  requireRefused(env, env.remove("/missing"), err::kNoNode);
  requireRefused(env, env.remove("/missing/child"), err::kNoNode);
  // ZooKeeper does not validate a delete's path beyond its slash: these name no node.
  requireRefused(env, env.remove("/p/"), err::kNoNode);
  requireRefused(env, env.remove("/p//child"), err::kNoNode);
  // The version is checked before the children (checkAndIncVersion, then NotEmpty).
  requireRefused(env, env.remove("/p", 3), err::kBadVersion);
  requireRefused(env, env.remove("/p", 0), err::kNotEmpty);
  requireRefused(env, env.remove("/p"), err::kNotEmpty);
  requireRefused(env, env.remove("/nodelete/c"), err::kNoAuth);
  CHECK(env.overlay.empty());

  Prepared d = env.remove("/p/child", 0);
  REQUIRE(d.err == err::kOk);
  CHECK(d.results[0].type == op::kDelete);
  REQUIRE(d.txn->ops.size() == 1);
  CHECK(std::get<DeleteOp>(d.txn->ops[0]) == DeleteOp{"/p/child"});
  const auto* gone = env.overlay.find("/p/child");
  REQUIRE(gone != nullptr);
  CHECK_FALSE(gone->exists);
  // Pipelined: /p is empty as soon as the child's delete is prepared.
  REQUIRE(env.remove("/p").err == err::kOk);
  requireRefused(env, env.remove("/p/child"), err::kNoNode);
  requireRefused(env, env.remove("/p"), err::kNoNode);
  View before = env.views({"/", "/p", "/p/child"});
  env.apply();
  CHECK(env.overlay.empty());
  CHECK(env.views({"/", "/p", "/p/child"}) == before);
  CHECK_FALSE(env.snap.stat("/p").has_value());
}

TEST_CASE("prep: setData, setACL and check", "[prep]") {
  Env env;
  REQUIRE(env.create("/n", 0, kAlice, "v0").err == 0);
  REQUIRE(env.create("/ro", 0, kAlice, "", kReadOnly).err == 0);
  REQUIRE(env.create("/noread", 0, kAlice, "", {Acl{perm::kWrite, "world", "anyone"}}).err == 0);
  env.apply();

  SECTION("setData") {
    requireRefused(env, env.setData("/missing", "x"), err::kNoNode);
    requireRefused(env, env.setData("/n/", "x"), err::kBadArguments);
    requireRefused(env, env.setData("n", "x"), err::kBadArguments);
    requireRefused(env, env.setData("/n", "x", 4), err::kBadVersion);
    requireRefused(env, env.setData("/ro", "x"), err::kNoAuth);

    Prepared p = env.setData("/n", "abc", 0);
    REQUIRE(p.err == err::kOk);
    CHECK(p.results[0].type == op::kSetData);
    CHECK(std::get<SetDataOp>(p.txn->ops[0]) == SetDataOp{"/n", "abc", 1});
    CHECK(p.results[0].stat.version == 1);
    CHECK(p.results[0].stat.mzxid == p.txn->zxid);
    CHECK(p.results[0].stat.mtime == env.now);
    CHECK(p.results[0].stat.dataLength == 3);
    CHECK(p.results[0].stat.czxid == 1);
    // The next prepare sees version 1 before anything is applied.
    requireRefused(env, env.setData("/n", "x", 0), err::kBadVersion);
    REQUIRE(env.setData("/n", "", 1).err == err::kOk);
    View before = env.views({"/n"});
    env.apply();
    CHECK(env.views({"/n"}) == before);
    CHECK(env.stat("/n")->version == 2);
    CHECK(env.stat("/n")->dataLength == 0);
  }

  SECTION("setACL") {
    requireRefused(env, env.setAcl("/n", {}), err::kInvalidAcl);
    requireRefused(env, env.setAcl("/n", {Acl{31, "ip", "300.0.0.1"}}), err::kInvalidAcl);
    requireRefused(env, env.setAcl("/missing", kOpen), err::kNoNode);
    requireRefused(env, env.setAcl("/n", kOpen, 2), err::kBadVersion);
    requireRefused(env, env.setAcl("/ro", kOpen), err::kNoAuth);

    AclList adminless{Acl{31 & ~perm::kAdmin, "world", "anyone"}, Acl{31, "auth", ""}};
    Prepared p = env.setAcl("/n", adminless, 0, kBob);
    REQUIRE(p.err == err::kOk);
    AclList fixed{Acl{31 & ~perm::kAdmin, "world", "anyone"}, Acl{31, "digest", "bob:Ym9i"}};
    CHECK(std::get<SetAclOp>(p.txn->ops[0]) == SetAclOp{"/n", fixed, 1});
    CHECK(p.results[0].stat.aversion == 1);
    CHECK(p.results[0].stat.version == 0);
    // Pipelined: the new ACL already applies to the next request.
    requireRefused(env, env.setAcl("/n", kOpen, -1, kAlice), err::kNoAuth);
    requireRefused(env, env.setAcl("/n", kOpen, 0, kBob), err::kBadVersion);
    REQUIRE(env.setAcl("/n", kOpen, 1, kBob).err == err::kOk);
    View before = env.views({"/n"});
    env.apply();
    CHECK(env.views({"/n"}) == before);
    CHECK(env.snap.meta("/n")->acl == kOpen);
    CHECK(env.stat("/n")->aversion == 2);
  }

  SECTION("check") {
    Prepared ok = env.multi({mCheck("/n", 0)});
    REQUIRE(ok.txn.has_value());
    // A check changes nothing, but it is in the txn so that every server can answer it.
    REQUIRE(ok.txn->ops.size() == 1);
    CHECK(std::get<CheckOp>(ok.txn->ops[0]) == CheckOp{"/n", 0});
    CHECK(ok.results[0].type == op::kCheck);
    CHECK(ok.results[0].err == err::kOk);
    CHECK(env.multi({mCheck("/n", 1)}).results[0].err == err::kBadVersion);
    CHECK(env.multi({mCheck("/missing", -1)}).results[0].err == err::kNoNode);
    CHECK(env.multi({mCheck("/noread", -1)}).results[0].err == err::kNoAuth);
    CHECK(env.multi({mCheck("/n/", -1)}).results[0].err == err::kBadArguments);
    CHECK(env.multi({mCheck("/n", -1)}).results[0].err == err::kOk);
  }
}

TEST_CASE("prep: pipelined prepares see each other through the overlay", "[prep]") {
  Env env;
  const std::set<std::string> paths{"/", "/a", "/a/b", "/a/e", "/a/e/x"};
  REQUIRE(env.create("/a").err == err::kOk);        // zxid 1
  REQUIRE(env.create("/a/b").err == err::kOk);      // zxid 2, parent only in the overlay
  requireRefused(env, env.create("/a"), err::kNodeExists);
  requireRefused(env, env.remove("/a"), err::kNotEmpty);
  REQUIRE(env.setData("/a/b", "1", 0).err == err::kOk);  // zxid 3
  requireRefused(env, env.setData("/a/b", "2", 0), err::kBadVersion);
  REQUIRE(env.create("/a/e", create_mode::kEphemeral).err == err::kOk);  // zxid 4
  requireRefused(env, env.create("/a/e/x"), err::kNoChildrenForEphemerals);
  CHECK(env.nextZxid == 5);
  CHECK_FALSE(env.snap.stat("/a").has_value());
  CHECK(env.snap.lastZxid() == 0);

  const View expected = env.views(paths);
  CHECK(expected.at("/a")->stat.numChildren == 2);
  CHECK(expected.at("/a/b")->stat.version == 1);

  // Half of it applied: entries changed later stay in the overlay, the view does not move.
  env.apply(2);
  CHECK(env.snap.lastZxid() == 2);
  CHECK(env.overlay.find("/") == nullptr);  // last changed at zxid 1
  REQUIRE(env.overlay.find("/a") != nullptr);
  CHECK(env.overlay.find("/a")->zxid == 4);
  REQUIRE(env.overlay.find("/a/b") != nullptr);
  CHECK(env.overlay.find("/a/b")->zxid == 3);
  CHECK(env.views(paths) == expected);

  env.apply();
  CHECK(env.overlay.empty());
  CHECK(env.views(paths) == expected);
  for (const auto& p : paths) CHECK(env.snap.meta(p) == expected.at(p));

  // From committed state the same requests fail the same way.
  requireRefused(env, env.create("/a"), err::kNodeExists);
  requireRefused(env, env.remove("/a"), err::kNotEmpty);
  requireRefused(env, env.setData("/a/b", "2", 0), err::kBadVersion);
  requireRefused(env, env.create("/a/e/x"), err::kNoChildrenForEphemerals);
}

TEST_CASE("prep: multi is all or nothing", "[prep][multi]") {
  Env env;
  REQUIRE(env.create("/base", 0, kAlice, "b").err == 0);
  env.apply();

  SECTION("success: one zxid, one txn, a result per op") {
    Prepared p = env.multi({mCreate("/m"), mCreate("/m/c", create_mode::kEphemeral),
                            mSetData("/m", "data", 0), mCheck("/m", 1), mDelete("/m/c", 0),
                            mCreate("/m/s", create_mode::kPersistentSequential)});
    REQUIRE(p.txn.has_value());
    CHECK(p.err == err::kOk);
    CHECK(env.nextZxid == 3);
    CHECK(p.txn->zxid == 2);
    REQUIRE(p.results.size() == 6);
    const std::vector<int32_t> types{op::kCreate, op::kCreate, op::kSetData,
                                     op::kCheck,  op::kDelete, op::kCreate};
    for (size_t i = 0; i < p.results.size(); ++i) {
      CHECK(p.results[i].type == types[i]);
      CHECK(p.results[i].err == err::kOk);
    }
    CHECK(p.results[0].path == "/m");
    CHECK(p.results[1].path == "/m/c");
    CHECK(p.results[2].stat.version == 1);
    CHECK(p.results[5].path == "/m/s0000000001");  // /m/c was the first child
    REQUIRE(p.txn->ops.size() == 6);  // one per op, the check's included
    CHECK(p.txn->type == op::kMulti);
    CHECK(std::get<CreateOp>(p.txn->ops[1]).ephemeralOwner == kAlice.sessionId);
    CHECK(std::get<SetDataOp>(p.txn->ops[2]) == SetDataOp{"/m", "data", 1});
    CHECK(std::get<CheckOp>(p.txn->ops[3]) == CheckOp{"/m", 1});
    CHECK(std::get<DeleteOp>(p.txn->ops[4]) == DeleteOp{"/m/c"});

    const std::set<std::string> paths{"/", "/m", "/m/c", "/m/s0000000001"};
    View before = env.views(paths);
    env.apply();
    CHECK(env.views(paths) == before);
    auto m = env.snap.meta("/m");
    REQUIRE(m.has_value());
    CHECK(m->stat.version == 1);
    CHECK(m->stat.numChildren == 1);
    CHECK(m->stat.cversion == 3);
    CHECK(m->childSeq == 2);
    CHECK_FALSE(env.snap.stat("/m/c").has_value());
    CHECK(env.snap.ephemerals(kAlice.sessionId).empty());
  }

  SECTION("failure: OK before, the error, RUNTIMEINCONSISTENCY after; nothing kept") {
    Prepared p = env.multi({mCreate("/f"), mCreate("/f/c"), mDelete("/nope"),
                            mSetData("/f", "x"), mCreate("/g")});
    CHECK_FALSE(p.txn.has_value());
    CHECK(p.err == err::kOk);  // the reply header of a multi carries no error
    REQUIRE(p.results.size() == 5);
    const std::vector<int32_t> errs{err::kOk, err::kOk, err::kNoNode,
                                    err::kRuntimeInconsistency, err::kRuntimeInconsistency};
    for (size_t i = 0; i < errs.size(); ++i) {
      INFO("op " << i);
      CHECK(p.results[i].type == op::kError);
      CHECK(p.results[i].err == errs[i]);
    }
    CHECK(env.nextZxid == 2);
    CHECK(env.overlay.empty());
    CHECK(env.pending.empty());
    // Nothing of it is visible afterwards.
    REQUIRE(env.create("/f").err == err::kOk);
    CHECK(env.create("/f/c").err == err::kOk);
  }

  SECTION("failure at the first and at the last op") {
    Prepared first = env.multi({mCheck("/nope", -1), mCreate("/x")});
    REQUIRE(first.results.size() == 2);
    CHECK(first.results[0].err == err::kNoNode);
    CHECK(first.results[1].err == err::kRuntimeInconsistency);
    Prepared last = env.multi({mCreate("/y"), mSetData("/base", "z", 5)});
    REQUIRE(last.results.size() == 2);
    CHECK(last.results[0].err == err::kOk);
    CHECK(last.results[1].err == err::kBadVersion);
    Prepared dup = env.multi({mCreate("/r"), mCreate("/r")});
    CHECK(dup.results[1].err == err::kNodeExists);
    CHECK(env.overlay.empty());
    CHECK(env.nextZxid == 2);
  }

  SECTION("ops see the earlier ops of the same multi and of pending requests") {
    REQUIRE(env.create("/pending").err == err::kOk);
    Prepared p = env.multi({mCreate("/pending/c"), mCreate("/q"), mDelete("/q"),
                            mSetData("/pending/c", "v", 0), mCheck("/pending/c", 1)});
    REQUIRE(p.txn.has_value());
    const std::set<std::string> paths{"/", "/q", "/pending", "/pending/c"};
    View before = env.views(paths);
    CHECK_FALSE(before.at("/q").has_value());
    env.apply();
    CHECK(env.views(paths) == before);
    CHECK(env.snap.meta("/")->childSeq == 3);  // /base, /pending, /q
  }

  SECTION("an empty multi succeeds and changes nothing") {
    Prepared p = env.multi({});
    REQUIRE(p.txn.has_value());
    CHECK(p.txn->ops.empty());
    CHECK(p.results.empty());
  }

  SECTION("malformed multis throw and leave no trace") {
    std::string body = multiBody({mCreate("/a"), {op::kGetData, pathVersionBody("/base", 0)}});
    JuteReader r(body);
    CHECK_THROWS_AS(env.prep.prepare(env.snap, kAlice, 1, op::kMulti, r, env.nextZxid, env.now),
                    JuteError);
    std::string unterminated = multiBody({mCreate("/a")}, false);
    JuteReader r2(unterminated);
    CHECK_THROWS_AS(env.prep.prepare(env.snap, kAlice, 1, op::kMulti, r2, env.nextZxid, env.now),
                    JuteError);
    std::string truncated = multiBody({mCreate("/a")});
    truncated.resize(truncated.size() - 10);
    JuteReader r3(truncated);
    CHECK_THROWS_AS(env.prep.prepare(env.snap, kAlice, 1, op::kMulti, r3, env.nextZxid, env.now),
                    JuteError);
    CHECK(env.nextZxid == 2);
    CHECK(env.overlay.empty());
  }
}

TEST_CASE("prep: closeSession removes committed and pending ephemerals", "[prep][session]") {
  Env env;
  const int64_t S = kAlice.sessionId, O = kBob.sessionId;
  REQUIRE(env.run(kAlice, op::kCreate, createBody("/c")).err == 0);
  REQUIRE(env.create("/c/e1", create_mode::kEphemeral, kAlice).err == 0);
  REQUIRE(env.create("/c/e3", create_mode::kEphemeral, kAlice).err == 0);
  REQUIRE(env.create("/e5", create_mode::kEphemeral, kAlice).err == 0);
  REQUIRE(env.create("/c/o", create_mode::kEphemeral, kBob).err == 0);
  REQUIRE(env.create("/c/p").err == 0);
  env.apply();
  REQUIRE(env.snap.ephemerals(S) == std::vector<std::string>{"/c/e1", "/c/e3", "/e5"});

  // Pending: a new ephemeral, a delete of a committed one, one created and deleted again,
  // and another session's ephemeral.
  REQUIRE(env.create("/c/e2", create_mode::kEphemeralSequential, kAlice).results[0].path ==
          "/c/e20000000004");
  REQUIRE(env.remove("/c/e3", -1, kBob).err == 0);
  REQUIRE(env.create("/c/e4", create_mode::kEphemeral, kAlice).err == 0);
  REQUIRE(env.remove("/c/e4").err == 0);
  REQUIRE(env.create("/c/o2", create_mode::kEphemeral, kBob).err == 0);

  int64_t zxid = env.nextZxid;
  Prepared p = env.closeSession(S);
  REQUIRE(p.txn.has_value());
  CHECK(env.nextZxid == zxid + 1);
  CHECK(p.txn->zxid == zxid);
  CHECK(p.txn->sessionId == S);
  REQUIRE(p.results.size() == 1);
  CHECK(p.results[0].type == op::kCloseSession);
  REQUIRE(p.txn->ops.size() == 1);
  CHECK(std::get<CloseSessionOp>(p.txn->ops[0]) ==
        CloseSessionOp{S, {"/c/e1", "/c/e20000000004", "/e5"}});

  // The next prepare already sees them gone.
  requireRefused(env, env.remove("/c/e1"), err::kNoNode);
  REQUIRE(env.create("/c/e1", 0, kBob).err == err::kOk);

  const std::set<std::string> paths{"/",     "/c",     "/c/e1",  "/c/e20000000004", "/c/e3",
                                    "/c/e4", "/c/o",   "/c/o2",  "/c/p",            "/e5"};
  View before = env.views(paths);
  CHECK(before.at("/c")->stat.numChildren == 4);  // e1 (Bob's now), o, o2, p
  env.apply();
  CHECK(env.overlay.empty());
  CHECK(env.views(paths) == before);
  CHECK(env.snap.ephemerals(S).empty());
  CHECK(env.snap.ephemerals(O) == std::vector<std::string>{"/c/o", "/c/o2"});
  CHECK(env.snap.children("/c") == std::vector<std::string>{"e1", "o", "o2", "p"});
  CHECK(env.snap.stat("/c/e1")->ephemeralOwner == 0);
}

TEST_CASE("prep: closeSession of a session without ephemerals still takes a zxid", "[prep][session]") {
  Env env;
  Prepared s = env.prep.createSession(0x77, 10000, std::string(16, 'p'), env.nextZxid, env.now);
  REQUIRE(s.txn.has_value());
  env.pending.push_back(*s.txn);
  CHECK(s.txn->zxid == 1);
  CHECK(s.results.at(0).type == op::kCreateSession);
  REQUIRE(s.txn->ops.size() == 1);
  CHECK(std::get<CreateSessionOp>(s.txn->ops[0]) == CreateSessionOp{0x77, 10000, std::string(16, 'p')});
  env.apply();
  REQUIRE(env.snap.sessions().size() == 1);
  CHECK(env.snap.sessions()[0].id == 0x77);

  Prepared p = env.closeSession(0x77);
  CHECK(p.txn->zxid == 2);
  CHECK(std::get<CloseSessionOp>(p.txn->ops[0]) == CloseSessionOp{0x77, {}});
  CHECK(env.overlay.empty());
  env.apply();
  CHECK(env.snap.sessions().empty());
  CHECK(env.nextZxid == 3);
}

TEST_CASE("prep: a zxid is consumed only by what succeeds", "[prep]") {
  Env env;
  std::vector<int64_t> zxids;
  auto ok = [&](Prepared p) {
    REQUIRE(p.txn.has_value());
    zxids.push_back(p.txn->zxid);
  };
  ok(env.create("/z"));
  requireRefused(env, env.create("/z"), err::kNodeExists);
  requireRefused(env, env.remove("/nope"), err::kNoNode);
  CHECK_FALSE(env.multi({mCreate("/y"), mCreate("/y")}).txn.has_value());
  ok(env.setData("/z", "1"));
  requireRefused(env, env.setData("/z", "1", 0), err::kBadVersion);
  ok(env.multi({mCreate("/y"), mDelete("/y")}));
  ok(env.closeSession(kAlice.sessionId));
  ok(env.create("/w"));
  CHECK(zxids == std::vector<int64_t>{1, 2, 3, 4, 5});
  CHECK(env.nextZxid == 6);
  env.apply();
  CHECK(env.snap.lastZxid() == 5);
}

TEST_CASE("prep: /zookeeper/config is read-only to all but super", "[prep]") {
  // DataTree.addConfigNode gives it READ_ACL_UNSAFE: ZooKeeper 3.8.0 answers setData and
  // create under it with NOAUTH (-102), delete with BADARGUMENTS (a special path).
  Env env;
  CHECK(env.snap.meta("/zookeeper/config")->acl == kReadOnly);
  requireRefused(env, env.setData("/zookeeper/config", "x"), err::kNoAuth);
  requireRefused(env, env.create("/zookeeper/config/x"), err::kNoAuth);
  requireRefused(env, env.setAcl("/zookeeper/config", kOpen), err::kNoAuth);
  requireRefused(env, env.remove("/zookeeper/config"), err::kBadArguments);
  CHECK(env.multi({mCheck("/zookeeper/config", 0)}).results[0].err == err::kOk);  // READ
  const Requester super{0x1003, {Acl{0, "super", ""}}};
  CHECK(env.setData("/zookeeper/config", "x", -1, super).err == err::kOk);
  // The other bootstrap nodes are open.
  CHECK(env.create("/zookeeper/quota/q").err == err::kOk);
}

TEST_CASE("prep: null data is kept apart from empty data", "[prep]") {
  Env env;
  std::string nullCreate;
  {
    JuteWriter w(nullCreate);
    w.writeString("/n");
    w.writeNullBuffer();
    writeAcl(w, kOpen);
    w.writeInt(0);
  }
  Prepared p = env.run(kAlice, op::kCreate, nullCreate);
  REQUIRE(p.err == err::kOk);
  CHECK(std::get<CreateOp>(p.txn->ops[0]).dataNull);
  CHECK(p.results[0].stat.dataLength == 0);
  Prepared e = env.create("/e", 0, kAlice, "");
  REQUIRE(e.err == err::kOk);
  CHECK_FALSE(std::get<CreateOp>(e.txn->ops[0]).dataNull);

  std::string nullSet;
  {
    JuteWriter w(nullSet);
    w.writeString("/e");
    w.writeNullBuffer();
    w.writeInt(0);
  }
  Prepared s = env.run(kAlice, op::kSetData, nullSet);
  REQUIRE(s.err == err::kOk);
  CHECK(std::get<SetDataOp>(s.txn->ops[0]).dataNull);
  CHECK(std::get<SetDataOp>(s.txn->ops[0]).newVersion == 1);
  env.apply();
  for (const char* path : {"/n", "/e"}) {
    INFO(path);
    gk::graph::Stat st;
    std::string_view data;
    bool isNull = false;
    REQUIRE(env.snap.getData(path, st, data, &isNull));
    CHECK(isNull);
    CHECK(data.empty());
    CHECK(st.dataLength == 0);
  }
}

TEST_CASE("prep: a random pipeline prepares exactly what the store then holds", "[prep][random]") {
  Env env;
  std::mt19937 rng(7);
  const std::vector<std::string> names{"/r", "/r/a", "/r/b", "/r/a/x", "/r/a/y", "/r/b/x", "/q"};
  std::vector<Requester> sessions{kAlice, kBob};
  std::set<std::string> touched(names.begin(), names.end());
  touched.insert("/");
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  auto version = [&](const std::string& path) {
    auto m = env.view(path);
    int r = int(rng() % 4);
    if (r == 0 || !m) return -1;
    return r == 1 ? m->stat.version + 1 : m->stat.version;
  };
  auto note = [&](const Prepared& p) {
    if (!p.txn) return;
    for (const TxnOp& op : p.txn->ops) {
      std::visit(
          [&](const auto& o) {
            using T = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<T, CloseSessionOp>) {
              touched.insert(o.ephemerals.begin(), o.ephemerals.end());
            } else if constexpr (!std::is_same_v<T, CreateSessionOp>) {
              touched.insert(o.path);
            }
          },
          op);
    }
  };
  auto randomOp = [&](bool inMulti) -> MultiOp {
    std::string path = pick(names);
    switch (rng() % 6) {
      case 0:
      case 1: {
        const int32_t modes[] = {create_mode::kPersistent, create_mode::kEphemeral,
                                 create_mode::kPersistentSequential,
                                 create_mode::kEphemeralSequential};
        return mCreate(path, modes[rng() % 4]);
      }
      case 2: return mDelete(path, version(path));
      case 3: return mSetData(path, std::string(rng() % 5, 'd'), version(path));
      case 4:
        if (!inMulti) {
          // Bob can always undo these; Alice cannot use "auth" (INVALIDACL).
          const AclList acls[] = {kOpen,
                                  kOpen,
                                  {Acl{perm::kRead, "world", "anyone"}, Acl{31, "digest", "bob:Ym9i"}},
                                  {Acl{31, "auth", ""}}};
          return {op::kSetAcl, setAclBody(path, acls[rng() % 4], -1)};
        }
        return mCheck(path, version(path));
      default: return mCheck(path, version(path));
    }
  };

  int okCount = 0, failCount = 0;
  for (int i = 0; i < 1500; ++i) {
    const Requester& who = sessions[rng() % sessions.size()];
    Prepared p;
    unsigned kind = rng() % 20;
    if (kind < 14) {
      MultiOp op = randomOp(false);
      if (op.type == op::kCheck) op = mSetData(pick(names), "c", -1);
      p = env.run(who, op.type, op.body);
    } else if (kind < 19) {
      std::vector<MultiOp> ops;
      for (unsigned n = 1 + rng() % 3; n > 0; --n) ops.push_back(randomOp(true));
      p = env.multi(ops, who);
    } else {
      // The session ends; a new one takes its place.
      const int64_t ending = who.sessionId;
      p = env.closeSession(ending);
      for (auto& s : sessions) {
        if (s.sessionId == ending) s.sessionId += 0x100;
      }
    }
    note(p);
    (p.txn ? okCount : failCount)++;
    if (rng() % 4 == 0) {
      View before = env.views(touched);
      REQUIRE_NOTHROW(env.apply(rng() % (env.pending.size() + 1)));
      REQUIRE(env.views(touched) == before);
    }
  }
  View before = env.views(touched);
  REQUIRE_NOTHROW(env.apply());
  CHECK(env.overlay.empty());
  CHECK(env.views(touched) == before);
  for (const auto& [path, meta] : before) {
    INFO(path);
    CHECK(env.snap.meta(path) == meta);
    if (meta) CHECK(meta->stat.numChildren == int32_t(env.snap.children(path).size()));
  }
  CHECK(okCount > 300);
  CHECK(failCount > 300);
}

TEST_CASE("prep: a bad projection rule is refused with BADARGUMENTS, a good one passes",
          "[prep][graph]") {
  Env env;
  REQUIRE(env.create("/graphkeeper").err == err::kOk);
  REQUIRE(env.create("/graphkeeper/projections").err == err::kOk);
  env.apply();
  const std::string good =
      R"({"match":"/hbase/rs/{server}","label":"RegionServer","key":"{server}"})";
  requireRefused(env, env.create("/graphkeeper/projections/bad", 0, kAlice, "{not json"),
                 err::kBadArguments);
  requireRefused(env, env.create("/graphkeeper/projections/bad", 0, kAlice,
                                 R"({"match":"/a/{x}","label":"A","key":"{y}"})"),
                 err::kBadArguments);
  requireRefused(env, env.create("/graphkeeper/projections/" + std::string(65, 'n'), 0, kAlice, good),
                 err::kBadArguments);
  // A bad rule inside a multi fails the whole multi.
  Prepared m = env.multi({mCreate("/other"), MultiOp{op::kCreate, createBody("/graphkeeper/projections/m", 0, "[]")}});
  CHECK_FALSE(m.txn.has_value());
  CHECK(m.results[1].err == err::kBadArguments);
  Prepared ok = env.create("/graphkeeper/projections/rs", 0, kAlice, good);
  REQUIRE(ok.err == err::kOk);
  env.apply();
  requireRefused(env, env.setData("/graphkeeper/projections/rs", R"({"match":"relative"})"),
                 err::kBadArguments);
  CHECK(env.setData("/graphkeeper/projections/rs", good).err == err::kOk);
  // Deeper paths and the directory itself are ordinary znodes.
  CHECK(env.create("/graphkeeper/projections/rs/child", 0, kAlice, "anything").err == err::kOk);
  env.apply();
}
