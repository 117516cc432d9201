// Evaluator and function tests: Cypher value semantics (null logic, numeric comparison across
// int/float, the global sort order, equality of lists and maps), arithmetic errors, every
// scalar function in query/functions.cc's table, CASE, comprehensions and quantifiers, and
// the errors bad expressions give (with their positions). Expressions run through runQuery as
// `RETURN <expr>` over an empty in-memory graph.
#include <catch2/catch.hpp>

#include <string>

#include "query/functions.h"
#include "query/run_query.h"
#include "query/scalar_functions.h"
#include "query/value_ops.h"
#include "tests/unit/memory_graph.h"
#include "tests/unit/query_test_util.h"

using gk::graph::Value;
using gk::graph::ValueMap;
using namespace gk::query;
using gk::testing::MemoryGraph;
using gk::testing::show;

namespace {

std::string value(const std::string& expr, const ValueMap& params = {}) {
  MemoryGraph g;
  QueryResult r = runQuery(g, "RETURN " + expr + " AS v", params);
  REQUIRE(r.rows.size() == 1);
  return show(r.rows[0][0]);
}

struct Case {
  const char* expr;
  const char* expected;
};

}  // namespace

TEST_CASE("eval: expressions give Cypher's values", "[query][eval]") {
  const Case cases[] = {
      // Literals and arithmetic.
      {"1 + 2 * 3", "7"},
      {"7 / 2", "3"},
      {"-7 / 2", "-3"},
      {"7 % 3", "1"},
      {"-7 % 3", "-1"},
      {"7.0 / 2", "3.5"},
      {"1 / 0.0", "inf"},
      {"2 ^ 10", "1024.0"},
      {"-2 ^ 2", "4.0"},
      {"1 + 1.5", "2.5"},
      {"'a' + 'b'", "'ab'"},
      {"[1, 2] + [3]", "[1, 2, 3]"},
      {"[1] + 2", "[1, 2]"},
      {"0 + [1]", "[0, 1]"},
      {"null + 1", "null"},
      {"-9223372036854775808", "-9223372036854775808"},
      // Three-valued logic.
      {"true AND null", "null"},
      {"false AND null", "false"},
      {"true OR null", "true"},
      {"false OR null", "null"},
      {"true XOR null", "null"},
      {"true XOR false", "true"},
      {"NOT null", "null"},
      {"NOT false", "true"},
      // Comparisons.
      {"1 = 1.0", "true"},
      {"1 < 1.5", "true"},
      {"9007199254740993 = 9007199254740992.0", "false"},
      {"9007199254740993 > 9007199254740992.0", "true"},
      {"1 = '1'", "false"},
      {"1 < 'a'", "null"},
      {"null = null", "null"},
      {"null <> 1", "null"},
      {"[1, 2] = [1, 2.0]", "true"},
      {"[1, null] = [1, 2]", "null"},
      {"[1, null] = [2, 2]", "false"},
      {"{a: 1} = {a: 1.0}", "true"},
      {"{a: 1} = {b: 1}", "false"},
      {"'abc' < 'abd'", "true"},
      {"[1, 2] < [1, 3]", "true"},
      {"1 < 2 < 3", "true"},
      {"1 < 3 < 2", "false"},
      {"false < true", "true"},
      // Predicates on strings and lists.
      {"'hello' STARTS WITH 'he'", "true"},
      {"'hello' ENDS WITH 'lo'", "true"},
      {"'hello' CONTAINS 'ell'", "true"},
      {"'hello' CONTAINS null", "null"},
      {"1 STARTS WITH 'a'", "null"},
      {"'broker-12' =~ 'broker-[0-9]+'", "true"},
      {"'broker-12x' =~ 'broker-[0-9]+'", "false"},
      {"2 IN [1, 2, 3]", "true"},
      {"4 IN [1, 2, 3]", "false"},
      {"4 IN [1, null]", "null"},
      {"1 IN [1, null]", "true"},
      {"null IN [1]", "null"},
      {"[1] IN [[1], [2]]", "true"},
      {"null IS NULL", "true"},
      {"1 IS NOT NULL", "true"},
      // Lists and maps.
      {"[1, 2, 3][0]", "1"},
      {"[1, 2, 3][-1]", "3"},
      {"[1, 2, 3][5]", "null"},
      {"[1, 2, 3, 4][1..3]", "[2, 3]"},
      {"[1, 2, 3, 4][..-1]", "[1, 2, 3]"},
      {"[1, 2, 3, 4][2..]", "[3, 4]"},
      {"{a: {b: 5}}.a.b", "5"},
      {"{a: 1}['a']", "1"},
      {"{a: 1}.missing", "null"},
      {"{b: 2, a: 1}", "{a: 1, b: 2}"},
      // CASE, comprehensions, quantifiers.
      {"CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END", "'two'"},
      {"CASE 5 WHEN 1 THEN 'one' END", "null"},
      {"CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' END", "'b'"},
      {"[x IN range(1, 5) WHERE x % 2 = 1 | x * 10]", "[10, 30, 50]"},
      {"[x IN [1, 2] | [y IN [10, 20] | x + y]]", "[[11, 21], [12, 22]]"},
      {"all(x IN [1, 2] WHERE x > 0)", "true"},
      {"all(x IN [1, null] WHERE x > 0)", "null"},
      {"any(x IN [1, null] WHERE x > 0)", "true"},
      {"none(x IN [1, 2] WHERE x > 1)", "false"},
      {"single(x IN [1, 2] WHERE x > 1)", "true"},
      {"single(x IN [1, 2, 3] WHERE x > 1)", "false"},
      {"all(x IN [] WHERE false)", "true"},
      {"[x IN null | x]", "null"},
      // Functions.
      {"size([1, 2, 3])", "3"},
      {"size('héllo')", "5"},
      {"length('abc')", "3"},
      {"head([1, 2])", "1"},
      {"head([])", "null"},
      {"last([1, 2])", "2"},
      {"tail([1, 2, 3])", "[2, 3]"},
      {"range(1, 3)", "[1, 2, 3]"},
      {"range(0, 10, 5)", "[0, 5, 10]"},
      {"range(3, 1, -1)", "[3, 2, 1]"},
      {"range(3, 1)", "[]"},
      {"coalesce(null, null, 3, 4)", "3"},
      {"coalesce(null)", "null"},
      {"toInteger('42')", "42"},
      {"toInteger('4.7')", "4"},
      {"toInteger(-4.7)", "-4"},
      {"toInteger('x')", "null"},
      {"toInteger(1e30)", "null"},
      {"toFloat('1.5')", "1.5"},
      {"toFloat(2)", "2.0"},
      {"toString(1.0)", "'1.0'"},
      {"toString(0.5)", "'0.5'"},
      {"toString(12)", "'12'"},
      {"toString(true)", "'true'"},
      {"toBoolean('TRUE')", "true"},
      {"toBoolean('no')", "null"},
      {"toLower('AbC')", "'abc'"},
      {"toUpper('AbC')", "'ABC'"},
      {"trim('  x y  ')", "'x y'"},
      {"split('a,b,,c', ',')", "['a', 'b', '', 'c']"},
      {"split('ab', '')", "['a', 'b']"},
      {"substring('hello', 1, 3)", "'ell'"},
      {"substring('hello', 2)", "'llo'"},
      {"substring('héllo', 1, 2)", "'él'"},
      {"substring('hi', 5)", "''"},
      {"replace('a.b.c', '.', '/')", "'a/b/c'"},
      {"replace('ab', '', '-')", "'-a-b-'"},
      {"abs(-3)", "3"},
      {"abs(-2.5)", "2.5"},
      {"keys({b: 1, a: 2})", "['a', 'b']"},
      {"properties({a: 1})", "{a: 1}"},
      {"exists({a: 1}.a)", "true"},
      {"exists({a: 1}.b)", "false"},
      {"toLower(null)", "null"},
      {"size(null)", "null"},
  };
  for (const Case& c : cases) {
    INFO(c.expr);
    CHECK(value(c.expr) == c.expected);
  }
}

