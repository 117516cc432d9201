// LogStorage (replication/raft/log_storage.h): the Raft core's Storage over a real TxnLog on
// disk — what a driver persists survives a reopen, conflicting suffixes are replaced,
// snapshots and compaction move the first index.
#include <catch2/catch.hpp>

#include "replication/raft/log_storage.h"
#include "replication/raft/raft.h"
#include "replication/txn_log.h"
#include "temp_dir.h"

using namespace gk::replication;
using namespace gk::replication::raft;
using gk::testing::TempDir;

namespace {

TxnLogOptions opts(const TempDir& d) {
  TxnLogOptions o;
  o.dir = d.path() + "/log";
  o.segmentBytes = 4096;  // several segments, so compaction has something to drop
  o.sync = false;
  return o;
}

std::vector<Entry> run(int64_t first, int64_t n, int64_t term, const std::string& tag = "e") {
  std::vector<Entry> out;
  for (int64_t i = first; i < first + n; ++i)
    out.push_back(Entry{i, term, tag + std::to_string(i) + std::string(100, 'x')});
  return out;
}

}  // namespace

TEST_CASE("raft log storage: appends, replaces a conflicting suffix, and reads back after reopen") {
  TempDir dir;
  {
    auto log = TxnLog::open(opts(dir));
    LogStorage s(*log, {});
    CHECK(s.firstIndex() == 1);
    CHECK(s.lastIndex() == 0);
    CHECK(s.term(0) == 0);
    s.append(run(1, 50, 1));
    s.append(run(30, 10, 2, "f"));  // a new leader's entries from 30 on
    s.setHardState({2, 3, 35});
    CHECK(s.lastIndex() == 39);
    CHECK(s.term(29) == 1);
    CHECK(s.term(30) == 2);
    CHECK_FALSE(s.term(40));
    CHECK_THROWS_WITH(s.append(run(45, 1, 2)), Catch::Contains("leaves a gap"));
  }
  auto log = TxnLog::open(opts(dir));
  LogStorage s(*log, {});
  CHECK(s.lastIndex() == 39);
  CHECK(s.hardState() == HardState{2, 3, 35});
  auto es = s.entries(28, 40, UINT64_MAX);
  REQUIRE(es.size() == 12);
  CHECK(es[0].payload.rfind("e28", 0) == 0);
  CHECK(es[2].payload.rfind("f30", 0) == 0);
  CHECK(es[2].term == 2);
  // maxBytes bounds a read but returns at least one entry.
  CHECK(s.entries(1, 40, 1).size() == 1);
}

TEST_CASE("raft log storage: a snapshot hides what precedes it and drops what follows") {
  TempDir dir;
  auto log = TxnLog::open(opts(dir));
  LogStorage s(*log, {});
  s.append(run(1, 10, 1));
  s.applySnapshot({20, 3});  // the leader's state at 20: we had only up to 10
  CHECK(s.firstIndex() == 21);
  CHECK(s.lastIndex() == 20);
  CHECK(s.term(20) == 3);
  CHECK_FALSE(s.term(10));
  s.append(run(21, 5, 3));
  CHECK(s.lastIndex() == 25);
  s.applySnapshot({22, 3});  // one that covers part of the log: the rest is dropped
  CHECK(s.lastIndex() == 22);
  CHECK_THROWS_WITH(s.append(run(22, 1, 3)), Catch::Contains("at or below the snapshot"));
}

TEST_CASE("raft log storage: compaction moves the first index and drops whole segments") {
  TempDir dir;
  auto log = TxnLog::open(opts(dir));
  LogStorage s(*log, {});
  for (int64_t i = 1; i <= 200; i += 10) s.append(run(i, 10, 1));  // one segment per ~4 batches
  size_t before = log->segmentFiles().size();
  REQUIRE(before > 2);
  s.compact(150);
  CHECK(s.firstIndex() == 151);
  CHECK(s.term(150) == 1);
  CHECK(log->segmentFiles().size() < before);
  CHECK(s.entries(151, 201, UINT64_MAX).size() == 50);
  CHECK_THROWS(s.entries(100, 151, UINT64_MAX));
}

TEST_CASE("raft log storage: a state machine that disagrees with the log is refused") {
  TempDir dir;
  auto log = TxnLog::open(opts(dir));
  {
    LogStorage s(*log, {});
    s.append(run(1, 5, 2));
  }
  CHECK_THROWS_WITH(LogStorage(*log, {3, 1}), Catch::Contains("term 2 but the state machine"));
  CHECK_NOTHROW(LogStorage(*log, {3, 2}));
}

TEST_CASE("raft log storage: a single-voter Raft over the real log keeps its term, log and commit across a restart") {
  TempDir dir;
  Config cfg;
  cfg.id = 1;
  cfg.voters = {1};
  int64_t lastIndex = 0, term = 0;
  auto drive = [](Raft& r, LogStorage& s) {
    while (r.hasReady()) {
      Ready rd = r.ready();
      s.append(rd.entries);
      if (rd.hardState) s.setHardState(*rd.hardState);
      r.advance(rd);
    }
  };
  {
    auto log = TxnLog::open(opts(dir));
    LogStorage s(*log, {});
    Raft r(cfg, s);
    for (int i = 0; i < 30 && r.role() != Role::Leader; ++i) {
      r.tick();
      drive(r, s);
    }
    REQUIRE(r.role() == Role::Leader);
    for (int i = 0; i < 20; ++i) {
      REQUIRE(r.propose({"op" + std::to_string(i)}));
      drive(r, s);
    }
    lastIndex = r.log().lastIndex();
    term = r.term();
    CHECK(r.log().committed() == lastIndex);
  }
  auto log = TxnLog::open(opts(dir));
  LogStorage s(*log, {});
  Raft r(cfg, s);
  CHECK(r.term() == term);
  CHECK(r.log().lastIndex() == lastIndex);
  CHECK(r.log().committed() == lastIndex);
  for (int i = 0; i < 30 && r.role() != Role::Leader; ++i) {
    r.tick();
    drive(r, s);
  }
  REQUIRE(r.role() == Role::Leader);
  CHECK(r.term() == term + 1);
  auto es = s.entries(1, r.log().lastIndex() + 1, UINT64_MAX);
  CHECK(es.size() == size_t(lastIndex + 1));  // the old entries and the new term's no-op
}
