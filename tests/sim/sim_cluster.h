// SimCluster: Raft servers in one process over a simulated network, clock and disk, driven
// exactly as a real server drives the core (Ready → persist → send → apply → advance), with
// the safety checks Raft promises run after every step. Used by the scenario tests
// (tests/unit/raft_test.cc) and by the randomized simulator (tests/sim/raft_sim.cc).
//
// What is simulated:
// - network: every message is queued with a delivery time; the caller chooses delays, drops,
//   duplicates and which pairs are cut off (a cut drops what is sent across it);
// - clock: ticks are given to each server separately, so one may be paused (SIGSTOP) while
//   others run; a paused server also takes no messages (they wait in the queue);
// - disk: MemoryStorage is what was flushed; a crash in the middle of persisting a Ready
//   keeps only a prefix of its entries, and nothing that was not persisted survives. The
//   state machine is volatile: after a restart it is rebuilt from the snapshot kept beside
//   the storage and the committed entries Raft hands out again.
//
// The state machine is a versioned register (ops "set v", "cas e v", "get") so the
// simulator's linearizability checker has something to check; every applied entry is also
// checked against the one applied at the same index anywhere else.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "replication/raft/memory_storage.h"
#include "replication/raft/raft.h"

namespace gk::sim {

using namespace gk::replication;
using namespace gk::replication::raft;

struct SafetyViolation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The register the log drives. Payload: "<op id> set <v>" | "<op id> cas <expect> <v>" |
// "<op id> get". Each op's result (value read or whether a cas took) is recorded by op id.
struct Register {
  int64_t value = 0;
  int64_t version = 0;
  int64_t appliedIndex = 0;
  struct Result {
    bool ok = true;
    int64_t value = 0;    // get: the value read; set/cas: the value after
    int64_t version = 0;  // the register's version after it
    int64_t index = 0;    // where it was applied
  };
  std::map<uint64_t, Result> results;

  void apply(const Entry& e) {
    appliedIndex = e.index;
    if (e.payload.empty()) return;  // a leader's no-op
    std::istringstream in(e.payload);
    uint64_t op;
    std::string kind;
    in >> op >> kind;
    Result r;
    r.index = e.index;
    if (kind == "set") {
      in >> value;
      ++version;
      r.value = value;
    } else if (kind == "cas") {
      int64_t expect, v;
      in >> expect >> v;
      r.ok = value == expect;
      if (r.ok) {
        value = v;
        ++version;
      }
      r.value = value;
    } else {
      r.value = value;
    }
    r.version = version;
    results.emplace(op, r);  // a duplicate proposal keeps its first outcome
  }
};

struct SimMessage {
  int64_t deliverAt;
  uint64_t seq;  // tie-break, for determinism
  Message msg;
  std::optional<Register> snapshotData;
};

class SimCluster {
 public:
  struct Options {
    std::vector<NodeId> voters{1, 2, 3};
    std::vector<NodeId> learners;
    int electionTicks = 10;
    int heartbeatTicks = 1;
    bool preVote = true;
    bool checkQuorum = true;
    uint64_t seed = 1;
    uint64_t maxMessageBytes = 1 << 20;
  };

  struct Node {
    NodeId id = 0;
    Config cfg;
    MemoryStorage disk;            // what survives a crash
    Register snapState;            // the state machine at disk.snapshot().index
    std::unique_ptr<Raft> raft;    // null while crashed
    Register sm;                   // volatile
    bool paused = false;
    std::map<int64_t, Register> incomingSnap;  // received snapshot data, by index
    std::vector<ReadState> readStates;
    bool up() const { return raft != nullptr; }
  };

  explicit SimCluster(const Options& o) : opts_(o) {
    std::vector<NodeId> all = o.voters;
    all.insert(all.end(), o.learners.begin(), o.learners.end());
    for (NodeId id : all) {
      auto n = std::make_unique<Node>();
      n->id = id;
      n->cfg.id = id;
      n->cfg.voters = o.voters;
      n->cfg.learners = o.learners;
      n->cfg.electionTicks = o.electionTicks;
      n->cfg.heartbeatTicks = o.heartbeatTicks;
      n->cfg.preVote = o.preVote;
      n->cfg.checkQuorum = o.checkQuorum;
      n->cfg.maxMessageBytes = o.maxMessageBytes;
      n->cfg.seed = o.seed * 1000003 + uint64_t(id);
      n->raft = std::make_unique<Raft>(n->cfg, n->disk);
      nodes_[id] = std::move(n);
    }
  }

