#include "engine/watch_manager.h"

#include <algorithm>
#include <map>

#include "engine/proto.h"

namespace gk::engine {

void WatchManager::addDataWatch(const std::string& path, WatcherId w) {
  if (data_[path].insert(w).second) {
    ++dataCount_;
    byWatcher_[w].data.insert(path);
  }
}

void WatchManager::addChildWatch(const std::string& path, WatcherId w) {
  if (child_[path].insert(w).second) {
    ++childCount_;
    byWatcher_[w].child.insert(path);
  }
}

void WatchManager::take(Table& table, const std::string& path, std::vector<WatcherId>& out,
                        size_t& count) {
  auto it = table.find(path);
  if (it == table.end()) return;
  for (WatcherId w : it->second) out.push_back(w);
  count -= it->second.size();
  table.erase(it);
}

std::vector<WatcherId> WatchManager::trigger(const std::string& path, int32_t eventType) {
  std::vector<WatcherId> fired;
  size_t fromData = 0;
  if (eventType != event::kNodeChildrenChanged) {
    take(data_, path, fired, dataCount_);
    fromData = fired.size();
  }
  if (eventType == event::kNodeChildrenChanged || eventType == event::kNodeDeleted) {
    take(child_, path, fired, childCount_);
  }
  for (size_t i = 0; i < fired.size(); ++i) {
    auto it = byWatcher_.find(fired[i]);
    if (it == byWatcher_.end()) continue;
    (i < fromData ? it->second.data : it->second.child).erase(path);
    if (it->second.data.empty() && it->second.child.empty()) byWatcher_.erase(it);
  }
  // A watcher with both a data and a child watch on the path hears of the event once.
  std::sort(fired.begin(), fired.end());
  fired.erase(std::unique(fired.begin(), fired.end()), fired.end());
  return fired;
}

void WatchManager::removeWatcher(WatcherId w) {
  auto it = byWatcher_.find(w);
  if (it == byWatcher_.end()) return;
  auto drop = [w](Table& table, const std::unordered_set<std::string>& paths, size_t& count) {
    for (const auto& p : paths) {
      auto t = table.find(p);
      if (t == table.end()) continue;
      count -= t->second.erase(w);
      if (t->second.empty()) table.erase(t);
    }
  };
  drop(data_, it->second.data, dataCount_);
  drop(child_, it->second.child, childCount_);
  byWatcher_.erase(it);
}

std::vector<std::pair<std::string, std::vector<WatcherId>>> WatchManager::byPath() const {
  std::map<std::string, std::vector<WatcherId>> merged;
  for (const Table* t : {&data_, &child_}) {
    for (const auto& [path, ws] : *t) merged[path].insert(merged[path].end(), ws.begin(), ws.end());
  }
  std::vector<std::pair<std::string, std::vector<WatcherId>>> out;
  for (auto& [path, ws] : merged) {
    std::sort(ws.begin(), ws.end());
    ws.erase(std::unique(ws.begin(), ws.end()), ws.end());
    out.emplace_back(path, std::move(ws));
  }
  return out;
}

size_t WatchManager::dataWatcherCount() const {
  size_t n = 0;
  for (const auto& [w, owned] : byWatcher_) n += owned.data.empty() ? 0 : 1;
  return n;
}

std::vector<std::pair<std::string, std::vector<WatcherId>>> WatchManager::dataWatchesByPath() const {
  std::vector<std::pair<std::string, std::vector<WatcherId>>> out;
  for (const auto& [path, ws] : data_) {
    std::vector<WatcherId> sorted(ws.begin(), ws.end());
    std::sort(sorted.begin(), sorted.end());
    out.emplace_back(path, std::move(sorted));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<WatcherId, std::vector<std::string>>> WatchManager::dataWatchesByWatcher()
    const {
  std::vector<std::pair<WatcherId, std::vector<std::string>>> out;
  for (const auto& [w, owned] : byWatcher_) {
    if (owned.data.empty()) continue;
    std::vector<std::string> paths(owned.data.begin(), owned.data.end());
    std::sort(paths.begin(), paths.end());
    out.emplace_back(w, std::move(paths));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<WatcherId, std::vector<std::string>>> WatchManager::byWatcherList() const {
  std::vector<std::pair<WatcherId, std::vector<std::string>>> out;
  for (const auto& [w, owned] : byWatcher_) {
    std::vector<std::string> paths(owned.data.begin(), owned.data.end());
    paths.insert(paths.end(), owned.child.begin(), owned.child.end());
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    out.emplace_back(w, std::move(paths));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace gk::engine
