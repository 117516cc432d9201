// QueryService (query_service.h): request parsing, error answers, the worker threads.
#include "engine/query_service.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "engine/log.h"
#include "graph/znode_store.h"
#include "surface/params.h"
#include "surface/result_format.h"
#include "surface/store.h"

namespace gk::engine {

using ojson = nlohmann::ordered_json;

namespace {

// A positive integer field of the request, or nullopt when absent; false when malformed.
bool limitField(const nlohmann::json& req, const char* name, std::optional<int64_t>& out,
                QueryAnswer& error) {
  auto it = req.find(name);
  if (it == req.end() || it->is_null()) return true;
  if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
    error = queryErrorAnswer(400, "request", std::string("\"") + name +
                                                 "\" must be a positive integer");
    return false;
  }
  out = it->get<int64_t>();
  return true;
}

}  // namespace

const char* queryErrorKindName(query::QueryErrorKind k) {
  switch (k) {
    case query::QueryErrorKind::kSyntax: return "syntax";
    case query::QueryErrorKind::kSemantic: return "semantic";
    case query::QueryErrorKind::kType: return "type";
    case query::QueryErrorKind::kLimit: return "limit";
  }
  return "error";
}

std::string bareMessage(const query::QueryError& e) {
  std::string m = e.what();
  if (e.line() > 0) {
    std::string prefix =
        "line " + std::to_string(e.line()) + ", column " + std::to_string(e.column()) + ": ";
    if (m.compare(0, prefix.size(), prefix) == 0) m.erase(0, prefix.size());
  }
  return m;
}

QueryAnswer queryErrorAnswer(int status, const std::string& kind, const std::string& message,
                             int line, int column) {
  ojson e;
  e["kind"] = kind;
  e["message"] = message;
  if (line > 0) {
    e["line"] = line;
    e["column"] = column;
  }
  ojson body;
  body["error"] = std::move(e);
  return QueryAnswer{status, surface::dumpJson(body)};
}

QueryAnswer queryErrorAnswer(const query::QueryError& e) {
  int status = e.kind() == query::QueryErrorKind::kLimit ? 422 : 400;
  return queryErrorAnswer(status, queryErrorKindName(e.kind()), bareMessage(e), e.line(),
                          e.column());
}

std::optional<QueryRequest> parseQueryRequest(const std::string& body,
                                              const query::QueryLimits& serverLimits,
                                              QueryAnswer& error) {
  nlohmann::json req = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (req.is_discarded() || !req.is_object()) {
    error = queryErrorAnswer(400, "request",
                             "the request body must be a JSON object: {\"query\": \"MATCH ...\", "
                             "\"parameters\": {...}}");
    return std::nullopt;
  }
  auto q = req.find("query");
  if (q == req.end() || !q->is_string()) {
    error = queryErrorAnswer(400, "request", "\"query\" (a string) is missing");
    return std::nullopt;
  }
  QueryRequest out;
  out.text = q->get<std::string>();
  out.limits = serverLimits;
  if (auto p = req.find("parameters"); p != req.end()) {
    try {
      out.parameters = surface::paramsFromJson(*p);
    } catch (const std::exception& e) {
      error = queryErrorAnswer(400, "parameter", e.what());
      return std::nullopt;
    }
  }
  std::optional<int64_t> timeoutMs, maxRows;
  if (!limitField(req, "timeoutMs", timeoutMs, error) ||
      !limitField(req, "maxRows", maxRows, error)) {
    return std::nullopt;
  }
  if (timeoutMs && *timeoutMs < serverLimits.timeout.count()) {
    out.limits.timeout = std::chrono::milliseconds(*timeoutMs);
  }
  if (maxRows && uint64_t(*maxRows) < serverLimits.maxRows) out.limits.maxRows = *maxRows;
  return out;
}

QueryAnswer runQueryRequest(const graph::ZnodeStore& store, const QueryRequest& request,
                            std::shared_ptr<const graph::EnsembleView> ensemble) {
  try {
    query::QueryResult r =
        queryStore(store, request.text, request.parameters, request.limits, std::move(ensemble));
    return QueryAnswer{200, surface::dumpJson(surface::resultJson(r))};
  } catch (const query::QueryError& e) {
    return queryErrorAnswer(e);
  } catch (const std::exception& e) {
    // runQuery promises QueryError for bad input; anything else is ours (store, memory).
    GK_LOG_WARN("query failed: {}", e.what());
    return queryErrorAnswer(500, "internal", e.what());
  }
}

