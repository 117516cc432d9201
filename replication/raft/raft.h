// Raft: the consensus core as a pure, deterministic state machine, after etcd's raft package.
//
// What it offers: leader election with pre-vote (a server rejoining after a partition cannot
// depose a healthy leader) and check-quorum (a leader that has not heard from a majority within
// an election timeout steps down, and voters ignore campaigns while they hear from a leader),
// log replication with flow control (probe / pipelined replicate / snapshot), leadership
// transfer, non-voting members (ZooKeeper's observers), and ReadIndex reads.
//
// How it is driven: messages (step) and ticks (tick) go in; nothing happens inside but state
// changes. ready() then hands out what to persist, what to send and what to apply; the driver
// does those in that order and calls advance(). There are no sockets, threads, clocks, disks
// or hidden randomness inside: the election timeout is randomized from Config::seed, so the
// same inputs give the same outputs (the simulator relies on it).
//
// Safety rests on the driver's order: a Ready's entries and hardState are durable before its
// messages are sent (a vote or an acknowledgement is never sent for something a crash could
// forget) and the leader counts its own copy of an entry only after advance() says it is
// durable.
//
// Bad peer input (a message for another server, from a server not in the configuration, with
// an index that cannot be) is dropped and counted in droppedMessages(); it never changes
// state. Precondition failures of the caller throw std::invalid_argument / std::logic_error.
//
// Threads: not thread-safe; one thread drives it. The Storage it reads is owned by the driver
// and must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "replication/raft/message.h"
#include "replication/raft/raft_log.h"
#include "replication/raft/storage.h"

namespace gk::replication::raft {

struct Config {
  NodeId id = 0;
  std::vector<NodeId> voters;    // including id, unless id is a learner
  std::vector<NodeId> learners;  // observers: replicate, never vote, never counted
  int electionTicks = 10;        // a follower campaigns after [electionTicks, 2×electionTicks)
  int heartbeatTicks = 1;        // the leader's heartbeat interval
  bool preVote = true;
  bool checkQuorum = true;
  uint64_t maxMessageBytes = 1 << 20;  // payload bytes per Append
  size_t maxInflight = 256;            // Appends in flight per peer while replicating
  uint64_t seed = 1;                   // randomizes election timeouts, deterministically
};

// Per peer, on the leader: how far its log is known to match, and what to send next.
struct Progress {
  enum class State : uint8_t { Probe, Replicate, Snapshot };
  int64_t match = 0;
  int64_t next = 1;
  State state = State::Probe;
  bool probeSent = false;        // Probe: one Append out, wait for an answer or a heartbeat
  int64_t pendingSnapshot = 0;   // Snapshot: the index sent
  std::vector<int64_t> inflight;  // Replicate: last index of each Append not yet answered
  bool recentActive = false;     // heard from within this election timeout (check-quorum)
  bool learner = false;
};

class Raft {
 public:
  Raft(const Config& config, const Storage& storage);

  // Time passes by one tick.
  void tick();
  // A message from a peer.
  void step(const Message& m);

  // Leader only: appends these payloads as entries of the current term and returns their
  // indexes; nullopt when this server is not the leader, is handing leadership over, or
  // `expectedTerm` (when not 0) is no longer the term (what the caller prepared is stale).
  std::optional<std::vector<int64_t>> propose(const std::vector<std::string>& payloads,
                                              int64_t expectedTerm = 0);
  // Asks to confirm leadership for a linearizable read; a ReadState with this context comes
  // out of a later Ready (from the leader, or through it), or never (leadership lost: ask
  // again). Returns false when nobody is known to lead.
  bool readIndex(uint64_t context);
  // Leader: hands leadership to `target` (a voter) once its log is up to date.
  void transferLeadership(NodeId target);
  // Leader: the snapshot sent to `peer` was installed (ok) or its transfer failed; either way
  // replication to it resumes by probing.
  void reportSnapshot(NodeId peer, bool ok);
  // Starts an election now (tests; and a server told to campaign).
  void campaign();

