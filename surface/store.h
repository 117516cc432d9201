// gk::Store: GraphKeeper's data directory as a library — open it (read-only beside a running
// server, or read-write when no server runs) and query the graph without a server:
//
//   auto store = gk::Store::open("/var/lib/graphkeeper", /*readOnly=*/true);
//   auto result = store.query("MATCH (b:Broker) RETURN b.id", {});
//
// Each query runs over a fresh snapshot (one LMDB read txn), so it sees the newest committed
// state, reports its zxid and never blocks the server's writes. The CLI's --data-dir mode is
// this class.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "graph/graph_reader.h"
#include "graph/value.h"
#include "query/run_query.h"

namespace gk::graph {
class ZnodeStore;
}

namespace gk {

class Store {
 public:
  // Throws graph::StoreError when the directory holds no store (read-only) or cannot be opened.
  static Store open(const std::string& dataDir, bool readOnly = true);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  // Throws query::QueryError for a bad query (syntax, type, limit, ...).
  query::QueryResult query(std::string_view text, const graph::ValueMap& params = {},
                           const query::QueryLimits& limits = {}) const;

  // The ensemble the (:Server) nodes describe; none by default (embedded: no server here).
  void setEnsemble(std::shared_ptr<const graph::EnsembleView> ensemble);

  graph::ZnodeStore& znodes() const { return *store_; }

 private:
  explicit Store(std::unique_ptr<graph::ZnodeStore> store);
  std::unique_ptr<graph::ZnodeStore> store_;
  std::shared_ptr<const graph::EnsembleView> ensemble_;
};

// One query over a fresh snapshot of `store`: what Store::query and the server's POST /query
// both run (the server passes its live EnsembleView).
query::QueryResult queryStore(const graph::ZnodeStore& store, std::string_view text,
                              const graph::ValueMap& params, const query::QueryLimits& limits,
                              std::shared_ptr<const graph::EnsembleView> ensemble);

}  // namespace gk
