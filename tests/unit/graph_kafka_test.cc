// The Kafka projection over a real store, written as Kafka writes its znodes: brokers (ephemeral
// registrations), topics, partition state, controller, cluster id, deletion and configs. Checks
// nodes, edges, alive:false for unregistered brokers, moving LEADER/IN_ISR edges, retraction,
// indexes after every change, malformed JSON, and equality with a from-scratch rebuild after a
// random sequence of changes.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "graph/graph_reader.h"
#include "tests/unit/graph_test_util.h"

using namespace gk::graph;
using gk::testing::TempDir;
using gk::testing::TestStore;
using gk::testing::valueText;

namespace {

std::string brokerJson(int id, const std::string& rack = "r1") {
  return R"({"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://host)" +
         std::to_string(id) + R"(:9092"],"rack":")" + rack +
         R"(","jmx_port":-1,"features":{},"host":"host)" + std::to_string(id) +
         R"(","timestamp":"1700000000000","port":9092,"version":5})";
}
std::string topicJson(const std::string& parts, const std::string& id = "AAAAAAAAAAAAAAAAAAAAAA") {
  return R"({"partitions":)" + parts + R"(,"topic_id":")" + id +
         R"(","adding_replicas":{},"removing_replicas":{},"version":3})";
}
std::string stateJson(int leader, const std::string& isr, int epoch = 0) {
  return R"({"controller_epoch":1,"leader":)" + std::to_string(leader) +
         R"(,"version":1,"leader_epoch":)" + std::to_string(epoch) + R"(,"isr":)" + isr + "}";
}

// The one stored node with label and property = value (via the index, checked against a scan).
std::optional<NodeRef> find(const GraphReader& g, std::string_view label, std::string_view prop,
                            const Value& v) {
  std::vector<NodeRef> viaIndex, viaScan;
  bool indexed = g.seekIndex(label, prop, v, [&](const NodeRef& n) {
    viaIndex.push_back(n);
    return true;
  });
  g.scanLabel(label, [&](const NodeRef& n) {
    if (g.nodeProperty(n, prop) == v) viaScan.push_back(n);
    return true;
  });
  if (indexed) CHECK(viaIndex == viaScan);
  REQUIRE(viaScan.size() <= 1);
  if (viaScan.empty()) return std::nullopt;
  return viaScan[0];
}

std::optional<NodeRef> partition(const GraphReader& g, const std::string& topic, int id) {
  std::optional<NodeRef> out;
  g.seekIndex("Partition", "topic", Value(topic), [&](const NodeRef& n) {
    if (g.nodeProperty(n, "id") == Value(id)) out = n;
    return true;
  });
  return out;
}

std::vector<int64_t> targets(const GraphReader& g, const NodeRef& n, const std::string& type,
                             EdgeDirection d = EdgeDirection::kOut, const char* prop = "id") {
  std::vector<int64_t> out;
  std::vector<std::string> types{type};
  g.edges(n, d, types, [&](const EdgeRef& e) {
    Value v = g.nodeProperty(d == EdgeDirection::kOut ? e.to : e.from, prop);
    out.push_back(v.isInt() ? v.asInt() : -999);
    return true;
  });
  std::sort(out.begin(), out.end());
  return out;
}

size_t count(const GraphReader& g, std::string_view label) {
  size_t n = 0;
  g.scanLabel(label, [&](const NodeRef&) { return ++n, true; });
  return n;
}

// Every declared index equals a label scan, for every node's value.
void checkIndexes(const GraphReader& g) {
  for (const IndexInfo& idx : g.indexes()) {
    if (idx.label == "ZNode" || idx.label == "Session" || idx.label == "Server") continue;
    g.scanLabel(idx.label, [&](const NodeRef& n) {
      Value v = g.nodeProperty(n, idx.property);
      if (v.isNull()) return true;
      bool found = false;
      g.seekIndex(idx.label, idx.property, v, [&](const NodeRef& m) {
        found = found || m == n;
        return true;
      });
      CHECK(found);
      return true;
    });
  }
}

}  // namespace

