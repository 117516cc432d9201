// Opening the graph databases (see graph_schema.h).
#include "graph/graph_schema.h"

#include "graph/lmdb.h"

namespace gk::graph {

void openGraphDbs(MDB_txn* txn, bool readOnly, GraphDbs& dbs) {
  auto open = [&](const char* name, MDB_dbi& dbi) {
    int rc = mdb_dbi_open(txn, name, readOnly ? 0u : MDB_CREATE, &dbi);
    if (rc == MDB_NOTFOUND && readOnly) {
      dbi = 0;  // a store from before the graph: read as an empty graph
      return;
    }
    lmdb::check(rc, std::string("mdb_dbi_open ") + name);
  };
  open("g_nodes", dbs.nodes);
  open("g_node_keys", dbs.nodeKeys);
  open("g_labels", dbs.labels);
  open("g_label_counts", dbs.labelCounts);
  open("g_node_src", dbs.nodeSrc);
  open("g_node_merge", dbs.nodeMerge);
  open("g_out", dbs.out);
  open("g_in", dbs.in);
  open("g_edge_src", dbs.edgeSrc);
  open("g_sources", dbs.sources);
  open("g_prop_index", dbs.propIndex);
  open("g_indexes", dbs.indexes);
  if (readOnly && !(dbs.nodes && dbs.nodeKeys && dbs.labels && dbs.labelCounts && dbs.nodeSrc &&
                    dbs.nodeMerge &&
                    dbs.out && dbs.in && dbs.edgeSrc && dbs.sources && dbs.propIndex &&
                    dbs.indexes)) {
    dbs = GraphDbs{};  // partially present: treat as absent rather than half a graph
  }
}

}  // namespace gk::graph
