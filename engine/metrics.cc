#include "engine/metrics.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/proto.h"

namespace gk::engine {

void LatencySummary::add(int64_t v) {
  if (count_ == 0) {
    min_ = max_ = v;
  } else {
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }
  count_++;
  sum_ += v;
  if (window_.size() < kWindow) {
    window_.push_back(v);
  } else {
    window_[next_] = v;
    next_ = (next_ + 1) % kWindow;
  }
}

void LatencySummary::reset() { *this = LatencySummary(); }

double LatencySummary::avg() const {
  if (count_ == 0) return 0;
  return std::round(double(sum_) / double(count_) * 10000.0) / 10000.0;
}

int64_t LatencySummary::quantile(double q) const {
  if (window_.empty()) return 0;
  std::vector<int64_t> sorted = window_;
  std::sort(sorted.begin(), sorted.end());
  size_t rank = size_t(std::ceil(q * double(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void FsyncStats::add(uint64_t micros) {
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(micros, std::memory_order_relaxed);
  uint64_t cur = min_.load(std::memory_order_relaxed);
  while (micros < cur && !min_.compare_exchange_weak(cur, micros, std::memory_order_relaxed)) {
  }
  cur = max_.load(std::memory_order_relaxed);
  while (micros > cur && !max_.compare_exchange_weak(cur, micros, std::memory_order_relaxed)) {
  }
}

uint64_t FsyncStats::minMicros() const {
  uint64_t v = min_.load(std::memory_order_relaxed);
  return v == UINT64_MAX ? 0 : v;
}

void Metrics::noteRequest(int32_t opcode, bool write, int64_t latencyMs) {
  (write ? updateLatency : readLatency).add(latencyMs);
  perOp[opcode].add(latencyMs);
}

namespace {

// Prometheus wants Go-style floats; integers print without a fraction.
std::string num(double v) {
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", int64_t(v));
  return fmt::format("{}", v);
}

void gauge(std::string& out, const char* name, const char* help, double value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name, num(value));
}

// ZooKeeper's PrometheusSummary: quantiles 0.5, 0.9, 0.99 for ADVANCED summaries
// (readlatency, updatelatency), only _count and _sum for BASIC ones (fsynctime).
void summary(std::string& out, const char* name, const char* help, const LatencySummary& s,
             bool quantiles) {
  out += fmt::format("# HELP {} {}\n# TYPE {} summary\n", name, help, name);
  if (quantiles) {
    for (const char* q : {"0.5", "0.9", "0.99"}) {
      out += fmt::format("{}{{quantile=\"{}\"}} {}\n", name, q, s.quantile(std::stod(q)));
    }
  }
  out += fmt::format("{}_count {}\n{}_sum {}\n", name, s.count(), name, s.sum());
}

}  // namespace

std::string prometheusText(const MetricsGauges& g, const Metrics& m) {
  std::string out;
  gauge(out, "znode_count", "znode_count", double(g.znodeCount));
  gauge(out, "watch_count", "watch_count", double(g.watchCount));
  gauge(out, "ephemerals_count", "ephemerals_count", double(g.ephemeralsCount));
  gauge(out, "approximate_data_size", "approximate_data_size", double(g.approximateDataSize));
  gauge(out, "num_alive_connections", "num_alive_connections", double(g.aliveConnections));
  gauge(out, "outstanding_requests", "outstanding_requests", double(g.outstandingRequests));
  gauge(out, "global_sessions", "global_sessions", double(g.globalSessions));
  gauge(out, "packets_received", "packets_received", double(g.packetsReceived));
  gauge(out, "packets_sent", "packets_sent", double(g.packetsSent));
  gauge(out, "avg_latency", "avg_latency", g.avgLatency);
  gauge(out, "min_latency", "min_latency", double(g.minLatency));
  gauge(out, "max_latency", "max_latency", double(g.maxLatency));
  gauge(out, "uptime", "uptime", double(g.uptimeMs));
  if (g.openFds) {
    gauge(out, "open_file_descriptor_count", "open_file_descriptor_count", double(g.openFds));
  }
  if (g.maxFds) {
    gauge(out, "max_file_descriptor_count", "max_file_descriptor_count", double(g.maxFds));
  }
  summary(out, "readlatency", "Read request latency", m.readLatency, true);
  summary(out, "updatelatency", "Update request latency", m.updateLatency, true);

  // fsynctime: milliseconds, as ZooKeeper's FileTxnLog reports it.
  uint64_t fc = m.fsync.count();
  out += "# HELP fsynctime Fsync time\n# TYPE fsynctime summary\n";
  out += fmt::format("fsynctime_count {}\nfsynctime_sum {}\n", fc,
                     num(double(m.fsync.sumMicros()) / 1000.0));

  out += "# HELP graphkeeper_last_processed_zxid The last zxid applied\n"
         "# TYPE graphkeeper_last_processed_zxid gauge\n";
  out += fmt::format("graphkeeper_last_processed_zxid {}\n", g.lastZxid);

  out += "# HELP graphkeeper_requests_total Requests answered, by op\n"
         "# TYPE graphkeeper_requests_total counter\n";
  for (const auto& [op, s] : m.perOp) {
    out += fmt::format("graphkeeper_requests_total{{op=\"{}\"}} {}\n", opName(op), s.count());
  }
  out += "# HELP graphkeeper_request_latency_ms Request latency in milliseconds, by op\n"
         "# TYPE graphkeeper_request_latency_ms summary\n";
  for (const auto& [op, s] : m.perOp) {
    const char* name = opName(op);
    for (const char* q : {"0.5", "0.9", "0.99"}) {
      out += fmt::format("graphkeeper_request_latency_ms{{op=\"{}\",quantile=\"{}\"}} {}\n", name,
                         q, s.quantile(std::stod(q)));
    }
    out += fmt::format("graphkeeper_request_latency_ms_count{{op=\"{}\"}} {}\n", name, s.count());
    out += fmt::format("graphkeeper_request_latency_ms_sum{{op=\"{}\"}} {}\n", name, s.sum());
  }
  out += "# HELP graphkeeper_fsync_seconds Time to apply and fsync one batch\n"
         "# TYPE graphkeeper_fsync_seconds summary\n";
  out += fmt::format("graphkeeper_fsync_seconds_count {}\ngraphkeeper_fsync_seconds_sum {}\n", fc,
                     num(double(m.fsync.sumMicros()) / 1e6));
  return out;
}

}  // namespace gk::engine
