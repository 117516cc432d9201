// The corpus: queries with their expected results over one fixed graph in a REAL store (a
// ZnodeStore in a temp dir, read through graph::openGraphReader): a small znode tree with
// sessions and ephemerals, and a Kafka cluster written exactly as Kafka writes its znodes
// (brokers as ephemerals, topics, partition state, controller, cluster id), projected by the
// store itself. Each entry is the query, its parameters and the rows as text; rows are compared
// in order when the query has ORDER BY, as a multiset otherwise.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "graph/graph_reader.h"
#include "query/run_query.h"
#include "tests/unit/graph_test_util.h"
#include "tests/unit/query_test_util.h"

using gk::graph::Value;
using gk::graph::ValueMap;
using namespace gk::query;
using gk::testing::TempDir;
using gk::testing::TestStore;
using Rows = std::vector<std::string>;

namespace {

std::string brokerJson(int id, const std::string& rack) {
  std::string host = "host" + std::to_string(id);
  return R"({"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://)" +
         host + R"(:9092"],"rack":")" + rack + R"(","jmx_port":-1,"features":{},"host":")" + host +
         R"(","timestamp":"1700000000000","port":9092,"version":5})";
}
std::string topicJson(const std::string& partitions) {
  return R"({"partitions":)" + partitions +
         R"(,"topic_id":"AAAAAAAAAAAAAAAAAAAAAA","adding_replicas":{},"removing_replicas":{},"version":3})";
}
std::string stateJson(int leader, const std::string& isr) {
  return R"({"controller_epoch":1,"leader":)" + std::to_string(leader) +
         R"(,"version":1,"leader_epoch":0,"isr":)" + isr + "}";
}

constexpr int64_t kAppSession = 0x200;
int64_t brokerSession(int id) { return 0x100 + id - 1; }

// The fixed graph. Brokers 1-5 registered (racks r1 r1 r2 r2 r3); broker 6 only named as a
// replica. Topics: orders (3 partitions), payments (2), logs (1).
void buildFixture(TestStore& s) {
  s.session(kAppSession);
  s.createAll("/app", R"({"host":"h1","port":9092})");
  s.create("/app/a", "x");
  s.create("/app/b", "");
  s.create("/app/b/c", R"({"k":[1,2]})");
  s.create("/app/eph", "e", kAppSession);
  s.create("/app/lock", "", kAppSession);

  const char* racks[] = {"r1", "r1", "r2", "r2", "r3"};
  for (int id = 1; id <= 5; ++id) {
    s.session(brokerSession(id));
    s.createAll("/brokers/ids/" + std::to_string(id), brokerJson(id, racks[id - 1]),
                brokerSession(id));
  }
  struct Partition {
    const char* topic;
    int id;
    int leader;
    const char* isr;
  };
  s.createAll("/brokers/topics/orders", topicJson(R"({"0":[1,2,3],"1":[2,3,4],"2":[3,4,5]})"));
  s.createAll("/brokers/topics/payments", topicJson(R"({"0":[1,2],"1":[2,6]})"));
  s.createAll("/brokers/topics/logs", topicJson(R"({"0":[1,3,5]})"));
  const Partition partitions[] = {{"orders", 0, 1, "[1,2,3]"},  {"orders", 1, 3, "[3,4]"},
                                  {"orders", 2, 3, "[3,4,5]"},  {"payments", 0, 2, "[2]"},
                                  {"payments", 1, 2, "[2]"},    {"logs", 0, 1, "[1,3,5]"}};
  for (const Partition& p : partitions) {
    s.createAll("/brokers/topics/" + std::string(p.topic) + "/partitions/" + std::to_string(p.id) +
                    "/state",
                stateJson(p.leader, p.isr));
  }
  s.create("/controller", R"({"version":1,"brokerid":2,"timestamp":"1700000000000"})");
  s.createAll("/cluster/id", R"({"version":"1","id":"clu-1"})");
}

struct CorpusEntry {
  const char* query;
  ValueMap params;
  Rows expected;
};

Rows runCorpusQuery(const gk::graph::GraphReader& g, const CorpusEntry& entry) {
  QueryResult r = runQuery(g, entry.query, entry.params);
  Rows rows = gk::testing::rowsOf(r);
  if (std::string(entry.query).find("ORDER BY") == std::string::npos) {
    std::sort(rows.begin(), rows.end());
  }
  return rows;
}

