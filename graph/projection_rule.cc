// Projection rules: parsing and validation, path matching, evaluation (see projection_rule.h).
#include "graph/projection_rule.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <set>

#include "graph/store_keys.h"
#include "graph/value_codec.h"
#include "graph/znode_store.h"

namespace gk::graph {

namespace {

using json = nlohmann::json;

constexpr size_t kMaxNameBytes = 64;  // labels, edge types, property names, captures
constexpr size_t kMaxItems = 64;      // properties, edges, indexes, path segments

struct Error {
  std::string what;
};

bool identifier(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameBytes) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void checkKeys(const json& obj, std::initializer_list<std::string_view> allowed,
               const std::string& where) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (auto a : allowed) ok = ok || it.key() == a;
    if (!ok) throw Error{where + ": unknown field \"" + it.key() + "\""};
  }
}

std::vector<PatternSegment> parsePattern(const std::string& match, std::set<std::string>& caps) {
  if (match.empty() || match[0] != '/' || match.size() == 1)
    throw Error{"\"match\" must be an absolute path pattern such as \"/app/{name}\""};
  if (match.size() > ZnodeStore::kMaxPathBytes) throw Error{"\"match\" is longer than a znode path"};
  if (std::string_view(match).starts_with(kProjectionsDir))
    throw Error{"\"match\" may not cover the projection rules themselves"};
  std::vector<PatternSegment> segs;
  size_t pos = 1;
  while (pos <= match.size()) {
    size_t slash = match.find('/', pos);
    if (slash == std::string::npos) slash = match.size();
    std::string seg = match.substr(pos, slash - pos);
    if (seg.empty()) throw Error{"\"match\" has an empty path segment"};
    if (segs.size() == kMaxItems) throw Error{"\"match\" has too many segments"};
    PatternSegment ps;
    size_t open = seg.find('{');
    if (open == std::string::npos) {
      if (seg.find('}') != std::string::npos) throw Error{"\"match\": '}' without '{' in \"" + seg + "\""};
      ps.prefix = seg;
    } else {
      size_t close = seg.find('}', open);
      if (close == std::string::npos) throw Error{"\"match\": unclosed '{' in \"" + seg + "\""};
      ps.literal = false;
      ps.prefix = seg.substr(0, open);
      ps.capture = seg.substr(open + 1, close - open - 1);
      ps.suffix = seg.substr(close + 1);
      if (ps.suffix.find_first_of("{}") != std::string::npos || ps.prefix.find('}') != std::string::npos)
        throw Error{"\"match\": at most one capture per path segment (\"" + seg + "\")"};
      if (!identifier(ps.capture))
        throw Error{"\"match\": capture name \"" + ps.capture + "\" is not an identifier"};
      if (!caps.insert(ps.capture).second)
        throw Error{"\"match\": capture \"" + ps.capture + "\" appears twice"};
    }
    segs.push_back(std::move(ps));
    pos = slash + 1;
  }
  return segs;
}

