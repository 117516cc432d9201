// Four-letter words in ZooKeeper 3.8's exact text. Every layout here was checked against a
// real 3.8 server's replies (and its source: StatCommand, ServerCnxn.dumpConnectionInfo,
// WatchManager, ExpiryQueue.dump, MonitorCommand); numbers come from ServerStats.
#include "engine/four_letter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

namespace gk::engine {
namespace {

const std::set<std::string>& knownWords() {
  static const std::set<std::string> words = {"ruok", "srvr", "stat", "conf", "cons",
                                              "envi", "mntr", "wchs", "wchc", "wchp",
                                              "dirs", "isro", "crst", "srst", "dump"};
  return words;
}

// Java's Long.toHexString: lowercase, no padding, two's complement for negatives.
std::string hex(int64_t v) {
  char buf[17];
  auto r = std::to_chars(buf, buf + sizeof buf, static_cast<uint64_t>(v), 16);
  return std::string(buf, r.ptr);
}

// Java's Double.toString: plain decimals with at least one fraction digit for
// 1e-3 <= |v| < 1e7 ("0.0", "3.0714", "12.0"), otherwise "1.0E-4" / "1.2345E7".
// Both print the shortest digits that read back to the same double.
std::string javaDouble(double v) {
  if (v == 0) return "0.0";
  std::string out;
  if (v < 0) {
    out = "-";
    v = -v;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // "d[.ddd]e±XX"
  size_t e = sci.find('e');
  int exp = std::stoi(sci.substr(e + 1));
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  if (v >= 1e-3 && v < 1e7) {
    if (exp >= 0) {
      if (digits.size() <= static_cast<size_t>(exp) + 1)
        digits.append(exp + 2 - digits.size(), '0');
      std::string frac = digits.substr(exp + 1);
      out += digits.substr(0, exp + 1) + "." + frac;
    } else {
      out += "0." + std::string(-exp - 1, '0') + digits;
    }
  } else {
    out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
           std::to_string(exp);
  }
  return out;
}

// ZooKeeper's AvgMinMaxCounter.getAvg: total/count as a double, then
// BigDecimal(avg).setScale(4, HALF_UP). The rounding is of the double's exact binary value,
// so the exact decimal expansion (glibc prints it exactly) decides ties such as 1/32.
double roundedAverage(int64_t total, uint64_t count) {
  if (count == 0) return 0;
  double avg = static_cast<double>(total) / static_cast<double>(count);
  if (!(avg > 0) || avg >= 1e15) return avg;
  char buf[128];
  std::snprintf(buf, sizeof buf, "%.80f", avg);  // exact for every avg >= 2^-27
  std::string s(buf);
  size_t dot = s.find('.');
  int64_t scaled = std::stoll(s.substr(0, dot)) * 10000 + std::stoll(s.substr(dot + 1, 4));
  if (s[dot + 5] >= '5') ++scaled;
  return static_cast<double>(scaled) / 10000.0;
}

std::string serverAvgLatency(const ServerStats& stats) {
  double avg = stats.latencyCount > 0 ? roundedAverage(stats.totalLatencyMs, stats.latencyCount)
                                      : static_cast<double>(stats.avgLatencyMs);
  return javaDouble(avg);
}

// Java's InetSocketAddress.toString for an accepted socket: "/10.0.0.1:2181", IPv6 in
// brackets with every group spelled out ("/[0:0:0:0:0:0:0:1]:2181"), and IPv4-mapped IPv6
// shown as plain IPv4 (Java turns those into Inet4Address).
std::string javaSocketAddress(const std::string& ip, int port) {
  std::string host = ip;
  in6_addr a6{};
  std::string bare = ip;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']')
    bare = bare.substr(1, bare.size() - 2);
  std::string scope;
  if (size_t pct = bare.find('%'); pct != std::string::npos) {
    scope = bare.substr(pct);
    bare = bare.substr(0, pct);
  }
  if (inet_pton(AF_INET6, bare.c_str(), &a6) == 1) {
    const uint8_t* b = a6.s6_addr;
    bool mapped =
        std::all_of(b, b + 10, [](uint8_t x) { return x == 0; }) && b[10] == 0xff && b[11] == 0xff;
    if (mapped) {
      host = std::to_string(b[12]) + "." + std::to_string(b[13]) + "." + std::to_string(b[14]) +
             "." + std::to_string(b[15]);
    } else {
      host = "[";
      for (int i = 0; i < 8; ++i) {
        if (i) host += ":";
        host += hex((b[2 * i] << 8) | b[2 * i + 1]);
      }
      host += scope + "]";
    }
  }
  return "/" + host + ":" + std::to_string(port);
}

// java.util.Date.toString in the local time zone: "Wed Nov 25 15:21:02 UTC 2026".
std::string javaDate(int64_t ms) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  tm t{};
  localtime_r(&secs, &t);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s %s %02d %02d:%02d:%02d %s %d", kDays[t.tm_wday],
                kMonths[t.tm_mon], t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                t.tm_zone ? t.tm_zone : "UTC", t.tm_year + 1900);
  return buf;
}

