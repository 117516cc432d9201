// The write path's projection hook (see graph_projector.h).
#include "graph/graph_projector.h"

#include "graph/kafka_projection.h"
#include "graph/lmdb.h"
#include "graph/record_codec.h"
#include "graph/store_keys.h"

namespace gk::graph {

namespace {

constexpr std::string_view kKafkaSourceTag = "k", kRuleSourceTag = "r", kRuleDeclTag = "p",
                           kBuiltinKafka = "bkafka";

// A znode as the projections read it; the data is copied, since writing the graph tables may
// move the page it lives on.
struct Znode {
  bool exists = false;
  std::string data;
  bool dataNull = false;
  Stat stat;
};

Znode readZnode(MDB_txn* txn, const StoreDbs& dbs, std::string_view path) {
  Znode z;
  if (!isValidPath(path)) return z;
  KeyBuf key = treeKey(path);
  std::string_view value, data;
  NodeHeader h;
  if (!key.ok() || !lmdbGet(txn, dbs.tree, key.view(), value, "graph: mdb_get tree")) return z;
  if (!readNodeValue(value, h, data)) throw StoreError("corrupt node record " + std::string(path));
  z.exists = true;
  z.data.assign(data);
  z.dataNull = h.dataNull;
  z.stat = h.stat;
  return z;
}

std::string childPath(std::string_view parent, std::string_view name) {
  std::string p(parent);
  if (p != "/") p += '/';
  p += name;
  return p;
}

// Names of the children of `path`, in order.
std::vector<std::string> childNames(MDB_txn* txn, const StoreDbs& dbs, std::string_view path) {
  std::vector<std::string> names;
  KeyBuf prefix = childPrefix(path);
  if (!prefix.ok()) return names;
  lmdb::Cursor cursor(txn, dbs.tree);
  MDB_val k = prefix.val(), v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc != MDB_NOTFOUND;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    lmdb::check(rc, "graph: mdb_cursor_get tree");
    std::string_view key = lmdb::view(k);
    if (!key.starts_with(prefix.view())) break;
    names.emplace_back(key.substr(prefix.view().size()));
  }
  return names;
}

bool znodeExists(MDB_txn* txn, const StoreDbs& dbs, std::string_view path) {
  KeyBuf key = treeKey(path);
  std::string_view v;
  return key.ok() && lmdbGet(txn, dbs.tree, key.view(), v, "graph: mdb_get tree");
}

std::string ruleSource(std::string_view name, std::string_view path) {
  std::string s(kRuleSourceTag);
  s += name;
  s += '\0';
  s += path;
  return s;
}

}  // namespace

bool GraphProjector::mayMatter(std::string_view path) const {
  if (kafka::mayProject(path) || path.starts_with(kProjectionsDir)) return true;
  for (const LoadedRule& r : rules_)
    if (path.starts_with(r.rule.literalPrefix)) return true;
  return false;
}

void GraphProjector::loadRules(MDB_txn* txn) {
  rules_.clear();
  rulesVersion_ = readMetaInt(txn, dbs_, kMetaGraphRulesVersion, 0);
  for (const std::string& name : childNames(txn, dbs_, kProjectionsDir)) {
    if (name.size() > kMaxRuleNameBytes) continue;
    Znode z = readZnode(txn, dbs_, childPath(kProjectionsDir, name));
    if (z.dataNull) continue;
    // A rule that fails to parse (written before validation existed) projects nothing.
    auto parsed = parseProjectionRule(z.data);
    if (auto* rule = std::get_if<ProjectionRule>(&parsed))
      rules_.push_back(LoadedRule{name, std::move(*rule)});
  }
}

void GraphProjector::beginTxn(MDB_txn* txn) {
  if (!rulesUnconfirmed_) return;
  // Write txn ids advance only when a write txn commits: a later id means the rule change is
  // durable and the cache right. The same id is the same batch, or a new txn after a rollback.
  if (mdb_txn_id(txn) > changedInTxn_) {
    rulesUnconfirmed_ = false;
    return;
  }
  if (readMetaInt(txn, dbs_, kMetaGraphRulesVersion, 0) != rulesVersion_) loadRules(txn);
}

void GraphProjector::projectKafka(MDB_txn* txn, std::string_view path) {
  Znode z = readZnode(txn, dbs_, path);
  std::string source(kKafkaSourceTag);
  source += path;
  tables_.replaceSource(txn, source, kafka::project(path, z.exists, z.data));
}

