// Scalar functions; see scalar_functions.h. Null in gives null out for every function that
// takes a value (as openCypher), except coalesce, which exists to skip nulls.
#include "query/scalar_functions.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_map>

#include "query/value_ops.h"

namespace gk::query {
namespace {

using Args = std::vector<CypherValue>;
using Fn = CypherValue (*)(ExecContext&, Args&);

[[noreturn]] void badArgument(std::string_view function, const CypherValue& arg,
                              std::string_view expected) {
  throwTypeError(std::string(function) + "() expects " + std::string(expected) + ", not " +
                 std::string(typeName(arg)));
}

// Byte offset of code point `index` in s (s.size() when past the end).
size_t utf8Offset(std::string_view s, int64_t index) {
  size_t i = 0;
  for (int64_t n = 0; n < index && i < s.size(); ++n) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

std::string asciiCase(std::string s, bool upper) {
  for (char& c : s) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

CypherValue listOfStrings(std::vector<std::string> items) {
  CypherList out;
  out.reserve(items.size());
  for (std::string& s : items) out.emplace_back(std::move(s));
  return out;
}

CypherValue fnId(ExecContext& ctx, Args& a) {
  if (a[0].isNull()) return {};
  if (a[0].isNode()) return ctx.graph.nodeId(a[0].asNode());
  if (a[0].isRelationship()) return ctx.graph.edgeId(a[0].asRelationship());
  badArgument("id", a[0], "a node or relationship");
}

CypherValue fnLabels(ExecContext& ctx, Args& a) {
  if (a[0].isNull()) return {};
  if (!a[0].isNode()) badArgument("labels", a[0], "a node");
  return listOfStrings(ctx.graph.nodeLabels(a[0].asNode()));
}

CypherValue fnType(ExecContext&, Args& a) {
  if (a[0].isNull()) return {};
  if (!a[0].isRelationship()) badArgument("type", a[0], "a relationship");
  return a[0].asRelationship().type;
}

CypherValue propertiesOf(ExecContext& ctx, const CypherValue& v, std::string_view function) {
  if (v.isNode()) return fromGraphMap(ctx.graph.nodeProperties(v.asNode()));
  if (v.isRelationship()) return fromGraphMap(ctx.graph.edgeProperties(v.asRelationship()));
  if (v.isMap()) return v;
  badArgument(function, v, "a node, relationship or map");
}

CypherValue fnKeys(ExecContext& ctx, Args& a) {
  if (a[0].isNull()) return {};
  CypherValue props = propertiesOf(ctx, a[0], "keys");
  CypherList keys;
  for (const auto& [key, value] : props.asMap()) keys.emplace_back(key);
  return keys;
}

CypherValue fnProperties(ExecContext& ctx, Args& a) {
  if (a[0].isNull()) return {};
  return propertiesOf(ctx, a[0], "properties");
}

CypherValue fnNodes(ExecContext&, Args& a) {
  if (a[0].isNull()) return {};
  if (!a[0].isPath()) badArgument("nodes", a[0], "a path");
  CypherList out;
  for (const graph::NodeRef& n : a[0].asPath().nodes) out.emplace_back(n);
  return out;
}

CypherValue fnRelationships(ExecContext&, Args& a) {
  if (a[0].isNull()) return {};
  if (!a[0].isPath()) badArgument("relationships", a[0], "a path");
  CypherList out;
  for (const graph::EdgeRef& e : a[0].asPath().relationships) out.emplace_back(e);
  return out;
}

CypherValue fnStartNode(ExecContext&, Args& a) {
  if (a[0].isNull()) return {};
  if (!a[0].isRelationship()) badArgument("startNode", a[0], "a relationship");
  return a[0].asRelationship().from;
}

CypherValue fnEndNode(ExecContext&, Args& a) {
  if (a[0].isNull()) return {};
  if (!a[0].isRelationship()) badArgument("endNode", a[0], "a relationship");
  return a[0].asRelationship().to;
}

CypherValue fnLength(ExecContext&, Args& a) {
  if (a[0].isNull()) return {};
  if (a[0].isPath()) return static_cast<int64_t>(a[0].asPath().relationships.size());
  // Older Cypher also took strings and lists; kept so existing queries keep working.
  if (a[0].isList()) return static_cast<int64_t>(a[0].asList().size());
  if (a[0].isString()) return static_cast<int64_t>(utf8Length(a[0].asString()));
  badArgument("length", a[0], "a path");
}

CypherValue fnExists(ExecContext&, Args& a) { return !a[0].isNull(); }

CypherValue fnSize(ExecContext&, Args& a) {
  if (a[0].isNull()) return {};
  if (a[0].isList()) return static_cast<int64_t>(a[0].asList().size());
  if (a[0].isString()) return static_cast<int64_t>(utf8Length(a[0].asString()));
  badArgument("size", a[0], "a list or string");
}

const CypherList* listArg(const CypherValue& v, std::string_view function) {
  if (v.isNull()) return nullptr;
  if (!v.isList()) badArgument(function, v, "a list");
  return &v.asList();
}

CypherValue fnHead(ExecContext&, Args& a) {
  const CypherList* l = listArg(a[0], "head");
  if (!l || l->empty()) return {};
  return l->front();
}

CypherValue fnLast(ExecContext&, Args& a) {
  const CypherList* l = listArg(a[0], "last");
  if (!l || l->empty()) return {};
  return l->back();
}

CypherValue fnTail(ExecContext&, Args& a) {
  const CypherList* l = listArg(a[0], "tail");
  if (!l) return {};
  if (l->empty()) return CypherList{};
  return CypherList(l->begin() + 1, l->end());
}

CypherValue fnRange(ExecContext& ctx, Args& a) {
  for (const CypherValue& v : a) {
    if (v.isNull()) return {};
    if (!v.isInt()) badArgument("range", v, "integers");
  }
  int64_t start = a[0].asInt(), end = a[1].asInt();
  int64_t step = a.size() > 2 ? a[2].asInt() : 1;
  if (step == 0) throwTypeError("range() step must not be zero");
  // Count first, so a huge range is refused before any memory is taken. end - start may not
  // fit in 64 bits; such a range is far above any row limit anyway.
  auto tooLong = [&] { ctx.guard.checkRows(ctx.guard.maxRows() + 1, "range()"); };
  uint64_t count = 0;
  if ((step > 0 && end >= start) || (step < 0 && end <= start)) {
    int64_t span = 0;
    if (__builtin_sub_overflow(end, start, &span) ||
        (span == std::numeric_limits<int64_t>::min() && step == -1)) {
      tooLong();
    }
    count = static_cast<uint64_t>(span / step) + 1;
  }
  if (count > ctx.guard.maxRows()) tooLong();
  CypherList out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    ctx.guard.tick();
    // Every element lies between start and end, so this cannot overflow.
    out.emplace_back(start + static_cast<int64_t>(i) * step);
  }
  return out;
}

CypherValue fnCoalesce(ExecContext&, Args& a) {
  for (CypherValue& v : a) {
    if (!v.isNull()) return std::move(v);
  }
  return {};
}

CypherValue fnToInteger(ExecContext&, Args& a) {
  const CypherValue& v = a[0];
  if (v.isNull() || v.isInt()) return v;
  if (v.isBool()) return int64_t{v.asBool() ? 1 : 0};
  auto fromDouble = [](double d) -> CypherValue {
    // Out of range or NaN: null rather than undefined behaviour in the cast.
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return {};
    return static_cast<int64_t>(std::trunc(d));
  };
  if (v.isFloat()) return fromDouble(v.asFloat());
  if (v.isString()) {
    const std::string& s = v.asString();
    int64_t i = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return i;
    double d = 0;
    auto [dend, dec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (dec == std::errc() && dend == s.data() + s.size() && !s.empty()) return fromDouble(d);
    return {};  // not a number: null, as openCypher says
  }
  badArgument("toInteger", v, "a number, boolean or string");
}

CypherValue fnToFloat(ExecContext&, Args& a) {
  const CypherValue& v = a[0];
  if (v.isNull() || v.isFloat()) return v;
  if (v.isInt()) return static_cast<double>(v.asInt());
  if (v.isString()) {
    const std::string& s = v.asString();
    double d = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return d;
    return {};
  }
  badArgument("toFloat", v, "a number or string");
}

CypherValue fnToString(ExecContext&, Args& a) {
  if (a[0].isNull()) return {};
  if (auto s = scalarToString(a[0])) return *s;
  badArgument("toString", a[0], "a number, boolean or string");
}

CypherValue fnToBoolean(ExecContext&, Args& a) {
  const CypherValue& v = a[0];
  if (v.isNull() || v.isBool()) return v;
  if (v.isString()) {
    std::string s = asciiCase(v.asString(), false);
    if (s == "true") return true;
    if (s == "false") return false;
    return {};
  }
  if (v.isInt()) return v.asInt() != 0;
  badArgument("toBoolean", v, "a boolean, string or integer");
}

const std::string* stringArg(const CypherValue& v, std::string_view function) {
  if (v.isNull()) return nullptr;
  if (!v.isString()) badArgument(function, v, "a string");
  return &v.asString();
}

CypherValue fnToLower(ExecContext&, Args& a) {
  const std::string* s = stringArg(a[0], "toLower");
  if (!s) return {};
  return asciiCase(*s, false);
}

CypherValue fnToUpper(ExecContext&, Args& a) {
  const std::string* s = stringArg(a[0], "toUpper");
  if (!s) return {};
  return asciiCase(*s, true);
}

CypherValue fnTrim(ExecContext&, Args& a) {
  const std::string* s = stringArg(a[0], "trim");
  if (!s) return {};
  size_t b = s->find_first_not_of(" \t\n\r\f\v");
  if (b == std::string::npos) return std::string();
  size_t e = s->find_last_not_of(" \t\n\r\f\v");
  return s->substr(b, e - b + 1);
}

CypherValue fnSplit(ExecContext& ctx, Args& a) {
  const std::string* s = stringArg(a[0], "split");
  const std::string* delimiter = stringArg(a[1], "split");
  if (!s || !delimiter) return {};
  std::vector<std::string> parts;
  if (delimiter->empty()) {
    // Every code point on its own, as Neo4j does.
    for (size_t i = 0; i < s->size();) {
      size_t next = utf8Offset(std::string_view(*s).substr(i), 1) + i;
      parts.push_back(s->substr(i, next - i));
      i = next;
    }
  } else {
    size_t from = 0;
    while (true) {
      ctx.guard.tick();
      size_t at = s->find(*delimiter, from);
      if (at == std::string::npos) break;
      parts.push_back(s->substr(from, at - from));
      from = at + delimiter->size();
    }
    parts.push_back(s->substr(from));
  }
  return listOfStrings(std::move(parts));
}

CypherValue fnSubstring(ExecContext&, Args& a) {
  const std::string* s = stringArg(a[0], "substring");
  if (!s) return {};
  for (size_t i = 1; i < a.size(); ++i) {
    if (a[i].isNull()) return {};
    if (!a[i].isInt()) badArgument("substring", a[i], "integer start and length");
    if (a[i].asInt() < 0) throwTypeError("substring() start and length must not be negative");
  }
  size_t begin = utf8Offset(*s, a[1].asInt());
  if (a.size() == 2) return s->substr(begin);
  size_t end = begin + utf8Offset(std::string_view(*s).substr(begin), a[2].asInt());
  return s->substr(begin, end - begin);
}

CypherValue fnReplace(ExecContext& ctx, Args& a) {
  const std::string* s = stringArg(a[0], "replace");
  const std::string* search = stringArg(a[1], "replace");
  const std::string* replacement = stringArg(a[2], "replace");
  if (!s || !search || !replacement) return {};
  std::string out;
  if (search->empty()) {
    // As Java's String.replace: the replacement between every code point and at both ends.
    out += *replacement;
    for (size_t i = 0; i < s->size();) {
      size_t next = utf8Offset(std::string_view(*s).substr(i), 1) + i;
      out.append(*s, i, next - i);
      out += *replacement;
      i = next;
    }
    return out;
  }
  size_t from = 0;
  while (true) {
    ctx.guard.tick();
    size_t at = s->find(*search, from);
    if (at == std::string::npos) break;
    out.append(*s, from, at - from);
    out += *replacement;
    from = at + search->size();
  }
  out.append(*s, from);
  return out;
}

CypherValue fnAbs(ExecContext&, Args& a) {
  const CypherValue& v = a[0];
  if (v.isNull()) return {};
  if (v.isInt()) {
    if (v.asInt() == std::numeric_limits<int64_t>::min()) throwTypeError("integer overflow in abs()");
    return v.asInt() < 0 ? -v.asInt() : v.asInt();
  }
  if (v.isFloat()) return std::fabs(v.asFloat());
  badArgument("abs", v, "a number");
}

CypherValue fnTimestamp(ExecContext& ctx, Args&) { return ctx.timestampMs; }

const std::unordered_map<std::string_view, Fn>& table() {
  static const std::unordered_map<std::string_view, Fn> kTable = {
      {"id", fnId},
      {"labels", fnLabels},
      {"type", fnType},
      {"keys", fnKeys},
      {"properties", fnProperties},
      {"nodes", fnNodes},
      {"relationships", fnRelationships},
      {"startNode", fnStartNode},
      {"endNode", fnEndNode},
      {"length", fnLength},
      {"exists", fnExists},
      {"size", fnSize},
      {"head", fnHead},
      {"last", fnLast},
      {"tail", fnTail},
      {"range", fnRange},
      {"coalesce", fnCoalesce},
      {"toInteger", fnToInteger},
      {"toFloat", fnToFloat},
      {"toString", fnToString},
      {"toBoolean", fnToBoolean},
      {"toLower", fnToLower},
      {"toUpper", fnToUpper},
      {"trim", fnTrim},
      {"split", fnSplit},
      {"substring", fnSubstring},
      {"replace", fnReplace},
      {"abs", fnAbs},
      {"timestamp", fnTimestamp},
  };
  return kTable;
}

}  // namespace

size_t utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

CypherValue callScalarFunction(ExecContext& ctx, std::string_view name, Args& args) {
  auto it = table().find(name);
  if (it == table().end()) {
    throw QueryError(QueryErrorKind::kSemantic,
                     "function '" + std::string(name) + "' is not implemented");
  }
  return it->second(ctx, args);
}

bool isScalarFunctionImplemented(std::string_view name) { return table().count(name) > 0; }

}  // namespace gk::query
