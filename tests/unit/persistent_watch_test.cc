// WatchManager (engine/watch_manager.cc) beyond one-shot watches: persistent and
// persistent-recursive watches (addWatch), their mix with standard watches (one event per
// watcher), checkWatches/removeWatches by watcher type, and the ancestor walk that makes
// recursive matching cost O(depth). Expected events are those ZooKeeper 3.8.0 sent in the
// same sequences (checked with the raw protocol, tests/integration/test_watch_modes.py).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/proto.h"
#include "engine/watch_manager.h"

using namespace gk::engine;

namespace {
using Ids = std::vector<WatcherId>;

// The events a create / delete / setData of `path` sends to watcher `w`, as the server's
// fireWatches raises them: (type, path) pairs, in the order they are raised.
using Events = std::vector<std::pair<int32_t, std::string>>;

std::string parentOf(const std::string& p) {
  size_t s = p.rfind('/');
  return s == 0 ? std::string("/") : p.substr(0, s);
}

void raise(WatchManager& wm, WatcherId w, Events& out, const std::string& path, int32_t type) {
  Ids fired = wm.trigger(path, type);
  if (std::find(fired.begin(), fired.end(), w) != fired.end()) out.emplace_back(type, path);
}
Events create(WatchManager& wm, WatcherId w, const std::string& path) {
  Events e;
  raise(wm, w, e, path, event::kNodeCreated);
  raise(wm, w, e, parentOf(path), event::kNodeChildrenChanged);
  return e;
}
Events remove(WatchManager& wm, WatcherId w, const std::string& path) {
  Events e;
  raise(wm, w, e, path, event::kNodeDeleted);
  raise(wm, w, e, parentOf(path), event::kNodeChildrenChanged);
  return e;
}
Events setData(WatchManager& wm, WatcherId w, const std::string& path) {
  Events e;
  raise(wm, w, e, path, event::kNodeDataChanged);
  return e;
}

constexpr int32_t kCreated = event::kNodeCreated, kDeleted = event::kNodeDeleted,
                  kChanged = event::kNodeDataChanged, kChildren = event::kNodeChildrenChanged;
}  // namespace

TEST_CASE("persistent watch: every event on its path, and it stays", "[watch][persistent]") {
  WatchManager wm;
  wm.addPersistentWatch("/p", 1);
  CHECK(create(wm, 1, "/p") == Events{{kCreated, "/p"}});
  CHECK(setData(wm, 1, "/p") == Events{{kChanged, "/p"}});
  CHECK(setData(wm, 1, "/p") == Events{{kChanged, "/p"}});
  CHECK(create(wm, 1, "/p/c") == Events{{kChildren, "/p"}});
  CHECK(setData(wm, 1, "/p/c").empty());  // not recursive
  CHECK(create(wm, 1, "/p/c/d").empty());
  CHECK(remove(wm, 1, "/p/c") == Events{{kChildren, "/p"}});
  CHECK(remove(wm, 1, "/p") == Events{{kDeleted, "/p"}});  // once, though in both tables
  CHECK(create(wm, 1, "/p") == Events{{kCreated, "/p"}});  // still there after the delete
  CHECK(create(wm, 1, "/q").empty());
  CHECK(wm.dataWatchCount() == 1);
  CHECK(wm.childWatchCount() == 1);
  CHECK(wm.watcherCount() == 1);
}

