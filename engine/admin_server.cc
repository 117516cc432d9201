#include "engine/admin_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <kj/async-io.h>
#include <kj/compat/http.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "engine/log.h"

namespace gk::engine {

using json = nlohmann::ordered_json;

namespace {

constexpr const char* kPrometheusProvider =
    "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";

// ZooKeeper 3.8's Commands: primary name and its aliases. Left out: get_trace_mask and
// set_trace_mask (no trace mask here), hash (no tree digests), last_snapshot (no snapshot files:
// the LMDB store is the state), observer_connection_stat_reset (no observers in standalone).
struct CommandSpec {
  const char* name;
  std::vector<const char*> aliases;
  bool needsStats;
};

const std::vector<CommandSpec>& commandSpecs() {
  static const std::vector<CommandSpec> specs = {
      {"configuration", {"conf", "config"}, false},
      {"connection_stat_reset", {"crst"}, false},
      {"connections", {"cons"}, true},
      {"dirs", {}, true},
      {"dump", {}, true},
      {"environment", {"env", "envi"}, true},
      {"initial_configuration", {"icfg"}, false},
      {"is_read_only", {"isro"}, false},
      {"leader", {"lead"}, false},
      {"monitor", {"mntr"}, true},
      {"observers", {"obsr"}, false},
      {"ruok", {}, false},
      {"server_stats", {"srvr"}, true},
      {"stat_reset", {"srst"}, false},
      {"stats", {"stat"}, true},
      {"system_properties", {"sysp"}, false},
      {"voting_view", {}, false},
      {"watch_summary", {"wchs"}, true},
      {"watches", {"wchc"}, true},
      {"watches_by_path", {"wchp"}, true},
      {"zabstate", {}, false},
  };
  return specs;
}

// Jackson's InetSocketAddressSerializer: "10.0.0.1:2181", IPv6 as "[0:0:0:0:0:0:0:1]:2181",
// IPv4-mapped IPv6 as plain IPv4.
std::string socketAddress(const std::string& ip, int port) {
  std::string host = ip;
  std::string bare = ip;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']')
    bare = bare.substr(1, bare.size() - 2);
  std::string scope;
  if (size_t pct = bare.find('%'); pct != std::string::npos) {
    scope = bare.substr(pct);
    bare = bare.substr(0, pct);
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, bare.c_str(), &a6) == 1) {
    const uint8_t* b = a6.s6_addr;
    bool mapped =
        std::all_of(b, b + 10, [](uint8_t x) { return x == 0; }) && b[10] == 0xff && b[11] == 0xff;
    if (mapped) {
      host = fmt::format("{}.{}.{}.{}", b[12], b[13], b[14], b[15]);
    } else {
      host = "[";
      for (int i = 0; i < 8; ++i) {
        if (i) host += ":";
        host += fmt::format("{:x}", (b[2 * i] << 8) | b[2 * i + 1]);
      }
      host += scope + "]";
    }
  }
  return host + ":" + std::to_string(port);
}

double roundedAvg(int64_t total, uint64_t count) {
  if (count == 0) return 0.0;
  return std::round(double(total) / double(count) * 10000.0) / 10000.0;
}

double serverAvgLatency(const ServerStats& s) {
  return s.latencyCount > 0 ? roundedAvg(s.totalLatencyMs, s.latencyCount)
                            : double(s.avgLatencyMs);
}

std::string absolute(const std::string& p) {
  std::error_code ec;
  auto a = std::filesystem::absolute(p, ec);
  return ec ? p : a.lexically_normal().string();
}

// ServerCnxn.getConnectionInfo(brief)
json connectionInfo(const ConnectionStats& c, bool brief) {
  json j;
  j["remote_socket_address"] = socketAddress(c.ip, c.port);
  j["interest_ops"] = c.interestOps;
  j["outstanding_requests"] = c.queued;
  j["packets_received"] = c.received;
  j["packets_sent"] = c.sent;
  if (!brief) {
    j["session_id"] = c.sessionId;
    j["last_operation"] = c.lastOp;
    j["established"] = c.establishedMs;
    j["session_timeout"] = c.timeoutMs;
    j["last_cxid"] = c.lastCxid;
    j["last_zxid"] = c.lastZxid;
    j["last_response_time"] = c.lastOpMs;
    j["last_latency"] = c.lastLatencyMs;
    j["min_latency"] = c.minLatencyMs;
    j["avg_latency"] = c.avgLatencyMs;
    j["max_latency"] = c.maxLatencyMs;
  }
  return j;
}

