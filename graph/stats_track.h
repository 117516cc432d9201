// ZooKeeper's StatsTrack: the text a quota's zookeeper_limits and zookeeper_stats nodes hold,
// "count=N,bytes=M" and, when other keys are present, "=;key=value;..." (keys sorted) after it.
// Used by the store to keep stats nodes up to date (DataTree.updateQuotaStat) and by the
// engine to read limits.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace gk::graph {

class StatsTrack {
 public:
  StatsTrack() = default;
  // Parses as ZooKeeper does: pairs split on runs of ',' and ';', key and value on '=', an
  // empty value is -1. Where ZooKeeper would throw (a pair without '=', a value that is not a
  // number) the pair is skipped instead.
  explicit StatsTrack(std::string_view text);

  int64_t count() const { return get("count"); }
  int64_t bytes() const { return get("bytes"); }
  int64_t countHardLimit() const { return get("countHardLimit"); }
  int64_t byteHardLimit() const { return get("byteHardLimit"); }
  void setCount(int64_t v) { values_["count"] = v; }
  void setBytes(int64_t v) { values_["bytes"] = v; }

  // A key that is not there reads -1 (StatsTrack.getValue).
  int64_t get(const std::string& key) const;
  std::string toString() const;

 private:
  std::map<std::string, int64_t> values_;
};

}  // namespace gk::graph
