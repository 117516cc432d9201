// Reads of the materialized graph tables (see stored_graph.h).
#include "graph/stored_graph.h"

#include "graph/lmdb.h"
#include "graph/store_keys.h"
#include "graph/store_schema.h"
#include "graph/value_codec.h"

namespace gk::graph {

namespace {

bool get(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view& value) {
  return lmdbGet(txn, dbi, key, value, "mdb_get graph");
}

}  // namespace

bool decodeStoredNode(std::string_view value, StoredNode& node) {
  uint32_t n = 0;
  if (value.size() < 4) return false;
  n = loadLE<uint32_t>(value.data());
  value.remove_prefix(4);
  if (n > value.size()) return false;
  node.label.assign(value.substr(0, n));
  value.remove_prefix(n);
  return decodeValue(value, node.key) && decodeValueMap(value, node.properties) && value.empty();
}

void encodeStoredNode(const StoredNode& node, std::string& out) {
  out.clear();
  char b[4];
  storeLE(b, static_cast<uint32_t>(node.label.size()));
  out.append(b, 4);
  out += node.label;
  encodeValue(node.key, out);
  encodeValueMap(node.properties, out);
}

std::optional<StoredNode> StoredGraph::node(uint64_t id) const {
  if (!present()) return std::nullopt;
  std::string_view v;
  if (!get(txn_, dbs_.nodes, idBytes(id), v)) return std::nullopt;
  StoredNode n;
  if (!decodeStoredNode(v, n)) throw StoreError("corrupt graph node " + std::to_string(id));
  n.id = id;
  return n;
}

std::optional<uint64_t> StoredGraph::nodeIdByKey(std::string_view label, const Value& key) const {
  if (!present()) return std::nullopt;
  std::string k = labelKeyPrefix(label);
  encodeValue(key, k);
  std::string_view v;
  if (k.size() > kMaxKeyBytes || !get(txn_, dbs_.nodeKeys, k, v) || v.size() != 8)
    return std::nullopt;
  return loadBE64(v.data());
}

void StoredGraph::scanAll(const std::function<bool(uint64_t)>& visit) const {
  if (!present()) return;
  lmdb::scanPrefix(txn_, dbs_.nodes, {}, [&](std::string_view key, std::string_view) {
    return key.size() == 8 ? visit(loadBE64(key.data())) : true;
  });
}

void StoredGraph::scanLabel(std::string_view label,
                            const std::function<bool(uint64_t)>& visit) const {
  if (!present()) return;
  std::string prefix = labelKeyPrefix(label);
  lmdb::scanPrefix(txn_, dbs_.labels, prefix, [&](std::string_view key, std::string_view) {
    return key.size() == prefix.size() + 8 ? visit(loadBE64(key.data() + prefix.size())) : true;
  });
}

std::vector<std::pair<std::string, uint64_t>> StoredGraph::labelCounts() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  if (!present()) return out;
  lmdb::scanPrefix(txn_, dbs_.labelCounts, {}, [&](std::string_view key, std::string_view v) {
    if (v.size() == 8) out.emplace_back(std::string(key), loadLE<uint64_t>(v.data()));
    return true;
  });
  return out;
}

std::vector<StoredGraph::Index> StoredGraph::indexes() const {
  std::vector<Index> out;
  if (!present()) return out;
  lmdb::scanPrefix(txn_, dbs_.indexes, {}, [&](std::string_view key, std::string_view v) {
    size_t a = key.find('\0');
    size_t b = a == std::string_view::npos ? a : key.find('\0', a + 1);
    if (b == std::string_view::npos) return true;
    std::string_view label = key.substr(0, a), prop = key.substr(a + 1, b - a - 1);
    bool unique = !v.empty() && v[0] == 1;
    if (!out.empty() && out.back().label == label && out.back().property == prop) {
      out.back().unique = out.back().unique && unique;  // unique only if every source says so
    } else {
      out.push_back(Index{std::string(label), std::string(prop), unique});
    }
    return true;
  });
  return out;
}

std::vector<std::string> StoredGraph::indexedProperties(std::string_view label) const {
  std::vector<std::string> out;
  if (!present()) return out;
  std::string prefix = labelKeyPrefix(label);
  lmdb::scanPrefix(txn_, dbs_.indexes, prefix, [&](std::string_view key, std::string_view) {
    std::string_view rest = key.substr(prefix.size());
    std::string_view prop = rest.substr(0, rest.find('\0'));
    if (out.empty() || out.back() != prop) out.emplace_back(prop);
    return true;
  });
  return out;
}

bool StoredGraph::hasIndex(std::string_view label, std::string_view property) const {
  if (!present()) return false;
  bool found = false;
  lmdb::scanPrefix(txn_, dbs_.indexes, indexPrefix(label, property), [&](std::string_view, std::string_view) {
    found = true;
    return false;
  });
  return found;
}

std::optional<std::string> StoredGraph::indexKey(std::string_view label, std::string_view prop,
                                                 const Value& value, size_t maxKeyBytes) {
  if (value.isNull()) return std::nullopt;
  std::string k = indexPrefix(label, prop);
  std::string enc = encodedValue(value);
  if (k.size() + enc.size() + 8 <= maxKeyBytes) {
    k += enc;
  } else {
    // Too long for a key: index the hash; readers compare the property itself.
    k += 'h';
    k += idBytes(stableHash(enc));
  }
  return k;
}

void StoredGraph::seekIndex(std::string_view label, std::string_view property, const Value& value,
                            const std::function<bool(uint64_t)>& visit) const {
  if (!present()) return;
  auto prefix = indexKey(label, property, value, kMaxKeyBytes);
  if (!prefix || prefix->size() + 8 > kMaxKeyBytes) return;
  lmdb::scanPrefix(txn_, dbs_.propIndex, *prefix, [&](std::string_view key, std::string_view) {
    return key.size() == prefix->size() + 8 ? visit(loadBE64(key.data() + prefix->size())) : true;
  });
}

void StoredGraph::edges(uint64_t id, bool out, std::string_view type,
                        const std::function<bool(std::string_view, uint64_t)>& visit) const {
  if (!present()) return;
  std::string prefix = idBytes(id);
  if (!type.empty()) {
    prefix += type;
    prefix += '\0';
  }
  lmdb::scanPrefix(txn_, out ? dbs_.out : dbs_.in, prefix, [&](std::string_view key, std::string_view) {
    if (key.size() < 8 + 1 + 8) return true;
    std::string_view t = key.substr(8, key.size() - 8 - 1 - 8);
    return visit(t, loadBE64(key.data() + key.size() - 8));
  });
}

std::optional<ValueMap> StoredGraph::edgeProperties(uint64_t from, std::string_view type,
                                                    uint64_t to) const {
  if (!present()) return std::nullopt;
  std::string_view v;
  if (!get(txn_, dbs_.out, edgeKey(from, type, to), v)) return std::nullopt;
  ValueMap props;
  if (!decodeValueMap(v, props)) throw StoreError("corrupt graph edge");
  return props;
}

}  // namespace gk::graph
