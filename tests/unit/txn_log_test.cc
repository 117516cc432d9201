// TxnLog (replication/txn_log.h): append and read back, torn and corrupt tails, replay above
// an index, segment rollover, recycling and removal; recover() and LocalQuorum over a log.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "replication/crc32c.h"
#include "replication/local_quorum.h"
#include "replication/txn_log.h"
#include "temp_dir.h"

using gk::replication::Entry;
using gk::replication::HardState;
using gk::replication::TxnLog;
using gk::replication::TxnLogError;
using gk::replication::TxnLogOptions;
using gk::testing::TempDir;
namespace fs = std::filesystem;

namespace {

TxnLogOptions logOptions(const TempDir& dir, uint64_t segmentBytes = 1 << 20) {
  TxnLogOptions o;
  o.dir = dir.path() + "/log";
  o.segmentBytes = segmentBytes;
  o.sync = false;  // the tests check layout and recovery, not the device
  return o;
}

std::vector<Entry> batch(int64_t first, int64_t count, const std::string& tag = "p") {
  std::vector<Entry> out;
  for (int64_t i = first; i < first + count; ++i)
    out.push_back(Entry{i, 0, tag + std::to_string(i) + std::string(size_t(i % 7), 'x')});
  return out;
}

std::vector<Entry> readAll(const TxnLog& log, int64_t after = 0) {
  std::vector<Entry> all;
  log.replay(after, 3, [&](std::vector<Entry>&& chunk) {
    REQUIRE(!chunk.empty());
    REQUIRE(chunk.size() <= 3);
    for (auto& e : chunk) all.push_back(std::move(e));
  });
  return all;
}

std::vector<int64_t> indexes(const std::vector<Entry>& es) {
  std::vector<int64_t> out;
  for (const auto& e : es) out.push_back(e.index);
  return out;
}

std::vector<int64_t> range(int64_t first, int64_t last) {
  std::vector<int64_t> out;
  for (int64_t i = first; i <= last; ++i) out.push_back(i);
  return out;
}

// Overwrites `bytes` at `offset` of a file, as a torn write or a bad sector would leave it.
void clobber(const std::string& path, uint64_t offset, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, bytes.data(), bytes.size(), off_t(offset)) == ssize_t(bytes.size()));
  ::close(fd);
}

uint64_t recordBytes(const std::vector<Entry>& es) {
  uint64_t n = 0;
  for (const auto& e : es) n += 24 + e.payload.size();
  return n;
}

}  // namespace

TEST_CASE("crc32c matches the standard check value") {
  // RFC 3720's test vector: CRC-32C("123456789") = 0xE3069283.
  REQUIRE(gk::replication::crc32c(0, "123456789", 9) == 0xE3069283u);
  // Continuing a crc equals one crc over the concatenation.
  uint32_t a = gk::replication::crc32c(0, "1234", 4);
  REQUIRE(gk::replication::crc32c(a, "56789", 5) == 0xE3069283u);
  std::string zeros(32, '\0');
  REQUIRE(gk::replication::crc32c(0, zeros.data(), 32) == 0x8A9136AAu);
}

TEST_CASE("txn log: entries appended are read back after reopening, above an index") {
  TempDir dir;
  {
    auto log = TxnLog::open(logOptions(dir));
    REQUIRE(log->lastIndex() == 0);
    REQUIRE(readAll(*log).empty());
    log->append(batch(1, 5));
    log->append(batch(6, 1));
    log->append(batch(9, 4));  // indexes may skip (refused writes use none)
    REQUIRE(log->lastIndex() == 12);
  }
  auto log = TxnLog::open(logOptions(dir));
  REQUIRE(log->lastIndex() == 12);
  auto all = readAll(*log);
  std::vector<int64_t> want = {1, 2, 3, 4, 5, 6, 9, 10, 11, 12};
  REQUIRE(indexes(all) == want);
  REQUIRE(all[0].payload == batch(1, 1)[0].payload);
  REQUIRE(all.back().payload == batch(12, 1)[0].payload);
  REQUIRE(indexes(readAll(*log, 6)) == std::vector<int64_t>{9, 10, 11, 12});
  REQUIRE(readAll(*log, 12).empty());
  // Appending continues the same chain.
  log->append(batch(13, 2));
  log.reset();
  REQUIRE(indexes(readAll(*TxnLog::open(logOptions(dir)))) ==
          std::vector<int64_t>{1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14});
}

