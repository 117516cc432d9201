// Result formatting (result_format.h). Pure functions over values: no I/O, no graph access.
#include "surface/result_format.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace gk::surface {

using ojson = nlohmann::ordered_json;
using graph::Value;
using graph::ValueList;
using graph::ValueMap;

bool parseOutputFormat(const std::string& name, OutputFormat& out) {
  if (name == "table") {
    out = OutputFormat::kTable;
  } else if (name == "json") {
    out = OutputFormat::kJson;
  } else if (name == "csv") {
    out = OutputFormat::kCsv;
  } else {
    return false;
  }
  return true;
}

ojson valueToJson(const Value& value) {
  if (value.isNull()) return nullptr;
  if (value.isBool()) return value.asBool();
  if (value.isInt()) return value.asInt();
  if (value.isFloat()) {
    double d = value.asFloat();
    if (!std::isfinite(d)) return nullptr;
    return d;
  }
  if (value.isString()) return value.asString();
  if (value.isList()) {
    ojson a = ojson::array();
    for (const auto& v : value.asList()) a.push_back(valueToJson(v));
    return a;
  }
  ojson o = ojson::object();
  for (const auto& [k, v] : value.asMap()) o[k] = valueToJson(v);
  return o;
}

Value jsonToValue(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return Value();
    case nlohmann::json::value_t::boolean:
      return Value(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > uint64_t(INT64_MAX)) return Value(double(u));
      return Value(int64_t(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value(j.get<double>());
    case nlohmann::json::value_t::string:
      return Value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      ValueList l;
      l.reserve(j.size());
      for (const auto& e : j) l.push_back(jsonToValue(e));
      return Value(std::move(l));
    }
    case nlohmann::json::value_t::object: {
      ValueMap m;  // nlohmann::json's objects iterate in key order: already sorted
      m.reserve(j.size());
      for (auto it = j.begin(); it != j.end(); ++it) m.emplace_back(it.key(), jsonToValue(*it));
      return Value(std::move(m));
    }
    case nlohmann::json::value_t::binary:
      break;
  }
  throw std::invalid_argument("binary JSON values are not supported");
}

ojson resultJson(const query::QueryResult& r) {
  ojson j;
  j["columns"] = r.columns;
  ojson rows = ojson::array();
  for (const auto& row : r.rows) {
    ojson jr = ojson::array();
    for (const auto& v : row) jr.push_back(valueToJson(v));
    rows.push_back(std::move(jr));
  }
  j["rows"] = std::move(rows);
  j["zxid"] = r.zxid;
  j["elapsedMs"] = r.elapsedMs;
  if (r.plan) j["plan"] = *r.plan;
  return j;
}

query::QueryResult resultFromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("columns") || !j["columns"].is_array() ||
      !j.contains("rows") || !j["rows"].is_array()) {
    throw std::invalid_argument("not a query result: expected an object with columns and rows");
  }
  query::QueryResult r;
  for (const auto& c : j["columns"]) {
    if (!c.is_string()) throw std::invalid_argument("not a query result: a column is no string");
    r.columns.push_back(c.get<std::string>());
  }
  for (const auto& row : j["rows"]) {
    if (!row.is_array()) throw std::invalid_argument("not a query result: a row is no array");
    std::vector<Value> values;
    for (const auto& v : row) values.push_back(jsonToValue(v));
    r.rows.push_back(std::move(values));
  }
  if (auto it = j.find("zxid"); it != j.end() && it->is_number_integer()) {
    r.zxid = it->get<int64_t>();
  }
  if (auto it = j.find("elapsedMs"); it != j.end() && it->is_number()) {
    r.elapsedMs = it->get<double>();
  }
  if (auto it = j.find("plan"); it != j.end() && it->is_string()) r.plan = it->get<std::string>();
  return r;
}

// --- table -----------------------------------------------------------------------------------

namespace {

std::string floatText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);  // shortest round-trip form
  std::string s(buf, end);
  // 1.0 must not read as the integer 1.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

// A property key as Cypher writes it: bare when it is an identifier, else in backticks.
std::string keyText(const std::string& k) {
  bool plain = !k.empty() && !std::isdigit(static_cast<unsigned char>(k[0]));
  for (char c : k) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  return plain ? k : "`" + k + "`";
}

std::string mapText(const ValueMap& m) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ", ";
    first = false;
    out += keyText(k) + ": " + valueText(v);
  }
  return out + "}";
}

bool hasExactly(const ValueMap& m, std::initializer_list<const char*> keys) {
  if (m.size() != keys.size()) return false;
  for (const char* k : keys) {
    if (!graph::valueMapGet(m, k)) return false;
  }
  return true;
}

// run_query.h's node shape: {"id": int, "labels": [str..], "properties": {..}}.
bool isNodeShape(const ValueMap& m) {
  if (!hasExactly(m, {"id", "labels", "properties"})) return false;
  const Value* labels = graph::valueMapGet(m, "labels");
  if (!graph::valueMapGet(m, "id")->isInt() || !labels->isList() ||
      !graph::valueMapGet(m, "properties")->isMap()) {
    return false;
  }
  for (const auto& l : labels->asList()) {
    if (!l.isString()) return false;
  }
  return true;
}

