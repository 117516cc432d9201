// Executor tests over a small in-memory graph (tests/unit/memory_graph.h) whose shape each test
// needs exactly: a KNOWS cycle, a self-loop, relationship properties. Covers MATCH directions,
// variable length with relationship uniqueness, several patterns, OPTIONAL MATCH, WITH/WHERE,
// aggregation, DISTINCT, ORDER BY/SKIP/LIMIT (and early stop), UNWIND, pattern predicates and
// comprehensions, paths, shortest paths, result conversion, PROFILE and the limits.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "query/run_query.h"
#include "tests/unit/memory_graph.h"
#include "tests/unit/query_test_util.h"

using gk::graph::Value;
using gk::graph::ValueMap;
using namespace gk::query;
using gk::testing::MemoryGraph;
using gk::testing::rowsOf;
using Rows = std::vector<std::string>;

namespace {

// alice -KNOWS-> bob -KNOWS-> carol -KNOWS-> alice (a cycle), dave -KNOWS-> dave (a self-loop),
// alice and bob -LIVES_IN-> paris. dave has no age.
class PeopleGraph : public MemoryGraph {
 public:
  PeopleGraph() {
    alice = addNode({"Person"}, {{"name", Value("alice")}, {"age", Value(30)}});
    bob = addNode({"Person"}, {{"name", Value("bob")}, {"age", Value(25)}});
    carol = addNode({"Person"}, {{"name", Value("carol")}, {"age", Value(35)}});
    dave = addNode({"Person"}, {{"name", Value("dave")}});
    paris = addNode({"City"}, {{"name", Value("paris")}});
    addEdge(alice, "KNOWS", bob, {{"since", Value(2010)}});
    addEdge(bob, "KNOWS", carol, {{"since", Value(2015)}});
    addEdge(carol, "KNOWS", alice, {{"since", Value(2020)}});
    addEdge(dave, "KNOWS", dave, {{"since", Value(2000)}});
    addEdge(alice, "LIVES_IN", paris);
    addEdge(bob, "LIVES_IN", paris);
  }
  gk::graph::NodeRef alice, bob, carol, dave, paris;
};

Rows run(const gk::graph::GraphReader& g, const std::string& query, const ValueMap& params = {}) {
  INFO(query);
  return rowsOf(runQuery(g, query, params));
}

// Counts the nodes scans hand out, to see a LIMIT stop a scan.
class CountingGraph : public PeopleGraph {
 public:
  mutable int visited = 0;
  void scanLabel(std::string_view label, const gk::graph::NodeVisitor& visit) const override {
    PeopleGraph::scanLabel(label, [&](const gk::graph::NodeRef& n) {
      ++visited;
      return visit(n);
    });
  }
};

}  // namespace

TEST_CASE("executor: MATCH with labels, properties and directions", "[query][exec]") {
  PeopleGraph g;
  CHECK(run(g, "MATCH (p:Person) RETURN p.name ORDER BY p.name") ==
        Rows{"'alice'", "'bob'", "'carol'", "'dave'"});
  CHECK(run(g, "MATCH (a:Person {name: 'alice'})-[:KNOWS]->(b) RETURN b.name") == Rows{"'bob'"});
  CHECK(run(g, "MATCH (a:Person {name: 'alice'})<-[:KNOWS]-(b) RETURN b.name") == Rows{"'carol'"});
  CHECK(run(g, "MATCH (a:Person {name: 'alice'})-[:KNOWS]-(b) RETURN b.name ORDER BY b.name") ==
        Rows{"'bob'", "'carol'"});
  CHECK(run(g, "MATCH (a {name: 'alice'})-[:KNOWS|LIVES_IN]->(b) RETURN b.name ORDER BY b.name") ==
        Rows{"'bob'", "'paris'"});
  CHECK(run(g, "MATCH (a)-[r:KNOWS {since: 2015}]->(b) RETURN a.name, b.name") ==
        Rows{"'bob' | 'carol'"});
  CHECK(run(g, "MATCH (a)-->(b:City) RETURN a.name ORDER BY a.name") == Rows{"'alice'", "'bob'"});
  CHECK(run(g, "MATCH (a)-[r]->(b) WHERE type(r) = 'LIVES_IN' RETURN count(*)") == Rows{"2"});
  // The same variable twice closes a cycle (an "expand into").
  CHECK(run(g, "MATCH (a)-[:KNOWS]->(b)-[:KNOWS]->(c)-[:KNOWS]->(a) RETURN a.name ORDER BY a.name") ==
        Rows{"'alice'", "'bob'", "'carol'"});
  // A self-loop is one relationship, matched once even undirected.
  CHECK(run(g, "MATCH (d {name: 'dave'})-[:KNOWS]-(x) RETURN x.name") == Rows{"'dave'"});
  ValueMap params{{"who", Value("bob")}};
  CHECK(run(g, "MATCH (p:Person {name: $who}) RETURN p.age", params) == Rows{"25"});
  CHECK(run(g, "MATCH (p:Person) WHERE p.name = $who RETURN p.age", params) == Rows{"25"});
}

