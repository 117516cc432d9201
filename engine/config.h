// ServerConfig: zoo.cfg and myid, read as ZooKeeper 3.8 reads them.
// A bad value stops start-up with a ConfigError naming the key and the line; a key
// ZooKeeper would not know is kept as a `zookeeper.`-prefixed system property and warned about.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace gk::engine {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// server.N=host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]
struct ServerEntry {
  int id = 0;
  std::string host;
  int quorumPort = 0;
  int electionPort = 0;
  bool observer = false;
  std::string clientHost;  // empty = all addresses
  int clientPort = 0;      // 0 = not given
  std::string where;       // "conf/zoo.cfg:12": the line it came from, for errors
};

struct ServerConfig {
  std::string sourcePath;  // the file read, empty for the embedded default
  int tickTime = 2000;
  int initLimit = 10;
  int syncLimit = 5;
  std::string dataDir = "./data";
  std::string dataLogDir;  // empty = dataDir
  int clientPort = 2181;
  std::string clientPortAddress;  // empty = all addresses
  int maxClientCnxns = 60;        // per client IP; 0 = no limit
  int clientPortListenBacklog = -1;  // listen() backlog; -1 = the system default
  int minSessionTimeout = 0;      // resolved: 2 * tickTime unless set
  int maxSessionTimeout = 0;      // resolved: 20 * tickTime unless set
  int autopurgeSnapRetainCount = 3;
  int autopurgePurgeInterval = 0;  // hours; 0 = off
  std::map<int, ServerEntry> servers;
  int64_t configVersion = 0;  // membership version (hex suffix of a dynamic config file)
  std::string peerType = "participant";
  bool standaloneEnabled = true;
  bool reconfigEnabled = false;
  bool adminEnableServer = true;
  std::string adminServerAddress = "0.0.0.0";
  int adminServerPort = 8080;
  std::string adminCommandURL = "/commands";
  // metricsProvider.className/httpHost/httpPort (ZooKeeper's Prometheus provider keys).
  std::string metricsProviderClassName;  // empty = ZooKeeper's default (no Prometheus port)
  std::string metricsProviderHttpHost = "0.0.0.0";
  int metricsProviderHttpPort = 7000;  // -1: not a port number (fails only if the provider is used)
  std::set<std::string> fourLetterWords = {"srvr"};  // "*" expands to all
  int64_t juteMaxBuffer = 0xfffff;
  bool extendedTypesEnabled = false;
  bool forceSync = true;
  int globalOutstandingLimit = 1000;
  // POST /query on the admin port (GraphKeeper's own keys, docs/admin.md): a query stops with a
  // limit error after query.timeoutMs or when a step produces more than query.maxRows rows;
  // query.maxConcurrent queries run at once on their own threads, more wait in line.
  int queryTimeoutMs = 30000;
  int64_t queryMaxRows = 1000000;
  int queryMaxConcurrent = 2;
  std::map<std::string, std::string> systemProperties;  // "zookeeper.<key>" -> value
  int myid = 0;                                         // from dataDir/myid, 0 if absent
  std::vector<std::string> warnings;                    // to log once logging is up

  bool standalone() const { return servers.size() <= 1 && standaloneEnabled; }
  bool fourLetterWordAllowed(const std::string& word) const;
};

// Parses zoo.cfg text. `source` names it in errors ("conf/zoo.cfg:12: ..."). A
// dynamicConfigFile it names is read too. Checks that need myid are left to loadConfig.
ServerConfig parseConfig(const std::string& text, const std::string& source);
// Reads the file, then `myid` from its dataDir (relative dataDir is relative to the cwd),
// then checks this server's server.N line against the rest (client address, peer type).
ServerConfig loadConfig(const std::string& path);
// The embedded default: standalone on 127.0.0.1:2181, data under ./data, all 4lw allowed.
ServerConfig defaultConfig();
// Text as ZooKeeper's `conf` four-letter word prints it.
std::string describeConfig(const ServerConfig& config);

}  // namespace gk::engine
