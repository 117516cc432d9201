// WatchManager (engine/watch_manager.cc): ZooKeeper's one-shot standard watches as
// DataTree/WatchManager fire them — data watches on created/changed/deleted, child watches on
// children-changed/deleted, one event per watcher — plus removal and the counts 4lw reports.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/proto.h"
#include "engine/watch_manager.h"

using namespace gk::engine;

namespace {
using Ids = std::vector<WatcherId>;

Ids sorted(Ids v) {
  std::sort(v.begin(), v.end());
  return v;
}
}  // namespace

TEST_CASE("watches: a data watch fires once", "[watch]") {
  WatchManager wm;
  wm.addDataWatch("/a", 1);
  CHECK(wm.dataWatchCount() == 1);
  CHECK(wm.trigger("/a", event::kNodeDataChanged) == Ids{1});
  CHECK(wm.trigger("/a", event::kNodeDataChanged).empty());
  CHECK(wm.dataWatchCount() == 0);
  CHECK(wm.watcherCount() == 0);
  CHECK(wm.watchedPathCount() == 0);
}

TEST_CASE("watches: which events fire which kind", "[watch]") {
  SECTION("NodeCreated and NodeDataChanged fire data watches only") {
    for (int32_t type : {event::kNodeCreated, event::kNodeDataChanged}) {
      WatchManager wm;
      wm.addDataWatch("/a", 1);
      wm.addChildWatch("/a", 2);
      CHECK(wm.trigger("/a", type) == Ids{1});
      CHECK(wm.dataWatchCount() == 0);
      CHECK(wm.childWatchCount() == 1);
      CHECK(wm.trigger("/a", event::kNodeChildrenChanged) == Ids{2});
    }
  }
  SECTION("NodeChildrenChanged fires child watches only") {
    WatchManager wm;
    wm.addDataWatch("/a", 1);
    wm.addChildWatch("/a", 2);
    CHECK(wm.trigger("/a", event::kNodeChildrenChanged) == Ids{2});
    CHECK(wm.dataWatchCount() == 1);
    CHECK(wm.childWatchCount() == 0);
    CHECK(wm.trigger("/a", event::kNodeDataChanged) == Ids{1});
  }
  SECTION("NodeDeleted fires both") {
    WatchManager wm;
    wm.addDataWatch("/a", 1);
    wm.addChildWatch("/a", 2);
    wm.addDataWatch("/a", 3);
    CHECK(sorted(wm.trigger("/a", event::kNodeDeleted)) == Ids{1, 2, 3});
    CHECK(wm.dataWatchCount() == 0);
    CHECK(wm.childWatchCount() == 0);
    CHECK(wm.watcherCount() == 0);
  }
}

TEST_CASE("watches: a watcher with a data and a child watch on a path hears once", "[watch]") {
  WatchManager wm;
  wm.addDataWatch("/a", 7);
  wm.addChildWatch("/a", 7);
  wm.addChildWatch("/a", 8);
  CHECK(wm.watcherCount() == 2);
  CHECK(sorted(wm.trigger("/a", event::kNodeDeleted)) == Ids{7, 8});
  CHECK(wm.watcherCount() == 0);
  CHECK(wm.dataWatchCount() == 0);
  CHECK(wm.childWatchCount() == 0);
}

TEST_CASE("watches: paths are exact, not prefixes", "[watch]") {
  WatchManager wm;
  wm.addDataWatch("/a", 1);
  wm.addDataWatch("/a/b", 2);
  wm.addChildWatch("/", 3);
  CHECK(wm.trigger("/a/b", event::kNodeDeleted) == Ids{2});
  CHECK(wm.trigger("/ab", event::kNodeDataChanged).empty());
  CHECK(wm.trigger("/a/", event::kNodeDataChanged).empty());
  CHECK(wm.trigger("/", event::kNodeDataChanged).empty());  // a child watch: not data
  CHECK(wm.trigger("/a", event::kNodeDataChanged) == Ids{1});
  CHECK(wm.trigger("/", event::kNodeChildrenChanged) == Ids{3});
}

TEST_CASE("watches: adding the same watch twice keeps one", "[watch]") {
  WatchManager wm;
  wm.addDataWatch("/a", 1);
  wm.addDataWatch("/a", 1);
  wm.addChildWatch("/a", 1);
  wm.addChildWatch("/a", 1);
  CHECK(wm.dataWatchCount() == 1);
  CHECK(wm.childWatchCount() == 1);
  CHECK(wm.watcherCount() == 1);
  CHECK(wm.trigger("/a", event::kNodeDataChanged) == Ids{1});
  // The child watch is still there and the watcher is still known.
  CHECK(wm.watcherCount() == 1);
  CHECK(wm.trigger("/a", event::kNodeChildrenChanged) == Ids{1});
  CHECK(wm.watcherCount() == 0);
}