Rows sorted(Rows rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

const std::vector<CorpusEntry>& corpus() {
  static const std::vector<CorpusEntry> kCorpus = {
      // ---- the znode tree, sessions, ephemerals ----
      {"MATCH (z:ZNode {path: '/app'})-[:CHILD]->(c) RETURN c.name ORDER BY c.name",
       {},
       {"'a'", "'b'", "'eph'", "'lock'"}},
      {"MATCH (z:ZNode {path: '/app'})-[:CHILD*]->(d) RETURN d.path ORDER BY d.path",
       {},
       {"'/app/a'", "'/app/b'", "'/app/b/c'", "'/app/eph'", "'/app/lock'"}},
      {"MATCH (z:ZNode {path: '/app'}) RETURN z.json.host, z.json.port", {}, {"'h1' | 9092"}},
      {"MATCH (z:ZNode {path: '/app/b/c'}) RETURN z.json.k[1], z.data",
       {},
       {"2 | '{\"k\":[1,2]}'"}},
      {"MATCH (z:ZNode)-[:OWNED_BY]->(s:Session {id: 512}) RETURN z.path ORDER BY z.path",
       {},
       {"'/app/eph'", "'/app/lock'"}},
      {"MATCH (s:Session) OPTIONAL MATCH (z:ZNode)-[:OWNED_BY]->(s) "
       "RETURN s.id, count(z), collect(z.name) ORDER BY s.id",
       {},
       {"256 | 1 | ['1']", "257 | 1 | ['2']", "258 | 1 | ['3']", "259 | 1 | ['4']",
        "260 | 1 | ['5']", "512 | 2 | ['eph', 'lock']"}},
      {"MATCH (:ZNode {path: '/'})-[:CHILD]->(c) RETURN c.name ORDER BY c.name",
       {},
       {"'app'", "'brokers'", "'cluster'", "'controller'", "'zookeeper'"}},
      {"MATCH (z:ZNode) WHERE z.path STARTS WITH '/app/' AND z.ephemeralOwner = 0 RETURN count(*)",
       {},
       {"3"}},
      {"MATCH (c:ZNode {path: '/app/b/c'})<-[:CHILD]-(p) RETURN p.path", {}, {"'/app/b'"}},
      {"MATCH (a:ZNode {path: '/app/b/c'}), (b:ZNode {path: '/app/eph'}) "
       "MATCH p = shortestPath((a)-[:CHILD*]-(b)) RETURN [n IN nodes(p) | n.name]",
       {},
       {"['c', 'b', 'app', 'eph']"}},
      {"MATCH (z:ZNode) WHERE z.name =~ 'l.*' RETURN z.path",
       {},
       {"'/app/lock'", "'/brokers/topics/logs'"}},
      {"MATCH (z:Ephemeral) RETURN count(*)", {}, {"7"}},
      {"MATCH (z:ZNode {path: '/app'}) RETURN [(z)-[:CHILD]->(c) WHERE c.dataLength > 0 | c.name]",
       {},
       {"['a', 'eph']"}},
      {"MATCH (z:ZNode {path: $p}) RETURN z.version, z.numChildren",
       {{"p", Value("/app")}},
       {"0 | 4"}},
      {"MATCH (z:ZNode) WHERE z.path IN ['/app/a', '/app/b', '/nope'] RETURN z.name, size(z.data)",
       {},
       {"'a' | 1", "'b' | 0"}},
      {"MATCH (z:ZNode {path: '/app'})-[:CHILD*2]->(g) RETURN g.path", {}, {"'/app/b/c'"}},
      {"MATCH (z:ZNode {path: '/app/b/c'})<-[:CHILD*]-(a) RETURN count(a), max(length(a.path))",
       {},
       {"3 | 6"}},
      {"MATCH p = (:ZNode {path: '/'})-[:CHILD*]->(:ZNode {path: '/app/b/c'}) "
       "RETURN length(p), [n IN nodes(p) | n.path][-1]",
       {},
       {"3 | '/app/b/c'"}},
      // ---- the Kafka projection ----
      {"MATCH (b:Broker)-[:CONTROLLER]->(c:Cluster) RETURN b.id, c.id", {}, {"2 | 'clu-1'"}},
      {"MATCH (p:Partition)-[:LEADER]->(b:Broker {id: 3}) RETURN p.topic, p.id ORDER BY p.topic, p.id",
       {},
       {"'orders' | 1", "'orders' | 2"}},
      // Under-replicated partitions: ISR smaller than the replica set.
      {"MATCH (p:Partition) WHERE size([(p)-[:IN_ISR]->(b) | b]) < size([(p)-[:REPLICA]->(b) | b]) "
       "RETURN p.topic, p.id ORDER BY p.topic, p.id",
       {},
       {"'orders' | 1", "'payments' | 0", "'payments' | 1"}},
      // Partitions that lose their ISR majority if broker 2 dies.
      {"MATCH (p:Partition)-[:IN_ISR]->(:Broker {id: 2}) "
       "WITH p, size([(p)-[:IN_ISR]->(b) | b]) AS isr, size([(p)-[:REPLICA]->(b) | b]) AS rf "
       "WHERE (isr - 1) * 2 <= rf RETURN p.topic, p.id ORDER BY p.topic, p.id",
       {},
       {"'payments' | 0", "'payments' | 1"}},
      // Topics with a replica on every broker in rack r1.
      {"MATCH (r:Broker {rack: 'r1'}) WITH collect(r) AS rack MATCH (t:Topic) "
       "WHERE all(b IN rack WHERE (t)<-[:PARTITION_OF]-(:Partition)-[:REPLICA]->(b)) "
       "RETURN t.name ORDER BY t.name",
       {},
       {"'orders'", "'payments'"}},
      {"MATCH (b:Broker) WHERE b.alive = false RETURN b.id", {}, {"6"}},
      {"MATCH (p:Partition {topic: 'orders', id: 1})-[r:REPLICA]->(b) RETURN b.id, r.position "
       "ORDER BY r.position",
       {},
       {"2 | 0", "3 | 1", "4 | 2"}},
      {"MATCH (p:Partition)-[:PARTITION_OF]->(t:Topic) RETURN t.name, count(p) AS n "
       "ORDER BY n DESC, t.name",
       {},
       {"'orders' | 3", "'payments' | 2", "'logs' | 1"}},
      {"MATCH (p:Partition)-[:LEADER]->(b:Broker) RETURN b.id, count(*) ORDER BY b.id",
       {},
       {"1 | 2", "2 | 2", "3 | 2"}},
      {"MATCH (b:Broker) WHERE b.alive RETURN b.rack, count(*), min(b.id), max(b.id) ORDER BY b.rack",
       {},
       {"'r1' | 2 | 1 | 2", "'r2' | 2 | 3 | 4", "'r3' | 1 | 5 | 5"}},
      // DESIGN.md's example: replicas not in the ISR.
      {"MATCH (t:Topic {name: $topic})<-[:PARTITION_OF]-(p:Partition)-[:REPLICA]->(b:Broker) "
       "WHERE NOT (p)-[:IN_ISR]->(b) "
       "RETURN t.name, p.id, collect(b.id) AS lagging ORDER BY p.id LIMIT 100",
       {{"topic", Value("orders")}},
       {"'orders' | 1 | [2]"}},
      {"MATCH (b:Broker {id: 1})<-[:REPLICA]-(p)-[:REPLICA]->(other) "
       "RETURN DISTINCT other.id ORDER BY other.id",
       {},
       {"2", "3", "5"}},
      {"MATCH (b:Broker) OPTIONAL MATCH (b)-[:CONTROLLER]->(c) RETURN b.id, c IS NOT NULL "
       "ORDER BY b.id",
       {},
       {"1 | false", "2 | true", "3 | false", "4 | false", "5 | false", "6 | false"}},
      {"MATCH (b:Broker {id: 4}) RETURN b.host, b.port, b.rack, b.alive",
       {},
       {"'host4' | 9092 | 'r2' | true"}},
      {"MATCH (t:Topic) RETURN t.name, t.topicId ORDER BY t.name",
       {},
       {"'logs' | 'AAAAAAAAAAAAAAAAAAAAAA'", "'orders' | 'AAAAAAAAAAAAAAAAAAAAAA'",
        "'payments' | 'AAAAAAAAAAAAAAAAAAAAAA'"}},
      {"MATCH (p:Partition {topic: 'orders'}) RETURN p.id, p.leaderEpoch ORDER BY p.id",
       {},
       {"0 | 0", "1 | 0", "2 | 0"}},
      // 3 hops: brokers sharing a partition with the controller.
      {"MATCH (:Cluster)<-[:CONTROLLER]-(c:Broker)<-[:REPLICA]-(p:Partition)-[:REPLICA]->(o:Broker) "
       "WHERE o <> c RETURN o.id, count(DISTINCT p) ORDER BY o.id",
       {},
       {"1 | 2", "3 | 2", "4 | 1", "6 | 1"}},
      {"MATCH (b:Broker) WHERE b.id IN $ids RETURN b.id ORDER BY b.id DESC",
       {{"ids", Value(gk::graph::ValueList{Value(1), Value(5), Value(9)})}},
       {"5", "1"}},
      {"UNWIND [1, 2, 3] AS id MATCH (b:Broker {id: id}) RETURN b.rack", {}, {"'r1'", "'r1'", "'r2'"}},
  };
  return kCorpus;
}

}  // namespace

