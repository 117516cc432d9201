// ZooKeeper's AdminServer: the admin commands as JSON over HTTP (admin.enableServer,
// admin.serverAddress, admin.serverPort, admin.commandURL), plus Prometheus metrics at /metrics
// on the admin port and, when metricsProvider.className names ZooKeeper's Prometheus provider,
// on metricsProvider.httpHost:metricsProvider.httpPort too.
//
// It runs on the server's KJ event loop (no threads, no locks) and learns everything through
// AdminHooks; POST /query hands the query to a hook that runs it off the loop (QueryService). The JSON shaping below is separate from the HTTP part so it can be tested alone.
// docs/admin.md lists what each command returns.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/config.h"
#include "engine/four_letter.h"
#include "engine/metrics.h"
#include "engine/query_service.h"

namespace kj {
class AsyncIoProvider;
class LowLevelAsyncIoProvider;
}  // namespace kj

namespace gk::engine {

// What a command's answer is built from.
struct AdminContext {
  const ServerStats& stats;
  const ServerConfig& config;
  const Metrics* metrics = nullptr;   // monitor's latency/fsync summaries; none if null
  std::string initialConfiguration;   // zoo.cfg as read at start-up
};

// The primary name for a command name or alias ("mntr" -> "monitor"); empty if unknown.
std::string adminCommandName(const std::string& nameOrAlias);
// The primary names, sorted, as the /commands listing shows them.
std::vector<std::string> adminCommandNames();
// True for commands that need no ServerStats (ruok): the server can skip gathering them.
bool adminCommandNeedsStats(const std::string& primaryName);
// A command's response in ZooKeeper 3.8's field names and order, ending with "command" and
// "error". An unknown name gives {"command": name, "error": "Unknown command: name"}.
// `params` are the query parameters (set_trace_mask reads traceMask).
nlohmann::ordered_json adminCommandJson(const std::string& name,
                                        const std::map<std::string, std::string>& params,
                                        const AdminContext& ctx);
// Jackson's default pretty printer, as ZooKeeper writes its responses: `"key" : value`,
// two-space indents, arrays inline (`[ 1, 2 ]`, `[ ]`), empty objects `{ }`, no final newline.
std::string jacksonPretty(const nlohmann::ordered_json& j);
// The HTML index ZooKeeper serves at the command URL itself.
std::string adminCommandListing(const std::string& commandUrl);
// ServerStats as /metrics gauges.
MetricsGauges metricsGauges(const ServerStats& stats);

struct AdminHooks {
  std::function<ServerStats()> stats;
  std::function<void()> resetConnectionStats;  // connection_stat_reset (crst)
  std::function<void()> resetServerStats;      // stat_reset (srst)
  const Metrics* metrics = nullptr;
  // POST /query (docs/admin.md): the JSON request body in, the answer out. Unset: /query is 404.
  std::function<kj::Promise<QueryAnswer>(const std::string& body)> query;
};

class AdminServer {
 public:
  // Binds the admin port (if config.adminEnableServer) and the Prometheus port (if configured)
  // and starts serving on the calling thread's KJ event loop. A port that cannot be bound
  // throws std::runtime_error("cannot start the admin server on 127.0.0.1:8080: Address
  // already in use").
  AdminServer(kj::AsyncIoProvider& provider, kj::LowLevelAsyncIoProvider& lowLevel,
              const ServerConfig& config, AdminHooks hooks);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  bool serving() const;  // false when neither port is configured

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when metricsProvider.className names ZooKeeper's Prometheus provider.
bool prometheusProviderConfigured(const ServerConfig& config);

}  // namespace gk::engine
