// Scenario tests of the Raft core (replication/raft/), each a short protocol trace over the
// simulated cluster of tests/sim/sim_cluster.h (real core, real driver loop, simulated
// network/clock/disk). The cluster checks election safety, leader completeness and
// state-machine safety after every step; these tests check the behaviour each feature
// promises.
#include <catch2/catch.hpp>

#include "replication/raft/memory_storage.h"
#include "replication/raft/raft.h"
#include "tests/sim/sim_cluster.h"

using namespace gk::replication;
using namespace gk::replication::raft;
using gk::sim::SimCluster;

namespace {

SimCluster::Options three(uint64_t seed = 1) {
  SimCluster::Options o;
  o.seed = seed;
  return o;
}

// Elects `id` by making it campaign, then lets the no-op commit everywhere.
void elect(SimCluster& c, NodeId id) {
  c.campaign(id);
  c.deliverDue();
  REQUIRE(c.raft(id).role() == Role::Leader);
  REQUIRE(c.runUntil([&] { return c.raft(id).log().committed() == c.raft(id).log().lastIndex(); }, 5));
}

int64_t valueAt(SimCluster& c, NodeId id) { return c.node(id).sm.value; }

}  // namespace

TEST_CASE("raft: a single voter elects itself and commits what it proposes") {
  SimCluster::Options o;
  o.voters = {1};
  SimCluster c(o);
  REQUIRE(c.runUntil([&] { return c.raft(1).role() == Role::Leader; }, 30));
  CHECK(c.raft(1).term() == 1);
  auto idx = c.propose(1, "1 set 7");
  REQUIRE(idx);
  CHECK(c.raft(1).log().committed() == *idx);
  CHECK(valueAt(c, 1) == 7);
  CHECK(c.node(1).disk.hardState().commit == *idx);
}

TEST_CASE("raft: three servers elect one leader, replicate and apply in the same order") {
  SimCluster c(three());
  REQUIRE(c.runUntil([&] { return c.leader() != 0; }, 40));
  NodeId l = c.leader();
  for (int i = 1; i <= 20; ++i) REQUIRE(c.propose(l, std::to_string(i) + " set " + std::to_string(i)));
  REQUIRE(c.runUntil([&] {
    for (NodeId id : c.ids())
      if (valueAt(c, id) != 20) return false;
    return true;
  }, 10));
  c.checkLogMatching();
  for (NodeId id : c.ids()) {
    CHECK(c.raft(id).term() == c.raft(l).term());
    CHECK(c.raft(id).leader() == l);
  }
  // Everyone's HardState on disk names the term; the voters voted for someone in it.
  CHECK(c.node(l).disk.hardState().term == c.raft(l).term());
}

TEST_CASE("raft: a follower only proposes through the leader: propose answers not-leader") {
  SimCluster c(three());
  elect(c, 1);
  CHECK_FALSE(c.propose(2, "1 set 1"));
  CHECK(c.raft(2).leader() == 1);
  // A proposal prepared for another term than the leader's is refused too.
  CHECK_FALSE(c.raft(1).propose({"2 set 2"}, c.raft(1).term() + 1));
  CHECK(c.raft(1).propose({"3 set 3"}, c.raft(1).term()));
}

TEST_CASE("raft: a leader's uncommitted suffix is replaced by the next leader's log") {
  SimCluster c(three());
  elect(c, 1);
  REQUIRE(c.propose(1, "1 set 1"));
  c.tickAll();
  // Cut the leader off; what it accepts now never commits.
  c.isolate(1);
  REQUIRE(c.propose(1, "2 set 2"));
  REQUIRE(c.propose(1, "3 set 3"));
  int64_t oldLast = c.raft(1).log().lastIndex();
  CHECK(c.raft(1).log().committed() < oldLast);
  REQUIRE(c.runUntil([&] {
    NodeId l = c.leader();
    return l == 2 || l == 3;
  }, 60));
  NodeId l = c.leader();
  REQUIRE(c.propose(l, "4 set 4"));
  c.heal();
  REQUIRE(c.runUntil([&] { return valueAt(c, 1) == 4 && c.raft(1).leader() == l; }, 60));
  c.checkLogMatching();
  // Entries 2 and 3 were never applied anywhere.
  for (auto& [index, e] : c.appliedLog()) {
    CHECK(e.second != "2 set 2");
    CHECK(e.second != "3 set 3");
  }
}