std::shared_ptr<const graph::EnsembleView> standaloneEnsemble(const ServerConfig& config,
                                                              int64_t zxid,
                                                              std::vector<int64_t> sessionIds) {
  auto view = std::make_shared<graph::EnsembleView>();
  graph::ServerDescription me;
  me.id = config.myid;
  me.clientPort = config.clientPort;
  me.host = config.clientPortAddress.empty() ? "0.0.0.0" : config.clientPortAddress;
  if (auto it = config.servers.find(config.myid); it != config.servers.end()) {
    me.host = it->second.host;  // the name the ensemble knows this server by
  }
  me.role = "standalone";
  me.zxid = zxid;
  view->servers.push_back(std::move(me));
  for (int64_t sid : sessionIds) view->sessionServer.emplace_back(sid, config.myid);
  std::sort(view->sessionServer.begin(), view->sessionServer.end());
  return view;
}

QueryService::QueryService(const graph::ZnodeStore& store, const ServerConfig& config,
                           EnsembleFn ensemble)
    : store_(store), ensemble_(std::move(ensemble)) {
  limits_.timeout = std::chrono::milliseconds(config.queryTimeoutMs);
  limits_.maxRows = uint64_t(config.queryMaxRows);
  int threads = std::max(1, config.queryMaxConcurrent);
  maxQueued_ = size_t(threads) * 16;
  for (int i = 0; i < threads; ++i) {
    workers_.emplace_back([this, i] {
      setThreadName("Query-" + std::to_string(i));
      // Queries are analytics beside the server's real job: at the lowest priority (nice 19,
      // this thread only) they use idle CPU and leave contended CPU to the client connections
      // and the write pipeline, so a query loop does not slow writes on a busy machine. Under
      // sustained load a query runs slower and may meet query.timeoutMs instead.
      if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19) != 0)
        GK_LOG_WARN("query worker: cannot lower its priority; queries compete with writes");
      work();
    });
  }
}

QueryService::~QueryService() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

kj::Promise<QueryAnswer> QueryService::handle(const std::string& body) {
  QueryAnswer error;
  auto request = parseQueryRequest(body, limits_, error);
  if (!request) return error;
  auto paf = kj::newPromiseAndCrossThreadFulfiller<QueryAnswer>();
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= maxQueued_) {
      return queryErrorAnswer(503, "busy",
                              "too many queries waiting (" + std::to_string(queue_.size()) +
                                  "); try again later");
    }
    queue_.push_back(Job{std::move(*request), ensemble_ ? ensemble_() : nullptr,
                         kj::mv(paf.fulfiller)});
  }
  cv_.notify_one();
  return kj::mv(paf.promise);
}

namespace {

// Gives way to writes: when write batches were applied since the query last looked, it sleeps
// nine times as long as it ran since then (at most 10 ms at a time), so a query takes at most
// about a tenth of a core while writes keep coming, and full speed when they stop. nice 19
// alone is not enough: on a 2-core machine a query using the idle core still slows the writes
// by a quarter (shared caches and memory bandwidth, docs/benchmarks.md *Queries*).
class WritePacer {
 public:
  explicit WritePacer(const std::atomic<uint64_t>& batches)
      : batches_(batches), seen_(batches.load(std::memory_order_relaxed)),
        lastYield_(std::chrono::steady_clock::now()) {}
  void operator()() {
    auto now = std::chrono::steady_clock::now();
    uint64_t b = batches_.load(std::memory_order_relaxed);
    if (b != seen_) {
      seen_ = b;
      auto pause = std::min<std::chrono::steady_clock::duration>((now - lastYield_) * 9,
                                                                 std::chrono::milliseconds(10));
      std::this_thread::sleep_for(pause);
      now = std::chrono::steady_clock::now();
    }
    lastYield_ = now;
  }

 private:
  const std::atomic<uint64_t>& batches_;
  uint64_t seen_;
  std::chrono::steady_clock::time_point lastYield_;
};

}  // namespace

void QueryService::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.request.limits.pace = WritePacer(writeBatches_);
    // Fulfilling a promise whose HTTP request is gone is a no-op for a cross-thread fulfiller.
    job.done->fulfill(runQueryRequest(store_, job.request, std::move(job.ensemble)));
  }
}

}  // namespace gk::engine