TEST_CASE("executor: variable length and relationship uniqueness", "[query][exec]") {
  PeopleGraph g;
  CHECK(run(g, "MATCH ({name: 'alice'})-[:KNOWS*1..3]->(b) RETURN b.name ORDER BY b.name") ==
        Rows{"'alice'", "'bob'", "'carol'"});
  CHECK(run(g, "MATCH ({name: 'alice'})-[:KNOWS*2]->(b) RETURN b.name") == Rows{"'carol'"});
  // `*` is unbounded, but no relationship is used twice in a path: the cycle is walked once.
  CHECK(run(g, "MATCH ({name: 'alice'})-[:KNOWS*]->(b) RETURN count(*)") == Rows{"3"});
  CHECK(run(g, "MATCH ({name: 'alice'})-[:KNOWS*0..1]->(b) RETURN b.name ORDER BY b.name") ==
        Rows{"'alice'", "'bob'"});
  CHECK(run(g, "MATCH ({name: 'dave'})-[:KNOWS*]-(x) RETURN count(*)") == Rows{"1"});
  CHECK(run(g, "MATCH ({name: 'alice'})-[r:KNOWS*2]->() RETURN [x IN r | x.since]") ==
        Rows{"[2010, 2015]"});
  // Uniqueness spans the whole MATCH: two patterns never bind the same relationship...
  CHECK(run(g, "MATCH ()-[r1:KNOWS]->(), ()-[r2:KNOWS]->() RETURN count(*)") == Rows{"12"});
  // ...but separate MATCH clauses may.
  CHECK(run(g, "MATCH ()-[r1:KNOWS]->() MATCH ()-[r2:KNOWS]->() RETURN count(*)") == Rows{"16"});
  CHECK(run(g, "MATCH (a)-[:KNOWS]->(b)-[:KNOWS]->(c) WHERE a.name = 'dave' RETURN count(*)") ==
        Rows{"0"});
}

TEST_CASE("executor: a pattern started in the middle keeps paths in written order",
          "[query][exec]") {
  PeopleGraph g;
  g.addIndex("Person", "name", true);
  std::string q =
      "MATCH p = (x)-[:KNOWS]->(y:Person {name: 'carol'})-[:KNOWS]->(z) "
      "RETURN [n IN nodes(p) | n.name], [r IN relationships(p) | r.since]";
  QueryResult explain = runQuery(g, "EXPLAIN " + q, {});
  CHECK(explain.plan->find("NodeIndexSeek (y:Person {name: 'carol'})") != std::string::npos);
  CHECK(run(g, q) == Rows{"['bob', 'carol', 'alice'] | [2015, 2020]"});
  // A variable-length relationship walked right to left is still listed left to right.
  CHECK(run(g, "MATCH (a)-[r:KNOWS*2]->(c:Person {name: 'carol'}) RETURN a.name, [x IN r | x.since]") ==
        Rows{"'alice' | [2010, 2015]"});
  CHECK(run(g, "MATCH p = (a)-[:KNOWS*2]->(c:Person {name: 'carol'}) RETURN [n IN nodes(p) | n.name]") ==
        Rows{"['alice', 'bob', 'carol']"});
}

