// Planner tests: which operator starts each pattern given the graph's label counts and indexes,
// where filters go, and the order of patterns, all read from EXPLAIN's text. The graph is an
// in-memory one (tests/unit/memory_graph.h) whose statistics each test sets.
#include <catch2/catch.hpp>

#include <string>

#include "query/run_query.h"
#include "tests/unit/memory_graph.h"
#include "tests/unit/query_test_util.h"

using gk::graph::Value;
using gk::graph::ValueMap;
using namespace gk::query;
using gk::testing::MemoryGraph;

namespace {

// Few Small nodes, many Big ones; Big.id is uniquely indexed, Big.kind has a plain index.
class StatsGraph : public MemoryGraph {
 public:
  StatsGraph() {
    auto s = addNode({"Small"}, {{"x", Value(1)}});
    auto b = addNode({"Big"}, {{"id", Value(5)}, {"kind", Value("k")}, {"y", Value(2)}});
    addEdge(b, "R", s);
    setLabelCount("Small", 10);
    setLabelCount("Big", 1000);
    addIndex("Big", "id", true);
    addIndex("Big", "kind", false);
  }
};

std::string explain(const gk::graph::GraphReader& g, const std::string& q,
                    const ValueMap& params = {}) {
  QueryResult r = runQuery(g, "EXPLAIN " + q, params);
  REQUIRE(r.plan);
  CHECK(r.rows.empty());
  return *r.plan;
}

// The lines of a plan, the first (top) being the result.
std::vector<std::string> lines(const std::string& plan) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from < plan.size()) {
    size_t end = plan.find('\n', from);
    out.push_back(plan.substr(from, end - from));
    from = end + 1;
  }
  return out;
}

size_t lineOf(const std::string& plan, const std::string& text) {
  auto ls = lines(plan);
  for (size_t i = 0; i < ls.size(); ++i) {
    if (ls[i].find(text) != std::string::npos) return i;
  }
  FAIL("no line with '" << text << "' in\n" << plan);
  return 0;
}

}  // namespace

TEST_CASE("planner: a pattern starts at its smallest label", "[query][planner]") {
  StatsGraph g;
  std::string plan = explain(g, "MATCH (b:Big)-[:R]->(s:Small) RETURN b.y");
  INFO(plan);
  CHECK(plan ==
        "ProduceResults b.y  (est. rows 1000)\n"
        "  Projection b.y  (est. rows 1000)\n"
        "    Expand (s)<-[:R]-(b:Big)  (est. rows 1000)\n"
        "      NodeByLabelScan (s:Small) label Small  (est. rows 10)\n");
  // Running it gives the right answer from that start.
  CHECK(gk::testing::rowsOf(runQuery(g, "MATCH (b:Big)-[:R]->(s:Small) RETURN b.y", {})) ==
        std::vector<std::string>{"2"});
}

TEST_CASE("planner: an indexed equality becomes an index seek", "[query][planner]") {
  StatsGraph g;
  std::string plan = explain(g, "MATCH (b:Big {id: 5})-[:R]->(s:Small) RETURN s.x");
  INFO(plan);
  CHECK(plan.find("NodeIndexSeek (b:Big {id: 5}) index Big(id) = 5  (est. rows 1)") !=
        std::string::npos);
  CHECK(lineOf(plan, "NodeIndexSeek") > lineOf(plan, "Expand (b)-[:R]->(s:Small)"));
  // From WHERE, with a parameter, either side of the `=`.
  ValueMap params{{"id", Value(5)}};
  plan = explain(g, "MATCH (b:Big)-[:R]->(s:Small) WHERE $id = b.id RETURN s.x", params);
  INFO(plan);
  CHECK(plan.find("NodeIndexSeek (b:Big) index Big(id) = $id  (est. rows 1)") != std::string::npos);
  int before = g.seeks;
  CHECK(gk::testing::rowsOf(runQuery(g, "MATCH (b:Big)-[:R]->(s:Small) WHERE $id = b.id RETURN s.x",
                                     params)) == std::vector<std::string>{"1"});
  CHECK(g.seeks == before + 1);
  // A non-unique index costs approxCount / 10 = 100 rows: the Small scan (10) still wins.
  plan = explain(g, "MATCH (b:Big {kind: 'k'})-[:R]->(s:Small) RETURN s.x");
  INFO(plan);
  CHECK(plan.find("NodeByLabelScan (s:Small)") != std::string::npos);
  // Without the cheaper label it is the seek.
  plan = explain(g, "MATCH (b:Big {kind: 'k'}) RETURN b.y");
  CHECK(plan.find("NodeIndexSeek (b:Big {kind: 'k'}) index Big(kind) = 'k'  (est. rows 100)") !=
        std::string::npos);
  // Not indexed, or not an equality with a constant: no seek.
  plan = explain(g, "MATCH (b:Big) WHERE b.y = 2 RETURN b");
  CHECK(plan.find("NodeByLabelScan (b:Big)") != std::string::npos);
  plan = explain(g, "MATCH (b:Big) WHERE b.id > 2 RETURN b");
  CHECK(plan.find("NodeIndexSeek") == std::string::npos);
}