RuleExpr parseExpr(const json& j, const std::set<std::string>& caps, const std::string& where) {
  RuleExpr e;
  if (!j.is_string()) {
    if (j.is_object() || j.is_array())
      throw Error{where + ": expected an expression string or a constant, not a list or object"};
    auto v = parseJsonValue(j.dump());
    e.kind = RuleExpr::Kind::kConst;
    e.constant = v ? *v : Value();
    return e;
  }
  const std::string s = j.get<std::string>();
  auto needCapture = [&](const std::string& c) {
    if (!caps.count(c)) throw Error{where + ": \"{" + c + "}\" is not a capture of \"match\""};
  };
  if (!s.empty() && s[0] == '=') {
    e.kind = RuleExpr::Kind::kConst;
    e.constant = Value(s.substr(1));
  } else if (s == "path") {
    e.kind = RuleExpr::Kind::kPath;
  } else if (s == "name") {
    e.kind = RuleExpr::Kind::kName;
  } else if (s == "data") {
    e.kind = RuleExpr::Kind::kData;
  } else if (s == "json" || s.starts_with("json.")) {
    e.kind = RuleExpr::Kind::kJson;
    size_t pos = 5;
    while (pos < s.size()) {
      size_t dot = s.find('.', pos);
      if (dot == std::string::npos) dot = s.size();
      if (dot == pos) throw Error{where + ": empty step in \"" + s + "\""};
      e.jsonPath.push_back(s.substr(pos, dot - pos));
      pos = dot + 1;
    }
    if (s.size() > 4 && s.back() == '.') throw Error{where + ": empty step in \"" + s + "\""};
  } else if (s.starts_with("stat.")) {
    e.kind = RuleExpr::Kind::kStat;
    e.name = s.substr(5);
    static const std::set<std::string> fields{"version", "ctime", "mtime", "czxid", "mzxid",
                                              "ephemeralOwner", "dataLength"};
    if (!fields.count(e.name))
      throw Error{where + ": unknown stat field \"" + e.name +
                  "\" (version, ctime, mtime, czxid, mzxid, ephemeralOwner, dataLength)"};
  } else if (s.size() > 2 && s.front() == '{' && s.back() == '}' &&
             s.find_first_of("{}", 1) == s.size() - 1) {
    std::string c = s.substr(1, s.size() - 2);
    if (c.ends_with(":int")) {
      c.resize(c.size() - 4);
      e.kind = RuleExpr::Kind::kCaptureInt;
    } else {
      e.kind = RuleExpr::Kind::kCapture;
    }
    needCapture(c);
    e.name = c;
  } else if (s.find('{') != std::string::npos) {
    e.kind = RuleExpr::Kind::kTemplate;
    size_t pos = 0;
    while (pos < s.size()) {
      size_t open = s.find('{', pos);
      if (s.substr(pos, open - pos).find('}') != std::string::npos)
        throw Error{where + ": '}' without '{' in \"" + s + "\""};
      if (open == std::string::npos) {
        e.parts.emplace_back(false, s.substr(pos));
        break;
      }
      if (open > pos) e.parts.emplace_back(false, s.substr(pos, open - pos));
      size_t close = s.find('}', open);
      if (close == std::string::npos) throw Error{where + ": unclosed '{' in \"" + s + "\""};
      std::string c = s.substr(open + 1, close - open - 1);
      needCapture(c);
      e.parts.emplace_back(true, c);
      pos = close + 1;
    }
  } else {
    throw Error{where + ": unknown expression \"" + s +
                "\" (use \"{capture}\", \"json.a.b\", \"data\", \"path\", \"name\", "
                "\"stat.version\", or \"=text\" for a literal)"};
  }
  return e;
}

RuleProps parseProps(const json& j, const std::set<std::string>& caps, const std::string& where) {
  RuleProps props;
  if (j.is_null()) return props;
  if (!j.is_object()) throw Error{where + " must be an object of name: expression"};
  if (j.size() > kMaxItems) throw Error{where + " has too many entries"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!identifier(it.key()))
      throw Error{where + ": property name \"" + it.key() + "\" is not an identifier"};
    props.emplace_back(it.key(), parseExpr(*it, caps, where + "." + it.key()));
  }
  return props;
}

std::string requireName(const json& obj, const char* field, const std::string& where) {
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_string())
    throw Error{where + ": \"" + field + "\" (a string) is required"};
  std::string s = it->get<std::string>();
  if (!identifier(s))
    throw Error{where + ": \"" + field + "\" \"" + s + "\" must be an identifier of at most 64 "
                "letters, digits and underscores"};
  return s;
}

RuleNodeSpec parseNode(const json& obj, const std::set<std::string>& caps, const std::string& where) {
  RuleNodeSpec n;
  n.label = requireName(obj, "label", where);
  auto key = obj.find("key");
  if (key == obj.end()) throw Error{where + ": \"key\" is required"};
  n.key = parseExpr(*key, caps, where + ".key");
  auto props = obj.find("properties");
  if (props != obj.end()) n.properties = parseProps(*props, caps, where + ".properties");
  return n;
}