TEST_CASE("kafka: brokers, topics, partitions, controller, cluster", "[graph][kafka]") {
  TempDir dir;
  TestStore s(dir.store());
  const int64_t sid = 0x200;
  s.session(sid);
  s.createAll("/brokers/ids/1", brokerJson(1), sid);
  s.create("/brokers/ids/2", brokerJson(2, "r2"), sid);
  s.createAll("/brokers/topics/orders", topicJson(R"({"0":[1,2,3],"1":[2,1]})"));
  s.createAll("/brokers/topics/orders/partitions/0/state", stateJson(1, "[1,2]", 4));
  s.createAll("/cluster/id", R"({"version":"1","id":"c-123"})");
  s.create("/controller", R"({"version":1,"brokerid":2,"timestamp":"1700000000000"})");
  s.create("/controller_epoch", "7");

  Snapshot snap = s.store().snapshot();
  auto g = openGraphReader(snap, nullptr);
  auto b1 = find(*g, "Broker", "id", Value(1));
  REQUIRE(b1);
  CHECK(g->nodeLabels(*b1) == std::vector<std::string>{"Broker"});
  CHECK(g->nodeProperty(*b1, "alive") == Value(true));
  CHECK(g->nodeProperty(*b1, "host") == Value("host1"));
  CHECK(g->nodeProperty(*b1, "port") == Value(9092));
  CHECK(g->nodeProperty(*b1, "rack") == Value("r1"));
  CHECK(g->nodeProperty(*b1, "timestamp") == Value(int64_t{1700000000000}));
  CHECK(valueText(g->nodeProperty(*b1, "endpoints")) == "['PLAINTEXT://host1:9092',]");
  auto b3 = find(*g, "Broker", "id", Value(3));
  REQUIRE(b3);  // a replica, never registered
  CHECK(g->nodeProperty(*b3, "alive") == Value(false));
  CHECK(count(*g, "Broker") == 3);

  auto t = find(*g, "Topic", "name", Value("orders"));
  REQUIRE(t);
  CHECK(g->nodeProperty(*t, "topicId") == Value("AAAAAAAAAAAAAAAAAAAAAA"));
  CHECK(g->nodeProperty(*t, "partitionCount") == Value(2));
  CHECK(count(*g, "Partition") == 2);
  auto p0 = partition(*g, "orders", 0);
  REQUIRE(p0);
  CHECK(g->nodeProperty(*p0, "leaderEpoch") == Value(4));
  CHECK(g->nodeProperty(*p0, "leader") == Value(1));
  CHECK(g->nodeProperty(*p0, "topic") == Value("orders"));
  CHECK(targets(*g, *p0, "REPLICA") == std::vector<int64_t>{1, 2, 3});
  CHECK(targets(*g, *p0, "LEADER") == std::vector<int64_t>{1});
  CHECK(targets(*g, *p0, "IN_ISR") == std::vector<int64_t>{1, 2});
  CHECK(targets(*g, *t, "PARTITION_OF", EdgeDirection::kIn) == std::vector<int64_t>{0, 1});
  // REPLICA positions
  std::vector<std::string> replica{"REPLICA"};
  g->edges(*p0, EdgeDirection::kOut, replica, [&](const EdgeRef& e) {
    int64_t broker = g->nodeProperty(e.to, "id").asInt();
    CHECK(g->edgeProperty(e, "position") == Value(broker - 1));
    return true;
  });
  auto p1 = partition(*g, "orders", 1);
  REQUIRE(p1);
  CHECK(g->nodeProperty(*p1, "leader").isNull());  // no state znode yet
  CHECK(valueText(g->nodeProperty(*p1, "replicas")) == "[2,1,]");

  auto cluster = find(*g, "Cluster", "id", Value("c-123"));
  REQUIRE(cluster);
  CHECK(g->nodeProperty(*cluster, "controllerEpoch") == Value(7));
  CHECK(targets(*g, *cluster, "CONTROLLER", EdgeDirection::kIn) == std::vector<int64_t>{2});
  CHECK(count(*g, "Cluster") == 1);

  // Labels and their counts for the planner.
  bool sawBroker = false;
  for (const auto& l : g->labels())
    if (l.label == "Broker") sawBroker = l.approxCount == 3;
  CHECK(sawBroker);
  checkIndexes(*g);
}