  // The driver's cycle: ready(), persist, send, apply, advance(ready) — nothing else may be
  // called on this object between ready() and advance().
  bool hasReady() const;
  Ready ready();
  void advance(const Ready& ready);

  // Inspection (tests, the admin view, the simulator's checks).
  NodeId id() const { return cfg_.id; }
  Role role() const { return role_; }
  int64_t term() const { return term_; }
  NodeId leader() const { return lead_; }
  NodeId vote() const { return vote_; }
  NodeId transferee() const { return transferee_; }
  const RaftLog& log() const { return log_; }
  const std::map<NodeId, Progress>& progress() const { return prs_; }
  uint64_t droppedMessages() const { return dropped_; }
  HardState hardState() const { return {term_, vote_, log_.committed()}; }

 private:
  enum class CampaignKind { PreElection, Election, Transfer };

  bool isVoter(NodeId n) const { return voters_.count(n) != 0; }
  bool promotable() const { return isVoter(cfg_.id); }
  size_t quorum() const { return voters_.size() / 2 + 1; }

  void becomeFollower(int64_t term, NodeId lead);
  void becomePreCandidate();
  void becomeCandidate();
  void becomeLeader();
  void reset(int64_t term);
  void resetRandomizedTimeout();
  void campaign(CampaignKind kind);
  // Returns (granted, rejected) among voters after recording this response.
  std::pair<size_t, size_t> poll(NodeId from, bool granted);

  void stepLeader(const Message& m);
  void stepCandidate(const Message& m);
  void stepFollower(const Message& m);

  void handleAppend(const Message& m);
  void handleHeartbeat(const Message& m);
  void handleSnapshot(const Message& m);
  void handleAppendResponse(const Message& m, Progress& pr);
  void handleReadIndex(NodeId requester, uint64_t context);
  bool validate(const Message& m) const;

  void send(Message m);
  bool sendAppend(NodeId to, bool sendIfEmpty = true);
  void sendHeartbeat(NodeId to, uint64_t context);
  void broadcastAppend();
  void broadcastHeartbeat(uint64_t context);
  bool maybeCommit();
  bool quorumActive();
  bool committedInTerm() const;
  void releaseReads();
  void answerRead(NodeId requester, uint64_t context, int64_t index);
  void tickElection();
  void tickHeartbeat();
  void abortTransfer() { transferee_ = 0; }

  Config cfg_;
  const Storage& storage_;
  RaftLog log_;
  std::set<NodeId> voters_, learners_;
  std::mt19937_64 rng_;

  int64_t term_ = 0;
  NodeId vote_ = 0;
  NodeId lead_ = 0;
  Role role_ = Role::Follower;
  std::map<NodeId, Progress> prs_;   // leader: every member but this one
  std::map<NodeId, bool> votes_;     // (pre)candidate: responses so far
  int electionElapsed_ = 0;
  int heartbeatElapsed_ = 0;
  int randomizedTimeout_ = 0;
  NodeId transferee_ = 0;

  // ReadIndex on the leader: requests waiting for a round of heartbeats acknowledged by a
  // quorum. Round r's acks confirm every request of round <= r.
  struct PendingRead {
    uint64_t round;
    NodeId requester;  // this server, or a follower that forwarded it
    uint64_t context;
    int64_t index;
  };
  std::vector<PendingRead> reads_;
  std::vector<std::pair<NodeId, uint64_t>> readsBeforeCommit_;  // until the no-op commits
  uint64_t readRound_ = 0;
  std::map<NodeId, uint64_t> roundAcked_;  // highest round each voter acknowledged

  // Output, drained by ready().
  std::vector<Message> msgs_;
  std::vector<ReadState> readStates_;
  SoftState prevSoft_;
  HardState prevHard_;
  uint64_t dropped_ = 0;
};

}  // namespace gk::replication::raft
