// Request and fsync metrics for the AdminServer's `monitor` command and the Prometheus
// exposition at /metrics. Everything here is updated on the loop thread except FsyncStats,
// which the replication thread writes (atomics, no locks).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gk::engine {

// ZooKeeper's AvgMinMaxPercentileCounter, in milliseconds: count, sum, min, max, and the last
// kWindow samples for the quantiles (ZooKeeper keeps a uniform reservoir of recent values).
class LatencySummary {
 public:
  static constexpr size_t kWindow = 1024;
  void add(int64_t v);
  void reset();
  uint64_t count() const { return count_; }
  int64_t sum() const { return sum_; }
  int64_t min() const { return count_ ? min_ : 0; }
  int64_t max() const { return count_ ? max_ : 0; }
  // total/count rounded to 4 decimals as ZooKeeper prints it; 0 with no samples.
  double avg() const;
  // The q-quantile (0 < q <= 1) of the recent samples, nearest rank; 0 with no samples.
  int64_t quantile(double q) const;

 private:
  uint64_t count_ = 0;
  int64_t sum_ = 0, min_ = 0, max_ = 0;
  std::vector<int64_t> window_;
  size_t next_ = 0;
};

// Time spent applying one batch to the store: LMDB writes plus the commit's fsync (ZooKeeper's
// "fsynctime", the transaction-log sync). Written by the replication thread.
class FsyncStats {
 public:
  void add(uint64_t micros);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t sumMicros() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t minMicros() const;
  uint64_t maxMicros() const { return max_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> count_{0}, sum_{0}, min_{UINT64_MAX}, max_{0};
};

class Metrics {
 public:
  // A request answered: `opcode` is the client op (ZooDefs.OpCode), `write` whether it went
  // through the write pipeline (ZooKeeper's updatelatency) or not (readlatency).
  void noteRequest(int32_t opcode, bool write, int64_t latencyMs);

  LatencySummary readLatency, updateLatency;
  std::map<int32_t, LatencySummary> perOp;  // by opcode
  FsyncStats fsync;
};

// The values /metrics reports beside Metrics: gauges from the server's state.
struct MetricsGauges {
  uint64_t znodeCount = 0, watchCount = 0, ephemeralsCount = 0, approximateDataSize = 0;
  uint64_t aliveConnections = 0, outstandingRequests = 0, globalSessions = 0;
  uint64_t packetsReceived = 0, packetsSent = 0;
  double avgLatency = 0;
  int64_t minLatency = 0, maxLatency = 0, uptimeMs = 0;
  uint64_t openFds = 0, maxFds = 0;  // 0 = unknown: left out
  int64_t lastZxid = 0;
};

// Prometheus text exposition format 0.0.4. Names follow ZooKeeper's Prometheus metrics
// provider where it has the metric (znode_count, readlatency, fsynctime, ...); per-op metrics,
// which ZooKeeper does not have, are prefixed graphkeeper_.
std::string prometheusText(const MetricsGauges& gauges, const Metrics& metrics);

}  // namespace gk::engine