TEST_CASE("recursive watch: its path and the whole subtree, never children-changed",
          "[watch][persistent]") {
  WatchManager wm;
  wm.addRecursiveWatch("/r", 1);
  CHECK(wm.recursiveWatchCount() == 2);  // in both tables, as 3.8's DataTree.addWatch does
  CHECK(create(wm, 1, "/r") == Events{{kCreated, "/r"}});
  CHECK(create(wm, 1, "/r/a") == Events{{kCreated, "/r/a"}});
  CHECK(setData(wm, 1, "/r/a") == Events{{kChanged, "/r/a"}});
  CHECK(create(wm, 1, "/r/a/b") == Events{{kCreated, "/r/a/b"}});
  CHECK(setData(wm, 1, "/r/a/b") == Events{{kChanged, "/r/a/b"}});
  CHECK(remove(wm, 1, "/r/a/b") == Events{{kDeleted, "/r/a/b"}});
  CHECK(setData(wm, 1, "/r") == Events{{kChanged, "/r"}});
  CHECK(remove(wm, 1, "/r/a") == Events{{kDeleted, "/r/a"}});
  CHECK(remove(wm, 1, "/r") == Events{{kDeleted, "/r"}});
  // Names that merely start with the root are not below it; neither are its ancestors.
  CHECK(create(wm, 1, "/rx").empty());
  CHECK(create(wm, 1, "/rx/y").empty());
  CHECK(setData(wm, 1, "/").empty());
  CHECK(create(wm, 1, "/r") == Events{{kCreated, "/r"}});
}

TEST_CASE("recursive watch on / sees everything", "[watch][persistent]") {
  WatchManager wm;
  wm.addRecursiveWatch("/", 9);
  CHECK(create(wm, 9, "/a") == Events{{kCreated, "/a"}});
  CHECK(setData(wm, 9, "/a/b/c") == Events{{kChanged, "/a/b/c"}});
  CHECK(setData(wm, 9, "/") == Events{{kChanged, "/"}});
  CHECK(remove(wm, 9, "/zookeeper/quota/x") == Events{{kDeleted, "/zookeeper/quota/x"}});
}

TEST_CASE("persistent watches: one event per watcher, whatever else it watches",
          "[watch][persistent]") {
  SECTION("a standard data watch and a persistent watch on the same path") {
    WatchManager wm;
    wm.addPersistentWatch("/x", 1);
    wm.addDataWatch("/x", 1);
    CHECK(wm.trigger("/x", kChanged) == Ids{1});
    // The standard watch is used up, the persistent one keeps firing. (ZooKeeper 3.8 keeps
    // one mode per watcher and path, so there the getData watch turned the persistent watch
    // into a one-shot one; 3.9 keeps both, as here.)
    CHECK(wm.trigger("/x", kChanged) == Ids{1});
    CHECK(wm.trigger("/x", kChildren) == Ids{1});
  }
  SECTION("a recursive watch above and a standard watch on the node") {
    WatchManager wm;
    wm.addRecursiveWatch("/r", 1);
    wm.addDataWatch("/r/a", 1);
    wm.addDataWatch("/r/a", 2);
    CHECK(wm.trigger("/r/a", kChanged) == Ids{1, 2});
    CHECK(wm.trigger("/r/a", kChanged) == Ids{1});
    wm.addDataWatch("/r/a/q", 1);  // exists watch on a missing node
    CHECK(wm.trigger("/r/a/q", kCreated) == Ids{1});
    CHECK(wm.dataWatchCount() == 1);  // only the recursive entry is left
  }
  SECTION("nested recursive watches of one watcher") {
    WatchManager wm;
    wm.addRecursiveWatch("/a", 1);
    wm.addRecursiveWatch("/a/b", 1);
    wm.addRecursiveWatch("/a/b", 2);
    wm.addPersistentWatch("/a/b/c", 3);
    CHECK(wm.trigger("/a/b/c", kChanged) == Ids{1, 2, 3});
    CHECK(wm.trigger("/a/b/c", kDeleted) == Ids{1, 2, 3});
    CHECK(wm.trigger("/a/b", kChildren) == Ids{});
    CHECK(wm.trigger("/a/b/c", kChildren) == Ids{3});
  }
  SECTION("adding the same persistent watch twice keeps one") {
    WatchManager wm;
    wm.addRecursiveWatch("/r", 1);
    wm.addRecursiveWatch("/r", 1);
    CHECK(wm.recursiveWatchCount() == 2);
    CHECK(wm.dataWatchCount() == 1);
    CHECK(wm.remove("/r", 1, watcher_type::kAny));
    CHECK(wm.recursiveWatchCount() == 0);
    CHECK(wm.trigger("/r/x", kCreated).empty());
  }
}