void GraphProjector::projectRule(MDB_txn* txn, const LoadedRule& r, std::string_view path) {
  Captures caps;
  if (!matchRule(r.rule, path, caps)) return;
  Znode z = readZnode(txn, dbs_, path);
  Facts facts;
  if (z.exists) facts = ruleFacts(r.rule, ZnodeInput{path, z.data, z.dataNull, z.stat}, caps);
  tables_.replaceSource(txn, ruleSource(r.name, path), std::move(facts));
}

void GraphProjector::project(MDB_txn* txn, std::string_view path) {
  if (!dbs_.graph.present()) return;
  if (kafka::mayProject(path)) projectKafka(txn, path);
  if (auto name = projectionRuleName(path)) ruleChanged(txn, *name);
  for (const LoadedRule& r : rules_)
    if (path.starts_with(r.rule.literalPrefix)) projectRule(txn, r, path);
}

void GraphProjector::applyRule(MDB_txn* txn, const LoadedRule& r) {
  tables_.replaceSource(txn, std::string(kRuleDeclTag) + r.name, Facts{{}, {}, r.rule.indexes});
  // Walk only what the pattern can match: literal segments are single lookups, captures list
  // one level of children.
  const auto& segs = r.rule.segments;
  std::vector<std::pair<std::string, size_t>> stack{{"/", 0}};
  while (!stack.empty()) {
    auto [path, i] = std::move(stack.back());
    stack.pop_back();
    if (i == segs.size()) {
      projectRule(txn, r, path);
      continue;
    }
    const PatternSegment& seg = segs[i];
    if (seg.literal) {
      std::string next = childPath(path, seg.prefix);
      if (znodeExists(txn, dbs_, next)) stack.emplace_back(std::move(next), i + 1);
      continue;
    }
    for (const std::string& name : childNames(txn, dbs_, path)) {
      if (name.size() > seg.prefix.size() + seg.suffix.size() && name.starts_with(seg.prefix) &&
          name.ends_with(seg.suffix))
        stack.emplace_back(childPath(path, name), i + 1);
    }
  }
}

void GraphProjector::ruleChanged(MDB_txn* txn, std::string_view nameView) {
  std::string name(nameView);  // nameView points into the caller's path
  writeMetaInt(txn, dbs_, kMetaGraphRulesVersion,
               readMetaInt(txn, dbs_, kMetaGraphRulesVersion, 0) + 1);
  loadRules(txn);
  rulesUnconfirmed_ = true;
  changedInTxn_ = mdb_txn_id(txn);
  // Retract everything the old rule derived, then derive again with the new one (if any).
  std::string prefix(kRuleSourceTag);
  prefix += name;
  prefix += '\0';
  for (const std::string& source : tables_.sourcesWithPrefix(txn, prefix))
    tables_.replaceSource(txn, source, Facts{});
  for (const LoadedRule& r : rules_) {
    if (r.name == name) return applyRule(txn, r);
  }
  tables_.replaceSource(txn, std::string(kRuleDeclTag) + name, Facts{});
}

void GraphProjector::open(MDB_txn* txn, bool rebuild) {
  if (!dbs_.graph.present()) return;
  if (!rebuild && readMetaInt(txn, dbs_, kMetaGraphVersion, 0) == kGraphVersion) {
    loadRules(txn);
    return;
  }
  tables_.clearAll(txn);
  writeMetaInt(txn, dbs_, kMetaGraphVersion, kGraphVersion);
  tables_.replaceSource(txn, kBuiltinKafka, Facts{{}, {}, kafka::indexes()});
  loadRules(txn);
  for (const LoadedRule& r : rules_) applyRule(txn, r);
  // Kafka: only the subtrees its paths live in.
  for (std::string_view root : kafka::roots()) {
    if (!znodeExists(txn, dbs_, root)) continue;
    std::vector<std::string> stack{std::string(root)};
    while (!stack.empty()) {
      std::string path = std::move(stack.back());
      stack.pop_back();
      if (kafka::mayProject(path)) projectKafka(txn, path);
      for (const std::string& name : childNames(txn, dbs_, path))
        stack.push_back(childPath(path, name));
    }
  }
}

}  // namespace gk::graph