// ExpiryQueue.roundToNextInterval: deadlines are kept in buckets one interval apart.
int64_t expiryBucket(int64_t deadlineMs, int64_t intervalMs) {
  if (intervalMs <= 0) return deadlineMs;
  return (deadlineMs / intervalMs + 1) * intervalMs;
}

// ExpiryQueue.dump after its "Session " / "Connections " prefix: bucket count, element
// count, then each bucket (oldest first) with its elements one per tab-indented line.
void dumpExpiryQueue(std::string& out, const std::map<int64_t, std::vector<std::string>>& buckets,
                     size_t elements) {
  out += "Sets (" + std::to_string(buckets.size()) + ")/(" + std::to_string(elements) + "):\n";
  for (const auto& [when, items] : buckets) {
    out += std::to_string(items.size()) + " expire at " + javaDate(when) + ":\n";
    for (const auto& item : items) out += "\t" + item + "\n";
  }
}

// ServerCnxn.dumpConnectionInfo: stat prints the brief form, cons the full one (the session
// part only once a session exists, lcxid only once a request carried one).
std::string connectionInfo(const ConnectionStats& c, bool brief) {
  std::string out = " " + javaSocketAddress(c.ip, c.port) + "[" +
                    (c.interestOps == 0 ? std::string("0") : hex(c.interestOps)) +
                    "](queued=" + std::to_string(c.queued) +
                    ",recved=" + std::to_string(c.received) + ",sent=" + std::to_string(c.sent);
  if (!brief && c.sessionId != 0) {
    out += ",sid=0x" + hex(c.sessionId);
    out += ",lop=" + (c.lastOp.empty() ? std::string("NA") : c.lastOp);
    out += ",est=" + std::to_string(c.establishedMs);
    out += ",to=" + std::to_string(c.timeoutMs);
    if (c.lastCxid >= 0) out += ",lcxid=0x" + hex(c.lastCxid);
    out += ",lzxid=0x" + hex(c.lastZxid);
    out += ",lresp=" + std::to_string(c.lastOpMs);
    out += ",llat=" + std::to_string(c.lastLatencyMs);
    out += ",minlat=" + std::to_string(c.minLatencyMs);
    out += ",avglat=" + std::to_string(c.avgLatencyMs);
    out += ",maxlat=" + std::to_string(c.maxLatencyMs);
  }
  return out + ")";
}

// srvr, and stat with its client list: StatCommand followed by ServerStats.toString.
std::string serverSummary(const ServerStats& stats, bool withClients) {
  std::string out = "Zookeeper version: " + stats.version + "\n";
  if (withClients) {
    out += "Clients:\n";
    for (const auto& c : stats.connections) out += connectionInfo(c, true) + "\n";
    out += "\n";
  }
  out += "Latency min/avg/max: " + std::to_string(stats.minLatencyMs) + "/" +
         serverAvgLatency(stats) + "/" + std::to_string(stats.maxLatencyMs) + "\n";
  out += "Received: " + std::to_string(stats.packetsReceived) + "\n";
  out += "Sent: " + std::to_string(stats.packetsSent) + "\n";
  out += "Connections: " + std::to_string(stats.aliveConnections) + "\n";
  out += "Outstanding: " + std::to_string(stats.outstandingRequests) + "\n";
  out += "Zxid: 0x" + hex(stats.zxid) + "\n";
  out += "Mode: " + stats.mode + "\n";
  out += "Node count: " + std::to_string(stats.znodeCount) + "\n";
  return out;
}

// mntr: zk_version and zk_server_state first (ZooKeeperServer.dumpMonitorValues), then the
// metrics in the order 3.8's metrics registry (a ConcurrentHashMap) yields them for a
// standalone server. Only the metrics ServerStats can fill are printed.
std::string monitor(const ServerStats& stats) {
  std::string out;
  auto put = [&out](const char* key, const std::string& value) {
    out += std::string("zk_") + key + "\t" + value + "\n";
  };
  put("version", stats.version);
  put("server_state", stats.mode);
  put("ephemerals_count", std::to_string(stats.ephemeralCount));
  put("num_alive_connections", std::to_string(stats.aliveConnections));
  put("avg_latency", serverAvgLatency(stats));
  put("outstanding_requests", std::to_string(stats.outstandingRequests));
  put("znode_count", std::to_string(stats.znodeCount));
  put("global_sessions", std::to_string(stats.sessions.size()));
  put("packets_sent", std::to_string(stats.packetsSent));
  put("packets_received", std::to_string(stats.packetsReceived));
  put("watch_count", std::to_string(stats.watchCount));
  put("min_latency", std::to_string(stats.minLatencyMs));
  if (stats.maxFds != 0) put("max_file_descriptor_count", std::to_string(stats.maxFds));
  put("approximate_data_size", std::to_string(stats.approximateDataSize));
  if (stats.openFds != 0) put("open_file_descriptor_count", std::to_string(stats.openFds));
  put("uptime", std::to_string(stats.uptimeMs));
  put("max_latency", std::to_string(stats.maxLatencyMs));
  return out;
}