TEST_CASE("planner: no label scans all nodes", "[query][planner]") {
  StatsGraph g;
  std::string plan = explain(g, "MATCH (n) RETURN n");
  CHECK(plan.find("AllNodesScan (n)  (est. rows 1010)") != std::string::npos);
}

TEST_CASE("planner: filters run right after the step that binds their variables",
          "[query][planner]") {
  StatsGraph g;
  std::string plan =
      explain(g, "MATCH (s:Small)<-[:R]-(b:Big) WHERE s.x = 1 AND b.y = 2 AND s.x < b.y RETURN b");
  INFO(plan);
  size_t scan = lineOf(plan, "NodeByLabelScan (s:Small)");
  size_t onS = lineOf(plan, "Filter s.x = 1");
  size_t expand = lineOf(plan, "Expand (s)<-[:R]-(b:Big)");
  size_t onB = lineOf(plan, "Filter b.y = 2");
  size_t both = lineOf(plan, "Filter s.x < b.y");
  // Lower lines run first.
  CHECK(scan > onS);
  CHECK(onS > expand);
  CHECK(expand > onB);
  CHECK(expand > both);
  // A condition on earlier variables only runs before the next MATCH's scan.
  plan = explain(g, "MATCH (s:Small) WITH s.x AS x MATCH (b:Big) WHERE x = 1 RETURN b");
  INFO(plan);
  CHECK(lineOf(plan, "NodeByLabelScan (b:Big)") < lineOf(plan, "Filter x = 1"));
}

TEST_CASE("planner: the cheapest pattern first, bound variables need no scan",
          "[query][planner]") {
  StatsGraph g;
  std::string plan = explain(g, "MATCH (b:Big), (s:Small) RETURN b, s");
  INFO(plan);
  CHECK(lineOf(plan, "NodeByLabelScan (s:Small)") > lineOf(plan, "NodeByLabelScan (b:Big)"));
  plan = explain(g, "MATCH (b:Big {id: 5}), (b)-[:R]->(s) RETURN s");
  INFO(plan);
  CHECK(plan.find("NodeByLabelScan") == std::string::npos);
  CHECK(plan.find("AllNodesScan") == std::string::npos);
  CHECK(plan.find("Expand (b)-[:R]->(s)") != std::string::npos);
  // A variable from an earlier clause starts the pattern; labels on it become a NodeCheck.
  plan = explain(g, "MATCH (b:Big {id: 5}) WITH b MATCH (b:Big)-[:R]->(s) RETURN s");
  INFO(plan);
  CHECK(plan.find("NodeCheck (b:Big)") != std::string::npos);
}

TEST_CASE("planner: ORDER BY with LIMIT keeps only the top rows; OPTIONAL MATCH is a branch",
          "[query][planner]") {
  StatsGraph g;
  std::string plan = explain(g, "MATCH (b:Big) RETURN b.y ORDER BY b.y DESC SKIP 2 LIMIT 3");
  INFO(plan);
  CHECK(plan ==
        "ProduceResults b.y  (est. rows 3)\n"
        "  Limit 3  (est. rows 3)\n"
        "    Skip 2  (est. rows 998)\n"
        "      Top b.y DESC keep 5  (est. rows 1000)\n"
        "        Projection b.y  (est. rows 1000)\n"
        "          NodeByLabelScan (b:Big) label Big  (est. rows 1000)\n");
  plan = explain(g, "MATCH (s:Small) OPTIONAL MATCH (s)<-[:R]-(b:Big) RETURN s, b");
  INFO(plan);
  CHECK(plan ==
        "ProduceResults s, b  (est. rows 10)\n"
        "  OptionalMatch null if no match: b  (est. rows 10)\n"
        "    per row: Expand (s)<-[:R]-(b:Big)  (est. rows 10)\n"
        "    NodeByLabelScan (s:Small) label Small  (est. rows 10)\n");
}