TEST_CASE("raft: pre-vote — a server cut off and back does not depose a healthy leader") {
  SimCluster c(three());
  elect(c, 1);
  int64_t term = c.raft(1).term();
  c.isolate(3);
  for (int i = 0; i < 100; ++i) c.tickAll();  // 3 times out again and again
  CHECK(c.raft(3).term() == term);            // pre-votes never raise its term
  CHECK(c.raft(3).role() == Role::PreCandidate);
  c.heal();
  REQUIRE(c.runUntil([&] { return c.raft(3).role() == Role::Follower; }, 20));
  CHECK(c.leader() == 1);
  CHECK(c.raft(1).term() == term);
  CHECK(c.raft(3).leader() == 1);
}

TEST_CASE("raft: without pre-vote the same server does depose the leader (what pre-vote prevents)") {
  SimCluster::Options o = three();
  o.preVote = false;
  o.checkQuorum = false;
  SimCluster c(o);
  elect(c, 1);
  int64_t term = c.raft(1).term();
  c.isolate(3);
  for (int i = 0; i < 100; ++i) c.tickAll();
  CHECK(c.raft(3).term() > term + 1);
  c.heal();
  REQUIRE(c.runUntil([&] { return c.leader() != 0 && c.raft(c.leader()).term() > term; }, 60));
}

TEST_CASE("raft: check-quorum — a leader cut off from the majority steps down in an election timeout") {
  SimCluster c(three());
  elect(c, 1);
  c.cut(1, 2);
  c.cut(1, 3);
  int ticks = 0;
  while (c.raft(1).role() == Role::Leader && ticks < 100) {
    c.tickAll();
    ++ticks;
  }
  CHECK(c.raft(1).role() == Role::Follower);
  CHECK(ticks <= 2 * 10);  // within two election timeouts of its last contact
  REQUIRE(c.runUntil([&] { return c.leader() == 2 || c.leader() == 3; }, 60));
}

TEST_CASE("raft: leadership transfer hands over to an up-to-date voter in the next term") {
  SimCluster c(three());
  elect(c, 1);
  for (int i = 1; i <= 5; ++i) REQUIRE(c.propose(1, std::to_string(i) + " set " + std::to_string(i)));
  int64_t term = c.raft(1).term();
  c.transferLeadership(1, 3);
  CHECK_FALSE(c.propose(1, "9 set 9"));  // no proposals while handing over
  REQUIRE(c.runUntil([&] { return c.leader() == 3; }, 5));
  CHECK(c.raft(3).term() == term + 1);
  REQUIRE(c.runUntil([&] { return c.raft(1).leader() == 3 && c.raft(2).leader() == 3; }, 5));
  REQUIRE(c.propose(3, "10 set 10"));
  REQUIRE(c.runUntil([&] { return valueAt(c, 1) == 10 && valueAt(c, 2) == 10; }, 10));
}

TEST_CASE("raft: a transfer to a server that cannot answer is abandoned after an election timeout") {
  SimCluster c(three());
  elect(c, 1);
  c.isolate(3);
  c.transferLeadership(1, 3);
  CHECK(c.raft(1).transferee() == 3);
  for (int i = 0; i < 12; ++i) c.tickAll();
  CHECK(c.raft(1).transferee() == 0);
  CHECK(c.raft(1).role() == Role::Leader);  // 2 still answers: the quorum holds
  CHECK(c.propose(1, "1 set 1"));
}