// {"id", "type", "start", "end", "properties"}.
bool isRelationshipShape(const ValueMap& m) {
  return hasExactly(m, {"id", "type", "start", "end", "properties"}) &&
         graph::valueMapGet(m, "type")->isString() &&
         graph::valueMapGet(m, "properties")->isMap();
}

std::string nodeText(const ValueMap& m) {
  std::string out = "(";
  for (const auto& l : graph::valueMapGet(m, "labels")->asList()) out += ":" + keyText(l.asString());
  const auto& props = graph::valueMapGet(m, "properties")->asMap();
  if (!props.empty()) out += (out.size() > 1 ? " " : "") + mapText(props);
  return out + ")";
}

std::string relationshipText(const ValueMap& m) {
  std::string out = "[:" + keyText(graph::valueMapGet(m, "type")->asString());
  const auto& props = graph::valueMapGet(m, "properties")->asMap();
  if (!props.empty()) out += " " + mapText(props);
  return out + "]";
}

size_t displayWidth(const std::string& s) {
  size_t w = 0;  // UTF-8 code points: continuation bytes take no column
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

std::string pad(const std::string& s, size_t width) {
  return s + std::string(width - std::min(width, displayWidth(s)), ' ');
}

}  // namespace

std::string valueText(const Value& value) {
  if (value.isNull()) return "NULL";
  if (value.isBool()) return value.asBool() ? "TRUE" : "FALSE";
  if (value.isInt()) return std::to_string(value.asInt());
  if (value.isFloat()) return floatText(value.asFloat());
  if (value.isString()) return quoted(value.asString());
  if (value.isList()) {
    std::string out = "[";
    bool first = true;
    for (const auto& v : value.asList()) {
      if (!first) out += ", ";
      first = false;
      out += valueText(v);
    }
    return out + "]";
  }
  const ValueMap& m = value.asMap();
  if (isNodeShape(m)) return nodeText(m);
  if (isRelationshipShape(m)) return relationshipText(m);
  return mapText(m);
}

std::string formatTable(const query::QueryResult& r) {
  std::string out;
  if (r.plan) {
    out += *r.plan;
    if (!r.plan->empty() && r.plan->back() != '\n') out += '\n';
  }
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width;
  for (const auto& c : r.columns) width.push_back(displayWidth(c));
  for (const auto& row : r.rows) {
    std::vector<std::string> line;
    for (size_t i = 0; i < row.size(); ++i) {
      line.push_back(valueText(row[i]));
      if (i >= width.size()) width.push_back(0);
      width[i] = std::max(width[i], displayWidth(line.back()));
    }
    cells.push_back(std::move(line));
  }
  if (!width.empty()) {
    std::string rule = "+";
    for (size_t w : width) rule += std::string(w + 2, '-') + "+";
    rule += "\n";
    auto line = [&](const std::vector<std::string>& values) {
      std::string l = "|";
      for (size_t i = 0; i < width.size(); ++i) {
        l += " " + pad(i < values.size() ? values[i] : "", width[i]) + " |";
      }
      return l + "\n";
    };
    out += rule + line(r.columns) + rule;
    for (const auto& c : cells) out += line(c);
    if (!cells.empty()) out += rule;
  }
  char tail[128];
  std::snprintf(tail, sizeof tail, "%zu %s (zxid 0x%llx, %.1f ms)\n", r.rows.size(),
                r.rows.size() == 1 ? "row" : "rows", static_cast<unsigned long long>(r.zxid),
                r.elapsedMs);
  return out + tail;
}

// --- CSV -------------------------------------------------------------------------------------

namespace {

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';  // RFC 4180: a quote inside a quoted field is doubled
    out += c;
  }
  return out + "\"";
}

std::string csvValue(const Value& v) {
  if (v.isNull()) return "";
  if (v.isString()) return csvField(v.asString());
  return csvField(dumpJson(valueToJson(v)));
}

}  // namespace

std::string formatCsv(const query::QueryResult& r) {
  std::string out;
  for (size_t i = 0; i < r.columns.size(); ++i) {
    if (i) out += ',';
    out += csvField(r.columns[i]);
  }
  out += "\r\n";
  for (const auto& row : r.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      out += csvValue(row[i]);
    }
    out += "\r\n";
  }
  return out;
}

std::string dumpJson(const ojson& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string formatJson(const query::QueryResult& r) { return dumpJson(resultJson(r)) + "\n"; }

std::string format(const query::QueryResult& r, OutputFormat f) {
  switch (f) {
    case OutputFormat::kTable: return formatTable(r);
    case OutputFormat::kJson: return formatJson(r);
    case OutputFormat::kCsv: return formatCsv(r);
  }
  return formatTable(r);
}

}  // namespace gk::surface