TEST_CASE("txn log: indexes must increase") {
  TempDir dir;
  auto log = TxnLog::open(logOptions(dir));
  log->append(batch(5, 2));
  REQUIRE_THROWS_AS(log->append(batch(6, 1)), TxnLogError);
  REQUIRE_THROWS_AS(log->append({Entry{8, 0, "a"}, Entry{8, 0, "b"}}), TxnLogError);
  REQUIRE(log->lastIndex() == 6);
}

TEST_CASE("txn log: a torn tail is ignored and overwritten by the next append") {
  TempDir dir;
  std::string seg;
  uint64_t goodBytes = 0;
  {
    auto log = TxnLog::open(logOptions(dir));
    log->append(batch(1, 3));
    log->append(batch(4, 3));
    goodBytes = recordBytes(batch(1, 3)) + recordBytes(batch(4, 3));
    log->append(batch(7, 10));  // the batch a crash tears
    seg = log->segmentFiles().back();
  }
  SECTION("the torn batch's first record lost, its later records intact") {
    // Only the first page of the write was lost: the batch's later records are still there,
    // whole and with valid-looking crcs of their own.
    clobber(seg, goodBytes + 3, "\x55\x55");
    auto log = TxnLog::open(logOptions(dir));
    REQUIRE(log->lastIndex() == 6);
    REQUIRE(indexes(readAll(*log)) == range(1, 6));
    // After the restart, other (shorter) txns get the same indexes; the old batch's leftover
    // records after them must never come back, although each one is intact.
    log->append(batch(7, 2, "new"));
    log.reset();
    log = TxnLog::open(logOptions(dir));
    auto all = readAll(*log);
    REQUIRE(indexes(all) == range(1, 8));
    REQUIRE(all[6].payload.starts_with("new7"));
    REQUIRE(log->lastIndex() == 8);
  }
  SECTION("the torn batch cut short: a record runs past what reached the disk") {
    uint64_t cut = goodBytes + recordBytes(batch(7, 4)) + 9;  // inside record 11
    fs::resize_file(seg, cut);
    auto log = TxnLog::open(logOptions(dir));
    REQUIRE(indexes(readAll(*log)) == range(1, 10));
    log->append(batch(11, 1));
    log.reset();
    REQUIRE(indexes(readAll(*TxnLog::open(logOptions(dir)))) == range(1, 11));
  }
}

TEST_CASE("txn log: a bad checksum ends the valid log there") {
  TempDir dir;
  std::string seg;
  {
    auto log = TxnLog::open(logOptions(dir));
    log->append(batch(1, 4));
    log->append(batch(5, 4));
    seg = log->segmentFiles().back();
  }
  SECTION("a flipped payload byte") {
    // Record 6's payload starts after records 1..5 and its own 24-byte header.
    clobber(seg, recordBytes(batch(1, 5)) + 24, "Z");
  }
  SECTION("a flipped index") {
    clobber(seg, recordBytes(batch(1, 5)) + 8, "\x07");
  }
  SECTION("a flipped stored crc") {
    clobber(seg, recordBytes(batch(1, 5)) + 4, "\x01\x02");
  }
  auto log = TxnLog::open(logOptions(dir));
  REQUIRE(indexes(readAll(*log)) == range(1, 5));
  REQUIRE(log->lastIndex() == 5);
}