TEST_CASE("raft: a learner replicates and applies but never votes or counts toward a quorum") {
  SimCluster::Options o = three();
  o.learners = {4};
  SimCluster c(o);
  elect(c, 1);
  REQUIRE(c.propose(1, "1 set 5"));
  REQUIRE(c.runUntil([&] { return valueAt(c, 4) == 5; }, 10));
  CHECK(c.raft(4).role() == Role::Learner);
  // The learner never campaigns, however long it hears nothing.
  c.isolate(4);
  for (int i = 0; i < 100; ++i) c.tickAll();
  CHECK(c.raft(4).role() == Role::Learner);
  CHECK(c.raft(4).term() == c.raft(1).term());
  c.heal();
  // Two voters down: the leader and the learner are not a quorum — nothing commits.
  c.crash(2);
  c.crash(3);
  int64_t committed = c.raft(1).log().committed();
  REQUIRE(c.propose(1, "2 set 6"));
  for (int i = 0; i < 5; ++i) c.tickAll();
  CHECK(c.raft(1).log().committed() == committed);
  CHECK(valueAt(c, 4) == 5);
}

TEST_CASE("raft: ReadIndex on the leader waits for a quorum's heartbeat answers") {
  SimCluster c(three());
  elect(c, 1);
  REQUIRE(c.propose(1, "1 set 3"));
  c.tickAll();
  c.delay = [](const Message&) { return 2; };
  REQUIRE(c.readIndex(1, 77));
  CHECK(c.node(1).readStates.empty());  // not before the round trip
  REQUIRE(c.runUntil([&] { return !c.node(1).readStates.empty(); }, 10));
  CHECK(c.node(1).readStates[0].context == 77);
  CHECK(c.node(1).readStates[0].index == c.raft(1).log().committed());
}

TEST_CASE("raft: ReadIndex from a follower goes through the leader and names an index to wait for") {
  SimCluster c(three());
  elect(c, 1);
  auto idx = c.propose(1, "1 set 3");
  REQUIRE(idx);
  REQUIRE(c.runUntil([&] { return c.raft(1).log().committed() >= *idx; }, 5));  // acknowledged
  REQUIRE(c.readIndex(2, 5));
  REQUIRE(c.runUntil([&] { return !c.node(2).readStates.empty(); }, 10));
  CHECK(c.node(2).readStates[0].context == 5);
  CHECK(c.node(2).readStates[0].index >= *idx);  // covers the acknowledged set
}

TEST_CASE("raft: a leader cut off cannot answer a ReadIndex (no stale read)") {
  SimCluster c(three());
  elect(c, 1);
  c.isolate(1);
  REQUIRE(c.readIndex(1, 9));
  for (int i = 0; i < 30; ++i) c.tickAll();
  CHECK(c.node(1).readStates.empty());
  CHECK(c.raft(1).role() != Role::Leader);
}

TEST_CASE("raft: a new leader serves no read before an entry of its own term commits") {
  SimCluster c(three());
  elect(c, 1);
  REQUIRE(c.propose(1, "1 set 1"));
  c.tickAll();
  c.crash(1);
  REQUIRE(c.runUntil([&] { return c.leader() != 0; }, 60));
  NodeId l = c.leader();
  // Hold back its Appends so the no-op cannot commit yet.
  c.drop = [&](const Message& m) { return m.type == MessageType::Append; };
  if (c.raft(l).log().term(c.raft(l).log().committed()) != c.raft(l).term()) {
    REQUIRE(c.readIndex(l, 1));
    for (int i = 0; i < 5; ++i) c.tickAll();
    CHECK(c.node(l).readStates.empty());
    c.drop = [](const Message&) { return false; };
    REQUIRE(c.runUntil([&] { return !c.node(l).readStates.empty(); }, 20));
    CHECK(c.node(l).readStates[0].index >= 3);
  }
}

TEST_CASE("raft: a follower far behind gets a snapshot when the leader compacted its log") {
  SimCluster c(three());
  elect(c, 1);
  c.crash(3);
  for (int i = 1; i <= 30; ++i) REQUIRE(c.propose(1, std::to_string(i) + " set " + std::to_string(i)));
  REQUIRE(c.runUntil([&] { return valueAt(c, 1) == 30 && valueAt(c, 2) == 30; }, 10));
  c.compact(1, c.node(1).sm.appliedIndex);
  REQUIRE(c.node(1).disk.snapshot().index > 0);
  c.restart(3);
  REQUIRE(c.runUntil([&] { return valueAt(c, 3) == 30; }, 30));
  CHECK(c.node(3).disk.snapshot().index == c.node(1).disk.snapshot().index);
  REQUIRE(c.propose(1, "31 set 31"));
  REQUIRE(c.runUntil([&] { return valueAt(c, 3) == 31; }, 10));
  c.checkLogMatching();
}

