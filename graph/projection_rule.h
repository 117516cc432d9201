// Declarative projection rules: how any application's znodes become graph nodes and edges.
// A rule is the JSON data of a znode /graphkeeper/projections/NAME (format and a worked example
// in docs/query-language.md, "Projections"):
//   {"match": "/hbase/rs/{server}",                    path pattern; {name} captures one segment
//    "label": "RegionServer", "key": "{server}",        the node and what identifies it
//    "properties": {"name": "{server}", "host": "json.host", "port": "json.port"},
//    "indexes": ["host"],                               (label, property) indexes to keep
//    "edges": [{"type": "RUNS_ON", "direction": "out",
//               "to": {"label": "Host", "key": "json.host", "properties": {"name": "json.host"}},
//               "properties": {}}]}
// Expressions: "{cap}" (a capture, a string), "{cap:int}" (a capture as an integer), text with
// captures "{a}-{b}", "path", "name", "data", "json", "json.a.b.0", "stat.version" (also ctime,
// mtime, czxid, mzxid, ephemeralOwner, dataLength), "=text" (that text); JSON numbers,
// booleans and null are constants. An expression with no value leaves its property out; a key
// with no value projects nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "graph/graph_facts.h"
#include "graph/znode.h"

namespace gk::graph {

inline constexpr std::string_view kProjectionsDir = "/graphkeeper/projections";
inline constexpr size_t kMaxRuleNameBytes = 64;

struct RuleExpr {
  enum class Kind { kConst, kCapture, kCaptureInt, kTemplate, kPath, kName, kData, kJson, kStat };
  Kind kind = Kind::kConst;
  Value constant;
  std::string name;                                 // capture or stat field
  std::vector<std::string> jsonPath;                // kJson
  std::vector<std::pair<bool, std::string>> parts;  // kTemplate: (is capture, text)
};
using RuleProps = std::vector<std::pair<std::string, RuleExpr>>;

struct RuleNodeSpec {
  std::string label;
  RuleExpr key;
  RuleProps properties;
};
struct RuleEdgeSpec {
  std::string type;
  bool out = true;  // (this)-[:type]->(to); false: (to)-[:type]->(this)
  RuleNodeSpec to;
  RuleProps properties;
};
struct PatternSegment {
  bool literal = true;
  std::string prefix;   // the whole segment when literal
  std::string capture;  // else: prefix {capture} suffix
  std::string suffix;
};

struct ProjectionRule {
  std::string match;
  std::vector<PatternSegment> segments;
  std::string literalPrefix;  // the pattern up to its first capture: a cheap pre-filter
  RuleNodeSpec node;
  std::vector<RuleEdgeSpec> edges;
  std::vector<IndexFact> indexes;
};

using Captures = std::vector<std::pair<std::string, std::string>>;

// A rule, or why the JSON is not one (a sentence naming the offending field).
std::variant<ProjectionRule, std::string> parseProjectionRule(std::string_view json);
std::optional<std::string> validateProjectionRule(std::string_view json);

// NAME when path is /graphkeeper/projections/NAME (a rule znode), else nullopt.
std::optional<std::string_view> projectionRuleName(std::string_view path);
// For the engine's prepare step: nullopt when `path` is not a rule znode or `data` is a valid
// rule for it; else the reason to refuse the write.
std::optional<std::string> validateProjectionZnode(std::string_view path, std::string_view data);

bool matchRule(const ProjectionRule& rule, std::string_view path, Captures& captures);

struct ZnodeInput {
  std::string_view path;
  std::string_view data;
  bool dataNull = false;
  Stat stat;
};
// The facts the rule derives from a matching znode (node defining; edge targets not).
Facts ruleFacts(const ProjectionRule& rule, const ZnodeInput& znode, const Captures& captures);

}  // namespace gk::graph