ProjectionRule parse(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) throw Error{"the rule is not valid JSON"};
  if (!j.is_object()) throw Error{"the rule must be a JSON object"};
  checkKeys(j, {"match", "label", "key", "properties", "indexes", "edges", "description"}, "rule");
  ProjectionRule r;
  auto m = j.find("match");
  if (m == j.end() || !m->is_string()) throw Error{"rule: \"match\" (a path pattern) is required"};
  r.match = m->get<std::string>();
  std::set<std::string> caps;
  r.segments = parsePattern(r.match, caps);
  r.literalPrefix = r.match.substr(0, r.match.find('{'));
  r.node = parseNode(j, caps, "rule");
  if (auto e = j.find("edges"); e != j.end()) {
    if (!e->is_array()) throw Error{"rule: \"edges\" must be a list"};
    if (e->size() > kMaxItems) throw Error{"rule: too many edges"};
    for (size_t i = 0; i < e->size(); ++i) {
      const json& ej = (*e)[i];
      std::string where = "edges[" + std::to_string(i) + "]";
      if (!ej.is_object()) throw Error{where + " must be an object"};
      checkKeys(ej, {"type", "direction", "to", "properties"}, where);
      RuleEdgeSpec edge;
      edge.type = requireName(ej, "type", where);
      if (auto d = ej.find("direction"); d != ej.end()) {
        if (!d->is_string() || (*d != "out" && *d != "in"))
          throw Error{where + ": \"direction\" must be \"out\" or \"in\""};
        edge.out = *d == "out";
      }
      auto to = ej.find("to");
      if (to == ej.end() || !to->is_object())
        throw Error{where + ": \"to\" (an object with label, key, properties) is required"};
      checkKeys(*to, {"label", "key", "properties"}, where + ".to");
      edge.to = parseNode(*to, caps, where + ".to");
      if (auto p = ej.find("properties"); p != ej.end())
        edge.properties = parseProps(*p, caps, where + ".properties");
      r.edges.push_back(std::move(edge));
    }
  }
  if (auto ix = j.find("indexes"); ix != j.end()) {
    if (!ix->is_array()) throw Error{"rule: \"indexes\" must be a list"};
    if (ix->size() > kMaxItems) throw Error{"rule: too many indexes"};
    for (size_t i = 0; i < ix->size(); ++i) {
      const json& x = (*ix)[i];
      std::string where = "indexes[" + std::to_string(i) + "]";
      IndexFact f;
      if (x.is_string()) {
        f.label = r.node.label;
        f.property = x.get<std::string>();
        if (!identifier(f.property)) throw Error{where + ": \"" + f.property + "\" is not a property name"};
      } else if (x.is_object()) {
        checkKeys(x, {"label", "property", "unique"}, where);
        f.label = requireName(x, "label", where);
        f.property = requireName(x, "property", where);
        if (auto u = x.find("unique"); u != x.end()) {
          if (!u->is_boolean()) throw Error{where + ": \"unique\" must be true or false"};
          f.unique = u->get<bool>();
        }
      } else {
        throw Error{where + " must be a property name or {\"label\", \"property\"}"};
      }
      r.indexes.push_back(std::move(f));
    }
  }
  return r;
}

const Value* jsonStep(const Value& v, const std::string& step) {
  if (v.isMap()) return valueMapGet(v.asMap(), step);
  if (v.isList()) {
    size_t i = 0;
    auto [p, ec] = std::from_chars(step.data(), step.data() + step.size(), i);
    if (ec != std::errc() || p != step.data() + step.size() || i >= v.asList().size()) return nullptr;
    return &v.asList()[i];
  }
  return nullptr;
}

const std::string* captureOf(const Captures& caps, const std::string& name) {
  for (const auto& [k, v] : caps)
    if (k == name) return &v;
  return nullptr;
}

// Evaluates `e`; `json` is parsed once per znode, on first use.
struct Evaluator {
  const ZnodeInput& z;
  const Captures& caps;
  std::optional<std::optional<Value>> parsed;

  const Value* jsonRoot() {
    if (!parsed) parsed = z.dataNull ? std::nullopt : parseJsonValue(z.data);
    return *parsed ? &**parsed : nullptr;
  }

  Value eval(const RuleExpr& e) {
    using K = RuleExpr::Kind;
    switch (e.kind) {
      case K::kConst: return e.constant;
      case K::kCapture: {
        const std::string* c = captureOf(caps, e.name);
        return c ? Value(*c) : Value();
      }
      case K::kCaptureInt: {
        const std::string* c = captureOf(caps, e.name);
        int64_t n = 0;
        if (!c || c->empty()) return Value();
        auto [p, ec] = std::from_chars(c->data(), c->data() + c->size(), n);
        return ec == std::errc() && p == c->data() + c->size() ? Value(n) : Value();
      }
      case K::kTemplate: {
        std::string s;
        for (const auto& [isCap, text] : e.parts) {
          if (!isCap) {
            s += text;
          } else if (const std::string* c = captureOf(caps, text)) {
            s += *c;
          }
        }
        return Value(std::move(s));
      }
      case K::kPath: return Value(z.path);
      case K::kName: return Value(z.path == "/" ? std::string_view() : lastName(z.path));
      case K::kData: return z.dataNull ? Value() : Value(z.data);
      case K::kJson: {
        const Value* v = jsonRoot();
        for (const std::string& step : e.jsonPath) {
          if (!v) break;
          v = jsonStep(*v, step);
        }
        return v ? *v : Value();
      }
      case K::kStat: {
        const Stat& s = z.stat;
        if (e.name == "version") return Value(int64_t{s.version});
        if (e.name == "ctime") return Value(s.ctime);
        if (e.name == "mtime") return Value(s.mtime);
        if (e.name == "czxid") return Value(s.czxid);
        if (e.name == "mzxid") return Value(s.mzxid);
        if (e.name == "ephemeralOwner") return Value(clientVisibleOwner(s.ephemeralOwner));
        if (e.name == "dataLength") return Value(int64_t{s.dataLength});
        return Value();
      }
    }
    return Value();
  }

