// QueryService: POST /query's work — parse the request, run the query on a worker thread over
// a fresh snapshot of the server's store (one LMDB read txn), answer with JSON.
//
// The admin server lives on the event loop, which must never wait for a query: handle() queues
// the query and returns a promise the worker fulfils across threads. LMDB readers never block
// the writer, so a running query delays neither the loop nor the write path. At most
// query.maxConcurrent queries run at once; more wait in line (up to a bound, then 503).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <kj/async.h>

#include "engine/config.h"
#include "graph/graph_reader.h"
#include "graph/value.h"
#include "query/run_query.h"

namespace gk::graph {
class ZnodeStore;
}

namespace gk::engine {

// An HTTP answer: status and a JSON body.
struct QueryAnswer {
  int status = 200;
  std::string body;
};

// A POST /query body after parsing: {"query": "...", "parameters": {...}, "timeoutMs": N,
// "maxRows": N}. Limits in the request can only lower the server's (query.timeoutMs,
// query.maxRows), never raise them.
struct QueryRequest {
  std::string text;
  graph::ValueMap parameters;
  query::QueryLimits limits;
};

// Parses a request body; on a bad request returns nullopt and sets `error` (a 400 answer).
std::optional<QueryRequest> parseQueryRequest(const std::string& body,
                                              const query::QueryLimits& serverLimits,
                                              QueryAnswer& error);
// {"error": {"kind": ..., "message": ..., "line": L, "column": C}} (line/column when known).
QueryAnswer queryErrorAnswer(int status, const std::string& kind, const std::string& message,
                             int line = 0, int column = 0);
// The error's message without a leading "line L, column C: " (the parser puts the position in
// its text; the answer carries it in fields of its own).
std::string bareMessage(const query::QueryError& e);
// "syntax", "semantic", "type", "limit".
const char* queryErrorKindName(query::QueryErrorKind kind);
// A QueryError's answer: 400 for syntax, semantic and type errors, 422 for a limit.
QueryAnswer queryErrorAnswer(const query::QueryError& e);
// Runs one parsed request against `store` (any thread) and answers: 200 with the result JSON or
// an error answer. Never throws.
QueryAnswer runQueryRequest(const graph::ZnodeStore& store, const QueryRequest& request,
                            std::shared_ptr<const graph::EnsembleView> ensemble);

// The EnsembleView of a standalone server: one (:Server) from the configuration with role
// "standalone" and its live zxid, and every session connected here mapped to it.
std::shared_ptr<const graph::EnsembleView> standaloneEnsemble(const ServerConfig& config,
                                                              int64_t zxid,
                                                              std::vector<int64_t> sessionIds);

class QueryService {
 public:
  using EnsembleFn = std::function<std::shared_ptr<const graph::EnsembleView>()>;

  // `ensemble` is called on the loop thread for each query (sessions and connections are loop
  // state); the worker gets the copy it returns.
  QueryService(const graph::ZnodeStore& store, const ServerConfig& config, EnsembleFn ensemble);
  // Joins the workers: a query running now finishes first (bounded by query.timeoutMs); queued
  // ones are dropped (their HTTP requests are already gone with the admin server).
  ~QueryService();
  QueryService(const QueryService&) = delete;
  QueryService& operator=(const QueryService&) = delete;

  // Loop thread only. The promise resolves on the loop thread.
  kj::Promise<QueryAnswer> handle(const std::string& requestBody);
  // The loop calls this after every applied write batch: while writes keep coming, running
  // queries give way to them (see WritePacer in query_service.cc). Any thread.
  void noteWritesApplied() { writeBatches_.fetch_add(1, std::memory_order_relaxed); }

 private:
  struct Job {
    QueryRequest request;
    std::shared_ptr<const graph::EnsembleView> ensemble;
    kj::Own<kj::CrossThreadPromiseFulfiller<QueryAnswer>> done;
  };
  void work();

  const graph::ZnodeStore& store_;
  query::QueryLimits limits_;
  EnsembleFn ensemble_;
  size_t maxQueued_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> writeBatches_{0};
};

}  // namespace gk::engine
