// What every part of a running query shares: the graph snapshot, the parameters, the limits and
// the clock. One ExecContext per runQuery call, on one thread; it outlives the plan it runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "graph/graph_reader.h"
#include "query/cypher_value.h"
#include "query/run_query.h"

namespace gk::query {

// The time limit is a property of the whole query, not of the expression that happened to be
// running: the evaluator leaves this error without a position (it rethrows it unchanged).
class TimeLimitExceeded : public QueryError {
 public:
  using QueryError::QueryError;
};

// Enforces QueryLimits. tick() is called in every loop that can run long (scans, expansions,
// variable-length and shortest-path searches, sorting, list building); it reads the clock only
// every 256 calls, so it is cheap enough for the innermost loops.
class LimitGuard {
 public:
  explicit LimitGuard(const QueryLimits& limits)
      : limits_(limits), deadline_(std::chrono::steady_clock::now() + limits.timeout) {}

  void tick() {
    if ((++ticks_ & 255) == 0) {
      if (limits_.pace) limits_.pace();
      checkTime();
    }
  }
  void checkTime() const {
    if (std::chrono::steady_clock::now() > deadline_) {
      throw TimeLimitExceeded(QueryErrorKind::kLimit,
                              "query exceeded the time limit of " +
                                  std::to_string(limits_.timeout.count()) + " ms");
    }
  }
  // `count` rows (or list elements) produced so far by `step`.
  void checkRows(uint64_t count, std::string_view step) const {
    if (count > limits_.maxRows) {
      throw QueryError(QueryErrorKind::kLimit, std::string(step) + " exceeded the row limit of " +
                                                   std::to_string(limits_.maxRows) + " rows");
    }
  }
  uint64_t maxRows() const { return limits_.maxRows; }

 private:
  QueryLimits limits_;
  std::chrono::steady_clock::time_point deadline_;
  uint64_t ticks_ = 0;
};

struct ExecContext {
  ExecContext(const graph::GraphReader& g, CypherMap params, const QueryLimits& limits)
      : graph(g), parameters(std::move(params)), guard(limits) {}

  const graph::GraphReader& graph;
  CypherMap parameters;
  LimitGuard guard;
  // timestamp() is the same for the whole query (as in Neo4j): taken once, at the start.
  int64_t timestampMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  bool profiling = false;  // PROFILE: operators count rows and time
};

}  // namespace gk::query
