// GraphReader over one Snapshot (see graph_reader.h). Projected spaces are read straight from
// the store's tables in the snapshot's own read txn:
//   (:ZNode)    the `tree` table; CHILD out = the key range `path \0 *`, CHILD in = the parent;
//               OWNED_BY = ephemeralOwner (out) / the `ephemerals` table (in, from a Session)
//   (:Session)  the `sessions` table
//   (:Server)   the EnsembleView the engine passes in; FOLLOWS, CONNECTED_TO from it too
// Materialized nodes (kStored) come from the graph tables through StoredGraph.
#include "graph/graph_reader.h"

#include <lmdb.h>

#include <algorithm>

#include "graph/lmdb.h"
#include "graph/record_codec.h"
#include "graph/store_keys.h"
#include "graph/store_schema.h"
#include "graph/stored_graph.h"
#include "graph/value_codec.h"
#include "graph/znode_store.h"

namespace gk::graph {

namespace {

constexpr std::string_view kZNode = "ZNode", kSession = "Session", kServer = "Server";
constexpr std::string_view kEphemeral = "Ephemeral", kContainer = "Container", kTtl = "TTL";
constexpr std::string_view kChild = "CHILD", kOwnedBy = "OWNED_BY", kFollows = "FOLLOWS",
                           kConnectedTo = "CONNECTED_TO";

// The ZNode property names, in the (sorted) order nodeProperties returns them.
constexpr std::string_view kZnodeProps[] = {
    "aversion", "ctime", "cversion", "czxid", "data", "dataLength", "ephemeralOwner", "json",
    "mtime", "mzxid", "name", "numChildren", "path", "pzxid", "version"};

std::string idKeyString(int64_t id) { return idBytes(static_cast<uint64_t>(id)); }
int64_t idOf(const NodeRef& n) {
  return n.key.size() == 8 ? static_cast<int64_t>(loadBE64(n.key.data())) : 0;
}
NodeRef znodeRef(std::string path) { return NodeRef{NodeSpace::kZnode, std::move(path)}; }
NodeRef sessionRef(int64_t id) { return NodeRef{NodeSpace::kSession, idKeyString(id)}; }
NodeRef serverRef(int64_t id) { return NodeRef{NodeSpace::kServer, idKeyString(id)}; }
NodeRef storedRef(uint64_t id) { return NodeRef{NodeSpace::kStored, idBytes(id)}; }

// Path of a `tree` key (parent \0 name).
std::string pathOfTreeKey(std::string_view key) {
  size_t nul = key.find('\0');
  std::string_view parent = key.substr(0, nul), name = key.substr(nul + 1);
  if (parent.empty()) return "/";
  std::string p(parent);
  if (p != "/") p += '/';
  p += name;
  return p;
}

std::string childPath(std::string_view parent, std::string_view name) {
  std::string p(parent);
  if (p != "/") p += '/';
  p += name;
  return p;
}

bool wants(std::span<const std::string> types, std::string_view type) {
  return types.empty() || std::find(types.begin(), types.end(), type) != types.end();
}


uint64_t entries(MDB_txn* txn, MDB_dbi dbi) {
  if (dbi == 0) return 0;
  MDB_stat st;
  lmdb::check(mdb_stat(txn, dbi, &st), "mdb_stat");
  return st.ms_entries;
}

// A projected node's id(): bit 62 set (stored ids stay far below 2^62), the low 62 bits a hash
// of (space, key). Stable for the node's lifetime (it depends on nothing else); two nodes could
// share one in theory, which is why queries never compare nodes by id().
int64_t projectedId(NodeSpace space, std::string_view key) {
  uint64_t h = stableHash(key, static_cast<uint64_t>(space) * 0x9E3779B97F4A7C15ULL);
  return static_cast<int64_t>((uint64_t{1} << 62) | (h & ((uint64_t{1} << 62) - 1)));
}

class SnapshotGraphReader final : public GraphReader {
 public:
  SnapshotGraphReader(const Snapshot& snap, std::shared_ptr<const EnsembleView> ensemble)
      : snap_(snap),
        txn_(snap.lmdbTxn()),
        dbs_(snap.storeDbs()),
        stored_(txn_, dbs_.graph),
        ensemble_(std::move(ensemble)) {}