TEST_CASE("executor: OPTIONAL MATCH, WITH, UNWIND", "[query][exec]") {
  PeopleGraph g;
  CHECK(run(g, "MATCH (p:Person) OPTIONAL MATCH (p)-[:LIVES_IN]->(c) RETURN p.name, c.name "
               "ORDER BY p.name") ==
        Rows{"'alice' | 'paris'", "'bob' | 'paris'", "'carol' | null", "'dave' | null"});
  // WHERE inside OPTIONAL MATCH filters the matches, not the rows.
  CHECK(run(g, "MATCH (p:Person) OPTIONAL MATCH (p)-[:KNOWS]->(f) WHERE f.age > 30 "
               "RETURN p.name, f.name ORDER BY p.name") ==
        Rows{"'alice' | null", "'bob' | 'carol'", "'carol' | null", "'dave' | null"});
  CHECK(run(g, "OPTIONAL MATCH (n:Nothing) RETURN n") == Rows{"null"});
  CHECK(run(g, "MATCH (p:Person) WITH p.name AS n, p.age AS a WHERE a > 26 RETURN n ORDER BY n") ==
        Rows{"'alice'", "'carol'"});
  CHECK(run(g, "MATCH (p:Person) WITH p ORDER BY p.age DESC LIMIT 2 RETURN p.name") ==
        Rows{"'dave'", "'carol'"});
  CHECK(run(g, "UNWIND ['bob', 'alice', 'nobody'] AS n MATCH (p:Person {name: n}) RETURN p.age") ==
        Rows{"25", "30"});
  CHECK(run(g, "UNWIND [1, [2, 3], null] AS x RETURN x") == Rows{"1", "[2, 3]", "null"});
  CHECK(run(g, "UNWIND [] AS x RETURN x").empty());
  CHECK(run(g, "UNWIND null AS x RETURN x").empty());
  CHECK(run(g, "WITH 1 AS a, 2 AS b RETURN *") == Rows{"1 | 2"});
  auto r = runQuery(g, "MATCH (p:Person {name: 'bob'})-[k:KNOWS]->(c) RETURN *", {});
  CHECK(r.columns == std::vector<std::string>{"c", "k", "p"});
}

TEST_CASE("executor: aggregation, DISTINCT, ORDER BY, SKIP, LIMIT", "[query][exec]") {
  PeopleGraph g;
  CHECK(run(g, "MATCH (p:Person)-[:LIVES_IN]->(c) RETURN c.name, count(*), collect(p.name)") ==
        Rows{"'paris' | 2 | ['alice', 'bob']"});
  CHECK(run(g, "MATCH (p:Person) RETURN count(p.age), sum(p.age), avg(p.age), min(p.age), max(p.age)") ==
        Rows{"3 | 90 | 30.0 | 25 | 35"});
  CHECK(run(g, "MATCH (p:Nothing) RETURN count(*), collect(p), sum(p.x), avg(p.x), max(p.x)") ==
        Rows{"0 | [] | 0 | null | null"});
  CHECK(run(g, "MATCH (p:Nothing) RETURN p.name, count(*)").empty());
  CHECK(run(g, "UNWIND [1, 1.0, 2, null, 2] AS x RETURN count(DISTINCT x), collect(DISTINCT x)") ==
        Rows{"2 | [1, 2]"});
  CHECK(run(g, "UNWIND [1, 2.5] AS x RETURN sum(x)") == Rows{"3.5"});
  CHECK(run(g, "MATCH (p:Person)-[:LIVES_IN]->(c) RETURN DISTINCT c.name") == Rows{"'paris'"});
  CHECK(run(g, "MATCH (p:Person) RETURN p.name ORDER BY p.name SKIP 1 LIMIT 2") ==
        Rows{"'bob'", "'carol'"});
  CHECK(run(g, "MATCH (p:Person) RETURN p.age ORDER BY p.age DESC") ==
        Rows{"null", "35", "30", "25"});
  CHECK(run(g, "MATCH (p:Person) RETURN p.age ORDER BY p.age") == Rows{"25", "30", "35", "null"});
  // Grouping keys are implicit; an aggregate may be used in ORDER BY without being returned.
  CHECK(run(g, "MATCH (p:Person)-[:KNOWS]-(f) RETURN p.name ORDER BY count(f) DESC, p.name") ==
        Rows{"'alice'", "'bob'", "'carol'", "'dave'"});
  CHECK(run(g, "MATCH (p:Person)-[:KNOWS]-(f) RETURN p.name AS n, count(*) AS c ORDER BY c, n LIMIT 1") ==
        Rows{"'dave' | 1"});
  // An expression over an aggregate and a grouping key.
  CHECK(run(g, "MATCH (p:Person)-[:LIVES_IN]->(c) RETURN c.name + ':' + toString(count(*)) AS s") ==
        Rows{"'paris:2'"});
  CHECK(run(g, "MATCH (p:Person) WITH count(*) AS n RETURN n * 10") == Rows{"40"});
  CHECK(run(g, "UNWIND [3, 1, 2] AS x WITH x ORDER BY x RETURN collect(x)") == Rows{"[1, 2, 3]"});
  CHECK(run(g, "UNWIND range(1, 10) AS x RETURN x ORDER BY x DESC LIMIT 3") == Rows{"10", "9", "8"});
}