TEST_CASE("txn log: segments roll over, are dropped after a checkpoint and recycled") {
  TempDir dir;
  const uint64_t kSeg = 4096;
  auto opts = logOptions(dir, kSeg);
  auto log = TxnLog::open(opts);
  int64_t next = 1;
  // ~40 bytes a record, 10 a batch: a segment holds about 10 batches.
  while (log->segmentFiles().size() < 4) {
    log->append(batch(next, 10));
    next += 10;
  }
  int64_t last = next - 1;
  REQUIRE(log->hasSealed());
  auto files = log->segmentFiles();
  for (const auto& f : files) REQUIRE(fs::file_size(f) == kSeg);  // written zeros, full size
  REQUIRE(indexes(readAll(*log)) == range(1, last));

  // A checkpoint drops a sealed segment only once every entry in it is covered: raise the
  // checkpoint one index at a time until the first segment goes, and no further.
  int64_t cut = 0;
  for (int64_t i = 1; i <= last && log->segmentFiles().size() == 4; ++i) {
    log->releaseUpTo(i);
    cut = i;
  }
  REQUIRE(log->segmentFiles().size() == 3);
  REQUIRE(cut < last);
  REQUIRE(fs::exists(opts.dir + "/log.spare"));  // kept to become the next segment
  REQUIRE(!fs::exists(files[0]));
  // Entries above the checkpoint are all still there, and survive a reopen.
  REQUIRE(indexes(readAll(*log, cut)) == range(cut + 1, last));

  // Dropping everything but the active segment: one file stays as the spare, others go.
  log->releaseUpTo(last);
  REQUIRE(log->segmentFiles().size() == 1);
  REQUIRE(!log->hasSealed());
  size_t logFiles = 0;
  for (const auto& e : fs::directory_iterator(opts.dir)) {
    if (e.path().filename() != "hardstate") logFiles++;
  }
  REQUIRE(logFiles == 2);  // the active segment + the spare

  // The next rollover takes the spare (its old records must not show up) ...
  std::string active = log->segmentFiles().back();
  while (log->segmentFiles().back() == active) {
    log->append(batch(next, 10));
    next += 10;
  }
  REQUIRE(!fs::exists(opts.dir + "/log.spare"));
  log.reset();
  // ... and a reopen reads the live segments only, in order, old records never resurfacing.
  log = TxnLog::open(opts);
  auto all = readAll(*log);
  REQUIRE(!all.empty());
  REQUIRE(all.back().index == next - 1);
  for (size_t i = 1; i < all.size(); ++i) REQUIRE(all[i].index == all[i - 1].index + 1);
  REQUIRE(all.front().index <= last + 1);  // nothing above the checkpoint is missing
  REQUIRE(log->lastIndex() == next - 1);
}

TEST_CASE("txn log: a batch larger than a segment gets a larger one") {
  TempDir dir;
  auto opts = logOptions(dir, 4096);
  {
    auto log = TxnLog::open(opts);
    log->append(batch(1, 2));
    std::vector<Entry> big = {Entry{3, 0, std::string(10000, 'b')}, Entry{4, 0, "after"}};
    log->append(big);
    log->append(batch(5, 2));
  }
  auto log = TxnLog::open(opts);
  auto all = readAll(*log);
  REQUIRE(indexes(all) == range(1, 6));
  REQUIRE(all[2].payload == std::string(10000, 'b'));
}

namespace {

// An in-memory state machine: applied entries, a durable prefix set by checkpoint().
struct MemoryMachine : gk::replication::StateMachine {
  std::vector<Entry> applied;
  int64_t durable = 0;
  int checkpoints = 0;
  bool failApply = false;
  void apply(const std::vector<Entry>& b) override {
    if (failApply) throw std::runtime_error("disk full");
    for (const auto& e : b) applied.push_back(e);
  }
  int64_t lastApplied() override { return applied.empty() ? 0 : applied.back().index; }
  int64_t checkpoint() override {
    checkpoints++;
    return durable = lastApplied();
  }
};

}  // namespace

std::vector<Entry> termed(int64_t first, int64_t count, int64_t term) {
  auto es = batch(first, count, "t" + std::to_string(term) + "-");
  for (auto& e : es) {
    e.term = term;
    e.payload += std::string(100, 'y');  // a few dozen entries fill a 4 KiB segment
  }
  return es;
}

