// Declarative projection rules over a real store: validation messages, a rule added over
// existing data, changed, removed; edges to other projected nodes; declared indexes; znode
// changes after the rule; a rule that is invalid at apply time (never through prepare) projects
// nothing and refuses nothing; rebuild equality.
#include <catch2/catch.hpp>

#include "graph/graph_reader.h"
#include "graph/projection_rule.h"
#include "tests/unit/graph_test_util.h"

using namespace gk::graph;
using gk::testing::TempDir;
using gk::testing::TestStore;

namespace {

const char* kRsRule = R"({
  "match": "/hbase/rs/{server}",
  "label": "RegionServer",
  "key": "{server}",
  "properties": {"name": "{server}", "host": "json.host", "port": "json.port",
                 "kind": "=regionserver", "version": "stat.version"},
  "indexes": ["host", {"label": "Host", "property": "name", "unique": true}],
  "edges": [{"type": "RUNS_ON", "to": {"label": "Host", "key": "json.host",
                                        "properties": {"name": "json.host"}}}]
})";

size_t count(const GraphReader& g, std::string_view label) {
  size_t n = 0;
  g.scanLabel(label, [&](const NodeRef&) { return ++n, true; });
  return n;
}

std::vector<NodeRef> seek(const GraphReader& g, std::string_view label, std::string_view prop,
                          const Value& v) {
  std::vector<NodeRef> out;
  REQUIRE(g.seekIndex(label, prop, v, [&](const NodeRef& n) {
    out.push_back(n);
    return true;
  }));
  return out;
}

}  // namespace