  Node& node(NodeId id) { return *nodes_.at(id); }
  Raft& raft(NodeId id) {
    if (!nodes_.at(id)->raft) throw std::logic_error("server " + std::to_string(id) + " is down");
    return *nodes_.at(id)->raft;
  }
  std::vector<NodeId> ids() const {
    std::vector<NodeId> v;
    for (auto& [id, n] : nodes_) v.push_back(id);
    return v;
  }
  int64_t now() const { return now_; }
  const std::vector<std::string>& trace() const { return trace_; }
  void setTracing(bool on) { tracing_ = on; }

  // ---- network faults ----
  // delay(from, to) chooses each message's delay in ticks (default: delivered at once);
  // drop(msg) may drop it; duplicate(msg) may deliver it twice.
  std::function<int64_t(const Message&)> delay = [](const Message&) { return 0; };
  std::function<bool(const Message&)> drop = [](const Message&) { return false; };
  std::function<bool(const Message&)> duplicate = [](const Message&) { return false; };
  void cut(NodeId a, NodeId b) {
    cuts_.insert({a, b});
    cuts_.insert({b, a});
  }
  void isolate(NodeId a) {
    for (auto& [id, n] : nodes_)
      if (id != a) cut(a, id);
  }
  void heal() { cuts_.clear(); }
  bool isCut(NodeId a, NodeId b) const { return cuts_.count({a, b}) != 0; }

  // ---- servers ----
  void crash(NodeId id, bool midReady = false, uint64_t tornSeed = 0) {
    Node& n = node(id);
    if (!n.up()) return;
    if (midReady && n.raft->hasReady()) {
      // Power fails while the Ready is being persisted: a prefix of its entries reached the
      // disk, the HardState maybe not; nothing was sent or applied.
      Ready rd = n.raft->ready();
      std::mt19937_64 r(tornSeed);
      if (rd.snapshot && r() % 2) installSnapshot(n, *rd.snapshot);
      if (!rd.snapshot || n.disk.snapshot() == *rd.snapshot) {
        size_t keep = rd.entries.empty() ? 0 : size_t(r() % (rd.entries.size() + 1));
        n.disk.append(std::vector<Entry>(rd.entries.begin(), rd.entries.begin() + long(keep)));
        if (keep == rd.entries.size() && rd.hardState && r() % 2)
          n.disk.setHardState(*rd.hardState);
      }
    }
    n.raft.reset();
    n.paused = false;
    n.incomingSnap.clear();
    n.readStates.clear();
    note("crash " + std::to_string(id));
  }
  void restart(NodeId id) {
    Node& n = node(id);
    if (n.up()) return;
    n.raft = std::make_unique<Raft>(n.cfg, n.disk);
    n.sm = n.snapState;
    note("restart " + std::to_string(id));
  }
  void pause(NodeId id) { node(id).paused = true; }
  void resume(NodeId id) { node(id).paused = false; }

  // ---- time ----
  void tick(NodeId id) {
    Node& n = node(id);
    if (!n.up() || n.paused) return;
    n.raft->tick();
    drive(n);
  }
  void tickAll() {
    for (auto& [id, n] : nodes_) tick(id);
    ++now_;
    deliverDue();
  }
  // Delivers every message due now (in queue order), including those they cause at delay 0.
  void deliverDue() {
    for (int guard = 0; guard < 100000; ++guard) {
      auto it = std::find_if(queue_.begin(), queue_.end(), [&](const SimMessage& m) {
        return m.deliverAt <= now_ && !nodes_.at(m.msg.to)->paused;
      });
      if (it == queue_.end()) return;
      SimMessage m = std::move(*it);
      queue_.erase(it);
      deliver(m);
    }
    throw std::logic_error("deliverDue: messages keep coming at delay 0");
  }
  // Runs whole ticks until pred() holds; false when maxTicks pass first.
  bool runUntil(const std::function<bool()>& pred, int maxTicks) {
    for (int i = 0; i < maxTicks; ++i) {
      if (pred()) return true;
      tickAll();
    }
    return pred();
  }
  size_t inFlight() const { return queue_.size(); }
  // Delivers the queued message at position i now (the randomized simulator picks orders).
  void deliverAt(size_t i) {
    SimMessage m = std::move(queue_.at(i));
    queue_.erase(queue_.begin() + long(i));
    deliver(m);
  }
  const std::vector<SimMessage>& queue() const { return queue_; }

