// POST /query's request parsing and error answers (engine/query_service.h), without a server.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "engine/query_service.h"

using namespace gk;
using namespace gk::engine;
using json = nlohmann::json;

TEST_CASE("A request: query, parameters, limits that can only go down") {
  query::QueryLimits server;
  server.timeout = std::chrono::milliseconds(5000);
  server.maxRows = 100;
  QueryAnswer error;
  auto r = parseQueryRequest(
      R"({"query":"MATCH (n) RETURN n","parameters":{"x":1},"timeoutMs":100,"maxRows":1000})",
      server, error);
  REQUIRE(r);
  CHECK(r->text == "MATCH (n) RETURN n");
  REQUIRE(r->parameters.size() == 1);
  CHECK(r->limits.timeout == std::chrono::milliseconds(100));
  CHECK(r->limits.maxRows == 100);  // 1000 asked, the server allows 100
}

TEST_CASE("Bad requests are 400 with a kind and a message") {
  query::QueryLimits server;
  for (const char* body : {"", "not json", "[1]", R"({"q":"x"})", R"({"query":1})",
                           R"({"query":"x","parameters":[1]})",
                           R"({"query":"x","timeoutMs":-1})", R"({"query":"x","maxRows":"a"})"}) {
    QueryAnswer error;
    CAPTURE(body);
    CHECK_FALSE(parseQueryRequest(body, server, error));
    CHECK(error.status == 400);
    auto j = json::parse(error.body);
    CHECK(j["error"]["kind"].is_string());
    CHECK(j["error"]["message"].is_string());
  }
}

TEST_CASE("Query errors: position for syntax errors, 422 for limits") {
  auto a = queryErrorAnswer(query::QueryError(query::QueryErrorKind::kSyntax, "expected )", 2, 7));
  CHECK(a.status == 400);
  auto j = json::parse(a.body);
  CHECK(j["error"]["kind"] == "syntax");
  CHECK(j["error"]["line"] == 2);
  CHECK(j["error"]["column"] == 7);
  auto l = queryErrorAnswer(query::QueryError(query::QueryErrorKind::kLimit, "too many rows"));
  CHECK(l.status == 422);
  CHECK(json::parse(l.body)["error"]["kind"] == "limit");
  CHECK_FALSE(json::parse(l.body)["error"].contains("line"));
}

TEST_CASE("A standalone server's ensemble: one server, the sessions connected here") {
  ServerConfig cfg;
  cfg.myid = 0;
  cfg.clientPort = 2181;
  cfg.clientPortAddress = "127.0.0.1";
  auto v = standaloneEnsemble(cfg, 42, {7, 3});
  REQUIRE(v->servers.size() == 1);
  CHECK(v->servers[0].role == "standalone");
  CHECK(v->servers[0].zxid == 42);
  CHECK(v->servers[0].host == "127.0.0.1");
  CHECK(v->sessionServer == std::vector<std::pair<int64_t, int64_t>>{{3, 0}, {7, 0}});
}

TEST_CASE("The position lives in fields, not twice in the message") {
  query::QueryError e(query::QueryErrorKind::kSyntax, "line 2, column 7: expected ')'", 2, 7);
  CHECK(bareMessage(e) == "expected ')'");
  auto j = json::parse(queryErrorAnswer(e).body);
  CHECK(j["error"]["message"] == "expected ')'");
  // A message that merely starts alike but names another place is left alone.
  query::QueryError other(query::QueryErrorKind::kSyntax, "line 9, column 1: x", 2, 7);
  CHECK(bareMessage(other) == "line 9, column 1: x");
}

TEST_CASE("zoo.cfg: query.timeoutMs, query.maxRows, query.maxConcurrent") {
  auto d = parseConfig("dataDir=/tmp/x\nclientPort=2181\n", "zoo.cfg");
  CHECK(d.queryTimeoutMs == 30000);
  CHECK(d.queryMaxRows == 1000000);
  CHECK(d.queryMaxConcurrent == 2);
  auto c = parseConfig(
      "dataDir=/tmp/x\nclientPort=2181\nquery.timeoutMs=500\nquery.maxRows=5000000000\n"
      "query.maxConcurrent=1\n",
      "zoo.cfg");
  CHECK(c.queryTimeoutMs == 500);
  CHECK(c.queryMaxRows == 5000000000);
  CHECK(c.queryMaxConcurrent == 1);
  CHECK(c.warnings.empty());  // known keys: no "unknown key" warning
  CHECK_THROWS_AS(parseConfig("dataDir=/x\nquery.timeoutMs=0\n", "zoo.cfg"), ConfigError);
  CHECK_THROWS_AS(parseConfig("dataDir=/x\nquery.maxRows=-1\n", "zoo.cfg"), ConfigError);
  CHECK_THROWS_AS(parseConfig("dataDir=/x\nquery.maxConcurrent=100\n", "zoo.cfg"), ConfigError);
}
