// Result formatting (surface/result_format.h): table, JSON, CSV, Value <-> JSON.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "surface/result_format.h"

using namespace gk;
using graph::Value;
using graph::ValueList;
using graph::ValueMap;

namespace {

query::QueryResult sample() {
  query::QueryResult r;
  r.columns = {"b.id", "b.host", "racks"};
  r.rows.push_back({Value(int64_t{1}), Value("h1"), Value(ValueList{Value("r1"), Value("r2")})});
  r.rows.push_back({Value(int64_t{22}), Value(), Value(ValueList{})});
  r.zxid = 0x2a;
  r.elapsedMs = 0.25;
  return r;
}

}  // namespace

TEST_CASE("JSON result: columns, rows, zxid, elapsedMs; plan only when present") {
  auto j = surface::resultJson(sample());
  CHECK(j.dump() ==
        R"({"columns":["b.id","b.host","racks"],"rows":[[1,"h1",["r1","r2"]],[22,null,[]]],)"
        R"("zxid":42,"elapsedMs":0.25})");
  auto r = sample();
  r.plan = "NodeByLabelScan(b:Broker)";
  CHECK(surface::resultJson(r)["plan"] == "NodeByLabelScan(b:Broker)");
}

TEST_CASE("JSON result round-trips through resultFromJson") {
  auto r = sample();
  r.rows.push_back({Value(1.5), Value(true),
                    Value(ValueMap{{"a", Value(int64_t{1})}, {"b", Value("x")}})});
  auto back = surface::resultFromJson(nlohmann::json::parse(surface::formatJson(r)));
  CHECK(back.columns == r.columns);
  CHECK(back.rows == r.rows);
  CHECK(back.zxid == r.zxid);
  CHECK_THROWS_AS(surface::resultFromJson(nlohmann::json::parse(R"({"rows":[]})")),
                  std::invalid_argument);
}

TEST_CASE("Values as JSON: integers stay integers, floats floats, maps sorted") {
  CHECK(surface::valueToJson(Value(int64_t{3})).dump() == "3");
  CHECK(surface::valueToJson(Value(3.0)).dump() == "3.0");
  CHECK(surface::valueToJson(Value(std::nan(""))).is_null());
  CHECK(surface::valueToJson(Value(std::numeric_limits<double>::infinity())).is_null());
  auto v = surface::jsonToValue(nlohmann::json::parse(R"({"z":1,"a":[true,null,2.5,"s"]})"));
  REQUIRE(v.isMap());
  CHECK(v.asMap()[0].first == "a");
  CHECK(v.asMap()[1].second == Value(int64_t{1}));
  CHECK(v.asMap()[0].second ==
        Value(ValueList{Value(true), Value(), Value(2.5), Value("s")}));
  // Beyond int64: a float rather than a wrapped negative number.
  CHECK(surface::jsonToValue(nlohmann::json::parse("18446744073709551615")).isFloat());
}

TEST_CASE("Table: aligned columns, Cypher literals, row count and zxid") {
  std::string t = surface::formatTable(sample());
  CHECK(t ==
        "+------+--------+--------------+\n"
        "| b.id | b.host | racks        |\n"
        "+------+--------+--------------+\n"
        "| 1    | \"h1\"   | [\"r1\", \"r2\"] |\n"
        "| 22   | NULL   | []           |\n"
        "+------+--------+--------------+\n"
        "2 rows (zxid 0x2a, 0.2 ms)\n");
}

TEST_CASE("Table: an empty result still shows its columns") {
  query::QueryResult r;
  r.columns = {"n"};
  CHECK(surface::formatTable(r) == "+---+\n| n |\n+---+\n0 rows (zxid 0x0, 0.0 ms)\n");
}

TEST_CASE("Table: nodes and relationships read as in a Cypher shell") {
  Value node(ValueMap{{"id", Value(int64_t{7})},
                      {"labels", Value(ValueList{Value("Broker")})},
                      {"properties", Value(ValueMap{{"id", Value(int64_t{3})},
                                                    {"rack", Value("r1")}})}});
  Value rel(ValueMap{{"end", Value(int64_t{7})},
                     {"id", Value(int64_t{9})},
                     {"properties", Value(ValueMap{{"position", Value(int64_t{0})}})},
                     {"start", Value(int64_t{8})},
                     {"type", Value("REPLICA")}});
  CHECK(surface::valueText(node) == "(:Broker {id: 3, rack: \"r1\"})");
  CHECK(surface::valueText(rel) == "[:REPLICA {position: 0}]");
  // A user's map with other keys stays a map.
  CHECK(surface::valueText(Value(ValueMap{{"id", Value(int64_t{1})}, {"my key", Value(1.0)}})) ==
        "{id: 1, `my key`: 1.0}");
  CHECK(surface::valueText(Value("say \"hi\"\n")) == R"("say \"hi\"\n")");
  CHECK(surface::valueText(Value(false)) == "FALSE");
}

TEST_CASE("Table: width counts characters, not UTF-8 bytes") {
  query::QueryResult r;
  r.columns = {"x"};
  r.rows.push_back({Value("été")});
  CHECK(surface::formatTable(r).find("| \"été\" |") != std::string::npos);
}

TEST_CASE("CSV: RFC 4180 quoting, CRLF, null empty, others as JSON") {
  query::QueryResult r;
  r.columns = {"a,b", "plain"};
  r.rows.push_back({Value("say \"hi\""), Value(int64_t{5})});
  r.rows.push_back({Value("two\nlines"), Value()});
  r.rows.push_back({Value(ValueList{Value(int64_t{1}), Value(int64_t{2})}), Value(true)});
  CHECK(surface::formatCsv(r) ==
        "\"a,b\",plain\r\n"
        "\"say \"\"hi\"\"\",5\r\n"
        "\"two\nlines\",\r\n"
        "\"[1,2]\",true\r\n");
}

TEST_CASE("Output format names") {
  surface::OutputFormat f;
  CHECK(surface::parseOutputFormat("csv", f));
  CHECK(f == surface::OutputFormat::kCsv);
  CHECK(surface::parseOutputFormat("json", f));
  CHECK(f == surface::OutputFormat::kJson);
  CHECK_FALSE(surface::parseOutputFormat("xml", f));
}

TEST_CASE("JSON text survives bytes that are not UTF-8") {
  query::QueryResult r;
  r.columns = {"data"};
  r.rows.push_back({Value(std::string("\xff\xfe", 2))});
  CHECK_NOTHROW(surface::formatJson(r));
}