TEST_CASE("corpus: queries with expected results over a real store", "[query][corpus]") {
  TempDir dir;
  TestStore store(dir.store());
  buildFixture(store);
  gk::graph::Snapshot snap = store.store().snapshot();
  auto graph = gk::graph::openGraphReader(snap, nullptr);
  for (const CorpusEntry& entry : corpus()) {
    INFO(entry.query);
    Rows expected = entry.expected;
    if (std::string(entry.query).find("ORDER BY") == std::string::npos) expected = sorted(expected);
    CHECK(runCorpusQuery(*graph, entry) == expected);
  }
  CHECK(corpus().size() >= 35);
}

TEST_CASE("corpus: the planner uses the store's indexes", "[query][corpus]") {
  TempDir dir;
  TestStore store(dir.store());
  buildFixture(store);
  gk::graph::Snapshot snap = store.store().snapshot();
  auto graph = gk::graph::openGraphReader(snap, nullptr);
  QueryResult r = runQuery(*graph, "EXPLAIN MATCH (p:Partition)-[:LEADER]->(b:Broker {id: 3}) RETURN p", {});
  REQUIRE(r.plan);
  INFO(*r.plan);
  CHECK(r.plan->find("NodeIndexSeek (b:Broker {id: 3}) index Broker(id) = 3  (est. rows 1)") !=
        std::string::npos);
  r = runQuery(*graph, "EXPLAIN MATCH (z:ZNode) WHERE z.path = '/app' RETURN z", {});
  INFO(*r.plan);
  CHECK(r.plan->find("NodeIndexSeek (z:ZNode) index ZNode(path) = '/app'") != std::string::npos);
  CHECK(r.zxid == snap.lastZxid());
}

