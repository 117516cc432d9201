// SessionTracker (engine/session_tracker.cc): deadlines driven by the caller's clock,
// touch/expiry/closing/removal, with no real time involved.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/session_tracker.h"

using namespace gk::engine;

namespace {
std::vector<int64_t> sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}
}  // namespace

TEST_CASE("sessions: add and find", "[session]") {
  SessionTracker t;
  CHECK(t.size() == 0);
  CHECK(t.find(1) == nullptr);
  t.add(0x100, 30000, "pw-0123456789abc", 1000);
  REQUIRE(t.find(0x100) != nullptr);
  const auto& s = *t.find(0x100);
  CHECK(s.id == 0x100);
  CHECK(s.timeoutMs == 30000);
  CHECK(s.password == "pw-0123456789abc");
  CHECK(s.deadlineMs == 31000);
  CHECK_FALSE(s.closing);
  CHECK(t.size() == 1);
  CHECK(t.all().count(0x100) == 1);
}

TEST_CASE("sessions: touch pushes the deadline out by the timeout", "[session]") {
  SessionTracker t;
  t.add(1, 4000, "", 0);
  CHECK(t.touch(1, 3000));
  CHECK(t.find(1)->deadlineMs == 7000);
  CHECK(t.takeExpired(6999).empty());
  CHECK(t.touch(1, 6999));
  CHECK(t.takeExpired(7000).empty());
  CHECK(t.takeExpired(10998).empty());
  CHECK(t.takeExpired(10999) == std::vector<int64_t>{1});
  CHECK_FALSE(t.touch(42, 0));  // unknown
}

TEST_CASE("sessions: expiry reports each session once and marks it closing", "[session]") {
  SessionTracker t;
  t.add(1, 1000, "", 0);
  t.add(2, 2000, "", 0);
  t.add(3, 3000, "", 0);
  CHECK(t.takeExpired(999).empty());
  CHECK(t.takeExpired(1000) == std::vector<int64_t>{1});
  CHECK(t.find(1)->closing);
  CHECK(t.takeExpired(1000).empty());
  CHECK(sorted(t.takeExpired(5000)) == std::vector<int64_t>{2, 3});
  CHECK(t.takeExpired(100000).empty());
  // Expired but not removed: still known, no longer usable.
  CHECK(t.size() == 3);
  CHECK_FALSE(t.touch(2, 5000));
}

TEST_CASE("sessions: a closing session neither expires nor renews", "[session]") {
  SessionTracker t;
  t.add(5, 1000, "", 0);
  t.markClosing(5);
  CHECK(t.find(5)->closing);
  CHECK_FALSE(t.touch(5, 10));
  CHECK(t.find(5)->deadlineMs == 1000);
  CHECK(t.takeExpired(50000).empty());
  t.markClosing(77);  // unknown: ignored
  CHECK(t.find(77) == nullptr);
}

TEST_CASE("sessions: remove forgets; re-adding starts afresh", "[session]") {
  SessionTracker t;
  t.add(9, 1000, "a", 0);
  t.markClosing(9);
  t.remove(9);
  CHECK(t.find(9) == nullptr);
  CHECK(t.size() == 0);
  t.remove(9);  // twice is fine
  t.add(9, 2000, "b", 500);
  REQUIRE(t.find(9) != nullptr);
  CHECK_FALSE(t.find(9)->closing);
  CHECK(t.find(9)->deadlineMs == 2500);
  CHECK(t.find(9)->password == "b");
  CHECK(t.size() == 1);
}

TEST_CASE("sessions: many sessions expire as the clock passes their deadlines", "[session]") {
  SessionTracker t;
  for (int64_t id = 1; id <= 100; ++id) t.add(id, int32_t(id * 10), "", 0);
  std::vector<int64_t> seen;
  for (int64_t now = 0; now <= 1000; now += 50) {
    auto expired = sorted(t.takeExpired(now));
    for (int64_t id : expired) CHECK(id * 10 <= now);
    seen.insert(seen.end(), expired.begin(), expired.end());
  }
  CHECK(sorted(seen).size() == 100);
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
}