  int64_t zxid() const override { return snap_.lastZxid(); }

  std::vector<LabelInfo> labels() const override {
    std::vector<LabelInfo> out;
    out.push_back({std::string(kZNode), entries(txn_, dbs_.tree)});
    out.push_back({std::string(kEphemeral), entries(txn_, dbs_.ephemerals)});
    uint64_t special = entries(txn_, dbs_.containersTtls);
    out.push_back({std::string(kContainer), special});
    out.push_back({std::string(kTtl), special});
    out.push_back({std::string(kSession), entries(txn_, dbs_.sessions)});
    out.push_back({std::string(kServer), ensemble_ ? ensemble_->servers.size() : 0});
    for (auto& [label, count] : stored_.labelCounts()) out.push_back({label, count});
    return out;
  }

  std::vector<IndexInfo> indexes() const override {
    std::vector<IndexInfo> out{{std::string(kZNode), "path", true},
                               {std::string(kSession), "id", true},
                               {std::string(kServer), "id", true}};
    for (auto& idx : stored_.indexes()) out.push_back({idx.label, idx.property, idx.unique});
    return out;
  }

  void scanAll(const NodeVisitor& visit) const override {
    bool go = true;
    scanZnodes([&](const NodeRef& n) { return go = visit(n); });
    if (!go) return;
    scanSessions([&](const NodeRef& n) { return go = visit(n); });
    if (!go) return;
    scanServers([&](const NodeRef& n) { return go = visit(n); });
    if (!go) return;
    stored_.scanAll([&](uint64_t id) { return visit(storedRef(id)); });
  }

  void scanLabel(std::string_view label, const NodeVisitor& visit) const override {
    if (label == kZNode) return scanZnodes(visit);
    if (label == kSession) return scanSessions(visit);
    if (label == kServer) return scanServers(visit);
    if (label == kEphemeral) {
      lmdb::scanPrefix(txn_, dbs_.ephemerals, {}, [&](std::string_view key, std::string_view) {
        return key.size() <= 8 || visit(znodeRef(std::string(key.substr(8))));
      });
      return;
    }
    if (label == kContainer || label == kTtl) {
      if (dbs_.containersTtls == 0) return;
      lmdb::scanPrefix(txn_, dbs_.containersTtls, {}, [&](std::string_view key, std::string_view) {
        NodeView v;
        if (!snap_.node(key, v)) return true;
        bool match = label == kContainer ? isContainerOwner(v.stat.ephemeralOwner)
                                         : isTtlOwner(v.stat.ephemeralOwner);
        return !match || visit(znodeRef(std::string(key)));
      });
      return;
    }
    stored_.scanLabel(label, [&](uint64_t id) { return visit(storedRef(id)); });
  }

  bool seekIndex(std::string_view label, std::string_view property, const Value& value,
                 const NodeVisitor& visit) const override {
    if (label == kZNode) {
      if (property != "path") return false;
      if (value.isString() && isValidPath(value.asString()) && znodeExists(value.asString()))
        visit(znodeRef(value.asString()));
      return true;
    }
    if (label == kSession || label == kServer) {
      if (property != "id") return false;
      if (!value.isInt()) return true;
      NodeRef n = label == kSession ? sessionRef(value.asInt()) : serverRef(value.asInt());
      if (exists(n)) visit(n);
      return true;
    }
    if (!stored_.hasIndex(label, property)) return false;
    stored_.seekIndex(label, property, value, [&](uint64_t id) {
      // Long values are indexed by hash, and the index is exact only up to that: compare.
      auto n = stored_.node(id);
      if (!n) return true;
      const Value* p = valueMapGet(n->properties, property);
      if (!p || !(*p == value)) return true;
      return visit(storedRef(id));
    });
    return true;
  }

