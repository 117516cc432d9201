// zoo.cfg as ZooKeeper 3.8's QuorumPeerConfig reads it: java.util.Properties syntax, the keys
// QuorumPeerConfig parses itself, everything else kept as a "zookeeper."-prefixed system
// property (the ones ZooKeeper reads that way are interpreted here when GraphKeeper uses them),
// then the cross-key checks, first those that need only the text, then those that need myid.
#include "engine/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <string_view>
#include <system_error>

namespace gk::engine {

namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// java.util.Properties syntax

struct Property {
  std::string key;
  std::string value;
  int line = 0;  // where the logical line starts
};

bool isPropSpace(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// Java's String.trim(): everything up to and including ' ' goes.
std::string_view javaTrim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Properties.loadConvert: \t \n \r \f, \uXXXX, and \x for any other x.
std::string unescape(std::string_view s, const std::string& where) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' || i + 1 == s.size()) {
      out.push_back(c);
      continue;
    }
    c = s[++i];
    switch (c) {
      case 't': out.push_back('\t'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 'f': out.push_back('\f'); break;
      case 'u': {
        char32_t cp = 0;
        if (i + 4 >= s.size()) throw ConfigError(where + ": malformed \\uxxxx escape");
        for (int k = 1; k <= 4; ++k) {
          char h = s[i + k];
          int v = (h >= '0' && h <= '9')   ? h - '0'
                  : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                  : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                           : -1;
          if (v < 0) throw ConfigError(where + ": malformed \\uxxxx escape");
          cp = (cp << 4) | static_cast<char32_t>(v);
        }
        appendUtf8(out, cp);
        i += 4;
        break;
      }
      default: out.push_back(c);
    }
  }
  return out;
}

// Splits text into logical lines (comments and blank lines dropped, backslash continuations
// joined) and each into key and value, exactly where Properties.load would split them.
std::vector<Property> readProperties(std::string_view text, const std::string& source) {
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(pos, end - pos));
    pos = end;
    if (pos < text.size()) pos += text.compare(pos, 2, "\r\n") == 0 ? 2 : 1;
  }

  std::vector<Property> props;
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string_view l = lines[n];
    while (!l.empty() && isPropSpace(l.front())) l.remove_prefix(1);
    if (l.empty() || l.front() == '#' || l.front() == '!') continue;
    const int firstLine = static_cast<int>(n) + 1;
    std::string logical;
    for (;;) {
      size_t backslashes = 0;
      while (backslashes < l.size() && l[l.size() - 1 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 0 || n + 1 >= lines.size()) {
        logical.append(l);
        break;
      }
      logical.append(l.substr(0, l.size() - 1));
      l = lines[++n];
      while (!l.empty() && isPropSpace(l.front())) l.remove_prefix(1);
    }

    // The key ends at the first unescaped '=', ':' or white space.
    size_t keyLen = 0;
    bool escaped = false;
    bool hasSep = false;
    for (; keyLen < logical.size(); ++keyLen) {
      char c = logical[keyLen];
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '=' || c == ':') {
        hasSep = true;
        break;
      } else if (isPropSpace(c)) {
        break;
      }
    }
    size_t valueStart = keyLen + (hasSep ? 1 : 0);
    while (valueStart < logical.size()) {
      char c = logical[valueStart];
      if (!isPropSpace(c)) {
        if (hasSep || (c != '=' && c != ':')) break;
        hasSep = true;
      }
      ++valueStart;
    }
    const std::string where = source + ":" + std::to_string(firstLine);
    Property p;
    p.key = std::string(javaTrim(unescape(std::string_view(logical).substr(0, keyLen), where)));
    p.value = std::string(javaTrim(unescape(std::string_view(logical).substr(valueStart), where)));
    p.line = firstLine;
    props.push_back(std::move(p));
  }
  return props;
}

// ---------------------------------------------------------------------------------------------
// Keys

constexpr std::string_view kFourLetterWords[] = {
    "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk", "srst",
    "srvr", "stat", "wchc", "wchp", "wchs", "mntr", "isro", "hash", "telnet close"};

