// WatchManager: ZooKeeper's one-shot data and child watches, keyed by path, owned by a
// watcher (a client connection). Pure bookkeeping: the server decides whom to send events to.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace gk::engine {

using WatcherId = uint64_t;

class WatchManager {
 public:
  void addDataWatch(const std::string& path, WatcherId w);   // getData/exists watches
  void addChildWatch(const std::string& path, WatcherId w);  // getChildren watches

  // Removes and returns the watchers an event of `eventType` on `path` fires, each once:
  // NodeCreated/NodeDataChanged fire data watches, NodeChildrenChanged child watches,
  // NodeDeleted both.
  std::vector<WatcherId> trigger(const std::string& path, int32_t eventType);

  void removeWatcher(WatcherId w);  // its connection closed

  size_t dataWatchCount() const { return dataCount_; }
  size_t childWatchCount() const { return childCount_; }
  size_t watchedPathCount() const { return data_.size() + child_.size(); }
  size_t watcherCount() const { return byWatcher_.size(); }
  // Data watches only, as ZooKeeper's wchs/wchp/wchc report them.
  size_t dataPathCount() const { return data_.size(); }
  size_t dataWatcherCount() const;
  std::vector<std::pair<std::string, std::vector<WatcherId>>> dataWatchesByPath() const;
  std::vector<std::pair<WatcherId, std::vector<std::string>>> dataWatchesByWatcher() const;
  // path -> watchers, data and child watches together
  std::vector<std::pair<std::string, std::vector<WatcherId>>> byPath() const;
  std::vector<std::pair<WatcherId, std::vector<std::string>>> byWatcherList() const;

 private:
  using Table = std::unordered_map<std::string, std::unordered_set<WatcherId>>;
  struct Owned {
    std::unordered_set<std::string> data, child;
  };
  static void take(Table& table, const std::string& path, std::vector<WatcherId>& out,
                   size_t& count);
  Table data_, child_;
  std::unordered_map<WatcherId, Owned> byWatcher_;
  size_t dataCount_ = 0, childCount_ = 0;
};

}  // namespace gk::engine