// dump: the session expiry queue, the ephemerals by owner, then the connection expiry queue.
std::string dump(const ServerStats& stats, const ServerConfig& config) {
  std::string out = "SessionTracker dump:\nSession ";
  std::map<int64_t, std::vector<std::string>> sessionBuckets;
  for (const auto& [id, deadline] : stats.sessionExpiry)
    sessionBuckets[expiryBucket(deadline, config.tickTime)].push_back("0x" + hex(id));
  dumpExpiryQueue(out, sessionBuckets, stats.sessionExpiry.size());

  // ZooKeeper drops an owner from its ephemerals map with its last node; so skip empty ones.
  size_t owners = std::count_if(stats.ephemeralsBySession.begin(), stats.ephemeralsBySession.end(),
                                [](const auto& e) { return !e.second.empty(); });
  out += "ephemeral nodes dump:\nSessions with Ephemerals (" + std::to_string(owners) + "):\n";
  for (const auto& [id, paths] : stats.ephemeralsBySession) {
    if (paths.empty()) continue;
    out += "0x" + hex(id) + ":\n";
    for (const auto& p : paths) out += "\t" + p + "\n";
  }

  out += "Connections dump:\n";
  // NIOServerCnxnFactory's idle-connection queue ticks every sessionlessCnxnTimeout (10 s by
  // default); the Netty factory prints nothing here, which is what untracked connections get.
  constexpr int64_t kCnxnExpiryIntervalMs = 10000;
  std::map<int64_t, std::vector<std::string>> cnxnBuckets;
  size_t tracked = 0;
  for (const auto& c : stats.connections) {
    if (c.expiresAtMs == 0) continue;
    ++tracked;
    cnxnBuckets[expiryBucket(c.expiresAtMs, kCnxnExpiryIntervalMs)].push_back(
        "ip: " + javaSocketAddress(c.ip, c.port) + " sessionId: 0x" + hex(c.sessionId));
  }
  if (tracked > 0) {
    out += "Connections ";
    dumpExpiryQueue(out, cnxnBuckets, tracked);
  }
  return out;
}

}  // namespace

bool isFourLetterWord(const std::string& word) { return knownWords().count(word) > 0; }

std::optional<std::string> fourLetterReply(const std::string& word, const ServerStats& stats,
                                           const ServerConfig& config) {
  if (!isFourLetterWord(word)) return std::nullopt;
  // zkServer.sh status asks srvr, so ZooKeeper allows it whatever the whitelist says.
  if (word != "srvr" && !config.fourLetterWordAllowed(word))
    return word + " is not executed because it is not in the whitelist.\n";

  if (word == "ruok") return std::string("imok");
  if (word == "isro") return std::string("rw");
  if (word == "srvr") return serverSummary(stats, false);
  if (word == "stat") return serverSummary(stats, true);
  if (word == "conf") return describeConfig(config);
  if (word == "mntr") return monitor(stats);
  if (word == "crst") return std::string("Connection stats reset.\n");
  if (word == "srst") return std::string("Server stats reset.\n");
  if (word == "dump") return dump(stats, config);
  if (word == "dirs") {
    return "datadir_size: " + std::to_string(stats.dataDirBytes) +
           "\nlogdir_size: " + std::to_string(stats.logDirBytes) + "\n";
  }
  if (word == "cons") {
    std::string out;
    for (const auto& c : stats.connections) out += connectionInfo(c, false) + "\n";
    return out + "\n";
  }
  if (word == "envi") {
    std::string out = "Environment:\n";
    for (const auto& [key, value] : stats.environment) out += key + "=" + value + "\n";
    return out;
  }
  if (word == "wchs") {
    // WatchManager.toString has no final newline; WatchCommand adds one.
    return std::to_string(stats.watcherConnections) + " connections watching " +
           std::to_string(stats.watchedPathCount) +
           " paths\nTotal watches:" + std::to_string(stats.dataWatchCount) + "\n";
  }
  if (word == "wchc") {
    std::string out;
    for (const auto& [id, paths] : stats.watchesBySession) {
      out += "0x" + hex(id) + "\n";
      for (const auto& p : paths) out += "\t" + p + "\n";
    }
    return out + "\n";
  }
  // wchp
  std::string out;
  for (const auto& [path, ids] : stats.watchesByPath) {
    out += path + "\n";
    for (int64_t id : ids) out += "\t0x" + hex(id) + "\n";
  }
  return out + "\n";
}

}  // namespace gk::engine