TEST_CASE("eval: parameters of every type", "[query][eval]") {
  ValueMap params;
  gk::graph::valueMapSet(params, "n", Value(5));
  gk::graph::valueMapSet(params, "s", Value("x"));
  gk::graph::valueMapSet(params, "l", Value(gk::graph::ValueList{Value(1), Value(2)}));
  gk::graph::valueMapSet(params, "m", Value(ValueMap{{"k", Value(true)}}));
  CHECK(value("$n + 1", params) == "6");
  CHECK(value("$s + 'y'", params) == "'xy'");
  CHECK(value("size($l)", params) == "2");
  CHECK(value("$m.k", params) == "true");
}

TEST_CASE("eval: timestamp() is one value for the whole query", "[query][eval]") {
  MemoryGraph g;
  QueryResult r = runQuery(g, "UNWIND range(1, 1000) AS i RETURN DISTINCT timestamp() AS t", {});
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0][0].asInt() > 1'600'000'000'000);
}

TEST_CASE("eval: every non-aggregate function of the table is implemented", "[query][eval]") {
  for (const FunctionInfo& f : allFunctions()) {
    if (f.aggregate) continue;
    INFO(f.name);
    CHECK(isScalarFunctionImplemented(f.name));
  }
}

TEST_CASE("eval: the global sort order", "[query][eval]") {
  using gk::query::CypherValue;
  // Map < Node < Relationship < List < Path < String < Boolean < Number < Null.
  std::vector<CypherValue> ascending = {
      CypherValue(CypherMap{}),
      CypherValue(gk::graph::NodeRef{gk::graph::NodeSpace::kStored, "1"}),
      CypherValue(gk::graph::EdgeRef{"T", {}, {}}),
      CypherValue(CypherList{}),
      CypherValue(PathValue{}),
      CypherValue("a"),
      CypherValue(false),
      CypherValue(true),
      CypherValue(-1.5),
      CypherValue(1),
      CypherValue(1.5),
      CypherValue(std::nan("")),
      CypherValue(),
  };
  for (size_t i = 0; i + 1 < ascending.size(); ++i) {
    INFO(i);
    CHECK(orderCompare(ascending[i], ascending[i + 1]) < 0);
    CHECK(orderCompare(ascending[i + 1], ascending[i]) > 0);
  }
  CHECK(orderCompare(CypherValue(1), CypherValue(1.0)) == 0);  // one group for DISTINCT
}