TEST_CASE("raft: a lost snapshot is sent again") {
  SimCluster c(three());
  elect(c, 1);
  c.crash(3);
  for (int i = 1; i <= 10; ++i) REQUIRE(c.propose(1, std::to_string(i) + " set " + std::to_string(i)));
  c.tickAll();
  c.compact(1, c.node(1).sm.appliedIndex);
  c.restart(3);
  int dropped = 0;
  c.drop = [&](const Message& m) {
    return m.type == MessageType::Snapshot && dropped++ < 2;
  };
  REQUIRE(c.runUntil([&] { return valueAt(c, 3) == 10; }, 60));
  CHECK(dropped >= 2);
}

TEST_CASE("raft: a crash while persisting keeps a prefix, and nothing acknowledged is lost") {
  SimCluster c(three());
  elect(c, 1);
  for (uint64_t round = 0; round < 20; ++round) {
    NodeId l = c.leader();
    REQUIRE(l != 0);
    REQUIRE(c.propose(l, std::to_string(100 + round) + " set " + std::to_string(round)));
    NodeId victim = NodeId(1 + round % 3);
    c.crash(victim, true, round);
    c.tickAll();
    c.restart(victim);
    REQUIRE(c.runUntil([&] { return c.leader() != 0; }, 80));
  }
  REQUIRE(c.runUntil([&] {
    int64_t v = valueAt(c, 1);
    return valueAt(c, 2) == v && valueAt(c, 3) == v &&
           c.raft(1).log().committed() == c.raft(2).log().committed();
  }, 80));
  c.checkLogMatching();
}

TEST_CASE("raft: a restarted server keeps its term and vote (no second vote in a term)") {
  MemoryStorage disk;
  Config cfg;
  cfg.id = 2;
  cfg.voters = {1, 2, 3};
  {
    Raft r(cfg, disk);
    Message v;
    v.type = MessageType::Vote;
    v.from = 1;
    v.to = 2;
    v.term = 5;
    r.step(v);
    Ready rd = r.ready();
    REQUIRE(rd.hardState);
    disk.setHardState(*rd.hardState);
    REQUIRE(rd.messages.size() == 1);
    CHECK_FALSE(rd.messages[0].reject);
    r.advance(rd);
  }
  Raft r(cfg, disk);
  CHECK(r.term() == 5);
  CHECK(r.vote() == 1);
  Message v;
  v.type = MessageType::Vote;
  v.from = 3;
  v.to = 2;
  v.term = 5;
  r.step(v);
  Ready rd = r.ready();
  REQUIRE(rd.messages.size() == 1);
  CHECK(rd.messages[0].reject);
}

TEST_CASE("raft: bad peer messages are dropped and change nothing") {
  MemoryStorage disk;
  Config cfg;
  cfg.id = 1;
  cfg.voters = {1, 2, 3};
  Raft r(cfg, disk);
  auto before = r.hardState();
  Message m;
  m.type = MessageType::Append;
  m.from = 9;  // not a member
  m.to = 1;
  m.term = 4;
  r.step(m);
  m.from = 2;
  m.to = 3;  // not for us
  r.step(m);
  m.to = 1;
  m.entries = {Entry{5, 4, "x"}};  // does not follow index 0
  r.step(m);
  m.entries = {Entry{1, 7, "x"}};  // entry from a term after the message's
  r.step(m);
  m.entries.clear();
  m.term = -1;
  r.step(m);
  Message v;
  v.type = MessageType::Vote;
  v.from = 2;
  v.to = 1;
  v.term = 3;
  v.entries = {Entry{1, 1, "x"}};  // a vote carries no entries
  r.step(v);
  CHECK(r.droppedMessages() == 6);
  CHECK(r.hardState() == before);
  CHECK_FALSE(r.hasReady());
}