TEST_CASE("txn log: terms, first/last index and entries by index range survive a reopen") {
  TempDir dir;
  {
    auto log = TxnLog::open(logOptions(dir, 4096));  // small segments: reads cross them
    CHECK(log->firstIndex() == 0);
    CHECK(log->lastIndex() == 0);
    for (int64_t i = 1; i <= 60; i += 10) log->append(termed(i, 10, i <= 30 ? 1 : 2));
    log->append(termed(61, 5, 5));
    REQUIRE(log->segmentFiles().size() > 2);
    // A term never falls.
    REQUIRE_THROWS_AS(log->append(termed(66, 1, 4)), TxnLogError);
  }
  auto log = TxnLog::open(logOptions(dir, 4096));
  CHECK(log->firstIndex() == 1);
  CHECK(log->lastIndex() == 65);
  CHECK(log->term(1) == 1);
  CHECK(log->term(30) == 1);
  CHECK(log->term(31) == 2);
  CHECK(log->term(65) == 5);
  CHECK_FALSE(log->term(66).has_value());
  CHECK_FALSE(log->term(0).has_value());
  auto es = log->entries(25, 40);
  REQUIRE(indexes(es) == range(25, 39));
  CHECK(es.front().payload == termed(25, 1, 1)[0].payload);
  CHECK(es.back().term == 2);
  // maxBytes stops early, but always gives at least one entry.
  CHECK(log->entries(1, 66, 1).size() == 1);
  uint64_t two = es[0].payload.size() + es[1].payload.size();
  CHECK(log->entries(25, 40, two).size() == 2);
  CHECK(log->entries(66, 100).empty());
}

TEST_CASE("txn log: truncateAfter drops a suffix durably, inside a segment and across them") {
  TempDir dir;
  auto opts = logOptions(dir, 4096);
  {
    auto log = TxnLog::open(opts);
    for (int64_t i = 1; i <= 80; i += 10) log->append(termed(i, 10, i <= 40 ? 1 : 2));
    REQUIRE(log->segmentFiles().size() >= 3);  // 45 lies in the second
    log->truncateAfter(45);  // inside an earlier segment: the later ones go
    CHECK(log->lastIndex() == 45);
    CHECK_FALSE(log->term(46).has_value());
    // A new leader's entries take the dropped indexes.
    log->append(termed(46, 3, 3));
    CHECK(log->term(46) == 3);
  }
  {
    auto log = TxnLog::open(opts);
    auto all = readAll(*log);
    REQUIRE(indexes(all) == range(1, 48));
    CHECK(all[45].term == 3);
    CHECK(all[44].term == 2);
    // Nothing of the old suffix came back, although it was intact on disk.
    CHECK(log->lastIndex() == 48);
    log->truncateAfter(47);  // inside the active segment
    CHECK(log->lastIndex() == 47);
  }
  {
    auto log = TxnLog::open(opts);
    CHECK(log->lastIndex() == 47);
    log->truncateAfter(0);  // everything
    CHECK(log->firstIndex() == 0);
    CHECK(log->lastIndex() == 0);
    log->append(termed(1, 2, 7));
  }
  auto log = TxnLog::open(opts);
  auto all = readAll(*log);
  REQUIRE(indexes(all) == range(1, 2));
  CHECK(all[0].term == 7);
}

TEST_CASE("txn log: the HardState is durable, and a torn write keeps the previous one") {
  TempDir dir;
  {
    auto log = TxnLog::open(logOptions(dir));
    CHECK(log->hardState() == HardState{});
    log->saveHardState(HardState{3, 2, 10});
    log->saveHardState(HardState{4, 0, 12});
  }
  {
    auto log = TxnLog::open(logOptions(dir));
    CHECK(log->hardState() == HardState{4, 0, 12});
    log->saveHardState(HardState{5, 1, 12});
  }
  // Tear the newest slot (seq 3 went to slot 1): the one before it is read.
  clobber(dir.path() + "/log/hardstate", 40 + 9, "\x01\x02");
  auto log = TxnLog::open(logOptions(dir));
  CHECK(log->hardState() == HardState{4, 0, 12});
}

