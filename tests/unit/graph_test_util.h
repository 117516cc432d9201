// Helpers for the graph tests: a real ZnodeStore in a temp dir, txn builders, and a canonical
// dump of the materialized graph (nodes by label and properties, edges by their endpoints'
// properties; ids left out) so two stores can be compared.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "graph/graph_reader.h"
#include "graph/znode_store.h"
#include "tests/unit/temp_dir.h"

namespace gk::testing {

using namespace gk::graph;

inline StoreOptions graphStoreOptions(const std::string& dir, bool rebuild = false) {
  StoreOptions o;
  o.dir = dir;
  o.mapSizeBytes = size_t(1) << 30;
  o.sync = false;
  o.rebuildGraph = rebuild;
  return o;
}

// Applies single-op txns with increasing zxids.
class TestStore {
 public:
  explicit TestStore(const std::string& dir, bool rebuild = false)
      : store_(ZnodeStore::open(graphStoreOptions(dir, rebuild))) {
    zxid_ = store_->snapshot().lastZxid();
  }
  ZnodeStore& store() { return *store_; }
  void apply(std::vector<TxnOp> ops) {
    Txn t;
    t.zxid = ++zxid_;
    t.time = 1000 + zxid_;
    t.ops = std::move(ops);
    store_->apply({t});
  }
  void create(std::string path, std::string data = "", int64_t owner = 0) {
    apply({CreateOp{std::move(path), std::move(data), {Acl{31, "world", "anyone"}}, owner}});
  }
  // Creates the missing ancestors too (empty data).
  void createAll(const std::string& path, std::string data = "", int64_t owner = 0) {
    Snapshot s = store_->snapshot();
    for (size_t i = path.find('/', 1); i != std::string::npos; i = path.find('/', i + 1)) {
      std::string p = path.substr(0, i);
      if (!s.stat(p)) create(p);
    }
    create(path, std::move(data), owner);
  }
  void set(std::string path, std::string data) {
    auto st = store_->snapshot().stat(path);
    apply({SetDataOp{std::move(path), std::move(data), st ? st->version + 1 : 0}});
  }
  void remove(std::string path) { apply({DeleteOp{std::move(path)}}); }
  void session(int64_t id, int32_t timeout = 30000) {
    apply({CreateSessionOp{id, timeout, std::string(16, 'p')}});
  }
  void closeSession(int64_t id) {
    apply({CloseSessionOp{id, store_->snapshot().ephemerals(id)}});
  }

 private:
  std::unique_ptr<ZnodeStore> store_;
  int64_t zxid_ = 0;
};

// Canonical text of the materialized (kStored) graph: one line per node and per edge.
std::set<std::string> dumpStoredGraph(const GraphReader& g);
std::string valueText(const Value& v);

}  // namespace gk::testing