  ValueMap props(const RuleProps& ps) {
    ValueMap out;
    for (const auto& [name, e] : ps) {
      Value v = eval(e);
      if (!v.isNull()) valueMapSet(out, name, std::move(v));
    }
    return out;
  }
};

}  // namespace

std::variant<ProjectionRule, std::string> parseProjectionRule(std::string_view text) {
  try {
    return parse(text);
  } catch (const Error& e) {
    return e.what;
  } catch (const std::exception& e) {
    // nlohmann's accessors throw on type mismatches we did not foresee: still a refusal.
    return std::string("invalid rule: ") + e.what();
  }
}

std::optional<std::string> validateProjectionRule(std::string_view json) {
  auto r = parseProjectionRule(json);
  if (auto* err = std::get_if<std::string>(&r)) return *err;
  return std::nullopt;
}

std::optional<std::string_view> projectionRuleName(std::string_view path) {
  if (!path.starts_with(kProjectionsDir) || path.size() <= kProjectionsDir.size() + 1 ||
      path[kProjectionsDir.size()] != '/')
    return std::nullopt;
  std::string_view name = path.substr(kProjectionsDir.size() + 1);
  if (name.find('/') != std::string_view::npos) return std::nullopt;
  return name;
}

std::optional<std::string> validateProjectionZnode(std::string_view path, std::string_view data) {
  auto name = projectionRuleName(path);
  if (!name) return std::nullopt;
  if (name->size() > kMaxRuleNameBytes)
    return "projection rule name longer than " + std::to_string(kMaxRuleNameBytes) + " bytes";
  if (auto err = validateProjectionRule(data)) return "projection rule " + std::string(*name) + ": " + *err;
  return std::nullopt;
}

bool matchRule(const ProjectionRule& rule, std::string_view path, Captures& captures) {
  captures.clear();
  if (!path.starts_with(rule.literalPrefix) || path.size() < 2) return false;
  size_t pos = 1;
  for (size_t i = 0; i < rule.segments.size(); ++i) {
    if (pos > path.size()) return false;
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(pos, slash - pos);
    const PatternSegment& ps = rule.segments[i];
    if (ps.literal) {
      if (seg != ps.prefix) return false;
    } else {
      if (seg.size() < ps.prefix.size() + ps.suffix.size() + 1 || !seg.starts_with(ps.prefix) ||
          !seg.ends_with(ps.suffix))
        return false;
      captures.emplace_back(ps.capture, std::string(seg.substr(
                                            ps.prefix.size(), seg.size() - ps.prefix.size() - ps.suffix.size())));
    }
    pos = slash + 1;
  }
  return pos == path.size() + 1;
}

Facts ruleFacts(const ProjectionRule& rule, const ZnodeInput& znode, const Captures& captures) {
  Facts f;
  Evaluator ev{znode, captures, std::nullopt};
  Value key = ev.eval(rule.node.key);
  if (key.isNull()) return f;
  NodeKey self{rule.node.label, key};
  f.nodes.push_back(NodeFact{self, ev.props(rule.node.properties), true});
  for (const RuleEdgeSpec& e : rule.edges) {
    Value tkey = ev.eval(e.to.key);
    if (tkey.isNull()) continue;
    NodeKey target{e.to.label, std::move(tkey)};
    f.nodes.push_back(NodeFact{target, ev.props(e.to.properties), false});
    f.edges.push_back(EdgeFact{e.type, e.out ? self : target, e.out ? target : self,
                               ev.props(e.properties)});
  }
  return f;
}

}  // namespace gk::graph
