// Maintains the materialized graph tables from per-source facts (see graph_table_writer.h).
#include "graph/graph_table_writer.h"

#include <map>
#include <set>
#include <tuple>

#include "graph/lmdb.h"
#include "graph/stored_graph.h"
#include "graph/value_codec.h"

namespace gk::graph {

namespace {

// label \0 enc(key): the g_node_keys key, and a node's identity inside a contribution.
std::string nodeKeyBytes(const NodeKey& k) {
  std::string s = labelKeyPrefix(k.label);
  encodeValue(k.key, s);
  return s;
}

bool goodName(std::string_view s) { return !s.empty() && s.find('\0') == std::string_view::npos; }

void putStr(std::string& out, std::string_view s) {
  char b[4];
  storeLE(b, static_cast<uint32_t>(s.size()));
  out.append(b, 4);
  out += s;
}

bool getStr(std::string_view& in, std::string& s) {
  if (in.size() < 4) return false;
  uint32_t n = loadLE<uint32_t>(in.data());
  in.remove_prefix(4);
  if (n > in.size()) return false;
  s.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

bool getCount(std::string_view& in, uint32_t& n) {
  if (in.size() < 4) return false;
  n = loadLE<uint32_t>(in.data());
  in.remove_prefix(4);
  return n <= in.size();
}

using EdgeId = std::tuple<std::string, std::string, std::string>;  // type, from nk, to nk

}  // namespace

struct GraphTableWriter::Contribution {
  std::set<std::string> nodes;                          // node key bytes
  std::set<EdgeId> edges;
  std::set<std::pair<std::string, std::string>> indexes;  // label, property

  std::string encode() const {
    std::string out;
    putStr(out, std::string(4, '\0'));  // reserved (format version)
    char b[4];
    storeLE(b, static_cast<uint32_t>(nodes.size()));
    out.append(b, 4);
    for (const auto& n : nodes) putStr(out, n);
    storeLE(b, static_cast<uint32_t>(edges.size()));
    out.append(b, 4);
    for (const auto& [t, f, to] : edges) {
      putStr(out, t);
      putStr(out, f);
      putStr(out, to);
    }
    storeLE(b, static_cast<uint32_t>(indexes.size()));
    out.append(b, 4);
    for (const auto& [l, p] : indexes) {
      putStr(out, l);
      putStr(out, p);
    }
    return out;
  }

