// What `graphkeeper query` and `graphkeeper shell` share: finding the server from zoo.cfg,
// sending a query to POST /query, and printing a query error as "line L, column C: message".
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

#include "engine/config.h"
#include "graph/value.h"
#include "query/run_query.h"

namespace gk::engine::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;  // the query failed or the server could not be reached
constexpr int kExitUsage = 2;

// --config FILE|DIR, else ./conf/zoo.cfg when present, else the embedded default. Throws
// ConfigError.
ServerConfig loadCliConfig(const std::string& configPath);
// Where a local client reaches an address the server listens on (0.0.0.0 -> 127.0.0.1).
std::string reachableHost(const std::string& listenAddress);

// A query error as the server (or runQuery) reported it.
struct QueryFailure {
  std::string kind;  // syntax, semantic, type, limit, parameter, request, busy, internal
  std::string message;
  int line = 0;
  int column = 0;
  int httpStatus = 0;
};

// POST /query. Returns the result, or sets `failure` (also for an unreachable server, kind
// "connection") and returns nullopt. `limits`: only the fields set are sent.
std::optional<query::QueryResult> postQuery(const std::string& host, int port,
                                            const std::string& text,
                                            const graph::ValueMap& params,
                                            std::optional<int64_t> timeoutMs,
                                            std::optional<int64_t> maxRows,
                                            QueryFailure& failure);

QueryFailure failureOf(const query::QueryError& e);
// "line 1, column 8: expected ..." when the position is known, else "<kind> error: message".
std::string describe(const QueryFailure& f);

}  // namespace gk::engine::cli