  // ---- clients ----
  // Proposes on `id` if it leads; returns the entry's index or nullopt.
  std::optional<int64_t> propose(NodeId id, const std::string& payload) {
    Node& n = node(id);
    if (!n.up() || n.paused) return std::nullopt;
    auto r = n.raft->propose({payload});
    drive(n);
    if (!r) return std::nullopt;
    return r->front();
  }
  // Calls fn on the server's core and then drives it (campaign, transferLeadership, ...).
  void act(NodeId id, const std::function<void(Raft&)>& fn) {
    Node& n = node(id);
    if (!n.up()) throw std::logic_error("server " + std::to_string(id) + " is down");
    fn(*n.raft);
    drive(n);
  }
  void campaign(NodeId id) { act(id, [](Raft& r) { r.campaign(); }); }
  void transferLeadership(NodeId from, NodeId to) {
    act(from, [to](Raft& r) { r.transferLeadership(to); });
  }
  bool readIndex(NodeId id, uint64_t context) {
    Node& n = node(id);
    if (!n.up() || n.paused) return false;
    bool ok = n.raft->readIndex(context);
    drive(n);
    return ok;
  }
  // The leader with the highest term among servers that are up (0 if none).
  NodeId leader() const {
    NodeId best = 0;
    int64_t term = -1;
    for (auto& [id, n] : nodes_)
      if (n->up() && n->raft->role() == Role::Leader && n->raft->term() > term) {
        best = id;
        term = n->raft->term();
      }
    return best;
  }
  void compact(NodeId id, int64_t index) {
    Node& n = node(id);
    if (!n.up() || index > n.sm.appliedIndex || index <= n.disk.snapshot().index) return;
    if (index != n.sm.appliedIndex) return;  // the register's state is known at applied only
    n.disk.compact(index);
    n.snapState = n.sm;
  }

  // ---- checks ----
  // Log matching over every pair of servers that are up (O(servers² × log); the scenario
  // tests call it after each step, the simulator every so often and at the end).
  void checkLogMatching() const {
    std::vector<const Node*> up;
    for (auto& [id, n] : nodes_)
      if (n->up()) up.push_back(n.get());
    for (size_t a = 0; a < up.size(); ++a)
      for (size_t b = a + 1; b < up.size(); ++b) {
        const RaftLog& la = up[a]->raft->log();
        const RaftLog& lb = up[b]->raft->log();
        int64_t lo = std::max(la.firstIndex(), lb.firstIndex());
        int64_t hi = std::min(la.lastIndex(), lb.lastIndex());
        int64_t lastSame = 0, firstDiff = 0;
        for (int64_t i = hi; i >= lo; --i) {
          if (*la.term(i) == *lb.term(i)) {
            lastSame = i;
            break;
          }
        }
        for (int64_t i = lo; i <= lastSame; ++i) {
          auto ea = la.slice(i, i + 1, UINT64_MAX), eb = lb.slice(i, i + 1, UINT64_MAX);
          if (ea[0].term != eb[0].term || ea[0].payload != eb[0].payload) {
            firstDiff = i;
            break;
          }
        }
        if (firstDiff)
          fail("log matching: servers " + std::to_string(up[a]->id) + " and " +
               std::to_string(up[b]->id) + " agree at index " + std::to_string(lastSame) +
               " but differ at " + std::to_string(firstDiff));
      }
  }
  size_t appliedEverywhere() const { return applied_.size(); }
  int64_t maxCommitted() const { return maxCommitted_; }
  const std::map<int64_t, std::pair<int64_t, std::string>>& appliedLog() const { return applied_; }

 private:
  void note(const std::string& s) {
    if (tracing_) trace_.push_back("t=" + std::to_string(now_) + " " + s);
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw SafetyViolation("t=" + std::to_string(now_) + ": " + what);
  }

  void installSnapshot(Node& n, const SnapshotMeta& meta) {
    auto it = n.incomingSnap.find(meta.index);
    if (it == n.incomingSnap.end())
      fail("server " + std::to_string(n.id) + " installs a snapshot at " +
           std::to_string(meta.index) + " it never received");
    n.disk.applySnapshot(meta);
    n.snapState = it->second;
    n.sm = it->second;
    n.incomingSnap.clear();
  }

  void send(Node& from, const Message& m) {
    NodeId to = m.to;
    if (!nodes_.count(to)) fail("message to unknown server " + std::to_string(to));
    if (isCut(from.id, to) || drop(m)) {
      note(std::string("drop ") + name(m.type) + " " + std::to_string(m.from) + "->" +
           std::to_string(to));
      if (m.type == MessageType::Snapshot) from.raft->reportSnapshot(to, false);
      return;
    }
    SimMessage sm{now_ + std::max<int64_t>(0, delay(m)), seq_++, m, std::nullopt};
    if (m.type == MessageType::Snapshot) {
      if (from.disk.snapshot() != m.snapshot)
        fail("snapshot message does not name the sender's snapshot");
      sm.snapshotData = from.snapState;
    }
    if (duplicate(m)) {
      SimMessage d = sm;
      d.seq = seq_++;
      d.deliverAt += 1;
      queue_.push_back(std::move(d));
    }
    queue_.push_back(std::move(sm));
  }

