// GraphReader's projected spaces over a real store: (:ZNode) with stat fields, data and json,
// [:CHILD] both ways, (:Session), [:OWNED_BY] both ways, (:Server), [:FOLLOWS], [:CONNECTED_TO],
// the built-in indexes, and MVCC: a reader sees its snapshot only.
#include <catch2/catch.hpp>

#include "graph/graph_reader.h"
#include "tests/unit/graph_test_util.h"

using namespace gk::graph;
using gk::testing::TempDir;
using gk::testing::TestStore;

namespace {

std::vector<NodeRef> collect(const GraphReader& g, std::string_view label) {
  std::vector<NodeRef> out;
  g.scanLabel(label, [&](const NodeRef& n) {
    out.push_back(n);
    return true;
  });
  return out;
}

std::vector<EdgeRef> edgesOf(const GraphReader& g, const NodeRef& n, EdgeDirection d,
                             std::vector<std::string> types = {}) {
  std::vector<EdgeRef> out;
  g.edges(n, d, types, [&](const EdgeRef& e) {
    out.push_back(e);
    return true;
  });
  return out;
}

NodeRef zn(std::string p) { return NodeRef{NodeSpace::kZnode, std::move(p)}; }

}  // namespace

TEST_CASE("graph reader: ZNode properties, json, CHILD edges", "[graph]") {
  TempDir dir;
  TestStore s(dir.store());
  s.create("/app", R"({"host":"h1","port":9092,"tags":["a","b"],"big":18446744073709551615})");
  s.create("/app/x", "not json");
  s.create("/app/y", "");
  s.set("/app/x", "still not json");
  Snapshot snap = s.store().snapshot();
  auto g = openGraphReader(snap, nullptr);

  CHECK(g->zxid() == 4);
  CHECK(g->exists(zn("/app")));
  CHECK_FALSE(g->exists(zn("/nope")));
  CHECK_FALSE(g->exists(zn("bad//path")));
  CHECK(g->nodeLabels(zn("/app")) == std::vector<std::string>{"ZNode"});
  CHECK(g->nodeProperty(zn("/app"), "name") == Value("app"));
  CHECK(g->nodeProperty(zn("/app"), "path") == Value("/app"));
  CHECK(g->nodeProperty(zn("/app"), "numChildren") == Value(2));
  CHECK(g->nodeProperty(zn("/app/x"), "version") == Value(1));
  CHECK(g->nodeProperty(zn("/app/x"), "data") == Value("still not json"));
  CHECK(g->nodeProperty(zn("/app/x"), "json").isNull());
  CHECK(g->nodeProperty(zn("/app/x"), "nosuch").isNull());
  Value json = g->nodeProperty(zn("/app"), "json");
  REQUIRE(json.isMap());
  CHECK(*valueMapGet(json.asMap(), "host") == Value("h1"));
  CHECK(*valueMapGet(json.asMap(), "port") == Value(9092));
  CHECK(valueMapGet(json.asMap(), "big")->isFloat());
  CHECK(valueMapGet(json.asMap(), "tags")->asList().size() == 2);
  ValueMap all = g->nodeProperties(zn("/app"));
  CHECK(all.size() == 15);
  CHECK(std::is_sorted(all.begin(), all.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; }));

  auto kids = edgesOf(*g, zn("/app"), EdgeDirection::kOut, {"CHILD"});
  REQUIRE(kids.size() == 2);
  CHECK(kids[0].to == zn("/app/x"));
  CHECK(kids[1].to == zn("/app/y"));
  auto parent = edgesOf(*g, zn("/app/x"), EdgeDirection::kIn);
  REQUIRE(parent.size() == 1);
  CHECK(parent[0].from == zn("/app"));
  CHECK(edgesOf(*g, zn("/app"), EdgeDirection::kBoth).size() == 3);
  CHECK(edgesOf(*g, zn("/"), EdgeDirection::kIn).empty());
  CHECK(edgesOf(*g, zn("/app"), EdgeDirection::kOut, {"OWNED_BY"}).empty());

  // Every znode once in a label scan (/, /zookeeper, its two children, /app and two children).
  CHECK(collect(*g, "ZNode").size() == 7);
  int seen = 0;
  CHECK(g->seekIndex("ZNode", "path", Value("/app/y"), [&](const NodeRef& n) {
    CHECK(n == zn("/app/y"));
    return ++seen, true;
  }));
  CHECK(seen == 1);
  CHECK(g->seekIndex("ZNode", "path", Value("/zzz"), [&](const NodeRef&) { return ++seen, true; }));
  CHECK(seen == 1);
  CHECK_FALSE(g->seekIndex("ZNode", "name", Value("x"), [](const NodeRef&) { return true; }));

  // ids: stable, distinct in practice, non-negative.
  CHECK(g->nodeId(zn("/app")) == g->nodeId(zn("/app")));
  CHECK(g->nodeId(zn("/app")) != g->nodeId(zn("/app/x")));
  CHECK(g->nodeId(zn("/app")) >= 0);
  CHECK(g->edgeId(kids[0]) != g->edgeId(kids[1]));
}