TEST_CASE("checkWatches: the watcher's own entry for exactly that path", "[watch][persistent]") {
  WatchManager wm;
  for (int32_t t : {watcher_type::kChildren, watcher_type::kData, watcher_type::kAny}) {
    CHECK_FALSE(wm.contains("/w", 1, t));
  }
  wm.addDataWatch("/w", 1);
  CHECK(wm.contains("/w", 1, watcher_type::kData));
  CHECK(wm.contains("/w", 1, watcher_type::kAny));
  CHECK_FALSE(wm.contains("/w", 1, watcher_type::kChildren));
  // Another watcher's watch is not this one's (ZooKeeper 3.8.0 answered yes here: its
  // containsWatcher looked at the path only; the Java client checks its own table first).
  CHECK_FALSE(wm.contains("/w", 2, watcher_type::kData));
  // A recursive watch above does not count for the path below.
  wm.addRecursiveWatch("/r", 1);
  CHECK(wm.contains("/r", 1, watcher_type::kAny));
  CHECK(wm.contains("/r", 1, watcher_type::kChildren));
  CHECK(wm.contains("/r", 1, watcher_type::kPersistentRecursive));
  CHECK_FALSE(wm.contains("/r", 1, watcher_type::kPersistent));
  CHECK_FALSE(wm.contains("/r/s", 1, watcher_type::kAny));
  CHECK_FALSE(wm.contains("/w", 1, 0));
  CHECK_FALSE(wm.contains("/w", 1, 6));
}

TEST_CASE("removeWatches: by table, as ZooKeeper 3.8 removes them", "[watch][persistent]") {
  SECTION("standard watches") {
    WatchManager wm;
    wm.addDataWatch("/w", 1);
    CHECK_FALSE(wm.remove("/w", 1, watcher_type::kChildren));
    CHECK(wm.remove("/w", 1, watcher_type::kData));
    CHECK_FALSE(wm.remove("/w", 1, watcher_type::kData));
    CHECK(wm.trigger("/w", kChanged).empty());
    CHECK(wm.watcherCount() == 0);
    wm.addDataWatch("/w", 1);
    wm.addChildWatch("/w", 1);
    wm.addDataWatch("/w", 2);
    CHECK(wm.remove("/w", 1, watcher_type::kAny));
    CHECK_FALSE(wm.contains("/w", 1, watcher_type::kAny));
    CHECK(wm.trigger("/w", kDeleted) == Ids{2});  // the other watcher's stays
  }
  SECTION("removing the data part of a persistent watch leaves its child part") {
    WatchManager wm;
    wm.addPersistentWatch("/pp", 1);
    CHECK(wm.remove("/pp", 1, watcher_type::kData));
    Events e = setData(wm, 1, "/pp");
    auto c1 = create(wm, 1, "/pp/k");
    auto d1 = remove(wm, 1, "/pp/k");
    auto d2 = remove(wm, 1, "/pp");
    e.insert(e.end(), c1.begin(), c1.end());
    e.insert(e.end(), d1.begin(), d1.end());
    e.insert(e.end(), d2.begin(), d2.end());
    CHECK(e == Events{{kChildren, "/pp"}, {kChildren, "/pp"}, {kDeleted, "/pp"}});
  }
  SECTION("a recursive watch goes with type Any, or with Children then Data") {
    WatchManager wm;
    wm.addRecursiveWatch("/w", 1);
    CHECK(wm.remove("/w", 1, watcher_type::kChildren));
    CHECK(create(wm, 1, "/w/s") == Events{{kCreated, "/w/s"}});  // the data part is left
    CHECK(wm.remove("/w", 1, watcher_type::kData));
    CHECK(create(wm, 1, "/w/s2").empty());
    CHECK(setData(wm, 1, "/w/s2").empty());
    CHECK(remove(wm, 1, "/w/s2").empty());
    CHECK(wm.recursiveWatchCount() == 0);
    CHECK(wm.watcherCount() == 0);
  }
  SECTION("3.9 clients' types: one mode only") {
    WatchManager wm;
    wm.addPersistentWatch("/m", 1);
    wm.addRecursiveWatch("/m", 1);
    wm.addDataWatch("/m", 1);
    CHECK(wm.contains("/m", 1, watcher_type::kPersistent));
    CHECK(wm.remove("/m", 1, watcher_type::kPersistentRecursive));
    CHECK_FALSE(wm.remove("/m", 1, watcher_type::kPersistentRecursive));
    CHECK(create(wm, 1, "/m/x") == Events{{kChildren, "/m"}});  // persistent, not recursive
    CHECK(wm.remove("/m", 1, watcher_type::kPersistent));
    CHECK(wm.trigger("/m", kChanged) == Ids{1});  // the standard watch
    CHECK(wm.trigger("/m", kChanged).empty());
    CHECK(wm.watcherCount() == 0);
  }
  SECTION("unknown types remove nothing") {
    WatchManager wm;
    wm.addDataWatch("/w", 1);
    CHECK_FALSE(wm.remove("/w", 1, 0));
    CHECK_FALSE(wm.remove("/w", 1, 7));
    CHECK(wm.contains("/w", 1, watcher_type::kData));
  }
}

