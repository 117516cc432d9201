// gk_raft_sim: the randomized deterministic simulator of the Raft core.
//
// Each seed builds an ensemble (3 or 5 voters, sometimes with an observer) in one process
// (tests/sim/sim_cluster.h) and runs it through a storm chosen from the seed: message drops,
// duplicates and delays (which reorder), partitions (two halves, the leader isolated, a bridge
// server that alone sees both sides), servers paused (a stopped clock: SIGSTOP) and crashes,
// some while a Ready is half persisted, log compaction with snapshots sent to laggards —
// while clients write (set, compare-and-set) and read (ReadIndex) the register the log
// drives. After every step the cluster checks election safety, leader completeness and
// state-machine safety; every 25 ticks and at the end, log matching. Then the storm stops,
// every server comes back, and the ensemble must elect a leader and commit a new write on
// every server within a bound (liveness). Last, the client history is checked for
// linearizability (below).
//
// Usage: gk_raft_sim [--seeds N] [--first S]    run seeds S..S+N-1 (default 0, 500)
//        gk_raft_sim --seed S [--trace]         one seed, printing its trace on failure
// Exit 1 on the first failing seed, printing it; the same seed replays the same run.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/sim/sim_cluster.h"

using namespace gk::sim;

namespace {

// One client operation as a client saw it. Times are ticks: invoked before the tick's
// deliveries, completed after them.
struct Op {
  uint64_t id = 0;
  bool read = false;
  NodeId server = 0;
  int64_t invoked = 0;
  int64_t completed = -1;  // -1: outcome unknown (server crashed, leadership lost, ...)
  int64_t index = 0;       // write: its log index; read: the ReadIndex to wait for
  uint64_t context = 0;    // read
  int64_t version = -1;    // write: version after (if it took); read: version seen
  bool gotReadIndex = false;
};

struct Failure {
  std::string what;
};

// Linearizability of the register history. Writes are totally ordered by the log (state
// machine safety is checked separately), so what remains is where each read may go: a read
// must see a version at least as new as every write acknowledged before it was invoked, and
// no older than what any read that completed before it was invoked saw. With writes fixed in
// log order and versions rising with each write that took, these two conditions are exactly
// linearizability for this model; writes with an unknown outcome may land anywhere after
// their invocation, which neither condition constrains.
void checkLinearizable(const std::vector<Op>& ops) {
  // Writes acknowledged, by completion time; reads completed, by completion time.
  std::vector<const Op*> acked, reads;
  for (const Op& o : ops) {
    if (o.completed < 0) continue;
    if (o.read)
      reads.push_back(&o);
    else if (o.version >= 0)
      acked.push_back(&o);
  }
  for (const Op* r : reads) {
    for (const Op* w : acked)
      if (w->completed < r->invoked && w->version > r->version)
        throw Failure{"linearizability: read " + std::to_string(r->id) + " on server " +
                      std::to_string(r->server) + " (ticks " + std::to_string(r->invoked) + "–" +
                      std::to_string(r->completed) + ") saw version " +
                      std::to_string(r->version) + " after write " + std::to_string(w->id) +
                      " was acknowledged at version " + std::to_string(w->version) +
                      " (tick " + std::to_string(w->completed) + ")"};
    for (const Op* q : reads)
      if (q->completed < r->invoked && q->version > r->version)
        throw Failure{"linearizability: read " + std::to_string(r->id) + " saw version " +
                      std::to_string(r->version) + " after read " + std::to_string(q->id) +
                      " had seen version " + std::to_string(q->version)};
  }
  // Real-time order of writes: one acknowledged before another was invoked comes first.
  for (const Op* a : acked)
    for (const Op* b : acked)
      if (a->completed < b->invoked && a->index > b->index)
        throw Failure{"linearizability: write " + std::to_string(b->id) + " was ordered before write " +
                      std::to_string(a->id) + " though invoked after it was acknowledged"};
}

struct Stats {
  uint64_t writes = 0, acked = 0, reads = 0, readsDone = 0, crashes = 0, partitions = 0,
           pauses = 0, snapshots = 0, transfers = 0;
};

void runStorm(SimCluster& c, std::mt19937_64& rng, uint64_t seed, Stats& st);

void runSeed(uint64_t seed, bool trace, Stats& st) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 1);
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

  SimCluster::Options o;
  o.seed = seed;
  o.voters = chance(0.5) ? std::vector<NodeId>{1, 2, 3} : std::vector<NodeId>{1, 2, 3, 4, 5};
  if (chance(0.3)) o.learners = {9};
  o.maxMessageBytes = chance(0.5) ? 64 : (1 << 20);  // small: many Appends per catch-up
  o.preVote = !chance(0.2);       // the safety checks hold without them too
  o.checkQuorum = !chance(0.2);
  o.heartbeatTicks = chance(0.3) ? 3 : 1;
  SimCluster c(o);
  c.setTracing(trace);
  try {
    runStorm(c, rng, seed, st);
  } catch (...) {
    if (trace) {
      const auto& lines = c.trace();
      size_t from = 0;
      for (size_t i = from; i < lines.size(); ++i) std::cerr << lines[i] << "\n";
    }
    throw;
  }
}