TEST_CASE("executor: LIMIT stops a scan early", "[query][exec]") {
  CountingGraph g;
  CHECK(run(g, "MATCH (p:Person) RETURN p.name LIMIT 1").size() == 1);
  CHECK(g.visited == 1);
  g.visited = 0;
  CHECK(run(g, "MATCH (p:Person) RETURN p.name ORDER BY p.name LIMIT 1") == Rows{"'alice'"});
  CHECK(g.visited == 4);  // ORDER BY must see every row
}

TEST_CASE("executor: pattern predicates and pattern comprehensions", "[query][exec]") {
  PeopleGraph g;
  CHECK(run(g, "MATCH (p:Person) WHERE (p)-[:LIVES_IN]->() RETURN p.name ORDER BY p.name") ==
        Rows{"'alice'", "'bob'"});
  CHECK(run(g, "MATCH (p:Person) WHERE NOT (p)-[:LIVES_IN]->(:City) RETURN p.name ORDER BY p.name") ==
        Rows{"'carol'", "'dave'"});
  CHECK(run(g, "MATCH (a:Person), (b:Person) WHERE (a)-[:KNOWS]->(b) AND a <> b "
               "RETURN a.name, b.name ORDER BY a.name") ==
        Rows{"'alice' | 'bob'", "'bob' | 'carol'", "'carol' | 'alice'"});
  CHECK(run(g, "MATCH (p:Person {name: 'alice'}) RETURN [(p)-[:KNOWS]-(f) | f.name]") ==
        Rows{"['bob', 'carol']"});
  CHECK(run(g, "MATCH (p:Person {name: 'alice'}) RETURN [(p)-[:KNOWS]-(f) WHERE f.age > 30 | f.name]") ==
        Rows{"['carol']"});
  CHECK(run(g, "MATCH (p:Person {name: 'alice'}) RETURN exists((p)-[:LIVES_IN]->())") == Rows{"true"});
  CHECK(run(g, "RETURN size([(a:Person)-[:LIVES_IN]->(c) | a.name])") == Rows{"2"});
}