// ZooKeeper's BufferStats start at -1 ("no response yet"); GraphKeeper does not measure
// response sizes, so they stay there.
json bufferStats() {
  return json{{"last_buffer_size", -1}, {"min_buffer_size", -1}, {"max_buffer_size", -1}};
}

// StatCommand / StatsCommand: ServerStats' bean properties, then the rest.
json serverStatsJson(const ServerStats& s) {
  json j;
  j["version"] = s.version;
  j["read_only"] = false;
  json st;
  st["packets_sent"] = s.packetsSent;
  st["packets_received"] = s.packetsReceived;
  st["fsync_threshold_exceed_count"] = 0;
  st["client_response_stats"] = bufferStats();
  st["data_dir_size"] = s.dataDirBytes;
  st["log_dir_size"] = s.logDirBytes;
  st["provider_null"] = false;
  st["server_state"] = s.mode;
  st["last_processed_zxid"] = s.zxid;
  st["outstanding_requests"] = s.outstandingRequests;
  st["avg_latency"] = serverAvgLatency(s);
  st["max_latency"] = s.maxLatencyMs;
  st["min_latency"] = s.minLatencyMs;
  st["num_alive_client_connections"] = s.aliveConnections;
  st["uptime"] = s.uptimeMs;
  st["auth_failed_count"] = 0;
  st["non_mtlsremote_conn_count"] = 0;
  st["non_mtlslocal_conn_count"] = 0;
  j["server_stats"] = std::move(st);
  j["client_response"] = bufferStats();
  j["node_count"] = s.znodeCount;
  return j;
}

void putSummary(json& j, const std::string& name, const LatencySummary& s) {
  j["avg_" + name] = s.avg();
  j["min_" + name] = s.min();
  j["max_" + name] = s.max();
  j["cnt_" + name] = s.count();
  j["sum_" + name] = s.sum();
  j["p50_" + name] = s.quantile(0.5);
  j["p95_" + name] = s.quantile(0.95);
  j["p99_" + name] = s.quantile(0.99);
  j["p999_" + name] = s.quantile(0.999);
}

// MonitorCommand: mntr's keys without "zk_", in mntr's order, then the summaries we measure.
json monitorJson(const ServerStats& s, const Metrics* m) {
  json j;
  j["version"] = s.version;
  j["server_state"] = s.mode;
  j["ephemerals_count"] = s.ephemeralCount;
  j["num_alive_connections"] = s.aliveConnections;
  j["avg_latency"] = serverAvgLatency(s);
  j["outstanding_requests"] = s.outstandingRequests;
  j["znode_count"] = s.znodeCount;
  j["global_sessions"] = s.sessions.size();
  j["local_sessions"] = 0;
  j["packets_sent"] = s.packetsSent;
  j["packets_received"] = s.packetsReceived;
  j["watch_count"] = s.watchCount;
  j["min_latency"] = s.minLatencyMs;
  if (s.maxFds != 0) j["max_file_descriptor_count"] = s.maxFds;
  j["approximate_data_size"] = s.approximateDataSize;
  if (s.openFds != 0) j["open_file_descriptor_count"] = s.openFds;
  j["uptime"] = s.uptimeMs;
  j["max_latency"] = s.maxLatencyMs;
  if (m != nullptr) {
    uint64_t n = m->fsync.count();
    int64_t sumMs = int64_t(m->fsync.sumMicros() / 1000);
    j["avg_fsynctime"] = roundedAvg(sumMs, n);
    j["min_fsynctime"] = int64_t(m->fsync.minMicros() / 1000);
    j["max_fsynctime"] = int64_t(m->fsync.maxMicros() / 1000);
    j["cnt_fsynctime"] = n;
    j["sum_fsynctime"] = sumMs;
    putSummary(j, "readlatency", m->readLatency);
    putSummary(j, "updatelatency", m->updateLatency);
  }
  return j;
}

// ExpiryQueue.roundToNextInterval
int64_t expiryBucket(int64_t deadlineMs, int64_t intervalMs) {
  if (intervalMs <= 0) return deadlineMs;
  return (deadlineMs / intervalMs + 1) * intervalMs;
}