  bool exists(const NodeRef& node) const override {
    switch (node.space) {
      case NodeSpace::kZnode: return znodeExists(node.key);
      case NodeSpace::kSession: {
        std::string_view v;
        return node.key.size() == 8 && lmdbGet(txn_, dbs_.sessions, node.key, v, "mdb_get sessions");
      }
      case NodeSpace::kServer: return node.key.size() == 8 && server(idOf(node)) != nullptr;
      case NodeSpace::kStored: return node.key.size() == 8 && stored_.node(idOf(node)).has_value();
    }
    return false;
  }

  std::vector<std::string> nodeLabels(const NodeRef& node) const override {
    switch (node.space) {
      case NodeSpace::kZnode: {
        NodeView v;
        if (!snap_.node(node.key, v)) return {};
        std::vector<std::string> out{std::string(kZNode)};
        int64_t owner = v.stat.ephemeralOwner;
        if (isSessionOwner(owner)) out.emplace_back(kEphemeral);
        else if (isContainerOwner(owner)) out.emplace_back(kContainer);
        else if (isTtlOwner(owner)) out.emplace_back(kTtl);
        return out;
      }
      case NodeSpace::kSession:
        return exists(node) ? std::vector<std::string>{std::string(kSession)}
                            : std::vector<std::string>{};
      case NodeSpace::kServer:
        return exists(node) ? std::vector<std::string>{std::string(kServer)}
                            : std::vector<std::string>{};
      case NodeSpace::kStored: {
        auto n = node.key.size() == 8 ? stored_.node(idOf(node)) : std::nullopt;
        if (!n) return {};
        return {n->label};
      }
    }
    return {};
  }

  Value nodeProperty(const NodeRef& node, std::string_view name) const override {
    switch (node.space) {
      case NodeSpace::kZnode: {
        NodeView v;
        if (!snap_.node(node.key, v)) return Value();
        return znodeProperty(node.key, v, name);
      }
      case NodeSpace::kStored: {
        auto n = node.key.size() == 8 ? stored_.node(idOf(node)) : std::nullopt;
        if (!n) return Value();
        const Value* p = valueMapGet(n->properties, name);
        return p ? *p : Value();
      }
      default: {
        ValueMap all = nodeProperties(node);
        const Value* p = valueMapGet(all, name);
        return p ? *p : Value();
      }
    }
  }

  ValueMap nodeProperties(const NodeRef& node) const override {
    ValueMap out;
    switch (node.space) {
      case NodeSpace::kZnode: {
        NodeView v;
        if (!snap_.node(node.key, v)) return out;
        for (std::string_view name : kZnodeProps)
          out.emplace_back(std::string(name), znodeProperty(node.key, v, name));
        return out;
      }
      case NodeSpace::kSession: {
        std::string_view value;
        SessionRecord s;
        if (node.key.size() != 8 ||
            !lmdbGet(txn_, dbs_.sessions, node.key, value, "mdb_get sessions") ||
            !decodeSessionValue(value, s))
          return out;
        out.emplace_back("id", Value(idOf(node)));
        out.emplace_back("timeout", Value(int64_t{s.timeoutMs}));
        return out;
      }
      case NodeSpace::kServer: {
        const ServerDescription* s = node.key.size() == 8 ? server(idOf(node)) : nullptr;
        if (!s) return out;
        out.emplace_back("clientPort", Value(int64_t{s->clientPort}));
        out.emplace_back("follows", s->follows ? Value(*s->follows) : Value());
        out.emplace_back("host", Value(s->host));
        out.emplace_back("id", Value(s->id));
        out.emplace_back("role", Value(s->role));
        out.emplace_back("zxid", Value(s->zxid));
        return out;
      }
      case NodeSpace::kStored: {
        auto n = node.key.size() == 8 ? stored_.node(idOf(node)) : std::nullopt;
        if (n) out = std::move(n->properties);
        return out;
      }
    }
    return out;
  }

  int64_t nodeId(const NodeRef& node) const override {
    if (node.space == NodeSpace::kStored) return idOf(node);
    return projectedId(node.space, node.key);
  }

