// Four-letter words (ruok, srvr, stat, conf, cons, envi, mntr, wchs, wchc, wchp, dirs, isro,
// crst, srst, dump) answered on the client port, in the shapes ZooKeeper 3.8 prints.
// The server gathers a ServerStats; this module only formats it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/config.h"

namespace gk::engine {

struct ConnectionStats {
  std::string ip;
  int port = 0;
  uint64_t queued = 0;    // requests waiting
  uint64_t received = 0;  // packets
  uint64_t sent = 0;
  int64_t sessionId = 0;  // 0 before the handshake
  int64_t lastOpMs = 0;   // wall clock of the last request, 0 if none
  std::string lastOp;     // "GETD", "SETD", ... as ZooKeeper abbreviates, "NA" if none
  int64_t lastCxid = -1;
  int64_t lastZxid = -1;
  int32_t timeoutMs = 0;
  int64_t lastLatencyMs = 0, minLatencyMs = 0, avgLatencyMs = 0, maxLatencyMs = 0;
  int64_t establishedMs = 0;  // wall clock
  // ZooKeeper's "[..]" after the address: the NIO interest set, 1 while waiting to read,
  // 0 for the connection asking this four-letter word (it has stopped reading).
  int interestOps = 1;
  // dump: wall clock at which this connection is dropped if idle (last activity plus its
  // session timeout); 0 = not tracked. With none tracked, dump's "Connections dump:"
  // section stays empty, as ZooKeeper's Netty connection factory prints it.
  int64_t expiresAtMs = 0;
};

struct ServerStats {
  std::string version;  // e.g. "3.8.0-graphkeeper-0.1.0, built on ..."
  std::string mode = "standalone";
  int64_t zxid = 0;
  uint64_t znodeCount = 0;
  uint64_t ephemeralCount = 0;
  uint64_t approximateDataSize = 0;
  uint64_t watchCount = 0;  // total watches, data and child (mntr zk_watch_count)
  // wchs/wchc/wchp: ZooKeeper 3.8 reports only data watches (getData/exists) there, so the
  // next five hold data watches only; printed in the order given.
  uint64_t dataWatchCount = 0;      // wchs "Total watches:"
  uint64_t watchedPathCount = 0;    // paths with a data watch
  uint64_t watcherConnections = 0;  // connections with a data watch
  std::vector<std::pair<std::string, std::vector<int64_t>>> watchesByPath;     // wchp (session ids)
  std::vector<std::pair<int64_t, std::vector<std::string>>> watchesBySession;  // wchc
  std::vector<std::pair<int64_t, int32_t>> sessions;  // live sessions: id, timeout (mntr count)
  // dump: session id, wall clock its deadline falls at (last heard from plus its timeout).
  // Bucketed by tickTime as ZooKeeper's expiry queue does.
  std::vector<std::pair<int64_t, int64_t>> sessionExpiry;
  std::vector<std::pair<int64_t, std::vector<std::string>>> ephemeralsBySession;  // dump
  uint64_t packetsReceived = 0, packetsSent = 0;
  uint64_t outstandingRequests = 0;
  int64_t minLatencyMs = 0, avgLatencyMs = 0, maxLatencyMs = 0;
  // ZooKeeper prints the average latency as total/count rounded to 4 decimals ("3.0714");
  // with latencyCount 0 the whole avgLatencyMs is printed instead ("3.0").
  uint64_t latencyCount = 0;
  int64_t totalLatencyMs = 0;
  uint64_t aliveConnections = 0;
  std::vector<ConnectionStats> connections;
  // dirs "datadir_size"/"logdir_size". ZooKeeper 3.8 measures its transaction-log directory
  // for the first and its snapshot directory for the second (names swapped in its code).
  uint64_t dataDirBytes = 0, logDirBytes = 0;
  uint64_t openFds = 0, maxFds = 0;  // 0 = unknown: mntr leaves the keys out
  int64_t uptimeMs = 0;
  std::vector<std::pair<std::string, std::string>> environment;  // envi: key, value
};

// True for the words this server knows (on the client port the first four bytes decide).
bool isFourLetterWord(const std::string& word);

// The reply to `word`; honours config.fourLetterWords (ZooKeeper's text when not allowed).
// Returns nullopt for an unknown word: the connection is then closed without reply.
std::optional<std::string> fourLetterReply(const std::string& word, const ServerStats& stats,
                                           const ServerConfig& config);

}  // namespace gk::engine