namespace {

struct ErrorCase {
  const char* query;
  QueryErrorKind kind;
  const char* message;  // the whole what(), position included
};

}  // namespace

TEST_CASE("eval: errors are QueryErrors with a position, never crashes", "[query][eval]") {
  const ErrorCase cases[] = {
      {"RETURN 1 + 'a'", QueryErrorKind::kType, "line 1, column 8: cannot add Integer and String"},
      {"RETURN 1 / 0", QueryErrorKind::kType, "line 1, column 8: division by zero"},
      {"RETURN 1 % 0", QueryErrorKind::kType, "line 1, column 8: division by zero (in %)"},
      {"RETURN 9223372036854775807 + 1", QueryErrorKind::kType,
       "line 1, column 8: integer overflow in addition"},
      {"RETURN 4611686018427387904 * 2", QueryErrorKind::kType,
       "line 1, column 8: integer overflow in multiplication"},
      {"RETURN -(-9223372036854775808)", QueryErrorKind::kType,
       "line 1, column 8: integer overflow in negation"},
      {"RETURN 1 AND true", QueryErrorKind::kType, "line 1, column 8: AND expects a boolean, not Integer"},
      {"RETURN\n  toUpper(1)", QueryErrorKind::kType,
       "line 2, column 3: toUpper() expects a string, not Integer"},
      {"RETURN $missing", QueryErrorKind::kSemantic, "line 1, column 8: missing parameter $missing"},
      {"RETURN 'a' =~ '('", QueryErrorKind::kSemantic, ""},
      {"RETURN range(1, 10, 0)", QueryErrorKind::kType, "line 1, column 8: range() step must not be zero"},
      {"RETURN [1][1.5]", QueryErrorKind::kType,
       "line 1, column 8: a list index must be an integer, not Float"},
      {"RETURN (1).x", QueryErrorKind::kType,
       "line 1, column 9: cannot read property 'x' of Integer"},
      {"RETURN sum(x) AS s, 1", QueryErrorKind::kSyntax, ""},
      {"UNWIND [1, 'a'] AS x RETURN sum(x)", QueryErrorKind::kType,
       "line 1, column 29: sum() expects numbers, not String"},
      {"UNWIND [9223372036854775807, 1] AS x RETURN sum(x)", QueryErrorKind::kType,
       "line 1, column 45: integer overflow in sum()"},
      {"MATCH (n) WHERE n.x = 1 RETURN n LIMIT $l", QueryErrorKind::kSemantic,
       "line 1, column 40: missing parameter $l"},
      {"CALL algo.nothing() YIELD x RETURN x", QueryErrorKind::kSemantic,
       "line 1, column 1: unknown procedure 'algo.nothing'"},
      {"RETURN 1 +", QueryErrorKind::kSyntax,
       "line 1, column 11: expected an expression but found end of input"},
      {"UNWIND [1] AS x RETURN x WHERE", QueryErrorKind::kSyntax, ""},
      {"RETURN range(0, 9223372036854775807)", QueryErrorKind::kLimit,
       "line 1, column 8: range() exceeded the row limit of 1000000 rows"},
  };
  for (const ErrorCase& c : cases) {
    INFO(c.query);
    MemoryGraph g;
    try {
      runQuery(g, c.query, {});
      FAIL("no error");
    } catch (const QueryError& e) {
      CHECK(e.kind() == c.kind);
      if (*c.message) CHECK(std::string(e.what()) == c.message);
      if (c.kind != QueryErrorKind::kLimit) CHECK(e.line() >= 1);
    }
  }
}