TEST_CASE("watches: removeWatcher drops every watch of that watcher only", "[watch]") {
  WatchManager wm;
  wm.addDataWatch("/a", 1);
  wm.addDataWatch("/b", 1);
  wm.addChildWatch("/a", 1);
  wm.addDataWatch("/a", 2);
  wm.addChildWatch("/c", 2);
  CHECK(wm.dataWatchCount() == 3);
  CHECK(wm.childWatchCount() == 2);
  CHECK(wm.watcherCount() == 2);

  wm.removeWatcher(1);
  CHECK(wm.dataWatchCount() == 1);
  CHECK(wm.childWatchCount() == 1);
  CHECK(wm.watcherCount() == 1);
  CHECK(wm.trigger("/b", event::kNodeDeleted).empty());
  CHECK(wm.trigger("/a", event::kNodeDeleted) == Ids{2});
  CHECK(wm.trigger("/c", event::kNodeChildrenChanged) == Ids{2});
  CHECK(wm.watcherCount() == 0);

  wm.removeWatcher(1);   // again: nothing to do
  wm.removeWatcher(99);  // never seen
  CHECK(wm.dataWatchCount() == 0);
  CHECK(wm.childWatchCount() == 0);
  CHECK(wm.watchedPathCount() == 0);
}

TEST_CASE("watches: counts and listings for wchc/wchp/wchs", "[watch]") {
  WatchManager wm;
  wm.addDataWatch("/a", 1);
  wm.addDataWatch("/a", 2);
  wm.addDataWatch("/b", 2);
  wm.addChildWatch("/c", 3);
  CHECK(wm.dataWatchCount() == 3);
  CHECK(wm.childWatchCount() == 1);
  CHECK(wm.watchedPathCount() == 3);
  CHECK(wm.watcherCount() == 3);

  using ByPath = std::vector<std::pair<std::string, std::vector<WatcherId>>>;
  CHECK(wm.byPath() == ByPath{{"/a", {1, 2}}, {"/b", {2}}, {"/c", {3}}});
  using ByWatcher = std::vector<std::pair<WatcherId, std::vector<std::string>>>;
  CHECK(wm.byWatcherList() == ByWatcher{{1, {"/a"}}, {2, {"/a", "/b"}}, {3, {"/c"}}});

  // A watcher with both kinds on one path is listed once per path.
  wm.addChildWatch("/a", 1);
  CHECK(wm.byPath().front() == std::pair<std::string, std::vector<WatcherId>>{"/a", {1, 2}});
  CHECK(wm.byWatcherList().front() == std::pair<WatcherId, std::vector<std::string>>{1, {"/a"}});

  wm.trigger("/a", event::kNodeDeleted);
  CHECK(wm.byPath() == ByPath{{"/b", {2}}, {"/c", {3}}});
  CHECK(wm.byWatcherList() == ByWatcher{{2, {"/b"}}, {3, {"/c"}}});
}

TEST_CASE("watches: data-only views, as ZooKeeper's wchs/wchp/wchc report", "[watch]") {
  WatchManager wm;
  wm.addDataWatch("/a", 2);
  wm.addDataWatch("/a", 1);
  wm.addDataWatch("/b", 2);
  wm.addChildWatch("/a", 3);  // child watches are left out of these views
  wm.addChildWatch("/c", 1);
  CHECK(wm.dataPathCount() == 2);
  CHECK(wm.dataWatcherCount() == 2);
  using ByPath = std::vector<std::pair<std::string, std::vector<WatcherId>>>;
  CHECK(wm.dataWatchesByPath() == ByPath{{"/a", {1, 2}}, {"/b", {2}}});
  using ByWatcher = std::vector<std::pair<WatcherId, std::vector<std::string>>>;
  CHECK(wm.dataWatchesByWatcher() == ByWatcher{{1, {"/a"}}, {2, {"/a", "/b"}}});

  wm.trigger("/a", event::kNodeDataChanged);
  CHECK(wm.dataPathCount() == 1);
  CHECK(wm.dataWatcherCount() == 1);  // watcher 1 keeps only its child watch
  CHECK(wm.dataWatchesByWatcher() == ByWatcher{{2, {"/b"}}});
  CHECK(wm.watcherCount() == 3);
  wm.removeWatcher(2);
  CHECK(wm.dataPathCount() == 0);
  CHECK(wm.dataWatchesByPath().empty());
  CHECK(wm.dataWatcherCount() == 0);
}

TEST_CASE("watches: many watchers on one path all fire, once", "[watch]") {
  WatchManager wm;
  Ids expected;
  for (WatcherId w = 1; w <= 200; ++w) {
    wm.addDataWatch("/hot", w);
    if (w % 2 == 0) wm.addChildWatch("/hot", w);
    expected.push_back(w);
  }
  CHECK(wm.dataWatchCount() == 200);
  CHECK(wm.childWatchCount() == 100);
  CHECK(sorted(wm.trigger("/hot", event::kNodeDeleted)) == expected);
  CHECK(wm.watcherCount() == 0);
  CHECK(wm.trigger("/hot", event::kNodeDeleted).empty());
}