json commandBody(const std::string& name, const std::map<std::string, std::string>& params,
                 const AdminContext& ctx) {
  (void)params;
  const ServerStats& s = ctx.stats;
  const ServerConfig& c = ctx.config;
  json j = json::object();
  if (name == "ruok" || name == "connection_stat_reset" || name == "stat_reset") {
    // nothing but command and error
  } else if (name == "configuration") {
    // ZooKeeperServer.getConf (standalone).
    std::string dataDir = absolute(c.dataDir);
    j["client_port"] = c.clientPort;
    j["data_dir"] = dataDir;
    j["data_log_dir"] = c.dataLogDir.empty() ? dataDir : absolute(c.dataLogDir);
    j["tick_time"] = c.tickTime;
    j["max_client_cnxns"] = c.maxClientCnxns;
    j["min_session_timeout"] = c.minSessionTimeout;
    j["max_session_timeout"] = c.maxSessionTimeout;
    j["server_id"] = c.standalone() ? 0 : c.myid;
    j["client_port_listen_backlog"] = c.clientPortListenBacklog;
  } else if (name == "connections") {
    json conns = json::array();
    for (const auto& cs : s.connections) conns.push_back(connectionInfo(cs, false));
    j["connections"] = std::move(conns);
    j["secure_connections"] = json::array();
  } else if (name == "dirs") {
    j["datadir_size"] = s.dataDirBytes;
    j["logdir_size"] = s.logDirBytes;
  } else if (name == "dump") {
    std::map<int64_t, std::vector<int64_t>> buckets;
    for (const auto& [id, deadline] : s.sessionExpiry) {
      buckets[expiryBucket(deadline, c.tickTime)].push_back(id);
    }
    json expiry = json::object();
    for (auto& [t, ids] : buckets) {
      std::sort(ids.begin(), ids.end());
      expiry[std::to_string(t)] = ids;
    }
    json eph = json::object();
    for (const auto& [id, paths] : s.ephemeralsBySession) eph[std::to_string(id)] = paths;
    j["expiry_time_to_session_ids"] = std::move(expiry);
    j["session_id_to_ephemeral_paths"] = std::move(eph);
  } else if (name == "environment") {
    for (const auto& [k, v] : s.environment) j[k] = v;
  } else if (name == "initial_configuration") {
    j["initial_configuration"] = ctx.initialConfiguration;
  } else if (name == "is_read_only") {
    j["read_only"] = false;
  } else if (name == "leader") {
    // What a standalone ZooKeeper answers: "error" comes first (it is in the data map).
    j["error"] = "server is not initialized";
  } else if (name == "monitor") {
    j = monitorJson(s, ctx.metrics);
  } else if (name == "observers") {
    j["synced_observers"] = 0;
    j["observers"] = json::array();
  } else if (name == "server_stats") {
    j = serverStatsJson(s);
  } else if (name == "stats") {
    j = serverStatsJson(s);
    json conns = json::array();
    for (const auto& cs : s.connections) conns.push_back(connectionInfo(cs, true));
    j["connections"] = std::move(conns);
    j["secure_connections"] = json::array();
  } else if (name == "system_properties") {
    for (const auto& [k, v] : c.systemProperties) j[k] = v;
  } else if (name == "voting_view") {
    j["current_config"] = json::object();
  } else if (name == "watch_summary") {
    j["num_connections"] = s.watcherConnections;
    j["num_paths"] = s.watchedPathCount;
    j["num_total_watches"] = s.dataWatchCount;
  } else if (name == "watches") {
    json m = json::object();
    for (const auto& [sid, paths] : s.watchesBySession) {
      auto& list = m[std::to_string(sid)];
      if (list.is_null()) list = json::array();
      for (const auto& p : paths) list.push_back(p);
    }
    j["session_id_to_watched_paths"] = std::move(m);
  } else if (name == "watches_by_path") {
    json m = json::object();
    for (const auto& [path, sids] : s.watchesByPath) m[path] = sids;
    j["path_to_session_ids"] = std::move(m);
  } else if (name == "zabstate") {
    j["voting"] = false;
    j["zabstate"] = "";
  }
  return j;
}

