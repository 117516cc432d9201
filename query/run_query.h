// runQuery: text + parameters in, a result table out, over one GraphReader (one snapshot).
// The single entry point the CLI, POST /query, the shell and Store::query all use.
//
// Result values are graph::Value only, so callers need not know the runtime types:
//   node          -> map {"id": int, "labels": [..], "properties": {..}}
//   relationship  -> map {"id": int, "type": str, "start": int, "end": int, "properties": {..}}
//   path          -> map {"nodes": [node maps], "relationships": [relationship maps]}
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph_reader.h"
#include "graph/value.h"

namespace gk::query {

struct QueryLimits {
  std::chrono::milliseconds timeout{30'000};
  uint64_t maxRows = 1'000'000;  // rows produced by any one step, and rows returned
  // Called on the query's thread at every time-limit check (every 256 iterations of any loop):
  // an embedding server uses it to give way to more urgent work. May sleep; must not throw.
  // The time limit counts the time spent in it.
  std::function<void()> pace;
};

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<graph::Value>> rows;
  int64_t zxid = 0;
  double elapsedMs = 0;
  // EXPLAIN: the plan (no rows). PROFILE: the plan with rows and time per step, plus the rows.
  std::optional<std::string> plan;
};

enum class QueryErrorKind {
  kSyntax,     // the parser/checker: has line and column
  kSemantic,   // e.g. unknown procedure, bad parameter: may have line and column
  kType,       // a runtime type error (e.g. 1 + 'a')
  kLimit,      // time or row limit reached
};

class QueryError : public std::runtime_error {
 public:
  QueryError(QueryErrorKind kind, std::string message, int line = 0, int column = 0)
      : std::runtime_error(message), kind_(kind), line_(line), column_(column) {}
  QueryErrorKind kind() const { return kind_; }
  int line() const { return line_; }      // 0: no position
  int column() const { return column_; }
 private:
  QueryErrorKind kind_;
  int line_, column_;
};

// Throws QueryError; never anything else for bad input.
QueryResult runQuery(const graph::GraphReader& graph, std::string_view text,
                     const graph::ValueMap& parameters, const QueryLimits& limits = {});

}  // namespace gk::query