// Keys ZooKeeper 3.8 reads as "zookeeper.<key>" system properties (server side).
constexpr std::string_view kSystemPropertyKeys[] = {
    "4lw.commands.whitelist",
    "DigestAuthenticationProvider.digestAlg",
    "DigestAuthenticationProvider.enabled",
    "DigestAuthenticationProvider.superDigest",
    "SASLAuthenticationProvider.superPassword",
    "X509AuthenticationProvider.superUser",
    "allowSaslFailedClients",
    "audit.enable",
    "audit.impl.class",
    "bitHashCacheSize",
    "clientTcpKeepAlive",
    "closeSessionTxn.enabled",
    "cnxTimeout",
    "commitLogCount",
    "commitProcessor.maxCommitBatchSize",
    "commitProcessor.maxReadBatchSize",
    "commitProcessor.numWorkerThreads",
    "commitProcessor.shutdownTimeout",
    "connection_throttle_decrease_ratio",
    "connection_throttle_drop_decrease",
    "connection_throttle_drop_increase",
    "connection_throttle_fill_count",
    "connection_throttle_fill_time",
    "connection_throttle_freeze_time",
    "connection_throttle_global_session_weight",
    "connection_throttle_local_session_weight",
    "connection_throttle_renew_session_weight",
    "connection_throttle_tokens",
    "connection_throttle_weight_enabled",
    "datadir.autocreate",
    "db.autocreate",
    "digest.enabled",
    "electionPortBindRetry",
    "emulate353TTLNodes",
    "enableEagerACLCheck",
    "enforce.auth.enabled",
    "enforce.auth.schemes",
    "enforceQuota",
    "ensembleAuthName",
    "extendedTypesEnabled",
    "fastleader.maxNotificationInterval",
    "fastleader.minNotificationInterval",
    "flushDelay",
    "follower.skipLearnerRequestToNextProcessor",
    "forceSnapshotSync",
    "forceSync",
    "forward_learner_requests_to_commit_processor_disabled",
    "fsync.warningthresholdms",
    "globalOutstandingLimit",
    "intBufferStartingSizeBytes",
    "jute.maxbuffer",
    "jute.maxbuffer.extrasize",
    "kerberos.canonicalizeHostNames",
    "kerberos.removeHostFromPrincipal",
    "kerberos.removeRealmFromPrincipal",
    "largeRequestMaxBytes",
    "largeRequestThreshold",
    "leader.ackLoggingFrequency",
    "leader.closeSocketAsync",
    "leader.maxConcurrentDiffSyncs",
    "leader.maxConcurrentSnapSyncs",
    "leader.maxTimeToWaitForEpoch",
    "leaderConnectDelayDuringRetryMs",
    "leaderServes",
    "learner.asyncSending",
    "learner.closeSocketAsync",
    "letAnySaslUserDoX",
    "maxBatchSize",
    "maxCnxns",
    "maxGetChildrenResponseCacheSize",
    "maxInProcessingDeadWatchers",
    "maxResponseCacheSize",
    "maxWriteQueuePollTime",
    "messageTracker.BufferSize",
    "messageTracker.Enabled",
    "netty.advancedFlowControl.enabled",
    "netty.server.earlyDropSecureConnectionHandshakes",
    "netty.server.outstandingHandshake.limit",
    "nio.directBufferBytes",
    "nio.numSelectorThreads",
    "nio.numWorkerThreads",
    "nio.sessionlessCnxnTimeout",
    "nio.shutdownTimeout",
    "observer.election.DelayMs",
    "observer.reconnectDelayMs",
    "observer.syncEnabled",
    "observerMaster.sizeLimit",
    "pathStats.delay",
    "pathStats.enabled",
    "pathStats.initialDelay",
    "pathStats.maxDepth",
    "pathStats.sampleRate",
    "pathStats.slotCapacity",
    "pathStats.slotDuration",
    "pathStats.topPathMax",
    "preAllocSize",
    "quorumCnxnTimeoutMs",
    "request.timeout",
    "request_stale_connection_check",
    "request_stale_latency_check",
    "request_throttle_drop_stale",
    "request_throttle_max_requests",
    "request_throttle_stall_time",
    "request_throttler.shutdownTimeout",
    "requireKerberosConfig",
    "sasl.serverconfig",
    "security.auth_to_local",
    "server.principal",
    "server.realm",
    "serverCnxnFactory",
    "sessionRequireClientSASLAuth",
    "skipACL",
    "snapCount",
    "snapSizeLimitInKb",
    "snapshot.compression.method",
    "snapshot.trust.empty",
    "snapshotSizeFactor",
    "superUser",
    "tcpKeepAlive",
    "throttled_op_wait_time",
    "txnLogSizeLimitInKb",
    "watchManagerName",
};

// Families of such properties (and of keys QuorumPeerConfig parses under a prefix).
constexpr std::string_view kSystemPropertyPrefixes[] = {
    "admin.", "ssl.", "authProvider.", "quorum.", "metricsProvider.", "multiAddress.",
    // The container manager's (ContainerManager): checkIntervalMs, maxPerMinute,
    // maxNeverUsedIntervalMs. ZooKeeper reads them without the zookeeper. prefix, i.e. only
    // from -D flags; GraphKeeper takes them from zoo.cfg too (engine/container_manager.h).
    "znode.container.",
    // POST /query's limits (GraphKeeper's own: query.timeoutMs, query.maxRows,
    // query.maxConcurrent).
    "query."};

bool knownWord(std::string_view w) {
  return std::find(std::begin(kFourLetterWords), std::end(kFourLetterWords), w) !=
         std::end(kFourLetterWords);
}

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool recognisedSystemProperty(std::string_view key) {
  if (std::find(std::begin(kSystemPropertyKeys), std::end(kSystemPropertyKeys), key) !=
      std::end(kSystemPropertyKeys)) {
    return true;
  }
  if (startsWith(key, "watcherClean")) return true;
  return std::any_of(std::begin(kSystemPropertyPrefixes), std::end(kSystemPropertyPrefixes),
                     [&](std::string_view p) { return startsWith(key, p); });
}

// ---------------------------------------------------------------------------------------------
// Parsing state