  void edges(const NodeRef& node, EdgeDirection direction, std::span<const std::string> types,
             const EdgeVisitor& visit) const override {
    bool out = direction != EdgeDirection::kIn, in = direction != EdgeDirection::kOut;
    bool go = true;
    auto emit = [&](EdgeRef e) {
      // kBoth visits a self-loop once: on its out side.
      if (direction == EdgeDirection::kBoth && !out && e.from == e.to) return true;
      return go = visit(e);
    };
    switch (node.space) {
      case NodeSpace::kZnode: {
        NodeView v;
        if (!snap_.node(node.key, v)) return;
        if (out && wants(types, kChild)) {
          KeyBuf prefix = childPrefix(node.key);
          if (prefix.ok()) {
            size_t skip = prefix.view().size();
            lmdb::scanPrefix(txn_, dbs_.tree, prefix.view(), [&](std::string_view key, std::string_view) {
              return emit(EdgeRef{std::string(kChild), node, znodeRef(childPath(node.key, key.substr(skip)))});
            });
          }
        }
        if (go && out && wants(types, kOwnedBy) && isSessionOwner(v.stat.ephemeralOwner)) {
          NodeRef s = sessionRef(v.stat.ephemeralOwner);
          if (exists(s)) emit(EdgeRef{std::string(kOwnedBy), node, s});
        }
        out = false;  // for emit's self-loop rule
        if (go && in && wants(types, kChild) && node.key != "/")
          emit(EdgeRef{std::string(kChild), znodeRef(std::string(parentPath(node.key))), node});
        return;
      }
      case NodeSpace::kSession: {
        if (!exists(node)) return;
        int64_t sid = idOf(node);
        if (out && wants(types, kConnectedTo) && ensemble_) {
          for (const auto& [s, server] : ensemble_->sessionServer) {
            if (s != sid || !this->server(server)) continue;
            if (!emit(EdgeRef{std::string(kConnectedTo), node, serverRef(server)})) return;
          }
        }
        out = false;
        if (in && wants(types, kOwnedBy)) {
          lmdb::scanPrefix(txn_, dbs_.ephemerals, node.key, [&](std::string_view key, std::string_view) {
            return emit(EdgeRef{std::string(kOwnedBy), znodeRef(std::string(key.substr(8))), node});
          });
        }
        return;
      }
      case NodeSpace::kServer: {
        const ServerDescription* me = server(idOf(node));
        if (!me) return;
        if (out && wants(types, kFollows) && me->follows && server(*me->follows)) {
          if (!emit(EdgeRef{std::string(kFollows), node, serverRef(*me->follows)})) return;
        }
        out = false;
        if (in && wants(types, kFollows)) {
          for (const auto& s : ensemble_->servers) {
            if (s.follows && *s.follows == me->id &&
                !emit(EdgeRef{std::string(kFollows), serverRef(s.id), node}))
              return;
          }
        }
        if (in && wants(types, kConnectedTo)) {
          for (const auto& [sid, srv] : ensemble_->sessionServer) {
            if (srv != me->id || !exists(sessionRef(sid))) continue;
            if (!emit(EdgeRef{std::string(kConnectedTo), sessionRef(sid), node})) return;
          }
        }
        return;
      }
      case NodeSpace::kStored: {
        if (node.key.size() != 8) return;
        uint64_t id = loadBE64(node.key.data());
        auto each = [&](bool outSide) {
          auto fn = [&](std::string_view type, uint64_t other) {
            NodeRef o = storedRef(other);
            return outSide ? emit(EdgeRef{std::string(type), node, o})
                           : emit(EdgeRef{std::string(type), o, node});
          };
          if (types.empty()) {
            stored_.edges(id, outSide, {}, fn);
          } else {
            for (const std::string& t : types) {
              if (!go) break;
              stored_.edges(id, outSide, t, fn);
            }
          }
        };
        if (out) each(true);
        out = false;
        if (go && in) each(false);
        return;
      }
    }
  }