void writePretty(std::string& out, const json& j, int indent) {
  switch (j.type()) {
    case json::value_t::object: {
      if (j.empty()) {
        out += "{ }";
        return;
      }
      out += "{\n";
      bool first = true;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out += ",\n";
        first = false;
        out.append(size_t(indent + 2), ' ');
        out += json(it.key()).dump();
        out += " : ";
        writePretty(out, it.value(), indent + 2);
      }
      out += "\n";
      out.append(size_t(indent), ' ');
      out += "}";
      return;
    }
    case json::value_t::array: {
      if (j.empty()) {
        out += "[ ]";
        return;
      }
      out += "[ ";
      bool first = true;
      for (const auto& v : j) {
        if (!first) out += ", ";
        first = false;
        writePretty(out, v, indent);
      }
      out += " ]";
      return;
    }
    case json::value_t::number_float: {
      double v = j.get<double>();
      if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e7) {
        out += fmt::format("{}.0", int64_t(v));  // Java's Double.toString: "3.0"
      } else {
        out += j.dump();
      }
      return;
    }
    default:
      out += j.dump();
  }
}

// --- HTTP ----------------------------------------------------------------------------------

std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += char(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

kj::Own<kj::ConnectionReceiver> bindListener(kj::LowLevelAsyncIoProvider& lowLevel,
                                             const std::string& what, const std::string& host,
                                             int port) {
  auto fail = [&](const std::string& why) -> std::runtime_error {
    return std::runtime_error(
        fmt::format("cannot start the {} on {}:{}: {}", what, host, port, why));
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  std::string portText = std::to_string(port);
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), portText.c_str(), &hints, &res);
  if (rc != 0) throw fail(gai_strerror(rc));
  std::string lastError = "no usable address";
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                      ai->ai_protocol);
    if (fd < 0) {
      lastError = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
      lastError = std::strerror(errno);
      ::close(fd);
      continue;
    }
    ::freeaddrinfo(res);
    return lowLevel.wrapListenSocketFd(fd, kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP |
                                               kj::LowLevelAsyncIoProvider::ALREADY_CLOEXEC |
                                               kj::LowLevelAsyncIoProvider::ALREADY_NONBLOCK);
  }
  ::freeaddrinfo(res);
  throw fail(lastError);
}