void runStorm(SimCluster& c, std::mt19937_64& rng, uint64_t seed, Stats& st) {
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<NodeId> ids = c.ids();

  double dropRate = std::vector<double>{0, 0.02, 0.1}[pick(0, 2)];
  double dupRate = std::vector<double>{0, 0.02}[pick(0, 1)];
  int maxDelay = std::vector<int>{0, 1, 3}[pick(0, 2)];
  std::mt19937_64 netRng(seed ^ 0xABCDEFull);
  bool storm = true;
  c.drop = [&](const Message&) {
    return storm && std::uniform_real_distribution<double>(0, 1)(netRng) < dropRate;
  };
  c.duplicate = [&](const Message&) {
    return storm && std::uniform_real_distribution<double>(0, 1)(netRng) < dupRate;
  };
  c.delay = [&](const Message&) {
    return storm ? std::uniform_int_distribution<int64_t>(0, maxDelay)(netRng) : 0;
  };

  std::vector<Op> ops;
  std::map<NodeId, int64_t> restartAt, resumeAt;
  int64_t healAt = -1;
  uint64_t nextOp = 1;
  auto tick = [&] {
    c.tickAll();
    // Completions, as the clients see them.
    for (Op& op : ops) {
      if (op.completed >= 0 || op.server <= 0) continue;
      auto& n = c.node(op.server);
      if (!n.up()) continue;
      if (op.read) {
        if (!op.gotReadIndex)
          for (const ReadState& rs : n.readStates)
            if (rs.context == op.context) {
              op.gotReadIndex = true;
              op.index = rs.index;
            }
        if (op.gotReadIndex && n.sm.appliedIndex >= op.index) {
          op.completed = c.now();
          op.version = n.sm.version;
          ++st.readsDone;
        }
      } else {
        auto it = n.sm.results.find(op.id);
        if (it != n.sm.results.end()) {
          op.completed = c.now();
          op.version = it->second.ok ? it->second.version : -1;
          ++st.acked;
        } else if (n.sm.appliedIndex >= op.index) {
          // Another entry took its index: it never commits. Known failure; not in the check.
          op.completed = c.now();
          op.version = -1;
        }
      }
    }
  };
  auto forgetOn = [&](NodeId id) {  // a crashed server's clients lose their answers
    for (Op& op : ops)
      if (op.server == id && op.completed < 0 && op.read) op.server = -op.server;
  };

  int chaosTicks = 400;
  for (int t = 0; t < chaosTicks; ++t) {
    // Clients.
    if (chance(0.5)) {
      NodeId s = ids[size_t(pick(0, int(ids.size()) - 1))];
      if (chance(0.3)) {
        Op op{nextOp++, true, s, c.now()};
        op.context = op.id;
        if (c.readIndex(s, op.context)) {
          ops.push_back(op);
          ++st.reads;
        }
      } else {
        Op op{nextOp++, false, s, c.now()};
        std::string p = std::to_string(op.id) +
                        (chance(0.3) ? " cas " + std::to_string(pick(0, 5)) + " " : " set ") +
                        std::to_string(pick(0, 5));
        if (auto idx = c.propose(s, p)) {
          op.index = *idx;
          ops.push_back(op);
          ++st.writes;
        }
      }
    }
    // Faults.
    if (chance(0.01)) {
      NodeId v = chance(0.5) && c.leader() ? c.leader() : ids[size_t(pick(0, int(ids.size()) - 1))];
      if (c.node(v).up()) {
        forgetOn(v);
        c.crash(v, chance(0.5), rng());
        restartAt[v] = c.now() + pick(5, 50);
        ++st.crashes;
      }
    }
    if (healAt < 0 && chance(0.008)) {
      int kind = pick(0, 2);
      std::vector<NodeId> shuffled = ids;
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      if (kind == 0) {  // two halves
        size_t half = shuffled.size() / 2;
        for (size_t i = 0; i < half; ++i)
          for (size_t j = half; j < shuffled.size(); ++j) c.cut(shuffled[i], shuffled[j]);
      } else if (kind == 1) {  // the leader alone
        c.isolate(c.leader() ? c.leader() : shuffled[0]);
      } else {  // a bridge: shuffled[0] sees both sides, which do not see each other
        size_t half = (shuffled.size() + 1) / 2;
        for (size_t i = 1; i < half; ++i)
          for (size_t j = half; j < shuffled.size(); ++j) c.cut(shuffled[i], shuffled[j]);
      }
      healAt = c.now() + pick(10, 100);
      ++st.partitions;
    }
    if (chance(0.006)) {
      NodeId v = chance(0.5) && c.leader() ? c.leader() : ids[size_t(pick(0, int(ids.size()) - 1))];
      if (c.node(v).up() && !c.node(v).paused) {
        c.pause(v);
        resumeAt[v] = c.now() + pick(5, 60);
        ++st.pauses;
      }
    }
    if (chance(0.005) && c.leader()) {
      NodeId target = ids[size_t(pick(0, int(ids.size()) - 1))];
      c.transferLeadership(c.leader(), target);  // to itself or an observer: ignored
      ++st.transfers;
    }
    if (chance(0.01)) {
      NodeId v = ids[size_t(pick(0, int(ids.size()) - 1))];
      if (c.node(v).up() && c.node(v).sm.appliedIndex > c.node(v).disk.snapshot().index) {
        c.compact(v, c.node(v).sm.appliedIndex);
        ++st.snapshots;
      }
    }
    for (auto it = restartAt.begin(); it != restartAt.end();)
      if (it->second <= c.now()) {
        c.restart(it->first);
        it = restartAt.erase(it);
      } else {
        ++it;
      }
    for (auto it = resumeAt.begin(); it != resumeAt.end();)
      if (it->second <= c.now()) {
        c.resume(it->first);
        it = resumeAt.erase(it);
      } else {
        ++it;
      }
    if (healAt >= 0 && healAt <= c.now()) {
      c.heal();
      healAt = -1;
    }
    tick();
    if (t % 25 == 0) c.checkLogMatching();
  }

  // The storm ends: everyone back, no faults. A leader must emerge and a new write reach
  // every server.
  storm = false;
  c.heal();
  for (NodeId id : ids) {
    c.resume(id);
    c.restart(id);
  }
  Op last{nextOp++, false, 0, 0};
  bool done = false;
  for (int t = 0; t < 400 && !done; ++t) {
    NodeId l = c.leader();
    if (l && last.server == 0) {
      last.invoked = c.now();
      if (auto idx = c.propose(l, std::to_string(last.id) + " set 1000")) {
        last.server = l;
        last.index = *idx;
      }
    }
    tick();
    if (last.server) {
      done = true;
      for (NodeId id : ids)
        if (!c.node(id).sm.results.count(last.id)) done = false;
      if (!done && c.leader() != last.server) last.server = 0;  // leadership moved: again
    }
  }
  if (!done) throw Failure{"liveness: no write committed on every server within 400 ticks after the storm"};
  c.checkLogMatching();
  for (Op& op : ops)
    if (op.server < 0) op.completed = -1;
  checkLinearizable(ops);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t first = 0, count = 500;
  bool one = false, trace = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> uint64_t {
      if (i + 1 >= argc) {
        std::cerr << "gk_raft_sim: " << a << " needs a number\n";
        std::exit(2);
      }
      return std::strtoull(argv[++i], nullptr, 10);
    };
    if (a == "--seeds") count = value();
    else if (a == "--first") first = value();
    else if (a == "--seed") { first = value(); count = 1; one = true; }
    else if (a == "--trace") trace = true;
    else {
      std::cerr << "gk_raft_sim: unknown argument '" << a
                << "'\nusage: gk_raft_sim [--seeds N] [--first S] | --seed S [--trace]\n";
      return 2;
    }
  }
  Stats st;
  auto start = std::chrono::steady_clock::now();
  for (uint64_t s = first; s < first + count; ++s) {
    try {
      runSeed(s, trace, st);
    } catch (const Failure& f) {
      std::cerr << "gk_raft_sim: seed " << s << " FAILED: " << f.what
                << "\nreplay: gk_raft_sim --seed " << s << " --trace\n";
      return 1;
    } catch (const std::exception& e) {
      std::cerr << "gk_raft_sim: seed " << s << " FAILED: " << e.what()
                << "\nreplay: gk_raft_sim --seed " << s << " --trace\n";
      return 1;
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "gk_raft_sim: %llu seeds passed (%llu..%llu) in %.1f s: %llu writes (%llu acknowledged), "
      "%llu reads (%llu answered), %llu crashes, %llu partitions, %llu pauses, %llu compactions, "
      "%llu leadership transfers\n",
      (unsigned long long)count, (unsigned long long)first, (unsigned long long)(first + count - 1),
      secs, (unsigned long long)st.writes, (unsigned long long)st.acked,
      (unsigned long long)st.reads, (unsigned long long)st.readsDone,
      (unsigned long long)st.crashes, (unsigned long long)st.partitions,
      (unsigned long long)st.pauses, (unsigned long long)st.snapshots,
      (unsigned long long)st.transfers);
  return 0;
}