TEST_CASE("persistent watches go with their watcher, and counts add up", "[watch][persistent]") {
  WatchManager wm;
  wm.addRecursiveWatch("/r", 1);
  wm.addPersistentWatch("/p", 1);
  wm.addDataWatch("/d", 1);
  wm.addRecursiveWatch("/r", 2);
  CHECK(wm.dataWatchCount() == 4);
  CHECK(wm.childWatchCount() == 3);
  CHECK(wm.recursiveWatchCount() == 4);
  CHECK(wm.watcherCount() == 2);
  using ByWatcher = std::vector<std::pair<WatcherId, std::vector<std::string>>>;
  CHECK(wm.byWatcherList() == ByWatcher{{1, {"/d", "/p", "/r"}}, {2, {"/r"}}});
  wm.removeWatcher(1);
  CHECK(wm.dataWatchCount() == 1);
  CHECK(wm.childWatchCount() == 1);
  CHECK(wm.recursiveWatchCount() == 2);
  CHECK(wm.trigger("/r/x/y", kCreated) == Ids{2});
  CHECK(wm.trigger("/p", kChanged).empty());
  wm.removeWatcher(2);
  CHECK(wm.recursiveWatchCount() == 0);
  CHECK(wm.watchedPathCount() == 0);
  CHECK(wm.trigger("/r/x/y", kCreated).empty());
}

TEST_CASE("recursive matching walks ancestors only", "[watch][persistent]") {
  // Many watches elsewhere; an event far below one recursive root still finds it, and one
  // outside every root finds nothing.
  WatchManager wm;
  for (int i = 0; i < 20000; ++i) {
    wm.addDataWatch("/other/n" + std::to_string(i), WatcherId(100 + i));
    if (i % 100 == 0) wm.addRecursiveWatch("/roots/r" + std::to_string(i), WatcherId(100 + i));
  }
  std::string deep = "/roots/r500";
  for (int d = 0; d < 50; ++d) deep += "/level" + std::to_string(d);
  CHECK(wm.trigger(deep, kCreated) == Ids{600});
  CHECK(wm.trigger("/roots/r5000/x", kChildren).empty());
  CHECK(wm.trigger("/roots/r50", kChanged).empty());
  CHECK(wm.trigger("/other/n7", kChanged) == Ids{107});
}
