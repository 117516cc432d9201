// The materialized graph's LMDB databases (in the store's env) and their keys. Kafka and rule
// projections write here, inside the same write txn as the znode change that caused them
// (graph_table_writer.h); GraphReader reads here. ZNode/Session/Server nodes are never stored:
// they are read straight from the store's own tables (graph_reader.cc).
//
//   g_nodes        id (8, BE)                      -> label, enc(key), enc(properties)
//   g_node_keys    label \0 enc(key)               -> id         (merging: one node per key)
//   g_labels       label \0 id                     -> ""         (label index)
//   g_label_counts label                           -> u64 count  (planner statistics)
//   g_node_src     id + source                     -> defining flag, enc(properties)
//   g_node_merge   id + 0 + enc(properties)        -> u64 count of non-defining sources giving
//                  id + 1 + source                 -> enc(properties)  (non-defining, too long
//                                                     to be a key), and
//                  id + 2 + source                 -> enc(properties)  (defining)
//                  what remergeNode reads: a broker named by 10,000 partitions has one entry
//                  here, not 10,000 (g_node_src is only ever looked up by id + source)
//   g_out          from + type \0 + to             -> enc(properties)   (visible edges)
//   g_in           to + type \0 + from             -> ""
//   g_edge_src     from + type \0 + to + source    -> enc(properties)
//   g_sources      source                          -> what the source contributes (for retraction)
//   g_prop_index   label \0 prop \0 ival + id      -> ""  (ival: enc(value), or 'h'+hash if long)
//   g_indexes      label \0 prop \0 source         -> unique flag  (declarations)
// A "source" is a projection's name for one znode: "k" + path for Kafka, "r" NAME \0 path for
// rule NAME, "p" NAME for rule NAME's own declarations, "b" + name for built-in declarations.
// Meta keys (store `meta`): graph_version (projection code version; a mismatch rebuilds on
// open), graph_rules_version (bumped by every rule change), graph_next_id.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "graph/byte_codec.h"

namespace gk::graph {

// Bump when a projection's output changes: the graph tables are rebuilt on open.
inline constexpr int64_t kGraphVersion = 2;  // 2: g_node_merge
inline constexpr std::string_view kMetaGraphVersion = "graph_version";
inline constexpr std::string_view kMetaGraphRulesVersion = "graph_rules_version";
inline constexpr std::string_view kMetaGraphNextId = "graph_next_id";

struct GraphDbs {
  MDB_dbi nodes = 0, nodeKeys = 0, labels = 0, labelCounts = 0, nodeSrc = 0, nodeMerge = 0,
          out = 0, in = 0, edgeSrc = 0, sources = 0, propIndex = 0, indexes = 0;
  // False for a read-only view of a store written before the graph tables existed.
  bool present() const { return nodes != 0; }
};
inline constexpr unsigned kGraphDbCount = 12;

// Opens (creating unless readOnly) the graph databases in `txn`.
void openGraphDbs(MDB_txn* txn, bool readOnly, GraphDbs& dbs);

inline std::string idBytes(uint64_t id) {
  std::string s(8, '\0');
  storeBE64(s.data(), id);
  return s;
}

inline std::string labelKeyPrefix(std::string_view label) {
  std::string k(label);
  k += '\0';
  return k;
}

// from + type \0 + to (g_out); the same with from and to swapped is the g_in key.
inline std::string edgeKey(uint64_t a, std::string_view type, uint64_t b) {
  std::string k = idBytes(a);
  k += type;
  k += '\0';
  k += idBytes(b);
  return k;
}

inline std::string indexPrefix(std::string_view label, std::string_view prop) {
  std::string k(label);
  k += '\0';
  k += prop;
  k += '\0';
  return k;
}

}  // namespace gk::graph
