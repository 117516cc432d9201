#include "engine/watch_manager.h"

#include <algorithm>
#include <map>

#include "engine/proto.h"

namespace gk::engine {

void WatchManager::add(Table& t, bool isData, const std::string& path, WatcherId w,
                       uint8_t mode) {
  auto& entries = t.byPath[path];
  auto [it, inserted] = entries.try_emplace(w, uint8_t{0});
  if (inserted) {
    ++t.count;
    Owned& owned = byWatcher_[w];
    (isData ? owned.data : owned.child).insert(path);
  }
  if ((it->second & mode) == 0 && mode == kRecursive) {
    ++t.recursive;
    t.recursiveRoots[path].insert(w);
  }
  it->second |= mode;
}

bool WatchManager::clear(Table& t, bool isData, const std::string& path, WatcherId w,
                         uint8_t modes) {
  auto pit = t.byPath.find(path);
  if (pit == t.byPath.end()) return false;
  auto eit = pit->second.find(w);
  if (eit == pit->second.end()) return false;
  uint8_t had = eit->second & modes;
  if (had == 0) return false;
  if (had & kRecursive) {
    --t.recursive;
    auto rit = t.recursiveRoots.find(path);
    if (rit != t.recursiveRoots.end()) {
      rit->second.erase(w);
      if (rit->second.empty()) t.recursiveRoots.erase(rit);
    }
  }
  eit->second &= uint8_t(~modes);
  if (eit->second == 0) {
    pit->second.erase(eit);
    --t.count;
    if (pit->second.empty()) t.byPath.erase(pit);
    auto oit = byWatcher_.find(w);
    if (oit != byWatcher_.end()) {
      (isData ? oit->second.data : oit->second.child).erase(path);
      if (oit->second.data.empty() && oit->second.child.empty()) byWatcher_.erase(oit);
    }
  }
  return true;
}

uint8_t WatchManager::modesOf(const Table& t, const std::string& path, WatcherId w) {
  auto pit = t.byPath.find(path);
  if (pit == t.byPath.end()) return 0;
  auto eit = pit->second.find(w);
  return eit == pit->second.end() ? 0 : eit->second;
}

void WatchManager::addDataWatch(const std::string& path, WatcherId w) {
  add(data_, true, path, w, kStandard);
}

void WatchManager::addChildWatch(const std::string& path, WatcherId w) {
  add(child_, false, path, w, kStandard);
}

// DataTree.addWatch (3.8): both tables.
void WatchManager::addPersistentWatch(const std::string& path, WatcherId w) {
  add(data_, true, path, w, kPersistent);
  add(child_, false, path, w, kPersistent);
}

void WatchManager::addRecursiveWatch(const std::string& path, WatcherId w) {
  add(data_, true, path, w, kRecursive);
  add(child_, false, path, w, kRecursive);
}

// WatchManager.triggerWatch: at the path itself every entry fires (standard ones are used
// up), recursive ones only for events other than NodeChildrenChanged; above the path only
// recursive entries fire, and only for those events.
void WatchManager::fire(Table& t, bool isData, const std::string& path, int32_t eventType,
                        std::vector<WatcherId>& out) {
  const bool recursiveFires = eventType != event::kNodeChildrenChanged;
  if (auto pit = t.byPath.find(path); pit != t.byPath.end()) {
    std::vector<WatcherId> usedUp;
    for (auto& [w, modes] : pit->second) {
      bool fires = (modes & (kStandard | kPersistent)) != 0 ||
                   ((modes & kRecursive) != 0 && recursiveFires);
      if (!fires) continue;
      out.push_back(w);
      if (modes & kStandard) {
        modes &= uint8_t(~kStandard);
        if (modes == 0) usedUp.push_back(w);
      }
    }
    for (WatcherId w : usedUp) {
      pit->second.erase(w);
      --t.count;
      auto oit = byWatcher_.find(w);
      if (oit != byWatcher_.end()) {
        (isData ? oit->second.data : oit->second.child).erase(path);
        if (oit->second.data.empty() && oit->second.child.empty()) byWatcher_.erase(oit);
      }
    }
    if (pit->second.empty()) t.byPath.erase(pit);
  }
  if (t.recursive == 0 || !recursiveFires) return;
  // Only the ancestors are looked up, never the other watches: O(depth) per event.
  std::string ancestor = path;
  while (ancestor.size() > 1) {
    size_t slash = ancestor.rfind('/');
    if (slash == std::string::npos) break;
    ancestor.resize(slash == 0 ? 1 : slash);
    if (auto rit = t.recursiveRoots.find(ancestor); rit != t.recursiveRoots.end()) {
      out.insert(out.end(), rit->second.begin(), rit->second.end());
    }
  }
}

std::vector<WatcherId> WatchManager::trigger(const std::string& path, int32_t eventType) {
  std::vector<WatcherId> fired;
  if (eventType != event::kNodeChildrenChanged) fire(data_, true, path, eventType, fired);
  if (eventType == event::kNodeChildrenChanged || eventType == event::kNodeDeleted) {
    fire(child_, false, path, eventType, fired);
  }
  // One event per watcher, however many of its watches matched (DataTree passes the data
  // table's watchers to the child table's trigger as the ones to suppress).
  std::sort(fired.begin(), fired.end());
  fired.erase(std::unique(fired.begin(), fired.end()), fired.end());
  return fired;
}

bool WatchManager::contains(const std::string& path, WatcherId w, int32_t watcherType) const {
  switch (watcherType) {
    case watcher_type::kChildren:
      return modesOf(child_, path, w) != 0;
    case watcher_type::kData:
      return modesOf(data_, path, w) != 0;
    case watcher_type::kAny:
      return modesOf(child_, path, w) != 0 || modesOf(data_, path, w) != 0;
    case watcher_type::kPersistent:
      return (modesOf(data_, path, w) & kPersistent) != 0;
    case watcher_type::kPersistentRecursive:
      return (modesOf(data_, path, w) & kRecursive) != 0;
    default:
      return false;
  }
}

bool WatchManager::remove(const std::string& path, WatcherId w, int32_t watcherType) {
  constexpr uint8_t kAll = kStandard | kPersistent | kRecursive;
  switch (watcherType) {
    case watcher_type::kChildren:
      return clear(child_, false, path, w, kAll);
    case watcher_type::kData:
      return clear(data_, true, path, w, kAll);
    case watcher_type::kAny: {
      bool child = clear(child_, false, path, w, kAll);
      bool data = clear(data_, true, path, w, kAll);
      return child || data;
    }
    case watcher_type::kPersistent: {
      bool child = clear(child_, false, path, w, kPersistent);
      bool data = clear(data_, true, path, w, kPersistent);
      return child || data;
    }
    case watcher_type::kPersistentRecursive: {
      bool child = clear(child_, false, path, w, kRecursive);
      bool data = clear(data_, true, path, w, kRecursive);
      return child || data;
    }
    default:
      return false;
  }
}

void WatchManager::removeWatcher(WatcherId w) {
  auto it = byWatcher_.find(w);
  if (it == byWatcher_.end()) return;
  Owned owned = std::move(it->second);
  byWatcher_.erase(it);
  auto drop = [w](Table& t, const std::unordered_set<std::string>& paths) {
    for (const auto& p : paths) {
      auto pit = t.byPath.find(p);
      if (pit == t.byPath.end()) continue;
      auto eit = pit->second.find(w);
      if (eit == pit->second.end()) continue;
      if (eit->second & kRecursive) {
        --t.recursive;
        auto rit = t.recursiveRoots.find(p);
        if (rit != t.recursiveRoots.end()) {
          rit->second.erase(w);
          if (rit->second.empty()) t.recursiveRoots.erase(rit);
        }
      }
      pit->second.erase(eit);
      --t.count;
      if (pit->second.empty()) t.byPath.erase(pit);
    }
  };
  drop(data_, owned.data);
  drop(child_, owned.child);
}

std::vector<std::pair<std::string, std::vector<WatcherId>>> WatchManager::byPath() const {
  std::map<std::string, std::vector<WatcherId>> merged;
  for (const Table* t : {&data_, &child_}) {
    for (const auto& [path, ws] : t->byPath) {
      auto& v = merged[path];
      for (const auto& [w, modes] : ws) v.push_back(w);
    }
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
  for (const auto& [path, ws] : data_.byPath) {
    std::vector<WatcherId> sorted;
    sorted.reserve(ws.size());
    for (const auto& [w, modes] : ws) sorted.push_back(w);
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