struct Parser {
  ServerConfig cfg;
  std::string source;
  std::map<std::string, int> lineOf;  // key -> line of the value in effect
  std::vector<Property> memberProps;  // server.N / group.N / weight.N / version
  std::string memberSource;           // the file those came from
  bool clientPortGiven = false;
  bool clientPortAddressGiven = false;
  int secureClientPort = 0;
  bool secureClientPortAddressGiven = false;
  int minSessionTimeout = -1;
  int maxSessionTimeout = -1;
  bool multiAddressEnabled = false;
  std::string dynamicConfigFile;

  std::string at(int line) const { return source + ":" + std::to_string(line); }
  std::string at(const std::string& key) const {
    auto it = lineOf.find(key);
    return it == lineOf.end() ? source : at(it->second);
  }
  void warn(int line, const std::string& msg) { cfg.warnings.push_back(at(line) + ": " + msg); }
};

[[noreturn]] void badValue(const std::string& where, const Property& p,
                           std::string_view expected) {
  throw ConfigError(
      fmt::format("{}: bad value '{}' for {}: expected {}", where, p.value, p.key, expected));
}

// Java's Long.parseLong: optional sign, decimal digits, nothing else.
std::optional<int64_t> parseLong(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

int64_t longIn(const Parser& ps, const Property& p, int64_t min, int64_t max,
               std::string_view expected) {
  auto v = parseLong(p.value);
  if (!v || *v < min || *v > max) badValue(ps.at(p.line), p, expected);
  return *v;
}

int intIn(const Parser& ps, const Property& p, int min, int max, std::string_view expected) {
  return static_cast<int>(longIn(ps, p, min, max, expected));
}

constexpr int kIntMax = std::numeric_limits<int>::max();
constexpr int kIntMin = std::numeric_limits<int>::min();

int positiveInt(const Parser& ps, const Property& p) {
  return intIn(ps, p, 1, kIntMax, "a positive integer");
}
int nonNegativeInt(const Parser& ps, const Property& p) {
  return intIn(ps, p, 0, kIntMax, "an integer >= 0");
}
int anyInt(const Parser& ps, const Property& p) {
  return intIn(ps, p, kIntMin, kIntMax, "an integer");
}
int port(const Parser& ps, const Property& p, int min = 1) {
  return intIn(ps, p, min, 65535, min == 0 ? "a port number (0-65535)" : "a port number (1-65535)");
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// QuorumPeerConfig.parseBoolean: "true" or "false", any case.
bool boolean(const Parser& ps, const Property& p) {
  std::string v = lower(p.value);
  if (v == "true") return true;
  if (v == "false") return false;
  badValue(ps.at(p.line), p, "true or false");
}

std::string nonEmpty(const Parser& ps, const Property& p, std::string_view expected) {
  if (p.value.empty()) badValue(ps.at(p.line), p, expected);
  return p.value;
}

void parseWhitelist(Parser& ps, const Property& p) {
  std::set<std::string> words;
  std::string_view rest = p.value;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view w = javaTrim(rest.substr(0, comma));
    if (w == "*") {
      words.insert(std::begin(kFourLetterWords), std::end(kFourLetterWords));
    } else if (!w.empty()) {
      if (!knownWord(w)) {
        ps.warn(p.line, fmt::format("unknown four-letter word '{}' in {}", w, p.key));
      }
      words.emplace(w);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  words.insert("srvr");  // zkServer.sh status needs it, so ZooKeeper always allows it
  ps.cfg.fourLetterWords = std::move(words);
}

// Keys QuorumPeerConfig.parseProperties handles itself. False: not one of them.
bool parseQuorumPeerKey(Parser& ps, const Property& p) {
  ServerConfig& c = ps.cfg;
  const std::string& k = p.key;
  if (k == "dataDir") {
    c.dataDir = nonEmpty(ps, p, "a directory path");
  } else if (k == "dataLogDir") {
    c.dataLogDir = nonEmpty(ps, p, "a directory path");
  } else if (k == "clientPort") {
    c.clientPort = port(ps, p, 0);  // 0: "not set", as in ZooKeeper
    ps.clientPortGiven = c.clientPort != 0;
  } else if (k == "clientPortAddress") {
    c.clientPortAddress = nonEmpty(ps, p, "a host name or address");
    ps.clientPortAddressGiven = true;
  } else if (k == "secureClientPort") {
    ps.secureClientPort = port(ps, p, 0);
  } else if (k == "secureClientPortAddress") {
    nonEmpty(ps, p, "a host name or address");
    ps.secureClientPortAddressGiven = true;
  } else if (k == "observerMasterPort") {
    port(ps, p, 0);
  } else if (k == "clientPortListenBacklog") {
    c.clientPortListenBacklog = anyInt(ps, p);
  } else if (k == "tickTime") {
    c.tickTime = positiveInt(ps, p);
  } else if (k == "maxClientCnxns") {
    c.maxClientCnxns = nonNegativeInt(ps, p);
  } else if (k == "minSessionTimeout" || k == "maxSessionTimeout") {
    int v = intIn(ps, p, -1, kIntMax, "a number of milliseconds (-1: the default)");
    (k == "minSessionTimeout" ? ps.minSessionTimeout : ps.maxSessionTimeout) = v;
  } else if (k == "initLimit") {
    c.initLimit = nonNegativeInt(ps, p);
  } else if (k == "syncLimit") {
    c.syncLimit = nonNegativeInt(ps, p);
  } else if (k == "connectToLearnerMasterLimit") {
    nonNegativeInt(ps, p);
  } else if (k == "electionAlg") {
    intIn(ps, p, 3, 3, "3 (the only election algorithm ZooKeeper 3.8 supports)");
  } else if (k == "peerType") {
    std::string v = lower(p.value);
    if (v != "participant" && v != "observer") {
      badValue(ps.at(p.line), p, "participant or observer");
    }
    c.peerType = v;
  } else if (k == "dynamicConfigFile") {
    ps.dynamicConfigFile = nonEmpty(ps, p, "a file path");
  } else if (k == "autopurge.snapRetainCount") {
    c.autopurgeSnapRetainCount = anyInt(ps, p);
    if (c.autopurgeSnapRetainCount < 3) {
      ps.warn(p.line, fmt::format("autopurge.snapRetainCount {} is below the minimum 3; using 3",
                                  c.autopurgeSnapRetainCount));
      c.autopurgeSnapRetainCount = 3;
    }
  } else if (k == "autopurge.purgeInterval") {
    c.autopurgePurgeInterval = std::max(0, anyInt(ps, p));  // <= 0 turns purging off
  } else if (k == "standaloneEnabled") {
    c.standaloneEnabled = boolean(ps, p);
  } else if (k == "reconfigEnabled") {
    c.reconfigEnabled = boolean(ps, p);
  } else if (k == "localSessionsEnabled" || k == "localSessionsUpgradingEnabled" ||
             k == "quorumListenOnAllIPs" || k == "syncEnabled" || k == "sslQuorum" ||
             k == "portUnification" || k == "sslQuorumReloadCertFiles" ||
             k == "quorum.auth.enableSasl" || k == "quorum.auth.serverRequireSasl" ||
             k == "quorum.auth.learnerRequireSasl" || k == "jvm.pause.monitor" ||
             k == "multiAddress.reachabilityCheckEnabled") {
    boolean(ps, p);
  } else if (k == "multiAddress.enabled") {
    ps.multiAddressEnabled = boolean(ps, p);
  } else if (k == "quorum.cnxn.threads.size" || k == "multiAddress.reachabilityCheckTimeoutMs") {
    anyInt(ps, p);
  } else if (k == "jvm.pause.info-threshold.ms" || k == "jvm.pause.warn-threshold.ms" ||
             k == "jvm.pause.sleep.time.ms") {
    longIn(ps, p, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
           "an integer");
  } else if (k == "metricsProvider.className") {
    ps.cfg.metricsProviderClassName = p.value;
  } else if (k == "metricsProvider.httpHost") {
    ps.cfg.metricsProviderHttpHost = nonEmpty(ps, p, "a host name or address");
  } else if (k == "metricsProvider.httpPort") {
    // Only the Prometheus provider reads it, when it starts: a bad value matters only then.
    try {
      ps.cfg.metricsProviderHttpPort = port(ps, p);
    } catch (const ConfigError&) {
      ps.cfg.metricsProviderHttpPort = -1;
    }
  } else if (k == "quorum.auth.learner.saslLoginContext" ||
             k == "quorum.auth.server.saslLoginContext" ||
             k == "quorum.auth.kerberos.servicePrincipal" || startsWith(k, "metricsProvider.") ||
             k == "oraclePath") {
    // Read by ZooKeeper, nothing for GraphKeeper to do with them.
  } else {
    return false;
  }
  return true;
}

// "zookeeper.<key>" system properties that mean something to GraphKeeper.
void interpretSystemProperty(Parser& ps, const Property& p) {
  ServerConfig& c = ps.cfg;
  const std::string& k = p.key;
  if (k == "4lw.commands.whitelist") {
    parseWhitelist(ps, p);
  } else if (k == "admin.enableServer") {
    c.adminEnableServer = boolean(ps, p);
  } else if (k == "admin.serverAddress") {
    c.adminServerAddress = nonEmpty(ps, p, "a host name or address");
  } else if (k == "admin.serverPort") {
    c.adminServerPort = port(ps, p);
  } else if (k == "admin.commandURL") {
    c.adminCommandURL = nonEmpty(ps, p, "a URL path such as /commands");
  } else if (k == "admin.idleTimeout") {
    nonNegativeInt(ps, p);
  } else if (k == "query.timeoutMs") {
    c.queryTimeoutMs = positiveInt(ps, p);
  } else if (k == "query.maxRows") {
    c.queryMaxRows = longIn(ps, p, 1, std::numeric_limits<int64_t>::max(), "a positive integer");
  } else if (k == "query.maxConcurrent") {
    c.queryMaxConcurrent = intIn(ps, p, 1, 64, "an integer from 1 to 64");
  } else if (k == "extendedTypesEnabled") {
    c.extendedTypesEnabled = boolean(ps, p);
  } else if (k == "forceSync") {
    // ZooKeeper turns fsync off only for "no"; true/false are taken too, meaning the obvious.
    std::string v = lower(p.value);
    if (v == "yes" || v == "true") {
      c.forceSync = true;
    } else if (v == "no" || v == "false") {
      c.forceSync = false;
    } else {
      badValue(ps.at(p.line), p, "yes or no");
    }
  } else if (k == "jute.maxbuffer") {
    // ZooKeeper itself only honours -Djute.maxbuffer; from zoo.cfg it would be ignored.
    // Honouring it here can only accept more than ZooKeeper would, never less by surprise.
    c.juteMaxBuffer = positiveInt(ps, p);
  } else if (k == "globalOutstandingLimit") {
    c.globalOutstandingLimit = positiveInt(ps, p);
  } else if (k == "maxCnxns" || k == "cnxTimeout" || k == "electionPortBindRetry" ||
             k == "commitLogCount" || k == "snapCount") {
    nonNegativeInt(ps, p);
  } else if (k == "preAllocSize" || k == "snapSizeLimitInKb" || k == "txnLogSizeLimitInKb" ||
             k == "fsync.warningthresholdms") {
    longIn(ps, p, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
           "an integer");
  } else if (k == "enforceQuota" || k == "digest.enabled" || k == "closeSessionTxn.enabled") {
    boolean(ps, p);
  } else if (k == "skipACL") {
    if (p.value != "yes" && p.value != "no") {
      ps.warn(p.line, fmt::format("skipACL is on only for the exact value 'yes'; '{}' leaves "
                                  "ACL checks on",
                                  p.value));
    }
  }
}

void applyProperty(Parser& ps, const Property& p) {
  const std::string& k = p.key;
  if (k.empty()) throw ConfigError(ps.at(p.line) + ": a value without a key");
  const bool member = startsWith(k, "server.") || startsWith(k, "group") || startsWith(k, "weight");
  if (member) {
    ps.memberProps.push_back(p);  // read once all keys are known (multiAddress.enabled, ...)
    return;
  }
  if (parseQuorumPeerKey(ps, p)) return;
  // What QuorumPeerConfig does with every other key.
  ps.cfg.systemProperties["zookeeper." + k] = p.value;
  if (!recognisedSystemProperty(k)) {
    ps.warn(p.line, fmt::format("unknown key '{}' (kept as system property zookeeper.{})", k, k));
    return;
  }
  interpretSystemProperty(ps, p);
}

// ---------------------------------------------------------------------------------------------
// server.N lines

constexpr std::string_view kServerFormat =
    "host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]";

// ConfigUtils.getHostAndPort: "[v6]:p:q" or "h:p:q"; Java's split drops trailing empties.
std::optional<std::vector<std::string>> hostAndPorts(std::string_view s) {
  std::vector<std::string> parts;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    parts.emplace_back(s.substr(1, close - 1));
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    s = rest.empty() ? rest : rest.substr(1);
    if (rest.empty()) return parts;
  }
  while (true) {
    size_t colon = s.find(':');
    parts.emplace_back(s.substr(0, colon));
    if (colon == std::string_view::npos) break;
    s.remove_prefix(colon + 1);
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

std::optional<int> portNumber(std::string_view s) {
  auto v = parseLong(javaTrim(s));
  if (!v || *v < 1 || *v > 65535) return std::nullopt;
  return static_cast<int>(*v);
}

ServerEntry parseServerLine(Parser& ps, const std::string& where, int id, const Property& p) {
  auto bad = [&] { badValue(where, p, kServerFormat); };
  ServerEntry e;
  e.id = id;

  std::vector<std::string_view> halves;
  for (std::string_view rest = p.value;;) {
    size_t semi = rest.find(';');
    halves.push_back(rest.substr(0, semi));
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  while (halves.size() > 1 && halves.back().empty()) halves.pop_back();
  if (halves.size() > 2) bad();

  if (halves.size() == 2) {
    auto client = hostAndPorts(javaTrim(halves[1]));
    if (!client || client->empty() || client->size() > 2) bad();
    auto cport = portNumber(client->back());
    if (!cport) bad();
    e.clientPort = *cport;
    if (client->size() == 2) e.clientHost = std::string(javaTrim((*client)[0]));
  }

  std::string_view serverPart = halves[0];
  if (size_t bar = serverPart.find('|'); bar != std::string_view::npos) {
    if (!ps.multiAddressEnabled) {
      throw ConfigError(fmt::format(
          "{}: {} lists several addresses but multiAddress.enabled is not true", where, p.key));
    }
    ps.cfg.warnings.push_back(fmt::format(
        "{}: {} lists several addresses; GraphKeeper uses only the first", where, p.key));
    serverPart = serverPart.substr(0, bar);
  }
  auto parts = hostAndPorts(javaTrim(serverPart));
  if (!parts || parts->size() < 3 || parts->size() > 4) bad();
  e.host = std::string(javaTrim((*parts)[0]));
  auto qport = portNumber((*parts)[1]);
  auto eport = portNumber((*parts)[2]);
  if (e.host.empty() || !qport || !eport) bad();
  e.quorumPort = *qport;
  e.electionPort = *eport;
  if (e.quorumPort == e.electionPort) {
    throw ConfigError(fmt::format(
        "{}: {} uses port {} for both quorum and election; they must differ", where, p.key,
        e.quorumPort));
  }
  if (parts->size() == 4) {
    std::string type = lower(javaTrim((*parts)[3]));
    if (type == "observer") {
      e.observer = true;
    } else if (type != "participant") {
      throw ConfigError(fmt::format("{}: {}: unrecognised peer type '{}' (expected participant "
                                    "or observer)",
                                    where, p.key, (*parts)[3]));
    }
  }
  return e;
}

void parseMembers(Parser& ps) {
  ServerConfig& c = ps.cfg;
  bool hierarchical = false;
  for (const Property& p : ps.memberProps) {
    const std::string where = ps.memberSource + ":" + std::to_string(p.line);
    if (startsWith(p.key, "group") || startsWith(p.key, "weight")) {
      hierarchical = true;
      continue;
    }
    // "server.<id>"; the id is everything after the first dot, as QuorumMaj reads it.
    std::string_view idText = std::string_view(p.key).substr(7);
    auto id = parseLong(idText);
    if (!id || *id < 1 || *id > kIntMax) {
      throw ConfigError(
          fmt::format("{}: bad key '{}': expected server.<id> with an id >= 1", where, p.key));
    }
    const int sid = static_cast<int>(*id);
    if (c.servers.count(sid)) {
      throw ConfigError(fmt::format("{}: server id {} is listed twice", where, sid));
    }
    c.servers[sid] = parseServerLine(ps, where, sid, p);
    c.servers[sid].where = where;
  }
  if (hierarchical) {
    c.warnings.push_back(ps.memberSource +
                         ": group.N/weight.N (hierarchical quorums) are not supported by "
                         "GraphKeeper; every participant gets one vote");
  }
}

// The dynamic file holds the membership: server.N, group.N, weight.N and nothing else.
void readDynamicConfig(Parser& ps) {
  std::ifstream in(ps.dynamicConfigFile, std::ios::binary);
  if (!in) {
    throw ConfigError(fmt::format("{}: cannot read dynamicConfigFile {}",
                                  ps.at("dynamicConfigFile"), ps.dynamicConfigFile));
  }
  std::stringstream text;
  text << in.rdbuf();
  ps.memberSource = ps.dynamicConfigFile;
  for (const Property& p : readProperties(text.str(), ps.dynamicConfigFile)) {
    const std::string where = ps.dynamicConfigFile + ":" + std::to_string(p.line);
    if (p.key == "version") {
      throw ConfigError(where + ": a dynamic config file must not contain 'version'");
    }
    if (!startsWith(p.key, "server.") && !startsWith(p.key, "group") &&
        !startsWith(p.key, "weight")) {
      throw ConfigError(fmt::format("{}: unrecognised parameter '{}' in a dynamic config file",
                                    where, p.key));
    }
    ps.memberProps.push_back(p);
  }
  // "zoo.cfg.dynamic.100000000": the version is the hex suffix.
  std::string name = fs::path(ps.dynamicConfigFile).filename().string();
  if (size_t dot = name.rfind('.'); dot != std::string::npos) {
    std::string_view hex = std::string_view(name).substr(dot + 1);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (ec == std::errc() && end == hex.data() + hex.size()) ps.cfg.configVersion = v;
  }
}

// ---------------------------------------------------------------------------------------------
// Whole-config checks

bool distributed(const ServerConfig& c) {
  size_t participants = std::count_if(c.servers.begin(), c.servers.end(),
                                      [](const auto& s) { return !s.second.observer; });
  return !c.standaloneEnabled || participants > 1;
}

// Everything that the text alone decides (QuorumPeerConfig.parseProperties' tail and
// parseDynamicConfig).
void checkText(Parser& ps) {
  ServerConfig& c = ps.cfg;
  if (!ps.lineOf.count("dataDir")) throw ConfigError(ps.source + ": dataDir is not set");
  if (ps.clientPortAddressGiven && !ps.clientPortGiven) {
    throw ConfigError(ps.at("clientPortAddress") + ": clientPortAddress is set but clientPort "
                                                    "is not set");
  }
  if (ps.secureClientPortAddressGiven && ps.secureClientPort == 0) {
    throw ConfigError(ps.at("secureClientPortAddress") +
                      ": secureClientPortAddress is set but secureClientPort is not set");
  }
  if (ps.secureClientPort != 0) {
    c.warnings.push_back(ps.at("secureClientPort") +
                         ": secureClientPort is not supported by GraphKeeper (no TLS); ignored");
  }

  c.minSessionTimeout = ps.minSessionTimeout == -1 ? c.tickTime * 2 : ps.minSessionTimeout;
  c.maxSessionTimeout = ps.maxSessionTimeout == -1 ? c.tickTime * 20 : ps.maxSessionTimeout;
  if (c.minSessionTimeout > c.maxSessionTimeout) {
    const std::string where =
        ps.at(ps.lineOf.count("minSessionTimeout") ? "minSessionTimeout" : "maxSessionTimeout");
    throw ConfigError(fmt::format(
        "{}: minSessionTimeout ({} ms) must not be larger than maxSessionTimeout ({} ms)", where,
        c.minSessionTimeout, c.maxSessionTimeout));
  }

  if (!ps.dynamicConfigFile.empty()) {
    if (!ps.memberProps.empty()) {
      const Property& p = ps.memberProps.front();
      throw ConfigError(fmt::format("{}: {} must be in the dynamic config file {}", ps.at(p.line),
                                    p.key, ps.dynamicConfigFile));
    }
    readDynamicConfig(ps);
  } else {
    ps.memberSource = ps.source;
  }
  parseMembers(ps);

  size_t participants = 0, observers = 0;
  for (const auto& [id, s] : c.servers) (s.observer ? observers : participants)++;
  const std::string& src = ps.memberSource;
  if (participants == 0) {
    if (!c.standaloneEnabled) {
      throw ConfigError(src + ": standaloneEnabled=false needs at least one participant server.N");
    }
    if (observers > 0) throw ConfigError(src + ": observers without participants");
  } else if (participants == 1 && c.standaloneEnabled) {
    if (observers > 0) throw ConfigError(src + ": observers without a quorum");
    c.warnings.push_back(src + ": only one server specified; running standalone");
  } else if (participants <= 2) {
    c.warnings.push_back(src +
                         ": no server failure will be tolerated; you need at least 3 servers");
  } else if (participants % 2 == 0) {
    c.warnings.push_back(src + ": non-optimal configuration, consider an odd number of servers");
  }

  if (distributed(c)) {
    if (c.initLimit == 0) throw ConfigError(ps.at("initLimit") + ": initLimit is not set");
    if (c.syncLimit == 0) throw ConfigError(ps.at("syncLimit") + ": syncLimit is not set");
  }
}

bool wildcard(const std::string& host) { return host.empty() || host == "0.0.0.0" || host == "::"; }

std::string canonicalHost(std::string host) {
  host = lower(host);
  if (host == "localhost") return "127.0.0.1";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host;
}

std::string hostPort(const std::string& host, int port) {
  const std::string h = host.empty() ? "0.0.0.0" : host;
  return h.find(':') != std::string::npos ? fmt::format("[{}]:{}", h, port)
                                          : fmt::format("{}:{}", h, port);
}

// QuorumPeerConfig.setupClientPort / setupPeerType / checkValidity: this server's own line.
void checkWithMyid(Parser& ps, const std::string& myidFile) {
  ServerConfig& c = ps.cfg;
  auto it = c.myid > 0 ? c.servers.find(c.myid) : c.servers.end();
  if (it != c.servers.end()) {
    const ServerEntry& me = it->second;
    const std::string lineWhere = fmt::format("server.{} in {}", me.id, ps.memberSource);
    if (me.clientPort != 0 && ps.clientPortGiven) {
      const bool sameHost = wildcard(c.clientPortAddress) ||
                            (!wildcard(me.clientHost) &&
                             canonicalHost(c.clientPortAddress) == canonicalHost(me.clientHost));
      const bool same = sameHost && c.clientPort == me.clientPort;
      if (!same) {
        const std::string where =
            ps.at(ps.clientPortAddressGiven ? "clientPortAddress" : "clientPort");
        throw ConfigError(fmt::format(
            "{}: client address {} disagrees with the client address {} of {} (ZooKeeper "
            "refuses to start with this too)",
            where, hostPort(c.clientPortAddress, c.clientPort),
            hostPort(me.clientHost, me.clientPort), lineWhere));
      }
    }
    if (me.clientPort != 0) {
      c.clientPort = me.clientPort;
      c.clientPortAddress = me.clientHost;
    }
    const std::string role = me.observer ? "observer" : "participant";
    if (role != c.peerType) {
      c.warnings.push_back(fmt::format("{}: peerType {} disagrees with {} ({}); using {}",
                                       ps.at("peerType"), c.peerType, lineWhere, role, role));
      c.peerType = role;
    }
  }
  if (distributed(c)) {
    if (c.myid == 0) {
      throw ConfigError(myidFile + ": myid file is missing (an ensemble member needs one)");
    }
    if (it == c.servers.end()) {
      throw ConfigError(fmt::format("{}: server id {} has no server.{} line in {}", myidFile,
                                    c.myid, c.myid, ps.memberSource));
    }
  }
}

void checkClientPort(Parser& ps, bool myidKnown) {
  // Without myid, a server.N line may still supply it; loadConfig decides then.
  if (ps.cfg.clientPort == 0 && (myidKnown || ps.cfg.servers.empty())) {
    throw ConfigError(ps.at("clientPort") + ": clientPort is not set");
  }
}

Parser parseText(const std::string& text, const std::string& source) {
  Parser ps;
  ps.source = source;
  ps.cfg.sourcePath = source;
  // QuorumPeerConfig's own defaults, which differ from the embedded default's: no client port,
  // tickTime 3000 (ZooKeeperServer.DEFAULT_TICK_TIME), init/syncLimit unset.
  ps.cfg.clientPort = 0;
  ps.cfg.tickTime = 3000;
  ps.cfg.initLimit = 0;
  ps.cfg.syncLimit = 0;
  std::vector<Property> props = readProperties(text, source);

  // Properties keeps the last value of a key; say so, since ZooKeeper silently does the same.
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < props.size(); ++i) {
    auto [it, fresh] = last.try_emplace(props[i].key, i);
    if (!fresh) {
      ps.warn(props[i].line, fmt::format("duplicate key '{}' overrides line {}", props[i].key,
                                         props[it->second].line));
      it->second = i;
    }
  }
  for (const auto& [key, i] : last) ps.lineOf[key] = props[i].line;
  // multiAddress.enabled must be known before server lines are read; keys are applied in
  // file order, member lines are deferred until all keys are in.
  for (size_t i = 0; i < props.size(); ++i) {
    if (last[props[i].key] == i) applyProperty(ps, props[i]);
  }
  return ps;
}

// Recursive size of what is in `dir`, as ZooKeeper's getDirSize; 0 if it does not exist.
uint64_t dirSize(const fs::path& dir) {
  std::error_code ec;
  uint64_t total = 0;
  if (!fs::is_directory(dir, ec)) return 0;
  const auto options = fs::directory_options::skip_permission_denied;
  auto it = fs::recursive_directory_iterator(dir, options, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code fileEc;
    if (it->is_regular_file(fileEc)) {
      auto size = it->file_size(fileEc);
      if (!fileEc) total += size;
    }
  }
  return total;
}

std::string absolutePath(const std::string& p) {
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  if (ec) return p;
  std::string s = abs.lexically_normal().string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

bool ServerConfig::fourLetterWordAllowed(const std::string& word) const {
  if (word == "srvr") return true;
  if (fourLetterWords.count(word)) return true;
  return fourLetterWords.count("*") && knownWord(word);  // set by hand, not by the parser
}

ServerConfig parseConfig(const std::string& text, const std::string& source) {
  Parser ps = parseText(text, source);
  checkText(ps);
  checkClientPort(ps, false);
  return std::move(ps.cfg);
}

ServerConfig loadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the configuration file");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read the configuration file");

  Parser ps = parseText(text.str(), path);
  checkText(ps);

  // As QuorumPeerConfig.setupMyId: only the first line counts, a missing file is fine.
  const std::string myidFile = (fs::path(ps.cfg.dataDir) / "myid").string();
  std::error_code ec;
  if (fs::is_regular_file(myidFile, ec)) {
    std::ifstream myidIn(myidFile);
    std::string line;
    if (!myidIn || !std::getline(myidIn, line)) line.clear();
    std::string_view id = javaTrim(line);
    auto v = parseLong(id);
    if (!v || *v < 1 || *v > kIntMax) {
      throw ConfigError(fmt::format("{}: bad content '{}': expected a server id (an integer >= 1)",
                                    myidFile, id));
    }
    ps.cfg.myid = static_cast<int>(*v);
  }
  checkWithMyid(ps, myidFile);
  checkClientPort(ps, true);
  return std::move(ps.cfg);
}

ServerConfig defaultConfig() {
  ServerConfig c;
  c.clientPort = 2181;
  c.clientPortAddress = "127.0.0.1";
  c.dataDir = "./data";
  c.minSessionTimeout = c.tickTime * 2;
  c.maxSessionTimeout = c.tickTime * 20;
  c.fourLetterWords =
      std::set<std::string>(std::begin(kFourLetterWords), std::end(kFourLetterWords));
  c.adminEnableServer = false;
  return c;
}

std::string describeConfig(const ServerConfig& c) {
  // ZooKeeper prints its version-2 subdirectories here; GraphKeeper's layout is the data dir.
  const std::string dataDir = absolutePath(c.dataDir);
  const std::string dataLogDir = c.dataLogDir.empty() ? dataDir : absolutePath(c.dataLogDir);
  const bool ensemble = !c.standalone();
  std::string out;
  auto line = [&out](std::string_view key, const auto& value) {
    out += fmt::format("{}={}\n", key, value);
  };
  line("clientPort", c.clientPort > 0 ? c.clientPort : -1);
  line("secureClientPort", -1);
  line("dataDir", dataDir);
  line("dataDirSize", dirSize(dataDir));
  line("dataLogDir", dataLogDir);
  line("dataLogSize", dirSize(dataLogDir));
  line("tickTime", c.tickTime);
  line("maxClientCnxns", c.maxClientCnxns);
  line("minSessionTimeout", c.minSessionTimeout);
  line("maxSessionTimeout", c.maxSessionTimeout);
  line("clientPortListenBacklog", c.clientPortListenBacklog);
  line("serverId", ensemble ? c.myid : 0);  // a standalone ZooKeeper says 0 even with a myid
  if (!ensemble) return out;

  auto me = c.servers.find(c.myid);
  line("initLimit", c.initLimit);
  line("syncLimit", c.syncLimit);
  line("electionAlg", 3);
  line("electionPort", me != c.servers.end() ? me->second.electionPort : -1);
  line("quorumPort", me != c.servers.end() ? me->second.quorumPort : -1);
  line("peerType", c.peerType == "observer" ? 1 : 0);
  out += "membership: \n";
  for (const auto& [id, s] : c.servers) {
    out += fmt::format("server.{}={}:{}:{}", id,
                       s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host,
                       s.quorumPort, s.electionPort);
    out += s.observer ? ":observer" : ":participant";
    if (s.clientPort != 0) out += ";" + hostPort(s.clientHost, s.clientPort);
    out += '\n';
  }
  out += fmt::format("version={:x}", c.configVersion);  // ZooKeeper ends without a newline
  return out;
}

}  // namespace gk::engine
