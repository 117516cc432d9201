// Helpers for the executor tests: result values as short text ("[1, 'a', {k: null}]") and a
// result as one line per row ("1 | 'a'"), so expected results read like the query output.
#pragma once

#include <charconv>
#include <string>
#include <vector>

#include "graph/value.h"
#include "query/run_query.h"

namespace gk::testing {

inline std::string show(const graph::Value& v) {
  if (v.isNull()) return "null";
  if (v.isBool()) return v.asBool() ? "true" : "false";
  if (v.isInt()) return std::to_string(v.asInt());
  if (v.isFloat()) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.asFloat());
    std::string s(buf, end);
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    return s;
  }
  if (v.isString()) return "'" + v.asString() + "'";
  std::string out;
  if (v.isList()) {
    out = "[";
    for (size_t i = 0; i < v.asList().size(); ++i) out += (i ? ", " : "") + show(v.asList()[i]);
    return out + "]";
  }
  out = "{";
  bool first = true;
  for (const auto& [k, item] : v.asMap()) {
    out += (first ? "" : ", ") + k + ": " + show(item);
    first = false;
  }
  return out + "}";
}

inline std::vector<std::string> rowsOf(const query::QueryResult& r) {
  std::vector<std::string> out;
  for (const auto& row : r.rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? " | " : "") + show(row[i]);
    out.push_back(line);
  }
  return out;
}

}  // namespace gk::testing