std::string readFile(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string adminCommandName(const std::string& nameOrAlias) {
  for (const auto& spec : commandSpecs()) {
    if (nameOrAlias == spec.name) return spec.name;
    for (const char* a : spec.aliases) {
      if (nameOrAlias == a) return spec.name;
    }
  }
  return "";
}

std::vector<std::string> adminCommandNames() {
  std::vector<std::string> names;
  for (const auto& spec : commandSpecs()) names.emplace_back(spec.name);
  std::sort(names.begin(), names.end());
  return names;
}

bool adminCommandNeedsStats(const std::string& primaryName) {
  for (const auto& spec : commandSpecs()) {
    if (primaryName == spec.name) return spec.needsStats;
  }
  return false;
}

json adminCommandJson(const std::string& name, const std::map<std::string, std::string>& params,
                      const AdminContext& ctx) {
  std::string primary = adminCommandName(name);
  json j;
  if (primary.empty()) {
    j["command"] = name;
    j["error"] = "Unknown command: " + name;
    return j;
  }
  j = commandBody(primary, params, ctx);
  // CommandResponse.toMap: the data, then "command" and "error" (a key already there keeps
  // its place, as "error" does for leader).
  j["command"] = primary;
  if (!j.contains("error")) j["error"] = nullptr;
  return j;
}

std::string jacksonPretty(const json& j) {
  std::string out;
  writePretty(out, j, 0);
  return out;
}

std::string adminCommandListing(const std::string& commandUrl) {
  std::string out;
  for (const auto& name : adminCommandNames()) {
    out += fmt::format("<a href=\"{}/{}\">{}</a>\n<br/>\n", commandUrl, name, name);
  }
  return out;
}

MetricsGauges metricsGauges(const ServerStats& s) {
  MetricsGauges g;
  g.znodeCount = s.znodeCount;
  g.watchCount = s.watchCount;
  g.ephemeralsCount = s.ephemeralCount;
  g.approximateDataSize = s.approximateDataSize;
  g.aliveConnections = s.aliveConnections;
  g.outstandingRequests = s.outstandingRequests;
  g.globalSessions = s.sessions.size();
  g.packetsReceived = s.packetsReceived;
  g.packetsSent = s.packetsSent;
  g.avgLatency = serverAvgLatency(s);
  g.minLatency = s.minLatencyMs;
  g.maxLatency = s.maxLatencyMs;
  g.uptimeMs = s.uptimeMs;
  g.openFds = s.openFds;
  g.maxFds = s.maxFds;
  g.lastZxid = s.zxid;
  return g;
}

bool prometheusProviderConfigured(const ServerConfig& config) {
  return config.metricsProviderClassName == kPrometheusProvider;
}

// --- the server ----------------------------------------------------------------------------

namespace {

class AdminService final : public kj::HttpService {
 public:
  AdminService(const kj::HttpHeaderTable& table, const ServerConfig& config, AdminHooks& hooks,
               const std::string& initialConfiguration, bool metricsOnly)
      : table_(table),
        config_(config),
        hooks_(hooks),
        initial_(initialConfiguration),
        metricsOnly_(metricsOnly) {}

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url, const kj::HttpHeaders&,
                            kj::AsyncInputStream& requestBody, Response& response) override {
    std::string target(url.cStr());
    std::string path = target, query;
    if (size_t q = target.find('?'); q != std::string::npos) {
      path = target.substr(0, q);
      query = target.substr(q + 1);
    }
    path = percentDecode(path);
    const std::string& base = config_.adminCommandURL;

    if (!metricsOnly_ && path == "/query" && hooks_.query) {
      return queryRequest(method, requestBody, response);
    }
    bool isMetrics = path == "/metrics";
    bool isListing = !metricsOnly_ && (path == base || path == base + "/");
    bool isCommand = !metricsOnly_ && !isListing && path.size() > base.size() + 1 &&
                     path.compare(0, base.size() + 1, base + "/") == 0;
    if (!isMetrics && !isListing && !isCommand) {
      return send(response, 404, "Not Found", "text/plain;charset=utf-8", "Not Found\n");
    }
    if (method != kj::HttpMethod::GET && method != kj::HttpMethod::HEAD) {
      return send(response, 405, "Method Not Allowed", "text/plain;charset=utf-8",
                  "HTTP method " + std::string(kj::str(method).cStr()) +
                      " is not supported by this URL\n");
    }
    if (isMetrics) {
      ServerStats stats = hooks_.stats();
      static const Metrics kNone;
      std::string body =
          prometheusText(metricsGauges(stats), hooks_.metrics ? *hooks_.metrics : kNone);
      return send(response, 200, "OK", "text/plain; version=0.0.4; charset=utf-8",
                  std::move(body));
    }
    if (isListing) {
      return send(response, 200, "OK", "text/html;charset=utf-8", adminCommandListing(base));
    }

    std::string name = path.substr(base.size() + 1);
    std::map<std::string, std::string> params;
    std::string_view rest = query;
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view kv = rest.substr(0, amp);
      size_t eq = kv.find('=');
      std::string k = percentDecode(kv.substr(0, eq));
      std::string v = eq == std::string_view::npos ? "" : percentDecode(kv.substr(eq + 1));
      if (!k.empty()) params.emplace(k, v);
      if (amp == std::string_view::npos) break;
      rest = rest.substr(amp + 1);
    }
    std::string primary = adminCommandName(name);
    if (primary == "connection_stat_reset" && hooks_.resetConnectionStats) {
      hooks_.resetConnectionStats();
    }
    if (primary == "stat_reset" && hooks_.resetServerStats) hooks_.resetServerStats();
    ServerStats stats = adminCommandNeedsStats(primary) ? hooks_.stats() : ServerStats{};
    AdminContext ctx{stats, config_, hooks_.metrics, initial_};
    std::string body = jacksonPretty(adminCommandJson(name, params, ctx));
    return send(response, 200, "OK", "application/json", std::move(body));
  }

 private:
  // POST /query: JSON in, JSON out; the query itself runs off the loop (QueryService).
  kj::Promise<void> queryRequest(kj::HttpMethod method, kj::AsyncInputStream& requestBody,
                                 Response& response) {
    constexpr uint64_t kMaxBody = 4 << 20;  // a query and its parameters, not a data upload
    if (method != kj::HttpMethod::POST) {
      QueryAnswer a = queryErrorAnswer(405, "request", "use POST /query with a JSON body");
      return send(response, 405, "Method Not Allowed", "application/json", a.body);
    }
    return requestBody.readAllText(kMaxBody)
        .then(
            [this](kj::String body) { return hooks_.query(std::string(body.cStr(), body.size())); },
            [](kj::Exception&& e) {
              return kj::Promise<QueryAnswer>(queryErrorAnswer(
                  413, "request", "the request body could not be read or is over 4 MiB"));
            })
        .then([this, &response](QueryAnswer a) {
          return send(response, a.status, statusText(a.status), "application/json",
                      std::move(a.body));
        });
  }

  static kj::StringPtr statusText(int status) {
    switch (status) {
      case 200: return "OK";
      case 400: return "Bad Request";
      case 405: return "Method Not Allowed";
      case 413: return "Payload Too Large";
      case 422: return "Unprocessable Entity";
      case 503: return "Service Unavailable";
      default: return "Internal Server Error";
    }
  }

  kj::Promise<void> send(Response& response, uint status, kj::StringPtr statusText,
                         kj::StringPtr contentType, std::string body) {
    kj::HttpHeaders headers(table_);
    headers.set(kj::HttpHeaderId::CONTENT_TYPE, contentType);
    auto stream = response.send(status, statusText, headers, uint64_t(body.size()));
    auto data = kj::heapString(body.data(), body.size());
    auto promise = stream->write(data.begin(), data.size());
    return promise.attach(kj::mv(stream), kj::mv(data));
  }

  const kj::HttpHeaderTable& table_;
  const ServerConfig& config_;
  AdminHooks& hooks_;
  const std::string& initial_;
  bool metricsOnly_;
};

}  // namespace