TEST_CASE("kafka: broker death, leader moves, deletion, retraction", "[graph][kafka]") {
  TempDir dir;
  TestStore s(dir.store());
  const int64_t sid1 = 0x301, sid2 = 0x302;
  s.session(sid1);
  s.session(sid2);
  s.createAll("/brokers/ids/1", brokerJson(1), sid1);
  s.create("/brokers/ids/2", brokerJson(2), sid2);
  s.createAll("/brokers/topics/t", topicJson(R"({"0":[1,2]})"));
  s.createAll("/brokers/topics/t/partitions/0/state", stateJson(2, "[1,2]"));
  uint64_t idBefore;
  {
    Snapshot snap = s.store().snapshot();
    auto g = openGraphReader(snap, nullptr);
    idBefore = g->nodeId(*find(*g, "Broker", "id", Value(2)));
  }
  Snapshot beforeDeath = s.store().snapshot();

  SECTION("broker 2's session ends: alive false, still a replica; leader moves to 1") {
    s.closeSession(sid2);
    {
      Snapshot snap = s.store().snapshot();
      auto g = openGraphReader(snap, nullptr);
      auto b2 = find(*g, "Broker", "id", Value(2));
      REQUIRE(b2);
      CHECK(g->nodeProperty(*b2, "alive") == Value(false));
      CHECK(g->nodeProperty(*b2, "host").isNull());
      CHECK(static_cast<uint64_t>(g->nodeId(*b2)) == idBefore);  // same node, never gone
      checkIndexes(*g);
      // The snapshot taken before sees the broker alive.
      auto old = openGraphReader(beforeDeath, nullptr);
      CHECK(old->nodeProperty(*find(*old, "Broker", "id", Value(2)), "alive") == Value(true));
    }
    s.set("/brokers/topics/t/partitions/0/state", stateJson(1, "[1]", 1));
    Snapshot snap = s.store().snapshot();
    auto g = openGraphReader(snap, nullptr);
    auto p0 = partition(*g, "t", 0);
    REQUIRE(p0);
    CHECK(targets(*g, *p0, "LEADER") == std::vector<int64_t>{1});
    CHECK(targets(*g, *p0, "IN_ISR") == std::vector<int64_t>{1});
    CHECK(targets(*g, *p0, "REPLICA") == std::vector<int64_t>{1, 2});
    CHECK(g->nodeProperty(*p0, "leaderEpoch") == Value(1));
    auto b2 = find(*g, "Broker", "id", Value(2));
    CHECK(targets(*g, *b2, "LEADER", EdgeDirection::kIn, "id").empty());
    checkIndexes(*g);
  }

  SECTION("topic deletion as Kafka does it retracts partitions and unnamed brokers") {
    s.closeSession(sid2);
    s.createAll("/admin/delete_topics/t");
    {
      Snapshot snap = s.store().snapshot();
      auto g = openGraphReader(snap, nullptr);
      CHECK(g->nodeProperty(*find(*g, "Topic", "name", Value("t")), "markedForDeletion") ==
            Value(true));
    }
    s.remove("/brokers/topics/t/partitions/0/state");
    s.remove("/brokers/topics/t/partitions/0");
    s.remove("/brokers/topics/t/partitions");
    s.remove("/brokers/topics/t");
    s.remove("/admin/delete_topics/t");
    Snapshot snap = s.store().snapshot();
    auto g = openGraphReader(snap, nullptr);
    CHECK(count(*g, "Partition") == 0);
    CHECK(count(*g, "Topic") == 0);
    CHECK(count(*g, "Broker") == 1);  // broker 2: dead and no longer named by anything
    CHECK(find(*g, "Broker", "id", Value(1)));
    checkIndexes(*g);
    for (const auto& l : g->labels()) {
      if (l.label == "Partition" || l.label == "Topic") CHECK(l.approxCount == 0);
    }
  }

  SECTION("reassignment changes replicas and positions") {
    s.set("/brokers/topics/t", topicJson(R"({"0":[2,1,3]})"));
    Snapshot snap = s.store().snapshot();
    auto g = openGraphReader(snap, nullptr);
    auto p0 = partition(*g, "t", 0);
    REQUIRE(p0);
    CHECK(targets(*g, *p0, "REPLICA") == std::vector<int64_t>{1, 2, 3});
    std::vector<std::string> replica{"REPLICA"};
    g->edges(*p0, EdgeDirection::kOut, replica, [&](const EdgeRef& e) {
      int64_t b = g->nodeProperty(e.to, "id").asInt();
      CHECK(g->edgeProperty(e, "position") == Value(b == 2 ? 0 : b == 1 ? 1 : 2));
      return true;
    });
  }
}

TEST_CASE("kafka: malformed JSON projects what it can and never refuses the write",
          "[graph][kafka]") {
  TempDir dir;
  TestStore s(dir.store());
  s.createAll("/brokers/ids/5", "{not json");
  s.createAll("/brokers/ids/x", brokerJson(9));                  // not an id: nothing
  s.createAll("/brokers/topics/bad", R"({"partitions":{"0":"nope","x":[1],"1":[1,"a",2]}})");
  s.createAll("/brokers/topics/bad/partitions/1/state", R"({"leader":"one","isr":7})");
  s.createAll("/controller", "[]");
  s.create("/controller_epoch", "-3");
  s.createAll("/cluster/id", std::string(100, '['));
  s.createAll("/config/topics/bad", R"({"version":1,"config":"x"})");
  s.createAll("/brokers/topics/deep", std::string(100000, '[') + std::string(100000, ']'));
  Snapshot snap = s.store().snapshot();
  auto g = openGraphReader(snap, nullptr);
  auto b5 = find(*g, "Broker", "id", Value(5));
  REQUIRE(b5);
  CHECK(g->nodeProperty(*b5, "alive") == Value(true));
  CHECK_FALSE(find(*g, "Broker", "id", Value(9)));
  CHECK(count(*g, "Partition") == 2);  // "0" with no replicas, "1" with [1,2]
  auto p1 = partition(*g, "bad", 1);
  REQUIRE(p1);
  CHECK(targets(*g, *p1, "REPLICA") == std::vector<int64_t>{1, 2});
  CHECK(targets(*g, *p1, "LEADER").empty());
  CHECK(g->nodeProperty(*p1, "isr").isNull());
  CHECK(count(*g, "Cluster") == 1);  // from /cluster/id, no id property
  CHECK(find(*g, "Topic", "name", Value("deep")));
  checkIndexes(*g);
}