TEST_CASE("corpus: a broker's session ending changes the answers with no other action",
          "[query][corpus]") {
  TempDir dir;
  TestStore store(dir.store());
  buildFixture(store);
  const char* alive = "MATCH (b:Broker) WHERE b.alive RETURN b.id ORDER BY b.id";
  const char* owned = "MATCH (s:Session)<-[:OWNED_BY]-(z) RETURN s.id, z.path ORDER BY s.id, z.path";
  {
    gk::graph::Snapshot snap = store.store().snapshot();
    auto graph = gk::graph::openGraphReader(snap, nullptr);
    CHECK(gk::testing::rowsOf(runQuery(*graph, alive, {})) == Rows{"1", "2", "3", "4", "5"});
    CHECK(gk::testing::rowsOf(runQuery(*graph, owned, {})).size() == 7);
  }
  store.closeSession(brokerSession(3));
  gk::graph::Snapshot snap = store.store().snapshot();
  auto graph = gk::graph::openGraphReader(snap, nullptr);
  CHECK(gk::testing::rowsOf(runQuery(*graph, alive, {})) == Rows{"1", "2", "4", "5"});
  // Broker 3 is still a node (it holds replicas and leadership), marked alive: false.
  CHECK(gk::testing::rowsOf(runQuery(*graph, "MATCH (b:Broker {id: 3}) RETURN b.alive", {})) ==
        Rows{"false"});
  Rows ownedNow = gk::testing::rowsOf(runQuery(*graph, owned, {}));
  CHECK(ownedNow.size() == 6);
  CHECK(std::find(ownedNow.begin(), ownedNow.end(), "258 | '/brokers/ids/3'") == ownedNow.end());
}

TEST_CASE("corpus: EXPLAIN of DESIGN.md's example (as docs/query-language.md shows it)",
          "[query][corpus]") {
  TempDir dir;
  TestStore store(dir.store());
  buildFixture(store);
  gk::graph::Snapshot snap = store.store().snapshot();
  auto graph = gk::graph::openGraphReader(snap, nullptr);
  ValueMap params{{"topic", Value("orders")}};
  QueryResult r = runQuery(
      *graph,
      "EXPLAIN MATCH (t:Topic {name: $topic})<-[:PARTITION_OF]-(p:Partition)-[:REPLICA]->(b:Broker) "
      "WHERE NOT (p)-[:IN_ISR]->(b) "
      "RETURN t.name, p.id, collect(b.id) AS lagging ORDER BY p.id LIMIT 100",
      params);
  REQUIRE(r.plan);
  CHECK(*r.plan ==
        "ProduceResults t.name, p.id, lagging  (est. rows 1)\n"
        "  Limit 100  (est. rows 1)\n"
        "    Top p.id keep 100  (est. rows 1)\n"
        "      Aggregate keys: [t.name, p.id] aggregates: [lagging]  (est. rows 1)\n"
        "        Filter NOT (p)-[:IN_ISR]->(b)  (est. rows 1)\n"
        "          Expand (p)-[:REPLICA]->(b:Broker)  (est. rows 2)\n"
        "            Expand (t)<-[:PARTITION_OF]-(p:Partition)  (est. rows 2)\n"
        "              NodeIndexSeek (t:Topic {name: $topic}) index Topic(name) = $topic  "
        "(est. rows 1)\n");
}
