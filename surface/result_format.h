// Result formatting: a QueryResult as a Cypher-shell-like table, as JSON (the body POST /query
// answers with) or as CSV (RFC 4180), and graph::Value <-> JSON for parameters and results.
// The CLI prints these; the admin server's POST /query answers with resultJson.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "graph/value.h"
#include "query/run_query.h"

namespace gk::surface {

enum class OutputFormat { kTable, kJson, kCsv };

// "table", "json", "csv" -> the format; anything else -> false.
bool parseOutputFormat(const std::string& name, OutputFormat& out);

// Value as JSON: integers stay integers, maps keep their (sorted) key order. NaN and
// infinities have no JSON form and become null.
nlohmann::ordered_json valueToJson(const graph::Value& value);
// JSON as a Value: objects become sorted maps; unsigned integers above INT64_MAX become floats.
graph::Value jsonToValue(const nlohmann::json& json);

// {"columns":[..],"rows":[[..]],"zxid":N,"elapsedMs":x} plus "plan" when the query had one.
nlohmann::ordered_json resultJson(const query::QueryResult& result);
// The reverse, for the CLI formatting a server's answer. Throws std::invalid_argument when
// `json` is not of resultJson's shape.
query::QueryResult resultFromJson(const nlohmann::json& json);

// One value as the table shows it, Cypher-literal style: strings quoted, NULL, lists [a, b],
// maps {k: v}; node and relationship maps (run_query.h's shapes) as (:Label {..}) and
// [:TYPE {..}], so a RETURN n reads like it does in a Cypher shell.
std::string valueText(const graph::Value& value);

// An aligned table with a row count and the zxid, e.g.
//   +---------+
//   | b.id    |
//   +---------+
//   | 3       |
//   +---------+
//   1 row (zxid 0x2a, 0.4 ms)
// A plan (EXPLAIN/PROFILE) is printed before the table.
std::string formatTable(const query::QueryResult& result);
// Header line with the column names, then one line per row; CRLF line ends and quoting as
// RFC 4180 says. Strings are written bare, null as an empty field, everything else as JSON.
std::string formatCsv(const query::QueryResult& result);
// Compact JSON text; bytes that are not UTF-8 (znode data may be anything) become U+FFFD
// instead of failing the whole answer.
std::string dumpJson(const nlohmann::ordered_json& json);
// resultJson, compact, with a final newline.
std::string formatJson(const query::QueryResult& result);

std::string format(const query::QueryResult& result, OutputFormat format);

}  // namespace gk::surface