TEST_CASE("kafka: the graph equals a from-scratch rebuild after random changes",
          "[graph][kafka][property]") {
  TempDir dir;
  std::mt19937 rng(12345);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::set<std::string> incremental;
  {
    TestStore s(dir.store());
    s.session(0x400);
    s.createAll("/brokers/ids/0", brokerJson(0), 0x400);
    s.createAll("/brokers/topics/t0", topicJson(R"({"0":[0]})"));
    s.createAll("/admin/delete_topics/x");
    s.createAll("/config/topics/t0", R"({"version":1,"config":{"retention.ms":"1"}})");
    auto pick = [&](int n) { return static_cast<int>(rng() % n); };
    auto randList = [&]() {
      std::string l = "[";
      int n = pick(4);
      for (int i = 0; i < n; ++i) l += (i ? "," : "") + std::to_string(pick(6));
      return l + "]";
    };
    for (int step = 0; step < 1500 && std::chrono::steady_clock::now() < deadline; ++step) {
      Snapshot snap = s.store().snapshot();
      int b = pick(6);
      std::string topic = "t" + std::to_string(pick(4));
      std::string bpath = "/brokers/ids/" + std::to_string(b);
      std::string tpath = "/brokers/topics/" + topic;
      std::string spath = tpath + "/partitions/" + std::to_string(pick(3)) + "/state";
      switch (pick(9)) {
        case 0:
          if (snap.stat(bpath)) s.remove(bpath); else s.create(bpath, brokerJson(b, pick(2) ? "r1" : "r2"), 0x400);
          break;
        case 1: {
          std::string parts = "{";
          int n = 1 + pick(3);
          for (int i = 0; i < n; ++i) parts += (i ? ",\"" : "\"") + std::to_string(i) + "\":" + randList();
          parts += "}";
          if (snap.stat(tpath)) s.set(tpath, topicJson(parts)); else s.createAll(tpath, topicJson(parts));
          break;
        }
        case 2:
        case 3: {
          std::string js = stateJson(pick(7) - 1, randList(), pick(10));
          if (snap.stat(spath)) s.set(spath, js); else s.createAll(spath, js);
          break;
        }
        case 4:
          if (snap.stat(spath)) s.remove(spath);
          break;
        case 5: {
          // Delete the whole topic subtree, deepest first.
          if (!snap.stat(tpath)) break;
          for (const auto& p : snap.children(tpath + "/partitions")) {
            std::string pp = tpath + "/partitions/" + p;
            if (snap.stat(pp + "/state")) s.remove(pp + "/state");
            s.remove(pp);
          }
          if (snap.stat(tpath + "/partitions")) s.remove(tpath + "/partitions");
          s.remove(tpath);
          break;
        }
        case 6:
          if (snap.stat("/controller")) s.remove("/controller");
          else s.create("/controller", R"({"version":1,"brokerid":)" + std::to_string(b) + "}");
          break;
        case 7: {
          std::string d = "/admin/delete_topics/" + topic;
          if (snap.stat(d)) s.remove(d); else s.create(d);
          break;
        }
        case 8: {
          std::string c = "/config/brokers/" + std::to_string(b);
          std::string js = R"({"version":1,"config":{"x":")" + std::to_string(pick(5)) + "\"}}";
          if (snap.stat(c)) s.set(c, pick(4) ? js : "garbage"); else s.createAll(c, js);
          break;
        }
      }
      if (step % 50 == 0) {
        Snapshot now = s.store().snapshot();
        checkIndexes(*openGraphReader(now, nullptr));
      }
    }
    Snapshot snap = s.store().snapshot();
    auto g = openGraphReader(snap, nullptr);
    checkIndexes(*g);
    incremental = gk::testing::dumpStoredGraph(*g);
  }
  TestStore rebuilt(dir.store(), /*rebuild=*/true);
  Snapshot snap = rebuilt.store().snapshot();
  auto g = openGraphReader(snap, nullptr);
  auto scratch = gk::testing::dumpStoredGraph(*g);
  CHECK(scratch.size() > 5);
  CHECK(incremental == scratch);
  checkIndexes(*g);
}