TEST_CASE("raft: a configuration that cannot work is refused with a reason") {
  MemoryStorage disk;
  Config cfg;
  cfg.id = 4;
  cfg.voters = {1, 2, 3};
  CHECK_THROWS_WITH(Raft(cfg, disk), Catch::Contains("not in the configuration"));
  cfg.id = 1;
  cfg.learners = {1};
  CHECK_THROWS_WITH(Raft(cfg, disk), Catch::Contains("both a voter and a learner"));
  cfg.learners = {};
  cfg.electionTicks = 1;
  CHECK_THROWS_WITH(Raft(cfg, disk), Catch::Contains("heartbeatTicks < electionTicks"));
}

TEST_CASE("raft: the same seed and inputs give the same run") {
  auto run = [](uint64_t seed) {
    SimCluster::Options o;
    o.voters = {1, 2, 3, 4, 5};
    o.seed = seed;
    SimCluster c(o);
    c.delay = [](const Message& m) { return int64_t((m.from * 7 + m.to * 3 + m.term) % 3); };
    c.runUntil([&] { return c.leader() != 0; }, 100);
    return std::make_pair(c.leader(), c.raft(c.leader()).term());
  };
  CHECK(run(42) == run(42));
  CHECK(run(7) == run(7));
}

namespace {

// One server driven by hand: what it sends is returned, what it persists goes to `disk`.
struct Lone {
  MemoryStorage disk;
  std::unique_ptr<Raft> r;
  explicit Lone(std::vector<Entry> log = {}, HardState hs = {}) {
    disk.append(log);
    disk.setHardState(hs);
    Config cfg;
    cfg.id = 1;
    cfg.voters = {1, 2, 3};
    r = std::make_unique<Raft>(cfg, disk);
  }
  std::vector<Message> cycle() {
    std::vector<Message> out;
    while (r->hasReady()) {
      Ready rd = r->ready();
      disk.append(rd.entries);
      if (rd.hardState) disk.setHardState(*rd.hardState);
      out.insert(out.end(), rd.messages.begin(), rd.messages.end());
      r->advance(rd);
    }
    return out;
  }
  void from(NodeId peer, MessageType type, int64_t term, int64_t index = 0, bool reject = false) {
    Message m;
    m.type = type;
    m.from = peer;
    m.to = 1;
    m.term = term;
    m.index = index;
    m.reject = reject;
    r->step(m);
    cycle();
  }
};

}  // namespace

TEST_CASE("raft: a leader never commits an entry of an earlier term by counting replicas") {
  // Raft §5.4.2 (the paper's Figure 8): index 2 is from term 1 and now on a majority, but
  // only this term's no-op (index 3) may be committed by counting; 2 commits with it.
  Lone s({Entry{1, 1, "a"}, Entry{2, 1, "b"}}, HardState{2, 0, 1});
  s.r->campaign();
  s.cycle();
  s.from(2, MessageType::PreVoteResponse, 3);
  s.from(2, MessageType::VoteResponse, 3);
  REQUIRE(s.r->role() == Role::Leader);
  REQUIRE(s.r->log().lastIndex() == 3);
  s.from(2, MessageType::AppendResponse, 3, 2);  // follower 2 matches up to index 2
  CHECK(s.r->log().committed() == 1);
  s.from(2, MessageType::AppendResponse, 3, 3);
  CHECK(s.r->log().committed() == 3);
}

TEST_CASE("raft: answers from an earlier term are not counted") {
  Lone s({}, HardState{4, 0, 0});
  s.r->campaign();
  s.cycle();
  s.from(2, MessageType::PreVoteResponse, 5);
  REQUIRE(s.r->role() == Role::Candidate);
  REQUIRE(s.r->term() == 5);
  s.from(2, MessageType::VoteResponse, 4);  // a grant from term 4's election
  s.from(3, MessageType::VoteResponse, 4);
  CHECK(s.r->role() == Role::Candidate);
  s.from(3, MessageType::VoteResponse, 5);
  CHECK(s.r->role() == Role::Leader);
}