TEST_CASE("executor: paths and shortest paths", "[query][exec]") {
  PeopleGraph g;
  CHECK(run(g, "MATCH p = ({name: 'alice'})-[:KNOWS*2]->() RETURN length(p), "
               "[n IN nodes(p) | n.name]") ==
        Rows{"2 | ['alice', 'bob', 'carol']"});
  CHECK(run(g, "MATCH (a {name: 'alice'}), (c {name: 'carol'}) "
               "MATCH p = shortestPath((a)-[:KNOWS*]->(c)) RETURN length(p)") ==
        Rows{"2"});
  CHECK(run(g, "MATCH (a {name: 'alice'}), (c {name: 'carol'}) "
               "MATCH p = shortestPath((a)-[:KNOWS*]-(c)) RETURN [n IN nodes(p) | n.name]") ==
        Rows{"['alice', 'carol']"});
  CHECK(run(g, "MATCH p = shortestPath((a {name: 'bob'})-[*]-(c:City)) RETURN length(p)") ==
        Rows{"1"});
  CHECK(run(g, "MATCH (a {name: 'alice'}), (c {name: 'carol'}) "
               "MATCH p = allShortestPaths((a)-[*]-(c)) RETURN length(p)") ==
        Rows{"1"});
  CHECK(run(g, "MATCH (a {name: 'carol'}), (c:City) "
               "MATCH p = allShortestPaths((a)-[*]-(c)) RETURN [n IN nodes(p) | n.name] ORDER BY "
               "[n IN nodes(p) | n.name]") ==
        Rows{"['carol', 'alice', 'paris']", "['carol', 'bob', 'paris']"});
  CHECK(run(g, "MATCH (a {name: 'dave'}), (c:City) MATCH p = shortestPath((a)-[*]-(c)) RETURN p")
            .empty());
  CHECK(run(g, "MATCH (a {name: 'alice'}), (c {name: 'carol'}) "
               "RETURN length(shortestPath((a)-[:KNOWS*]->(c)))") == Rows{"2"});
}

TEST_CASE("executor: results convert nodes, relationships and paths to maps", "[query][exec]") {
  PeopleGraph g;
  QueryResult r = runQuery(g, "MATCH p = (a {name: 'bob'})-[r:LIVES_IN]->(c) RETURN a, r, p", {});
  REQUIRE(r.rows.size() == 1);
  CHECK(r.columns == std::vector<std::string>{"a", "r", "p"});
  CHECK(gk::testing::show(r.rows[0][0]) ==
        "{id: 2, labels: ['Person'], properties: {age: 25, name: 'bob'}}");
  CHECK(gk::testing::show(r.rows[0][1]) ==
        "{end: 5, id: 1005, properties: {}, start: 2, type: 'LIVES_IN'}");
  CHECK(gk::testing::show(r.rows[0][2]) ==
        "{nodes: [{id: 2, labels: ['Person'], properties: {age: 25, name: 'bob'}}, "
        "{id: 5, labels: ['City'], properties: {name: 'paris'}}], relationships: "
        "[{end: 5, id: 1005, properties: {}, start: 2, type: 'LIVES_IN'}]}");
  CHECK(r.zxid == 42);
  CHECK(r.elapsedMs >= 0);
  CHECK_FALSE(r.plan.has_value());
  // Column names: alias, variable, or the expression as the printer writes it.
  QueryResult c = runQuery(g, "MATCH (n:City) RETURN n.name, toUpper(n.name) AS up, n", {});
  CHECK(c.columns == std::vector<std::string>{"n.name", "up", "n"});
}

TEST_CASE("executor: EXPLAIN has no rows, PROFILE has rows and the plan", "[query][exec]") {
  PeopleGraph g;
  QueryResult e = runQuery(g, "EXPLAIN MATCH (p:Person) RETURN p.name", {});
  CHECK(e.rows.empty());
  CHECK(e.columns == std::vector<std::string>{"p.name"});
  REQUIRE(e.plan);
  CHECK(*e.plan ==
        "ProduceResults p.name  (est. rows 4)\n"
        "  Projection p.name  (est. rows 4)\n"
        "    NodeByLabelScan (p:Person) label Person  (est. rows 4)\n");
  QueryResult p = runQuery(g, "PROFILE MATCH (p:Person) WHERE p.age > 26 RETURN p.name", {});
  CHECK(p.rows.size() == 2);
  REQUIRE(p.plan);
  INFO(*p.plan);
  CHECK(p.plan->find("Filter p.age > 26  (est. rows 2, rows 2, ") != std::string::npos);
  CHECK(p.plan->find("NodeByLabelScan (p:Person) label Person  (est. rows 4, rows 4, ") !=
        std::string::npos);
  CHECK(p.plan->find(" ms)") != std::string::npos);
}

