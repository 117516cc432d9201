// WatchManager: ZooKeeper's watches, keyed by path, owned by a watcher (a client connection).
// Pure bookkeeping: the server decides whom to send events to.
//
// As in ZooKeeper's DataTree there are two tables, data watches and child watches. An entry
// (path, watcher) in a table holds one or more modes:
//   standard   one-shot (getData/exists set it in the data table, getChildren in the child
//              table); removed when it fires
//   persistent addWatch mode 0: in both tables, stays after firing
//   recursive  addWatch mode 1: in both tables too (as 3.8's DataTree.addWatch puts it), stays,
//              and also fires for every node below its path — but never NodeChildrenChanged
// A watcher hears of one event once, however many of its watches it matches.
//
// ZooKeeper 3.8 keeps one mode per (watcher, path), so a getData watch set on a path that has
// a persistent watch turns it into a one-shot one; 3.9 (ZOOKEEPER-4466) keeps the modes apart,
// and so does this class: a persistent watch is never lost to a standard one.
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
  void addPersistentWatch(const std::string& path, WatcherId w);
  void addRecursiveWatch(const std::string& path, WatcherId w);

  // The watchers an event of `eventType` on `path` fires, each once; their standard watches
  // that fired are removed. NodeCreated/NodeDataChanged fire the data table,
  // NodeChildrenChanged the child table, NodeDeleted both; recursive watches on `path` or any
  // ancestor fire for every type but NodeChildrenChanged.
  std::vector<WatcherId> trigger(const std::string& path, int32_t eventType);

  // checkWatches / removeWatches (watcher_type in proto.h). Children, Data and Any look at
  // the watcher's entry for exactly `path` in that table, whatever its modes (ZooKeeper 3.8);
  // Persistent and PersistentRecursive (3.9 clients) at that mode only. An unknown type
  // matches nothing.
  bool contains(const std::string& path, WatcherId w, int32_t watcherType) const;
  bool remove(const std::string& path, WatcherId w, int32_t watcherType);  // true if any removed

  void removeWatcher(WatcherId w);  // its connection closed

  // (path, watcher) entries per table, whatever their modes
  size_t dataWatchCount() const { return data_.count; }
  size_t childWatchCount() const { return child_.count; }
  size_t recursiveWatchCount() const { return data_.recursive + child_.recursive; }
  size_t watchedPathCount() const { return data_.byPath.size() + child_.byPath.size(); }
  size_t watcherCount() const { return byWatcher_.size(); }
  // Data watches only, as ZooKeeper's wchs/wchp/wchc report them.
  size_t dataPathCount() const { return data_.byPath.size(); }
  size_t dataWatcherCount() const;
  std::vector<std::pair<std::string, std::vector<WatcherId>>> dataWatchesByPath() const;
  std::vector<std::pair<WatcherId, std::vector<std::string>>> dataWatchesByWatcher() const;
  // path -> watchers, data and child watches together
  std::vector<std::pair<std::string, std::vector<WatcherId>>> byPath() const;
  std::vector<std::pair<WatcherId, std::vector<std::string>>> byWatcherList() const;

 private:
  enum Mode : uint8_t { kStandard = 1, kPersistent = 2, kRecursive = 4 };
  struct Table {
    std::unordered_map<std::string, std::unordered_map<WatcherId, uint8_t>> byPath;
    // The paths with a recursive entry and their watchers: an event walks up its path's
    // ancestors looking here, and only while `recursive` > 0.
    std::unordered_map<std::string, std::unordered_set<WatcherId>> recursiveRoots;
    size_t count = 0;      // entries
    size_t recursive = 0;  // entries with the recursive mode
  };
  struct Owned {
    std::unordered_set<std::string> data, child;
  };
  void add(Table& t, bool isData, const std::string& path, WatcherId w, uint8_t mode);
  // Clears `modes` from the entry; drops the entry when nothing is left. True if any was set.
  bool clear(Table& t, bool isData, const std::string& path, WatcherId w, uint8_t modes);
  void fire(Table& t, bool isData, const std::string& path, int32_t eventType,
            std::vector<WatcherId>& out);
  static uint8_t modesOf(const Table& t, const std::string& path, WatcherId w);

  Table data_, child_;
  std::unordered_map<WatcherId, Owned> byWatcher_;
};

}  // namespace gk::engine