  bool decode(std::string_view in) {
    std::string reserved, a, b, c;
    uint32_t n = 0;
    if (!getStr(in, reserved) || !getCount(in, n)) return false;
    for (uint32_t i = 0; i < n; ++i) {
      if (!getStr(in, a)) return false;
      nodes.insert(a);
    }
    if (!getCount(in, n)) return false;
    for (uint32_t i = 0; i < n; ++i) {
      if (!getStr(in, a) || !getStr(in, b) || !getStr(in, c)) return false;
      edges.emplace(a, b, c);
    }
    if (!getCount(in, n)) return false;
    for (uint32_t i = 0; i < n; ++i) {
      if (!getStr(in, a) || !getStr(in, b)) return false;
      indexes.emplace(a, b);
    }
    return in.empty();
  }
};

void GraphTableWriter::put(MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = lmdb::val(key), v = lmdb::val(value);
  lmdb::check(mdb_put(txn_, dbi, &k, &v, 0), "graph: mdb_put");
}

void GraphTableWriter::del(MDB_dbi dbi, std::string_view key) {
  MDB_val k = lmdb::val(key);
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc != MDB_NOTFOUND) lmdb::check(rc, "graph: mdb_del");
}

bool GraphTableWriter::get(MDB_dbi dbi, std::string_view key, std::string_view& value) {
  return lmdbGet(txn_, dbi, key, value, "graph: mdb_get");
}

namespace {
// Keys of `dbi` starting with prefix (copied: the caller deletes them afterwards).
std::vector<std::string> keysWithPrefix(MDB_txn* txn, MDB_dbi dbi, std::string_view prefix) {
  std::vector<std::string> keys;
  lmdb::scanPrefix(txn, dbi, prefix,
                   [&](std::string_view key, std::string_view) { keys.emplace_back(key); });
  return keys;
}
}  // namespace

std::vector<std::string> GraphTableWriter::sourcesWithPrefix(MDB_txn* txn,
                                                             std::string_view prefix) {
  if (!dbs_.graph.present()) return {};
  return keysWithPrefix(txn, dbs_.graph.sources, prefix);
}

void GraphTableWriter::clearAll(MDB_txn* txn) {
  const GraphDbs& g = dbs_.graph;
  for (MDB_dbi dbi : {g.nodes, g.nodeKeys, g.labels, g.labelCounts, g.nodeSrc, g.nodeMerge,
                      g.out, g.in, g.edgeSrc, g.sources, g.propIndex, g.indexes})
    lmdb::check(mdb_drop(txn, dbi, 0), "graph: mdb_drop");
}

std::optional<uint64_t> GraphTableWriter::findNode(const NodeKey& key) {
  std::string nk = nodeKeyBytes(key);
  std::string_view v;
  if (!keyFits(nk.size()) || !get(dbs_.graph.nodeKeys, nk, v) || v.size() != 8)
    return std::nullopt;
  return loadBE64(v.data());
}

uint64_t GraphTableWriter::ensureNode(const NodeKey& key) {
  if (auto id = findNode(key)) return *id;
  const GraphDbs& g = dbs_.graph;
  auto id = static_cast<uint64_t>(readMetaInt(txn_, dbs_, kMetaGraphNextId, 1));
  writeMetaInt(txn_, dbs_, kMetaGraphNextId, static_cast<int64_t>(id + 1));
  std::string idb = idBytes(id);
  put(g.nodeKeys, nodeKeyBytes(key), idb);
  put(g.labels, labelKeyPrefix(key.label) + idb, {});
  addLabelCount(key.label, +1);
  std::string value;
  encodeStoredNode(StoredNode{id, key.label, key.key, {}}, value);
  put(g.nodes, idb, value);
  return id;
}

void GraphTableWriter::addLabelCount(std::string_view label, int64_t delta) {
  std::string_view v;
  uint64_t n = get(dbs_.graph.labelCounts, label, v) && v.size() == 8 ? loadLE<uint64_t>(v.data())
                                                                      : 0;
  n = static_cast<uint64_t>(static_cast<int64_t>(n) + delta);
  if (n == 0) return del(dbs_.graph.labelCounts, label);
  char b[8];
  storeLE(b, n);
  put(dbs_.graph.labelCounts, label, std::string_view(b, 8));
}

void GraphTableWriter::updateIndexes(uint64_t id, std::string_view label, const ValueMap* before,
                                     const ValueMap* after) {
  StoredGraph reader(txn_, dbs_.graph);
  std::string idb = idBytes(id);
  for (const std::string& prop : reader.indexedProperties(label)) {
    const Value* b = before ? valueMapGet(*before, prop) : nullptr;
    const Value* a = after ? valueMapGet(*after, prop) : nullptr;
    if ((!b && !a) || (b && a && *b == *a)) continue;
    if (b) {
      if (auto k = StoredGraph::indexKey(label, prop, *b, dbs_.maxKeyBytes)) {
        if (keyFits(k->size() + 8)) del(dbs_.graph.propIndex, *k + idb);
      }
    }
    if (a) {
      if (auto k = StoredGraph::indexKey(label, prop, *a, dbs_.maxKeyBytes)) {
        if (keyFits(k->size() + 8)) put(dbs_.graph.propIndex, *k + idb, {});
      }
    }
  }
}

void GraphTableWriter::declareIndex(const IndexFact& idx, std::string_view source) {
  StoredGraph reader(txn_, dbs_.graph);
  bool had = reader.hasIndex(idx.label, idx.property);
  char flag = idx.unique ? 1 : 0;
  put(dbs_.graph.indexes, indexPrefix(idx.label, idx.property) + std::string(source),
      std::string_view(&flag, 1));
  if (had) return;
  // A new index: entries for the nodes that already have the label.
  std::vector<uint64_t> ids;
  reader.scanLabel(idx.label, [&](uint64_t id) { return ids.push_back(id), true; });
  for (uint64_t id : ids) {
    auto n = reader.node(id);
    const Value* v = n ? valueMapGet(n->properties, idx.property) : nullptr;
    if (!v) continue;
    if (auto k = StoredGraph::indexKey(idx.label, idx.property, *v, dbs_.maxKeyBytes)) {
      if (keyFits(k->size() + 8)) put(dbs_.graph.propIndex, *k + idBytes(id), {});
    }
  }
}

void GraphTableWriter::undeclareIndex(std::string_view label, std::string_view prop,
                                      std::string_view source) {
  std::string prefix = indexPrefix(label, prop);
  del(dbs_.graph.indexes, prefix + std::string(source));
  StoredGraph reader(txn_, dbs_.graph);
  if (reader.hasIndex(label, prop)) return;
  for (const std::string& k : keysWithPrefix(txn_, dbs_.graph.propIndex, prefix))
    del(dbs_.graph.propIndex, k);
}

void GraphTableWriter::deleteNode(uint64_t id, const std::string& nodeValue) {
  const GraphDbs& g = dbs_.graph;
  StoredNode n;
  if (!decodeStoredNode(nodeValue, n)) throw StoreError("corrupt graph node " + std::to_string(id));
  updateIndexes(id, n.label, &n.properties, nullptr);
  std::string idb = idBytes(id);
  del(g.nodes, idb);
  del(g.nodeKeys, nodeKeyBytes(NodeKey{n.label, n.key}));
  del(g.labels, labelKeyPrefix(n.label) + idb);
  addLabelCount(n.label, -1);
  // Edges need their endpoints' sources, so none should be left; if any is, it goes too.
  for (bool outSide : {true, false}) {
    for (const std::string& k : keysWithPrefix(txn_, outSide ? g.out : g.in, idb)) {
      std::string other = k.substr(k.size() - 8), mid = k.substr(8, k.size() - 16);
      std::string outKey = outSide ? k : other + mid + idb;
      std::string inKey = outSide ? other + mid + idb : k;
      for (const std::string& sk : keysWithPrefix(txn_, g.edgeSrc, outKey)) del(g.edgeSrc, sk);
      del(g.out, outKey);
      del(g.in, inKey);
    }
  }
}

void GraphTableWriter::addToMerge(uint64_t id, std::string_view source, std::string_view value,
                                  int delta) {
  const GraphDbs& g = dbs_.graph;
  if (value.empty()) throw StoreError("corrupt graph node source");
  bool defining = value[0] == 1;
  std::string_view props = value.substr(1);
  std::string key = idBytes(id);
  if (!defining && keyFits(9 + props.size())) {
    // Non-defining contributions with the same properties share one counted entry.
    key += '\0';
    key += props;
    std::string_view v;
    uint64_t count = get(g.nodeMerge, key, v) && v.size() == 8 ? loadBE64(v.data()) : 0;
    count = delta > 0 ? count + 1 : (count > 0 ? count - 1 : 0);
    if (count == 0) return del(g.nodeMerge, key);
    char b[8];
    storeBE64(b, count);
    return put(g.nodeMerge, key, std::string_view(b, 8));
  }
  key += defining ? '\2' : '\1';
  key += source;
  if (delta > 0) {
    put(g.nodeMerge, key, props);
  } else {
    del(g.nodeMerge, key);
  }
}

void GraphTableWriter::remergeNode(uint64_t id) {
  const GraphDbs& g = dbs_.graph;
  std::string idb = idBytes(id);
  std::string_view v;
  if (!get(g.nodes, idb, v)) return;
  std::string nodeValue(v);
  // Non-defining contributions first (by their encoded properties), then defining ones in
  // source order: later wins, and the order never depends on history.
  ValueMap merged;
  bool any = false;
  std::vector<std::pair<bool, ValueMap>> parts;
  lmdb::scanPrefix(txn_, g.nodeMerge, idb, [&](std::string_view key, std::string_view val) {
    if (key.size() < 9) throw StoreError("corrupt graph node merge entry");
    char tag = key[8];
    std::string_view encoded = tag == 0 ? key.substr(9) : val;
    ValueMap props;
    if (!decodeValueMap(encoded, props)) throw StoreError("corrupt graph node merge entry");
    parts.emplace_back(tag == 2, std::move(props));
    any = true;
  });
  if (!any) return deleteNode(id, nodeValue);
  for (bool pass : {false, true})
    for (auto& [defining, props] : parts)
      if (defining == pass)
        for (auto& [k, val] : props) valueMapSet(merged, k, val);
  StoredNode n;
  if (!decodeStoredNode(nodeValue, n)) throw StoreError("corrupt graph node " + std::to_string(id));
  if (n.properties == merged) return;
  updateIndexes(id, n.label, &n.properties, &merged);
  n.properties = std::move(merged);
  std::string out;
  encodeStoredNode(n, out);
  put(g.nodes, idb, out);
}

void GraphTableWriter::remergeEdge(const std::string& key) {
  const GraphDbs& g = dbs_.graph;
  ValueMap merged;
  bool any = false;
  {
    lmdb::Cursor cursor(txn_, g.edgeSrc);
    MDB_val k = lmdb::val(key), val;
    for (int rc = mdb_cursor_get(cursor.get(), &k, &val, MDB_SET_RANGE); rc != MDB_NOTFOUND;
         rc = mdb_cursor_get(cursor.get(), &k, &val, MDB_NEXT)) {
      lmdb::check(rc, "graph: mdb_cursor_get edge_src");
      if (!lmdb::view(k).starts_with(key)) break;
      std::string_view in = lmdb::view(val);
      ValueMap props;
      if (!decodeValueMap(in, props)) throw StoreError("corrupt graph edge source");
      for (auto& [pk, pv] : props) valueMapSet(merged, pk, std::move(pv));
      any = true;
    }
  }
  // key = from(8) type \0 to(8); the g_in key swaps the ids.
  std::string inKey = key.substr(key.size() - 8) + key.substr(8, key.size() - 16) + key.substr(0, 8);
  if (!any) {
    del(g.out, key);
    del(g.in, inKey);
    return;
  }
  std::string value;
  encodeValueMap(merged, value);
  put(g.out, key, value);
  put(g.in, inKey, {});
}

void GraphTableWriter::replaceSource(MDB_txn* txn, std::string_view source, Facts facts) {
  const GraphDbs& g = dbs_.graph;
  if (!g.present()) return;
  txn_ = txn;
  // A source name too long for a key contributes nothing (deterministically so).
  if (source.empty() || !keyFits(8 + source.size())) facts = Facts{};

  // The new facts, normalized: one entry per node (properties merged), per edge, per index.
  std::map<std::string, NodeFact> nodes;
  for (NodeFact& f : facts.nodes) {
    if (!goodName(f.node.label)) continue;
    std::string nk = nodeKeyBytes(f.node);
    if (!keyFits(nk.size())) continue;
    auto [it, fresh] = nodes.try_emplace(nk, f);
    if (!fresh) {
      for (auto& [k, v] : f.properties) valueMapSet(it->second.properties, k, std::move(v));
      it->second.defining = it->second.defining || f.defining;
    }
  }
  std::map<EdgeId, ValueMap> edges;
  for (EdgeFact& e : facts.edges) {
    if (!goodName(e.type) || !keyFits(8 + e.type.size() + 1 + 8 + source.size())) continue;
    std::string f = nodeKeyBytes(e.from), t = nodeKeyBytes(e.to);
    if (!nodes.count(f) || !nodes.count(t)) continue;
    edges.try_emplace(EdgeId{e.type, f, t}, std::move(e.properties));
  }
  std::map<std::pair<std::string, std::string>, bool> indexes;
  for (const IndexFact& i : facts.indexes) {
    if (!goodName(i.label) || !goodName(i.property) ||
        !keyFits(i.label.size() + i.property.size() + 2 + source.size()))
      continue;
    indexes.try_emplace({i.label, i.property}, i.unique);
  }

  Contribution old;
  std::string_view oldValue;
  if (keyFits(source.size()) && get(g.sources, source, oldValue) && !old.decode(oldValue))
    throw StoreError("corrupt graph source record");
  if (nodes.empty() && edges.empty() && indexes.empty() && old.nodes.empty() &&
      old.edges.empty() && old.indexes.empty())
    return;  // the common case for a path that projects nothing: one lookup

  // 1. Index declarations (each keeps the index equal to the nodes as they are now).
  for (const auto& [li, unique] : indexes)
    if (!old.indexes.count(li)) declareIndex(IndexFact{li.first, li.second, unique}, source);
  for (const auto& li : old.indexes)
    if (!indexes.count(li)) undeclareIndex(li.first, li.second, source);

  // 2. Node contributions.
  std::set<uint64_t> touchedNodes;
  std::string value;
  for (const auto& [nk, f] : nodes) {
    uint64_t id = ensureNode(f.node);
    value.assign(1, f.defining ? 1 : 0);
    encodeValueMap(f.properties, value);
    std::string key = idBytes(id) + std::string(source);
    std::string_view before;
    if (get(g.nodeSrc, key, before)) {
      if (before == value) continue;
      addToMerge(id, source, std::string(before), -1);
    }
    put(g.nodeSrc, key, value);
    addToMerge(id, source, value, +1);
    touchedNodes.insert(id);
  }
  auto idOfBytes = [&](const std::string& nk) -> std::optional<uint64_t> {
    std::string_view v;
    if (!get(g.nodeKeys, nk, v) || v.size() != 8) return std::nullopt;
    return loadBE64(v.data());
  };
  for (const std::string& nk : old.nodes) {
    if (nodes.count(nk)) continue;
    if (auto id = idOfBytes(nk)) {
      std::string key = idBytes(*id) + std::string(source);
      std::string_view before;
      if (get(g.nodeSrc, key, before)) {
        addToMerge(*id, source, std::string(before), -1);
        del(g.nodeSrc, key);
      }
      touchedNodes.insert(*id);
    }
  }

  // 3. Edge contributions.
  std::set<std::string> touchedEdges;
  for (const auto& [e, props] : edges) {
    auto from = idOfBytes(std::get<1>(e)), to = idOfBytes(std::get<2>(e));
    if (!from || !to) continue;
    std::string key = edgeKey(*from, std::get<0>(e), *to);
    value.clear();
    encodeValueMap(props, value);
    std::string_view before;
    if (get(g.edgeSrc, key + std::string(source), before) && before == value) continue;
    put(g.edgeSrc, key + std::string(source), value);
    touchedEdges.insert(key);
  }
  for (const EdgeId& e : old.edges) {
    if (edges.count(e)) continue;
    auto from = idOfBytes(std::get<1>(e)), to = idOfBytes(std::get<2>(e));
    if (!from || !to) continue;
    std::string key = edgeKey(*from, std::get<0>(e), *to);
    del(g.edgeSrc, key + std::string(source));
    touchedEdges.insert(key);
  }

  // 4. What is visible: edges first (a node goes only after its edges).
  for (const std::string& k : touchedEdges) remergeEdge(k);
  for (uint64_t id : touchedNodes) remergeNode(id);

  // 5. What this source now contributes.
  Contribution now;
  for (const auto& [nk, f] : nodes) now.nodes.insert(nk);
  for (const auto& [e, p] : edges) now.edges.insert(e);
  for (const auto& [li, u] : indexes) now.indexes.insert(li);
  if (now.nodes.empty() && now.edges.empty() && now.indexes.empty()) {
    del(g.sources, source);
  } else {
    put(g.sources, source, now.encode());
  }
}

}  // namespace gk::graph
