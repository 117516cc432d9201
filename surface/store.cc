// gk::Store (store.h): ZnodeStore + openGraphReader + runQuery, one snapshot per query.
#include "surface/store.h"

#include <filesystem>

#include "graph/znode_store.h"

namespace gk {

Store Store::open(const std::string& dataDir, bool readOnly) {
  // A read-only open of a directory without data.mdb would fail with LMDB's bare "No such file
  // or directory"; say which store is missing instead.
  std::error_code ec;
  if (readOnly && !std::filesystem::exists(std::filesystem::path(dataDir) / "data.mdb", ec)) {
    throw graph::StoreError("no GraphKeeper store in " + dataDir + " (no data.mdb)");
  }
  graph::StoreOptions o;
  o.dir = dataDir;
  o.readOnly = readOnly;
  return Store(graph::ZnodeStore::open(o));
}

Store::Store(std::unique_ptr<graph::ZnodeStore> store) : store_(std::move(store)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

void Store::setEnsemble(std::shared_ptr<const graph::EnsembleView> ensemble) {
  ensemble_ = std::move(ensemble);
}

query::QueryResult Store::query(std::string_view text, const graph::ValueMap& params,
                                const query::QueryLimits& limits) const {
  return queryStore(*store_, text, params, limits, ensemble_);
}

query::QueryResult queryStore(const graph::ZnodeStore& store, std::string_view text,
                              const graph::ValueMap& params, const query::QueryLimits& limits,
                              std::shared_ptr<const graph::EnsembleView> ensemble) {
  graph::Snapshot snapshot = store.snapshot();  // one read txn for the whole query
  auto reader = graph::openGraphReader(snapshot, std::move(ensemble));
  return query::runQuery(*reader, text, params, limits);
}

}  // namespace gk