TEST_CASE("executor: the row and time limits stop a query with a clear error", "[query][exec]") {
  PeopleGraph g;
  QueryLimits rows;
  rows.maxRows = 50;
  try {
    runQuery(g, "UNWIND range(1, 40) AS x UNWIND range(1, 40) AS y RETURN count(*)", {}, rows);
    FAIL("no error");
  } catch (const QueryError& e) {
    CHECK(e.kind() == QueryErrorKind::kLimit);
    CHECK(std::string(e.what()) == "Unwind exceeded the row limit of 50 rows");
  }
  try {
    runQuery(g, "UNWIND range(1, 60) AS x RETURN x", {}, rows);
    FAIL("no error");
  } catch (const QueryError& e) {
    CHECK(e.kind() == QueryErrorKind::kLimit);
  }
  CHECK(runQuery(g, "UNWIND range(1, 50) AS x RETURN x", {}, rows).rows.size() == 50);

  QueryLimits time;
  time.timeout = std::chrono::milliseconds(100);
  time.maxRows = uint64_t{1} << 40;  // the time limit, not the row limit, must stop these
  auto started = std::chrono::steady_clock::now();
  try {
    runQuery(g, "UNWIND range(1, 1000) AS a UNWIND range(1, 1000) AS b UNWIND range(1, 1000) AS c "
                "RETURN count(*)", {}, time);
    FAIL("no error");
  } catch (const QueryError& e) {
    CHECK(e.kind() == QueryErrorKind::kLimit);
    CHECK(std::string(e.what()) == "query exceeded the time limit of 100 ms");
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));

  // A variable-length expansion over a dense graph is stopped too.
  MemoryGraph dense;
  std::vector<gk::graph::NodeRef> nodes;
  for (int i = 0; i < 12; ++i) nodes.push_back(dense.addNode({"N"}, {{"i", Value(i)}}));
  for (auto& a : nodes) {
    for (auto& b : nodes) {
      if (a != b) dense.addEdge(a, "E", b);
    }
  }
  started = std::chrono::steady_clock::now();
  try {
    runQuery(dense, "MATCH (a:N {i: 0})-[*]->(b) RETURN count(*)", {}, time);
    FAIL("no error");
  } catch (const QueryError& e) {
    CHECK(e.kind() == QueryErrorKind::kLimit);
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("executor: runtime type errors in MATCH are QueryErrors", "[query][exec]") {
  PeopleGraph g;
  auto kindOf = [&](const std::string& q) {
    try {
      runQuery(g, q, {});
    } catch (const QueryError& e) {
      return std::optional<QueryErrorKind>(e.kind());
    }
    return std::optional<QueryErrorKind>();
  };
  CHECK(kindOf("WITH 1 AS n MATCH (n)-->(m) RETURN m") == QueryErrorKind::kType);
  CHECK(kindOf("MATCH (n:Person) WHERE n.name RETURN n") == QueryErrorKind::kType);
  CHECK(kindOf("MATCH (n:Person {name: $p}) RETURN n") == QueryErrorKind::kSemantic);
  ValueMap notMap{{"m", Value(1)}};
  try {
    runQuery(g, "MATCH (n:Person $m) RETURN n", notMap);
    FAIL("no error");
  } catch (const QueryError& e) {
    CHECK(e.kind() == QueryErrorKind::kType);
    CHECK(std::string(e.what()) == "line 1, column 17: a pattern's properties must be a map, not Integer");
  }
}

TEST_CASE("executor: QueryLimits.pace is called while a query runs, and its time counts",
          "[query][exec]") {
  PeopleGraph g;
  QueryLimits paced;
  int calls = 0;
  paced.pace = [&calls] { ++calls; };
  QueryResult r = runQuery(g, "UNWIND range(1, 100) AS a UNWIND range(1, 100) AS b RETURN count(*)",
                           {}, paced);
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0][0] == gk::graph::Value(int64_t{10000}));
  CHECK(calls >= 10000 / 256);  // every 256 iterations of the inner loop at least

  // A pace that sleeps uses up the time limit like any other work.
  QueryLimits slow;
  slow.timeout = std::chrono::milliseconds(50);
  slow.pace = [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); };
  try {
    runQuery(g, "UNWIND range(1, 100000) AS a RETURN count(*)", {}, slow);
    FAIL("no error");
  } catch (const QueryError& e) {
    CHECK(e.kind() == QueryErrorKind::kLimit);
  }
}