TEST_CASE("eval: SKIP/LIMIT parameters must be non-negative integers", "[query][eval]") {
  MemoryGraph g;
  ValueMap params{{"l", Value("3")}};
  try {
    runQuery(g, "UNWIND [1, 2] AS x RETURN x LIMIT $l", params);
    FAIL("no error");
  } catch (const QueryError& e) {
    CHECK(e.kind() == QueryErrorKind::kSemantic);
    CHECK(std::string(e.what()) == "line 1, column 35: LIMIT must be a non-negative integer, not '3'");
  }
  ValueMap ok{{"l", Value(1)}};
  CHECK(runQuery(g, "UNWIND [1, 2] AS x RETURN x LIMIT $l", ok).rows.size() == 1);
}

TEST_CASE("eval: =~ refuses inputs that could exhaust std::regex", "[query][eval]") {
  MemoryGraph g;
  ValueMap params{{"s", Value(std::string(100000, 'a'))}};
  try {
    runQuery(g, "RETURN $s =~ '(a|b)*'", params);
    FAIL("no error");
  } catch (const QueryError& e) {
    CHECK(e.kind() == QueryErrorKind::kLimit);
    CHECK(std::string(e.what()).find("=~ is limited to strings of 4096 bytes") != std::string::npos);
  }
  ValueMap small{{"s", Value(std::string(4000, 'a'))}};
  CHECK(show(runQuery(g, "RETURN $s =~ '(a|b)*'", small).rows[0][0]) == "true");
}