struct AdminServer::Impl : public kj::TaskSet::ErrorHandler {
  Impl(kj::AsyncIoProvider& provider, kj::LowLevelAsyncIoProvider& lowLevel,
       const ServerConfig& c, AdminHooks h)
      : config(c), hooks(std::move(h)), initial(readFile(c.sourcePath)), tasks(*this) {
    kj::HttpHeaderTable::Builder builder;
    table = builder.build();
    if (config.adminEnableServer) {
      adminListener = bindListener(lowLevel, "admin server", config.adminServerAddress,
                                   config.adminServerPort);
      adminService = kj::heap<AdminService>(*table, config, hooks, initial, false);
      adminHttp = kj::heap<kj::HttpServer>(provider.getTimer(), *table, *adminService);
      tasks.add(adminHttp->listenHttp(*adminListener));
      GK_LOG_INFO("Started AdminServer on address {}, port {} and command URL {}",
                  config.adminServerAddress, config.adminServerPort, config.adminCommandURL);
    }
    if (prometheusProviderConfigured(config)) {
      if (config.metricsProviderHttpPort <= 0) {
        throw std::runtime_error(
            "cannot start the Prometheus metrics provider: metricsProvider.httpPort is not a "
            "port number");
      }
      metricsListener = bindListener(lowLevel, "Prometheus metrics provider",
                                     config.metricsProviderHttpHost,
                                     config.metricsProviderHttpPort);
      metricsService = kj::heap<AdminService>(*table, config, hooks, initial, true);
      metricsHttp = kj::heap<kj::HttpServer>(provider.getTimer(), *table, *metricsService);
      tasks.add(metricsHttp->listenHttp(*metricsListener));
      GK_LOG_INFO("Started Prometheus metrics on {}:{}/metrics", config.metricsProviderHttpHost,
                  config.metricsProviderHttpPort);
    }
  }

  void taskFailed(kj::Exception&& e) override {
    GK_LOG_WARN("admin server: {}", e.getDescription().cStr());
  }

  const ServerConfig& config;
  AdminHooks hooks;
  std::string initial;
  kj::Own<kj::HttpHeaderTable> table;
  kj::Own<kj::ConnectionReceiver> adminListener, metricsListener;
  kj::Own<AdminService> adminService, metricsService;
  kj::Own<kj::HttpServer> adminHttp, metricsHttp;
  // Last: its promises use everything above, so it goes first.
  kj::TaskSet tasks;
};

AdminServer::AdminServer(kj::AsyncIoProvider& provider, kj::LowLevelAsyncIoProvider& lowLevel,
                         const ServerConfig& config, AdminHooks hooks)
    : impl_(std::make_unique<Impl>(provider, lowLevel, config, std::move(hooks))) {}

AdminServer::~AdminServer() = default;

bool AdminServer::serving() const { return impl_->adminHttp || impl_->metricsHttp; }

}  // namespace gk::engine