TEST_CASE("graph reader: sessions, ephemerals, OWNED_BY, servers", "[graph]") {
  TempDir dir;
  TestStore s(dir.store());
  const int64_t sid = 0x100000000000001;
  s.session(sid, 4000);
  s.create("/e1", "x", sid);
  s.create("/e2", "y", sid);
  s.apply({CreateOp{"/c", "", {Acl{31, "world", "anyone"}}, kContainerOwner}});
  Snapshot snap = s.store().snapshot();
  auto ens = std::make_shared<EnsembleView>();
  ens->servers.push_back({1, "a", 2181, "leader", 5, std::nullopt});
  ens->servers.push_back({2, "b", 2181, "follower", 5, 1});
  ens->sessionServer.push_back({sid, 2});
  auto g = openGraphReader(snap, ens);

  NodeRef sess{NodeSpace::kSession, std::string("\x01\x00\x00\x00\x00\x00\x00\x01", 8)};
  auto sessions = collect(*g, "Session");
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0] == sess);
  CHECK(g->nodeProperty(sess, "id") == Value(sid));
  CHECK(g->nodeProperty(sess, "timeout") == Value(4000));
  CHECK(g->nodeLabels(zn("/e1")) == std::vector<std::string>{"ZNode", "Ephemeral"});
  CHECK(g->nodeLabels(zn("/c")) == std::vector<std::string>{"ZNode", "Container"});
  CHECK(g->nodeProperty(zn("/c"), "ephemeralOwner") == Value(0));
  CHECK(g->nodeProperty(zn("/e1"), "ephemeralOwner") == Value(sid));
  CHECK(collect(*g, "Ephemeral").size() == 2);
  CHECK(collect(*g, "Container").size() == 1);
  CHECK(collect(*g, "TTL").empty());

  auto owned = edgesOf(*g, zn("/e1"), EdgeDirection::kOut, {"OWNED_BY"});
  REQUIRE(owned.size() == 1);
  CHECK(owned[0].to == sess);
  CHECK(edgesOf(*g, sess, EdgeDirection::kIn, {"OWNED_BY"}).size() == 2);
  auto conn = edgesOf(*g, sess, EdgeDirection::kOut);
  REQUIRE(conn.size() == 1);
  CHECK(conn[0].type == "CONNECTED_TO");
  NodeRef s2 = conn[0].to;
  CHECK(g->nodeProperty(s2, "role") == Value("follower"));
  auto follows = edgesOf(*g, s2, EdgeDirection::kOut, {"FOLLOWS"});
  REQUIRE(follows.size() == 1);
  CHECK(g->nodeProperty(follows[0].to, "id") == Value(1));
  CHECK(edgesOf(*g, follows[0].to, EdgeDirection::kIn).size() == 1);
  int n = 0;
  CHECK(g->seekIndex("Session", "id", Value(sid), [&](const NodeRef&) { return ++n, true; }));
  CHECK(g->seekIndex("Server", "id", Value(2), [&](const NodeRef&) { return ++n, true; }));
  CHECK(n == 2);
  n = 0;
  g->scanAll([&](const NodeRef&) { return ++n < 3; });
  CHECK(n == 3);  // stops when told
}

TEST_CASE("graph reader: a snapshot does not see later writes", "[graph]") {
  TempDir dir;
  TestStore s(dir.store());
  s.create("/a");
  Snapshot before = s.store().snapshot();
  s.create("/a/b");
  auto g = openGraphReader(before, nullptr);
  CHECK_FALSE(g->exists(zn("/a/b")));
  CHECK(edgesOf(*g, zn("/a"), EdgeDirection::kOut).empty());
  Snapshot after = s.store().snapshot();
  CHECK(openGraphReader(after, nullptr)->exists(zn("/a/b")));
}