  void deliver(SimMessage& m) {
    Node& n = *nodes_.at(m.msg.to);
    bool lost = !n.up() || isCut(m.msg.from, m.msg.to);  // down, or cut while in flight
    if (m.msg.type == MessageType::Snapshot) {
      // The snapshot's stream ends here: the sender's driver learns how it went.
      Node& sender = *nodes_.at(m.msg.from);
      if (sender.up()) {
        sender.raft->reportSnapshot(m.msg.to, !lost);
        drive(sender);
      }
    }
    if (lost) return;
    if (m.snapshotData) n.incomingSnap[m.msg.snapshot.index] = *m.snapshotData;
    note(std::string(name(m.msg.type)) + " " + std::to_string(m.msg.from) + "->" +
         std::to_string(m.msg.to) + " term " + std::to_string(m.msg.term) + " idx " +
         std::to_string(m.msg.index) + " n " + std::to_string(m.msg.entries.size()) +
         (m.msg.reject ? " reject" : ""));
    n.raft->step(m.msg);
    drive(n);
  }

  // The driver loop of a real server, plus the checks.
  void drive(Node& n) {
    for (int guard = 0; n.raft->hasReady(); ++guard) {
      if (guard > 1000) fail("server " + std::to_string(n.id) + " is never done with Ready");
      Ready rd = n.raft->ready();
      if (rd.softState) onSoftState(n, *rd.softState);
      if (rd.snapshot) installSnapshot(n, *rd.snapshot);
      n.disk.append(rd.entries);
      if (rd.hardState) n.disk.setHardState(*rd.hardState);
      for (const Message& m : rd.messages) send(n, m);
      for (const Entry& e : rd.committedEntries) apply(n, e);
      for (const ReadState& r : rd.readStates) n.readStates.push_back(r);
      n.raft->advance(rd);
    }
  }

  void onSoftState(Node& n, const SoftState& s) {
    note("server " + std::to_string(n.id) + " is " + name(s.role) + " in term " +
         std::to_string(s.term) + " (leader " + std::to_string(s.leader) + ")");
    if (s.role != Role::Leader) return;
    // Election safety: one leader per term.
    auto [it, fresh] = leaderOf_.emplace(s.term, n.id);
    if (!fresh && it->second != n.id)
      fail("election safety: servers " + std::to_string(it->second) + " and " +
           std::to_string(n.id) + " both lead term " + std::to_string(s.term));
    // Leader completeness: it holds every entry committed in an earlier term.
    const RaftLog& log = n.raft->log();
    for (auto& [index, te] : applied_) {
      if (index < log.firstIndex()) continue;  // in its snapshot
      if (commitTerm_.at(index) >= s.term) continue;
      auto t = log.term(index);
      if (!t || *t != te.first)
        fail("leader completeness: server " + std::to_string(n.id) + " leads term " +
             std::to_string(s.term) + " without committed entry " + std::to_string(index));
    }
  }

  void apply(Node& n, const Entry& e) {
    if (e.index != n.sm.appliedIndex + 1)
      fail("server " + std::to_string(n.id) + " applies " + std::to_string(e.index) +
           " after " + std::to_string(n.sm.appliedIndex));
    // State machine safety: the same entry at this index everywhere.
    auto [it, fresh] = applied_.emplace(e.index, std::make_pair(e.term, e.payload));
    if (!fresh && (it->second.first != e.term || it->second.second != e.payload))
      fail("state machine safety: server " + std::to_string(n.id) + " applies a different entry at " +
           std::to_string(e.index));
    // The term it was committed in is at most the applier's term now (it heard of the
    // commit from a leader of that term or later); the smallest seen bounds it best.
    auto [ct, first] = commitTerm_.emplace(e.index, n.raft->term());
    if (!first) ct->second = std::min(ct->second, n.raft->term());
    maxCommitted_ = std::max(maxCommitted_, e.index);
    n.sm.apply(e);
  }

  Options opts_;
  std::map<NodeId, std::unique_ptr<Node>> nodes_;
  std::vector<SimMessage> queue_;
  std::set<std::pair<NodeId, NodeId>> cuts_;
  int64_t now_ = 0;
  uint64_t seq_ = 0;
  std::map<int64_t, NodeId> leaderOf_;
  std::map<int64_t, std::pair<int64_t, std::string>> applied_;
  std::map<int64_t, int64_t> commitTerm_;  // index → bound on the term it was committed in
  int64_t maxCommitted_ = 0;
  bool tracing_ = false;
  std::vector<std::string> trace_;
};

}  // namespace gk::sim