TEST_CASE("rules: validation names what is wrong", "[graph][rules]") {
  CHECK_FALSE(validateProjectionRule(kRsRule));
  auto err = [](const char* j) { return validateProjectionRule(j).value_or("<valid>"); };
  CHECK(err("{nope") == "the rule is not valid JSON");
  CHECK(err("[]") == "the rule must be a JSON object");
  CHECK(err(R"({"label":"A","key":"x"})").find("\"match\"") != std::string::npos);
  CHECK(err(R"({"match":"a/b","label":"A","key":"=x"})").find("absolute") != std::string::npos);
  CHECK(err(R"({"match":"/a//b","label":"A","key":"=x"})").find("empty path segment") != std::string::npos);
  CHECK(err(R"({"match":"/a/{x}{y}","label":"A","key":"=x"})").find("one capture") != std::string::npos);
  CHECK(err(R"({"match":"/a/{x}/{x}","label":"A","key":"=x"})").find("twice") != std::string::npos);
  CHECK(err(R"({"match":"/a/{x}","label":"A b","key":"{x}"})").find("identifier") != std::string::npos);
  CHECK(err(R"({"match":"/a/{x}","label":"A","key":"{y}"})").find("not a capture") != std::string::npos);
  CHECK(err(R"({"match":"/a/{x}","label":"A","key":"host"})").find("unknown expression") != std::string::npos);
  CHECK(err(R"({"match":"/a/{x}","label":"A","key":"{x}","propertys":{}})").find("unknown field") != std::string::npos);
  CHECK(err(R"({"match":"/a/{x}","label":"A","key":"{x}","edges":[{"type":"T","direction":"up","to":{"label":"B","key":"=1"}}]})")
            .find("direction") != std::string::npos);
  CHECK(err(R"({"match":"/a/{x}","label":"A","key":"{x}","properties":{"p":"stat.numChildren"}})")
            .find("stat field") != std::string::npos);
  CHECK(err(R"({"match":"/graphkeeper/projections/{x}","label":"A","key":"{x}"})").find("rules themselves") != std::string::npos);
  CHECK(err(R"({"match":"/a/{x}","label":"A","key":"{x}","indexes":[7]})").find("indexes[0]") != std::string::npos);
  CHECK_FALSE(validateProjectionZnode("/other/path", "garbage"));
  CHECK_FALSE(validateProjectionZnode("/graphkeeper/projections/x/deeper", "garbage"));
  CHECK(validateProjectionZnode("/graphkeeper/projections/x", "garbage"));

  auto parsed = parseProjectionRule(R"({"match":"/app/{a}/lock-{n}","label":"L","key":"{a}-{n}"})");
  REQUIRE(std::holds_alternative<ProjectionRule>(parsed));
  Captures caps;
  const auto& rule = std::get<ProjectionRule>(parsed);
  CHECK(matchRule(rule, "/app/q/lock-0007", caps));
  CHECK(caps == Captures{{"a", "q"}, {"n", "0007"}});
  CHECK_FALSE(matchRule(rule, "/app/q/lock-", caps));
  CHECK_FALSE(matchRule(rule, "/app/q", caps));
  CHECK_FALSE(matchRule(rule, "/app/q/lock-1/x", caps));
  CHECK_FALSE(matchRule(rule, "/apps/q/lock-1", caps));
}

TEST_CASE("rules: added over existing data, then znode changes, change and removal",
          "[graph][rules]") {
  TempDir dir;
  TestStore s(dir.store());
  s.createAll("/hbase/rs/rs1", R"({"host":"h1","port":16020})");
  s.create("/hbase/rs/rs2", R"({"host":"h1","port":16021})");
  s.create("/hbase/rs/rs3", "not json");
  Snapshot beforeRule = s.store().snapshot();
  s.createAll("/graphkeeper/projections/hbase", kRsRule);
  {
    Snapshot snap = s.store().snapshot();
    auto g = openGraphReader(snap, nullptr);
    CHECK(count(*g, "RegionServer") == 3);
    CHECK(count(*g, "Host") == 1);  // rs3 has no host: no edge, no Host
    auto rs1 = seek(*g, "RegionServer", "host", Value("h1"));
    CHECK(rs1.size() == 2);
    auto rs3 = seek(*g, "Host", "name", Value("h1"));
    REQUIRE(rs3.size() == 1);
    std::vector<std::string> runsOn{"RUNS_ON"};
    size_t in = 0;
    g->edges(rs3[0], EdgeDirection::kIn, runsOn, [&](const EdgeRef&) { return ++in, true; });
    CHECK(in == 2);
    bool sawRs3 = false;
    g->scanLabel("RegionServer", [&](const NodeRef& n) {
      if (g->nodeProperty(n, "name") == Value("rs3")) {
        sawRs3 = true;
        CHECK(g->nodeProperty(n, "host").isNull());
        CHECK(g->nodeProperty(n, "kind") == Value("regionserver"));
        CHECK(g->nodeProperty(n, "version") == Value(0));
      }
      return true;
    });
    CHECK(sawRs3);
    bool unique = false;
    for (const auto& i : g->indexes())
      if (i.label == "Host" && i.property == "name") unique = i.unique;
    CHECK(unique);
    // The snapshot taken before the rule sees none of it.
    CHECK(count(*openGraphReader(beforeRule, nullptr), "RegionServer") == 0);
  }

  // Znode changes after the rule are projected in the same txn.
  s.set("/hbase/rs/rs2", R"({"host":"h2","port":1})");
  s.create("/hbase/rs/rs4", R"({"host":"h2"})");
  s.remove("/hbase/rs/rs1");
  {
    Snapshot snap = s.store().snapshot();
    auto g = openGraphReader(snap, nullptr);
    CHECK(count(*g, "RegionServer") == 3);
    CHECK(count(*g, "Host") == 1);  // h1 is named by nothing any more
    CHECK(seek(*g, "RegionServer", "host", Value("h2")).size() == 2);
    CHECK(seek(*g, "RegionServer", "host", Value("h1")).empty());
    CHECK(seek(*g, "Host", "name", Value("h1")).empty());
  }

  // Changing the rule: new label, no edges, another index; the old facts all go.
  s.set("/graphkeeper/projections/hbase",
        R"({"match":"/hbase/rs/{server}","label":"RS","key":"{server}",
            "properties":{"port":"json.port"},"indexes":["port"]})");
  {
    Snapshot snap = s.store().snapshot();
    auto g = openGraphReader(snap, nullptr);
    CHECK(count(*g, "RegionServer") == 0);
    CHECK(count(*g, "Host") == 0);
    CHECK(count(*g, "RS") == 3);
    CHECK(seek(*g, "RS", "port", Value(1)).size() == 1);
    for (const auto& i : g->indexes()) CHECK(i.label != "RegionServer");
  }

  // Removing it retracts everything it made.
  s.remove("/graphkeeper/projections/hbase");
  {
    Snapshot snap = s.store().snapshot();
    auto g = openGraphReader(snap, nullptr);
    CHECK(count(*g, "RS") == 0);
    for (const auto& i : g->indexes()) CHECK(i.label != "RS");
    s.set("/hbase/rs/rs2", "{}");  // no rule: nothing happens
    Snapshot after = s.store().snapshot();
    CHECK(count(*openGraphReader(after, nullptr), "RS") == 0);
  }
}

TEST_CASE("rules: an invalid rule reaching the store projects nothing and refuses nothing",
          "[graph][rules]") {
  TempDir dir;
  TestStore s(dir.store());
  s.createAll("/app/x", "1");
  s.createAll("/graphkeeper/projections/broken", "{oops");
  s.create("/app/y", "2");
  s.set("/graphkeeper/projections/broken", R"({"match":"/app/{n}","label":"App","key":"{n}"})");
  Snapshot snap = s.store().snapshot();
  CHECK(count(*openGraphReader(snap, nullptr), "App") == 2);
}

TEST_CASE("rules: rule and Kafka facts merge, and a rebuild gives the same graph",
          "[graph][rules]") {
  TempDir dir;
  std::set<std::string> before;
  {
    TestStore s(dir.store());
    s.createAll("/brokers/ids/1", R"({"host":"k1","port":9092})");
    s.createAll("/graphkeeper/projections/extra",
                R"({"match":"/brokers/ids/{id}","label":"Broker","key":"{id:int}",
                    "properties":{"zkPath":"path"},
                    "edges":[{"type":"ON_HOST","to":{"label":"Host","key":"json.host","properties":{"name":"json.host"}}}]})");
    s.createAll("/brokers/topics/t", R"({"partitions":{"0":[1,2]}})");
    Snapshot snap = s.store().snapshot();
    auto g = openGraphReader(snap, nullptr);
    auto b1 = seek(*g, "Broker", "id", Value(1));
    REQUIRE(b1.size() == 1);
    CHECK(g->nodeProperty(b1[0], "zkPath") == Value("/brokers/ids/1"));
    CHECK(g->nodeProperty(b1[0], "host") == Value("k1"));
    CHECK(g->nodeProperty(b1[0], "alive") == Value(true));
    before = gk::testing::dumpStoredGraph(*g);
  }
  TestStore rebuilt(dir.store(), true);
  Snapshot snap = rebuilt.store().snapshot();
  CHECK(gk::testing::dumpStoredGraph(*openGraphReader(snap, nullptr)) == before);
}

TEST_CASE("rules: a batch that rolls back leaves no rule behind, in the store or the writer",
          "[graph][rules]") {
  TempDir dir;
  TestStore s(dir.store());
  s.createAll("/graphkeeper/projections/keep", R"({"match":"/k/{n}","label":"K","key":"{n}"})");
  s.createAll("/app/a", "1");
  Snapshot before = s.store().snapshot();
  Txn bad;
  bad.zxid = before.lastZxid() + 1;
  bad.ops = {CreateOp{"/graphkeeper/projections/app", R"({"match":"/app/{n}","label":"App","key":"{n}"})",
                      {Acl{31, "world", "anyone"}}, 0},
             DeleteOp{"/does/not/exist"}};
  CHECK_THROWS_AS(s.store().apply({bad}), StoreError);
  s.create("/app/b", "2");   // same write txn id as the rolled-back one
  s.createAll("/k/x", "");   // the committed rule still works
  s.create("/app/c", "3");
  Snapshot snap = s.store().snapshot();
  auto g = openGraphReader(snap, nullptr);
  CHECK(count(*g, "App") == 0);
  CHECK(count(*g, "K") == 1);
}
