#include "replication/raft/raft.h"

#include <algorithm>
#include <stdexcept>

namespace gk::replication::raft {

const char* name(MessageType type) {
  switch (type) {
    case MessageType::Append: return "Append";
    case MessageType::AppendResponse: return "AppendResponse";
    case MessageType::Heartbeat: return "Heartbeat";
    case MessageType::HeartbeatResponse: return "HeartbeatResponse";
    case MessageType::PreVote: return "PreVote";
    case MessageType::PreVoteResponse: return "PreVoteResponse";
    case MessageType::Vote: return "Vote";
    case MessageType::VoteResponse: return "VoteResponse";
    case MessageType::Snapshot: return "Snapshot";
    case MessageType::TimeoutNow: return "TimeoutNow";
    case MessageType::ReadIndex: return "ReadIndex";
    case MessageType::ReadIndexResponse: return "ReadIndexResponse";
  }
  return "?";
}

const char* name(Role role) {
  switch (role) {
    case Role::Follower: return "follower";
    case Role::PreCandidate: return "pre-candidate";
    case Role::Candidate: return "candidate";
    case Role::Leader: return "leader";
    case Role::Learner: return "learner";
  }
  return "?";
}

namespace {

void becomeProbe(Progress& pr) {
  if (pr.state == Progress::State::Snapshot)
    pr.next = std::max(pr.match + 1, pr.pendingSnapshot + 1);
  else
    pr.next = pr.match + 1;
  pr.state = Progress::State::Probe;
  pr.probeSent = false;
  pr.pendingSnapshot = 0;
  pr.inflight.clear();
}

void becomeReplicate(Progress& pr) {
  pr.state = Progress::State::Replicate;
  pr.next = pr.match + 1;
  pr.probeSent = false;
  pr.inflight.clear();
}

bool paused(const Progress& pr, size_t maxInflight) {
  switch (pr.state) {
    case Progress::State::Probe: return pr.probeSent;
    case Progress::State::Replicate: return pr.inflight.size() >= maxInflight;
    case Progress::State::Snapshot: return true;
  }
  return true;
}

}  // namespace

Raft::Raft(const Config& config, const Storage& storage)
    : cfg_(config), storage_(storage), log_(storage), rng_(config.seed) {
  if (cfg_.id <= 0) throw std::invalid_argument("raft: the server id must be positive");
  for (NodeId v : cfg_.voters) {
    if (v <= 0) throw std::invalid_argument("raft: voter ids must be positive");
    voters_.insert(v);
  }
  for (NodeId l : cfg_.learners) {
    if (l <= 0) throw std::invalid_argument("raft: learner ids must be positive");
    if (voters_.count(l))
      throw std::invalid_argument("raft: server " + std::to_string(l) +
                                  " is both a voter and a learner");
    learners_.insert(l);
  }
  if (voters_.empty()) throw std::invalid_argument("raft: the configuration has no voter");
  if (!voters_.count(cfg_.id) && !learners_.count(cfg_.id))
    throw std::invalid_argument("raft: server " + std::to_string(cfg_.id) +
                                " is not in the configuration");
  if (cfg_.heartbeatTicks <= 0 || cfg_.electionTicks <= cfg_.heartbeatTicks)
    throw std::invalid_argument("raft: need 0 < heartbeatTicks < electionTicks");
  if (cfg_.maxInflight == 0) throw std::invalid_argument("raft: maxInflight must be positive");

  HardState hs = storage.hardState();
  if (hs.commit > storage.lastIndex())
    throw std::invalid_argument("raft: the stored commit index " + std::to_string(hs.commit) +
                                " is past the stored log's end " +
                                std::to_string(storage.lastIndex()));
  term_ = hs.term;
  vote_ = hs.vote;
  becomeFollower(term_, 0);
  prevHard_ = hardState();
  prevSoft_ = {role_, lead_, term_};
}

// ---- roles -------------------------------------------------------------------------------

void Raft::resetRandomizedTimeout() {
  std::uniform_int_distribution<int> d(cfg_.electionTicks, 2 * cfg_.electionTicks - 1);
  randomizedTimeout_ = d(rng_);
}

void Raft::reset(int64_t term) {
  if (term != term_) {
    term_ = term;
    vote_ = 0;
  }
  lead_ = 0;
  electionElapsed_ = 0;
  heartbeatElapsed_ = 0;
  resetRandomizedTimeout();
  abortTransfer();
  votes_.clear();
  prs_.clear();
  for (NodeId n : voters_)
    if (n != cfg_.id) prs_[n].next = log_.lastIndex() + 1;
  for (NodeId n : learners_)
    if (n != cfg_.id) {
      prs_[n].next = log_.lastIndex() + 1;
      prs_[n].learner = true;
    }
  reads_.clear();
  readsBeforeCommit_.clear();
  roundAcked_.clear();
}

void Raft::becomeFollower(int64_t term, NodeId lead) {
  reset(term);
  lead_ = lead;
  role_ = promotable() ? Role::Follower : Role::Learner;
}

void Raft::becomePreCandidate() {
  // Neither the term nor the vote changes: a pre-vote asks, it does not disturb.
  votes_.clear();
  lead_ = 0;
  role_ = Role::PreCandidate;
}

void Raft::becomeCandidate() {
  reset(term_ + 1);
  vote_ = cfg_.id;
  role_ = Role::Candidate;
}

void Raft::becomeLeader() {
  reset(term_);
  lead_ = cfg_.id;
  role_ = Role::Leader;
  for (auto& [id, pr] : prs_) pr.recentActive = true;  // a fresh leader gets a full timeout
  // The new term's first entry (ZooKeeper's NEWLEADER): committing it commits every entry
  // of earlier terms before it (§5.4.2). An empty payload is this no-op; state machines skip it.
  log_.append({Entry{log_.lastIndex() + 1, term_, {}}});
}

void Raft::campaign() { campaign(cfg_.preVote ? CampaignKind::PreElection : CampaignKind::Election); }

void Raft::campaign(CampaignKind kind) {
  if (!promotable() || role_ == Role::Leader) return;
  MessageType type;
  int64_t voteTerm;
  if (kind == CampaignKind::PreElection) {
    becomePreCandidate();
    type = MessageType::PreVote;
    voteTerm = term_ + 1;
  } else {
    becomeCandidate();
    type = MessageType::Vote;
    voteTerm = term_;
  }
  if (poll(cfg_.id, true).first >= quorum()) {  // a single voter wins at once
    if (kind == CampaignKind::PreElection)
      campaign(CampaignKind::Election);
    else
      becomeLeader();
    return;
  }
  for (NodeId v : voters_) {
    if (v == cfg_.id) continue;
    Message m;
    m.type = type;
    m.to = v;
    m.term = voteTerm;
    m.index = log_.lastIndex();
    m.logTerm = log_.lastTerm();
    m.transfer = kind == CampaignKind::Transfer;
    send(std::move(m));
  }
}

std::pair<size_t, size_t> Raft::poll(NodeId from, bool granted) {
  if (isVoter(from)) votes_.emplace(from, granted);
  size_t yes = 0, no = 0;
  for (auto& [id, g] : votes_) (g ? yes : no)++;
  return {yes, no};
}

// ---- input ---------------------------------------------------------------------------------

void Raft::tick() {
  if (role_ == Role::Leader)
    tickHeartbeat();
  else
    tickElection();
}

void Raft::tickElection() {
  ++electionElapsed_;
  if (promotable() && electionElapsed_ >= randomizedTimeout_) {
    electionElapsed_ = 0;
    campaign();
  }
}

void Raft::tickHeartbeat() {
  ++heartbeatElapsed_;
  ++electionElapsed_;
  if (electionElapsed_ >= cfg_.electionTicks) {
    electionElapsed_ = 0;
    if (cfg_.checkQuorum && !quorumActive()) {
      becomeFollower(term_, 0);  // cannot reach a majority: stop acting as leader
      return;
    }
    abortTransfer();  // a transfer gets one election timeout
  }
  if (heartbeatElapsed_ >= cfg_.heartbeatTicks) {
    heartbeatElapsed_ = 0;
    broadcastHeartbeat(readRound_);
  }
}

bool Raft::quorumActive() {
  size_t active = promotable() ? 1 : 0;
  for (auto& [id, pr] : prs_) {
    if (!pr.learner && pr.recentActive) ++active;
    pr.recentActive = false;
  }
  return active >= quorum();
}

bool Raft::validate(const Message& m) const {
  if (m.to != cfg_.id || m.from == cfg_.id || m.from <= 0) return false;
  if (!voters_.count(m.from) && !learners_.count(m.from)) return false;
  if (m.term < 0 || m.index < 0 || m.logTerm < 0 || m.commit < 0) return false;
  switch (m.type) {
    case MessageType::Append: {
      int64_t prevTerm = m.logTerm;
      for (size_t i = 0; i < m.entries.size(); ++i) {
        const Entry& e = m.entries[i];
        if (e.index != m.index + 1 + int64_t(i) || e.term < prevTerm || e.term > m.term)
          return false;
        prevTerm = e.term;
      }
      return m.logTerm <= m.term;
    }
    case MessageType::PreVote:
    case MessageType::Vote:
      return voters_.count(m.from) != 0 && m.entries.empty();
    case MessageType::Snapshot:
      return m.snapshot.index > 0 && m.snapshot.term <= m.term && m.entries.empty();
    default:
      return m.entries.empty();
  }
}

void Raft::step(const Message& m) {
  if (!validate(m)) {
    ++dropped_;
    return;
  }
  if (m.term > term_) {
    bool isVote = m.type == MessageType::Vote || m.type == MessageType::PreVote;
    if (isVote && !m.transfer && cfg_.checkQuorum && lead_ != 0 &&
        electionElapsed_ < cfg_.electionTicks) {
      // We heard from a leader within the election timeout: this campaign is from a server
      // that was cut off, not from a failed leader. Neither vote nor change term.
      return;
    }
    if (m.type == MessageType::PreVote) {
      // Answered below at the proposed term; our own term does not move.
    } else if (m.type == MessageType::PreVoteResponse && !m.reject) {
      // The future term we asked about; counted by the pre-candidate.
    } else if (m.type == MessageType::Append || m.type == MessageType::Heartbeat ||
               m.type == MessageType::Snapshot) {
      becomeFollower(m.term, m.from);
    } else {
      becomeFollower(m.term, 0);
    }
  } else if (m.term < term_) {
    if ((cfg_.checkQuorum || cfg_.preVote) &&
        (m.type == MessageType::Heartbeat || m.type == MessageType::Append)) {
      // A leader of an older term (cut off, now back): our term tells it to step down.
      // Without this, pre-vote would leave it unaware while we could not elect anyone.
      Message r;
      r.type = MessageType::AppendResponse;
      r.to = m.from;
      send(std::move(r));
    } else if (m.type == MessageType::PreVote) {
      Message r;
      r.type = MessageType::PreVoteResponse;
      r.to = m.from;
      r.reject = true;
      send(std::move(r));
    }
    return;
  }

  if (m.type == MessageType::PreVote || m.type == MessageType::Vote) {
    bool canVote = vote_ == m.from || (vote_ == 0 && lead_ == 0) ||
                   (m.type == MessageType::PreVote && m.term > term_);
    Message r;
    r.type = m.type == MessageType::Vote ? MessageType::VoteResponse : MessageType::PreVoteResponse;
    r.to = m.from;
    if (promotable() && canVote && log_.isUpToDate(m.index, m.logTerm)) {
      r.term = m.term;
      if (m.type == MessageType::Vote) {
        electionElapsed_ = 0;
        vote_ = m.from;
      }
    } else {
      r.reject = true;
    }
    send(std::move(r));
    return;
  }

  switch (role_) {
    case Role::Leader: stepLeader(m); break;
    case Role::PreCandidate:
    case Role::Candidate: stepCandidate(m); break;
    case Role::Follower:
    case Role::Learner: stepFollower(m); break;
  }
}

void Raft::stepLeader(const Message& m) {
  auto it = prs_.find(m.from);
  if (it == prs_.end()) return;
  Progress& pr = it->second;
  switch (m.type) {
    case MessageType::AppendResponse:
      pr.recentActive = true;
      handleAppendResponse(m, pr);
      break;
    case MessageType::HeartbeatResponse:
      pr.recentActive = true;
      pr.probeSent = false;
      if (pr.state == Progress::State::Replicate && pr.inflight.size() >= cfg_.maxInflight)
        pr.inflight.erase(pr.inflight.begin());
      if (pr.match < log_.lastIndex()) sendAppend(m.from);
      if (!pr.learner) {
        uint64_t& acked = roundAcked_[m.from];
        acked = std::max(acked, m.context);
        releaseReads();
      }
      break;
    case MessageType::ReadIndex:
      handleReadIndex(m.from, m.context);
      break;
    default:
      break;  // nothing else means anything to a leader in its own term
  }
}

void Raft::stepCandidate(const Message& m) {
  switch (m.type) {
    case MessageType::Append:
      becomeFollower(m.term, m.from);
      handleAppend(m);
      break;
    case MessageType::Heartbeat:
      becomeFollower(m.term, m.from);
      handleHeartbeat(m);
      break;
    case MessageType::Snapshot:
      becomeFollower(m.term, m.from);
      handleSnapshot(m);
      break;
    case MessageType::PreVoteResponse:
    case MessageType::VoteResponse: {
      bool mine = (role_ == Role::PreCandidate) == (m.type == MessageType::PreVoteResponse);
      if (!mine) break;
      auto [yes, no] = poll(m.from, !m.reject);
      if (yes >= quorum()) {
        if (role_ == Role::PreCandidate) {
          campaign(CampaignKind::Election);
        } else {
          becomeLeader();
          broadcastAppend();
        }
      } else if (no >= quorum()) {
        becomeFollower(term_, 0);
      }
      break;
    }
    default:
      break;
  }
}

void Raft::stepFollower(const Message& m) {
  switch (m.type) {
    case MessageType::Append:
      electionElapsed_ = 0;
      lead_ = m.from;
      handleAppend(m);
      break;
    case MessageType::Heartbeat:
      electionElapsed_ = 0;
      lead_ = m.from;
      handleHeartbeat(m);
      break;
    case MessageType::Snapshot:
      electionElapsed_ = 0;
      lead_ = m.from;
      handleSnapshot(m);
      break;
    case MessageType::TimeoutNow:
      if (m.from == lead_ && promotable()) campaign(CampaignKind::Transfer);
      break;
    case MessageType::ReadIndexResponse:
      readStates_.push_back({m.context, m.index});
      break;
    default:
      break;
  }
}

// ---- follower side of replication ----------------------------------------------------------

void Raft::handleAppend(const Message& m) {
  Message r;
  r.type = MessageType::AppendResponse;
  r.to = m.from;
  if (m.index < log_.committed()) {
    r.index = log_.committed();
    send(std::move(r));
    return;
  }
  if (auto last = log_.maybeAppend(m.index, m.logTerm, m.commit, m.entries)) {
    r.index = *last;
  } else {
    r.index = m.index;
    r.reject = true;
    r.rejectHint = std::min(m.index, log_.lastIndex());
  }
  send(std::move(r));
}

void Raft::handleHeartbeat(const Message& m) {
  // The leader sends min(our match, its commit), so the entry is ours already.
  log_.commitTo(std::min(m.commit, log_.lastIndex()));
  Message r;
  r.type = MessageType::HeartbeatResponse;
  r.to = m.from;
  r.context = m.context;
  send(std::move(r));
}

void Raft::handleSnapshot(const Message& m) {
  Message r;
  r.type = MessageType::AppendResponse;
  r.to = m.from;
  const SnapshotMeta& s = m.snapshot;
  if (s.index <= log_.committed()) {
    r.index = log_.committed();
  } else if (log_.matchTerm(s.index, s.term)) {
    log_.commitTo(s.index);  // we hold that entry already: no state to install
    r.index = log_.committed();
  } else {
    log_.restore(s);
    r.index = s.index;
  }
  send(std::move(r));
}

// ---- leader side of replication --------------------------------------------------------------

void Raft::handleAppendResponse(const Message& m, Progress& pr) {
  if (m.reject) {
    bool decreased = false;
    if (pr.state == Progress::State::Replicate) {
      if (m.index > pr.match) {
        becomeProbe(pr);
        decreased = true;
      }
    } else if (pr.state == Progress::State::Probe && pr.next - 1 == m.index) {
      pr.next = std::max<int64_t>(pr.match + 1, std::min(m.index, m.rejectHint + 1));
      pr.next = std::max<int64_t>(pr.next, 1);
      pr.probeSent = false;
      decreased = true;
    }
    if (decreased) sendAppend(m.from);
    return;
  }
  bool wasPaused = paused(pr, cfg_.maxInflight);
  bool updated = false;
  if (m.index > pr.match) {
    pr.match = m.index;
    updated = true;
  }
  pr.next = std::max(pr.next, m.index + 1);
  switch (pr.state) {
    case Progress::State::Probe:
      becomeReplicate(pr);
      break;
    case Progress::State::Snapshot:
      if (pr.match >= pr.pendingSnapshot) becomeProbe(pr);
      break;
    case Progress::State::Replicate: {
      auto& f = pr.inflight;
      f.erase(f.begin(), std::upper_bound(f.begin(), f.end(), m.index));
      break;
    }
  }
  if (updated) {
    if (maybeCommit())
      broadcastAppend();  // tell everyone the new commit index
    else if (wasPaused)
      sendAppend(m.from);
    while (sendAppend(m.from, false)) {
    }
    if (m.from == transferee_ && pr.match == log_.lastIndex()) {
      Message t;
      t.type = MessageType::TimeoutNow;
      t.to = m.from;
      send(std::move(t));
    }
  }
}

bool Raft::sendAppend(NodeId to, bool sendIfEmpty) {
  Progress& pr = prs_.at(to);
  if (paused(pr, cfg_.maxInflight)) return false;
  int64_t prevIndex = pr.next - 1;
  auto prevTerm = log_.term(prevIndex);
  if (!prevTerm || pr.next < log_.firstIndex()) {
    // What it needs is compacted away: it gets the application's state instead.
    SnapshotMeta snap = storage_.snapshot();
    if (snap.index == 0) return false;  // nothing to ship yet
    Message m;
    m.type = MessageType::Snapshot;
    m.to = to;
    m.snapshot = snap;
    send(std::move(m));
    pr.state = Progress::State::Snapshot;
    pr.pendingSnapshot = snap.index;
    pr.inflight.clear();
    return true;
  }
  std::vector<Entry> entries = log_.slice(pr.next, log_.lastIndex() + 1, cfg_.maxMessageBytes);
  if (entries.empty() && !sendIfEmpty) return false;
  Message m;
  m.type = MessageType::Append;
  m.to = to;
  m.index = prevIndex;
  m.logTerm = *prevTerm;
  m.commit = log_.committed();
  if (!entries.empty()) {
    int64_t last = entries.back().index;
    if (pr.state == Progress::State::Replicate) {
      pr.next = last + 1;
      pr.inflight.push_back(last);
    } else {
      pr.probeSent = true;
    }
  } else if (pr.state == Progress::State::Probe) {
    pr.probeSent = true;
  }
  m.entries = std::move(entries);
  send(std::move(m));
  return true;
}

void Raft::sendHeartbeat(NodeId to, uint64_t context) {
  const Progress& pr = prs_.at(to);
  Message m;
  m.type = MessageType::Heartbeat;
  m.to = to;
  m.commit = std::min(pr.match, log_.committed());
  m.context = context;
  send(std::move(m));
}

void Raft::broadcastAppend() {
  for (auto& [id, pr] : prs_) sendAppend(id);
}

void Raft::broadcastHeartbeat(uint64_t context) {
  for (auto& [id, pr] : prs_) sendHeartbeat(id, context);
}

bool Raft::maybeCommit() {
  std::vector<int64_t> matches;
  if (promotable()) matches.push_back(log_.stableLastIndex());
  for (auto& [id, pr] : prs_)
    if (!pr.learner) matches.push_back(pr.match);
  std::sort(matches.begin(), matches.end(), std::greater<>());
  int64_t quorumIndex = matches[quorum() - 1];
  bool moved = log_.maybeCommit(quorumIndex, term_);
  if (moved && committedInTerm() && !readsBeforeCommit_.empty()) {
    auto waiting = std::move(readsBeforeCommit_);
    readsBeforeCommit_.clear();
    for (auto& [requester, context] : waiting) handleReadIndex(requester, context);
  }
  return moved;
}

bool Raft::committedInTerm() const { return log_.term(log_.committed()) == term_; }

void Raft::reportSnapshot(NodeId peer, bool ok) {
  if (role_ != Role::Leader) return;
  auto it = prs_.find(peer);
  if (it == prs_.end() || it->second.state != Progress::State::Snapshot) return;
  Progress& pr = it->second;
  if (!ok) pr.pendingSnapshot = 0;
  becomeProbe(pr);
  pr.probeSent = true;  // wait for the peer's answer (or a heartbeat) before probing again
}

void Raft::transferLeadership(NodeId target) {
  if (role_ != Role::Leader || target == cfg_.id || !isVoter(target)) return;
  if (transferee_ == target) return;
  transferee_ = target;
  electionElapsed_ = 0;  // the transfer must finish within one election timeout
  if (prs_.at(target).match == log_.lastIndex()) {
    Message t;
    t.type = MessageType::TimeoutNow;
    t.to = target;
    send(std::move(t));
  } else {
    sendAppend(target);
  }
}

std::optional<std::vector<int64_t>> Raft::propose(const std::vector<std::string>& payloads,
                                                  int64_t expectedTerm) {
  if (role_ != Role::Leader || transferee_ != 0) return std::nullopt;
  if (expectedTerm != 0 && expectedTerm != term_) return std::nullopt;
  std::vector<Entry> entries;
  std::vector<int64_t> indexes;
  int64_t next = log_.lastIndex() + 1;
  for (const auto& p : payloads) {
    if (p.empty()) throw std::invalid_argument("raft: an empty payload is reserved for the no-op");
    entries.push_back(Entry{next, term_, p});
    indexes.push_back(next++);
  }
  log_.append(entries);
  broadcastAppend();
  return indexes;
}

// ---- ReadIndex ------------------------------------------------------------------------------

bool Raft::readIndex(uint64_t context) {
  if (role_ == Role::Leader) {
    handleReadIndex(cfg_.id, context);
    return true;
  }
  if (lead_ == 0) return false;
  Message m;
  m.type = MessageType::ReadIndex;
  m.to = lead_;
  m.context = context;
  send(std::move(m));
  return true;
}

void Raft::handleReadIndex(NodeId requester, uint64_t context) {
  if (!committedInTerm()) {
    // Until this term's no-op commits, our commit index may be behind what an earlier
    // leader acknowledged.
    readsBeforeCommit_.emplace_back(requester, context);
    return;
  }
  int64_t index = log_.committed();
  if (quorum() == 1 && promotable()) {
    answerRead(requester, context, index);
    return;
  }
  reads_.push_back({++readRound_, requester, context, index});
  broadcastHeartbeat(readRound_);
}

void Raft::releaseReads() {
  if (reads_.empty()) return;
  std::vector<uint64_t> acked;
  if (promotable()) acked.push_back(UINT64_MAX);
  for (NodeId v : voters_)
    if (v != cfg_.id) {
      auto it = roundAcked_.find(v);
      acked.push_back(it == roundAcked_.end() ? 0 : it->second);
    }
  std::sort(acked.begin(), acked.end(), std::greater<>());
  uint64_t confirmed = acked[quorum() - 1];
  size_t n = 0;
  while (n < reads_.size() && reads_[n].round <= confirmed) {
    answerRead(reads_[n].requester, reads_[n].context, reads_[n].index);
    ++n;
  }
  reads_.erase(reads_.begin(), reads_.begin() + long(n));
}

void Raft::answerRead(NodeId requester, uint64_t context, int64_t index) {
  if (requester == cfg_.id) {
    readStates_.push_back({context, index});
    return;
  }
  Message m;
  m.type = MessageType::ReadIndexResponse;
  m.to = requester;
  m.index = index;
  m.context = context;
  send(std::move(m));
}

// ---- output -----------------------------------------------------------------------------------

void Raft::send(Message m) {
  m.from = cfg_.id;
  bool ownTerm = m.type != MessageType::PreVote && m.type != MessageType::Vote &&
                 m.type != MessageType::PreVoteResponse && m.type != MessageType::VoteResponse;
  if (ownTerm || m.term == 0) m.term = term_;
  msgs_.push_back(std::move(m));
}

bool Raft::hasReady() const {
  return SoftState{role_, lead_, term_} != prevSoft_ || hardState() != prevHard_ ||
         log_.unstableSnapshot() || !log_.unstableEntries().empty() || !msgs_.empty() ||
         log_.hasNextCommitted() || !readStates_.empty();
}

Ready Raft::ready() {
  Ready rd;
  SoftState ss{role_, lead_, term_};
  if (ss != prevSoft_) rd.softState = ss;
  HardState hs = hardState();
  if (hs != prevHard_) rd.hardState = hs;
  rd.snapshot = log_.unstableSnapshot();
  rd.entries = log_.unstableEntries();
  rd.messages = std::move(msgs_);
  msgs_.clear();
  rd.committedEntries = log_.nextCommitted(uint64_t(64) << 20);
  rd.readStates = std::move(readStates_);
  readStates_.clear();
  prevSoft_ = ss;
  prevHard_ = hs;
  return rd;
}

void Raft::advance(const Ready& rd) {
  if (rd.snapshot) {
    log_.stableSnapTo(rd.snapshot->index);
    log_.appliedTo(rd.snapshot->index);
  }
  if (!rd.entries.empty()) log_.stableTo(rd.entries.back().index, rd.entries.back().term);
  if (!rd.committedEntries.empty()) log_.appliedTo(rd.committedEntries.back().index);
  if (role_ == Role::Leader && maybeCommit()) broadcastAppend();
}

}  // namespace gk::replication::raft
