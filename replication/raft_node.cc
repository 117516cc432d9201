#include "replication/raft_node.h"

#include <chrono>
#include <stdexcept>

namespace gk::replication {

RaftNode::RaftNode(RaftNodeOptions options, TxnLog& log, int64_t appliedIndex,
                   PeerTransport& transport, ApplyFn apply, RoleFn onRole)
    : options_(std::move(options)),
      storage_(log, raft::SnapshotMeta{}),
      raft_(options_.raft, storage_),
      transport_(transport),
      apply_(std::move(apply)),
      onRole_(std::move(onRole)),
      appliedIndex_(appliedIndex) {
  if (options_.tickMs <= 0) throw std::invalid_argument("raft node: tickMs must be positive");
  soft_ = {raft_.role(), raft_.leader(), raft_.term()};
  committed_ = raft_.log().committed();
}

RaftNode::~RaftNode() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RaftNode::start() { thread_ = std::thread([this] { run(); }); }

ProposeResult RaftNode::propose(std::vector<std::string> payloads) {
  std::lock_guard lock(mu_);
  if (soft_.role != raft::Role::Leader || !error_.empty()) return ProposeResult::notLeader(soft_.leader);
  proposals_.push_back(std::move(payloads));
  cv_.notify_one();
  return ProposeResult::ok();
}

void RaftNode::step(raft::Message m) {
  std::lock_guard lock(mu_);
  inbox_.push_back(std::move(m));
  cv_.notify_one();
}

raft::SoftState RaftNode::softState() const {
  std::lock_guard lock(mu_);
  return soft_;
}

int64_t RaftNode::committedIndex() const {
  std::lock_guard lock(mu_);
  return committed_;
}

std::string RaftNode::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

void RaftNode::run() {
  using Clock = std::chrono::steady_clock;
  auto tick = std::chrono::milliseconds(options_.tickMs);
  auto nextTick = Clock::now() + tick;
  std::deque<raft::Message> msgs;
  std::deque<std::vector<std::string>> props;
  try {
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait_until(lock, nextTick,
                       [&] { return stopping_ || !inbox_.empty() || !proposals_.empty(); });
        if (stopping_) return;
        msgs.swap(inbox_);
        props.swap(proposals_);
      }
      for (auto& m : msgs) raft_.step(m);
      msgs.clear();
      for (auto& p : props) (void)raft_.propose(p);  // refused: leadership was lost meanwhile
      props.clear();
      if (Clock::now() >= nextTick) {
        raft_.tick();
        nextTick += tick;
        if (nextTick < Clock::now()) nextTick = Clock::now() + tick;  // we were descheduled
      }
      while (raft_.hasReady()) {
        raft::Ready rd = raft_.ready();
        if (rd.snapshot)
          throw std::logic_error("raft node: installing a snapshot is not supported yet");
        storage_.append(rd.entries);
        if (rd.hardState) storage_.setHardState(*rd.hardState);
        for (const auto& m : rd.messages) transport_.send(m);
        std::vector<Entry> toApply;
        for (const Entry& e : rd.committedEntries)
          if (e.index > appliedIndex_ && !e.payload.empty()) toApply.push_back(e);
        if (!rd.committedEntries.empty())
          appliedIndex_ = std::max(appliedIndex_, rd.committedEntries.back().index);
        if (!toApply.empty()) apply_(toApply);
        raft_.advance(rd);
        {
          std::lock_guard lock(mu_);
          committed_ = raft_.log().committed();
          if (rd.softState) soft_ = *rd.softState;
        }
        if (rd.softState && onRole_) onRole_(*rd.softState);
      }
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    error_ = e.what();
    soft_ = {raft::Role::Follower, 0, soft_.term};
  }
}

}  // namespace gk::replication