TEST_CASE("txn log: a segment written before terms is read, and appends go to a new one") {
  TempDir dir;
  auto opts = logOptions(dir);
  fs::create_directories(opts.dir);
  // Two records in the old layout: [len][crc][index][payload], chain seeded "GKWAL001"+seq.
  std::string seg(size_t(64 * 1024), '\0');
  auto le = [](char* p, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) p[i] = char(v >> (8 * i));
  };
  char seed[16] = {'G', 'K', 'W', 'A', 'L', '0', '0', '1'};
  le(seed + 8, 1, 8);
  uint32_t crc = gk::replication::crc32c(0, seed, 16);
  size_t off = 0;
  for (int64_t i : {5, 6}) {
    std::string payload = "old" + std::to_string(i);
    char* h = seg.data() + off;
    le(h, payload.size(), 4);
    le(h + 8, uint64_t(i), 8);
    std::memcpy(h + 16, payload.data(), payload.size());
    crc = gk::replication::crc32c(gk::replication::crc32c(crc, h, 4), h + 8, 8 + payload.size());
    le(h + 4, crc, 4);
    off += 16 + payload.size();
  }
  {
    std::FILE* f = std::fopen((opts.dir + "/log.0000000000000001").c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fwrite(seg.data(), 1, seg.size(), f);
    std::fclose(f);
  }
  {
    auto log = TxnLog::open(opts);
    auto all = readAll(*log);
    REQUIRE(indexes(all) == std::vector<int64_t>{5, 6});
    CHECK(all[1].payload == "old6");
    CHECK(all[1].term == 0);
    CHECK(log->entries(5, 7).size() == 2);
    log->append(termed(7, 2, 1));
    CHECK(log->segmentFiles().size() == 2);
  }
  auto log = TxnLog::open(opts);
  REQUIRE(indexes(readAll(*log)) == range(5, 8));
  CHECK(log->term(8) == 1);
}

TEST_CASE("recover() replays the log above the machine's last applied index") {
  TempDir dir;
  {
    auto log = TxnLog::open(logOptions(dir));
    log->append(batch(1, 10));
    log->append(batch(11, 10));
  }
  auto log = TxnLog::open(logOptions(dir));
  MemoryMachine m;
  m.applied = batch(1, 13);  // the store kept 1..13; an OS crash undid 14..20
  REQUIRE(gk::replication::recover(*log, m) == 7);
  REQUIRE(indexes(m.applied) == range(1, 20));
  REQUIRE(m.applied.back().payload == batch(20, 1)[0].payload);
  REQUIRE(m.checkpoints == 1);
  REQUIRE(m.durable == 20);
  // Nothing left to replay.
  REQUIRE(gk::replication::recover(*log, m) == 0);
}

TEST_CASE("LocalQuorum with a log: committed means logged and applied, in order") {
  TempDir dir;
  auto log = TxnLog::open(logOptions(dir, 4096));
  MemoryMachine m;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int64_t> committed;
  std::vector<std::string> errors;
  {
    gk::replication::LocalQuorum q(m, log.get(), [&](std::vector<Entry> es, std::string err) {
      std::lock_guard lock(mu);
      // Reported only once the log has the batch durably.
      for (const auto& e : es) {
        CHECK(log->lastIndex() >= e.index);
        committed.push_back(e.index);
      }
      if (!err.empty()) errors.push_back(err);
      cv.notify_all();
    });
    for (int64_t i = 1; i <= 400; i += 4) q.propose(batch(i, 4));
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return committed.size() == 400; }));
  }
  REQUIRE(errors.empty());
  REQUIRE(committed == range(1, 400));
  REQUIRE(indexes(m.applied) == range(1, 400));
  // 400 records of ~30 bytes overflow 4 KiB segments: checkpoints dropped the full ones.
  REQUIRE(m.checkpoints > 0);
  REQUIRE(log->segmentFiles().size() <= 2);
  REQUIRE(indexes(readAll(*log, m.durable)) == range(m.durable + 1, 400));
}

TEST_CASE("LocalQuorum reports a failed apply as the batch's error") {
  TempDir dir;
  auto log = TxnLog::open(logOptions(dir));
  MemoryMachine m;
  m.failApply = true;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> errors;
  {
    gk::replication::LocalQuorum q(m, log.get(), [&](std::vector<Entry>, std::string err) {
      std::lock_guard lock(mu);
      errors.push_back(err);
      cv.notify_all();
    });
    q.propose(batch(1, 2));
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return !errors.empty(); }));
  }
  REQUIRE(errors.size() == 1);
  REQUIRE(errors[0] == "disk full");
}