  Value edgeProperty(const EdgeRef& edge, std::string_view name) const override {
    ValueMap props = edgeProperties(edge);
    const Value* p = valueMapGet(props, name);
    return p ? *p : Value();
  }

  ValueMap edgeProperties(const EdgeRef& edge) const override {
    if (edge.from.space != NodeSpace::kStored || edge.to.space != NodeSpace::kStored ||
        edge.from.key.size() != 8 || edge.to.key.size() != 8)
      return {};  // projected edges have no properties
    auto p = stored_.edgeProperties(idOf(edge.from), edge.type, idOf(edge.to));
    return p ? std::move(*p) : ValueMap{};
  }

  int64_t edgeId(const EdgeRef& edge) const override {
    std::string k = edge.type;
    k += '\0';
    k += static_cast<char>(edge.from.space);
    k += edge.from.key;
    k += '\0';
    k += static_cast<char>(edge.to.space);
    k += edge.to.key;
    return static_cast<int64_t>(stableHash(k, 0xED6E) >> 1);
  }

 private:
  bool znodeExists(std::string_view path) const {
    if (!isValidPath(path)) return false;
    KeyBuf key = treeKey(path);
    std::string_view v;
    return key.ok() && lmdbGet(txn_, dbs_.tree, key.view(), v, "mdb_get tree");
  }

  const ServerDescription* server(int64_t id) const {
    if (!ensemble_) return nullptr;
    for (const auto& s : ensemble_->servers)
      if (s.id == id) return &s;
    return nullptr;
  }

  void scanZnodes(const NodeVisitor& visit) const {
    lmdb::scanPrefix(txn_, dbs_.tree, {}, [&](std::string_view key, std::string_view) {
      return visit(znodeRef(pathOfTreeKey(key)));
    });
  }
  void scanSessions(const NodeVisitor& visit) const {
    lmdb::scanPrefix(txn_, dbs_.sessions, {}, [&](std::string_view key, std::string_view) {
      return key.size() != 8 || visit(NodeRef{NodeSpace::kSession, std::string(key)});
    });
  }
  void scanServers(const NodeVisitor& visit) const {
    if (!ensemble_) return;
    for (const auto& s : ensemble_->servers)
      if (!visit(serverRef(s.id))) return;
  }

  static Value znodeProperty(std::string_view path, const NodeView& v, std::string_view name) {
    const Stat& s = v.stat;
    if (name == "path") return Value(path);
    if (name == "name") return Value(path == "/" ? std::string_view() : lastName(path));
    if (name == "data") return v.dataNull ? Value() : Value(v.data);
    if (name == "json") {
      if (v.dataNull) return Value();
      auto j = parseJsonValue(v.data);
      return j ? std::move(*j) : Value();
    }
    if (name == "version") return Value(int64_t{s.version});
    if (name == "cversion") return Value(int64_t{s.cversion});
    if (name == "aversion") return Value(int64_t{s.aversion});
    if (name == "czxid") return Value(s.czxid);
    if (name == "mzxid") return Value(s.mzxid);
    if (name == "pzxid") return Value(s.pzxid);
    if (name == "ctime") return Value(s.ctime);
    if (name == "mtime") return Value(s.mtime);
    if (name == "ephemeralOwner") return Value(clientVisibleOwner(s.ephemeralOwner));
    if (name == "dataLength") return Value(int64_t{s.dataLength});
    if (name == "numChildren") return Value(int64_t{s.numChildren});
    return Value();
  }

  const Snapshot& snap_;
  MDB_txn* txn_;
  const StoreDbs& dbs_;
  StoredGraph stored_;
  std::shared_ptr<const EnsembleView> ensemble_;
};

}  // namespace

std::unique_ptr<GraphReader> openGraphReader(const Snapshot& snapshot,
                                             std::shared_ptr<const EnsembleView> ensemble) {
  return std::make_unique<SnapshotGraphReader>(snapshot, std::move(ensemble));
}

}  // namespace gk::graph
