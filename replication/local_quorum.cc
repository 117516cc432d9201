#include "replication/local_quorum.h"

#include <exception>
#include <utility>

#include "replication/txn_log.h"

namespace gk::replication {

namespace {
constexpr size_t kReplayChunk = 4096;  // entries per state-machine batch during recovery
}

size_t recover(TxnLog& log, StateMachine& machine) {
  size_t n = 0;
  log.replay(machine.lastApplied(), kReplayChunk, [&](std::vector<Entry>&& chunk) {
    n += chunk.size();
    machine.apply(chunk);
  });
  // Replayed entries are durable in the log, but the log is about to move on: checkpoint so
  // the state machine holds them by itself, and drop what that covers.
  log.releaseUpTo(machine.checkpoint());
  return n;
}

LocalQuorum::LocalQuorum(StateMachine& machine, TxnLog* log, CommitCallback onCommit)
    : machine_(machine), log_(log), onCommit_(std::move(onCommit)) {
  if (log_) appliedIndex_ = machine_.lastApplied();
  applier_ = std::thread([this] { run(Role::Apply); });
  if (log_) logger_ = std::thread([this] { run(Role::Log); });
}

LocalQuorum::~LocalQuorum() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  applier_.join();
  if (logger_.joinable()) logger_.join();
}

ProposeResult LocalQuorum::propose(std::vector<Entry> entries) {
  auto b = std::make_shared<Batch>();
  b->entries = std::move(entries);
  b->logged = log_ == nullptr;
  {
    std::lock_guard lock(mu_);
    batches_.push_back(std::move(b));
  }
  // Both threads start at once: the log's flush and the apply overlap.
  cv_.notify_all();
  return ProposeResult::ok();
}

void LocalQuorum::run(Role role) {
  uint64_t& next = role == Role::Log ? nextLog_ : nextApply_;
  for (;;) {
    std::shared_ptr<Batch> b;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] {
        return stopping_ || next < front_ + batches_.size() ||
               (role == Role::Apply && checkpointWanted_);
      });
      if (next < front_ + batches_.size()) {
        b = batches_[next - front_];
      } else if (role == Role::Apply && checkpointWanted_) {
        checkpointWanted_ = false;
      } else {
        return;  // stopping, nothing left for this role
      }
    }
    if (!b) {
      maybeCheckpoint();
      continue;
    }
    // Entries proposed while the previous batch was in flight form this one (group commit).
    std::string error;
    try {
      if (role == Role::Log) {
        log_->append(b->entries);
      } else {
        machine_.apply(b->entries);
        if (!b->entries.empty()) appliedIndex_ = b->entries.back().index;
      }
    } catch (const std::exception& e) {
      error = e.what();
    }
    {
      std::lock_guard lock(mu_);
      (role == Role::Log ? b->logged : b->applied) = true;
      if (!error.empty() && b->error.empty()) b->error = std::move(error);
      next++;
      // Whichever thread finishes a batch second reports it; in order, under the lock, so
      // two threads never report out of order. The callback only queues and wakes the loop.
      while (!batches_.empty() && batches_.front()->logged && batches_.front()->applied) {
        std::shared_ptr<Batch> done = std::move(batches_.front());
        batches_.pop_front();
        front_++;
        if (done->error.empty() && !checkpointError_.empty()) done->error = checkpointError_;
        onCommit_(std::move(done->entries), std::move(done->error));
      }
    }
    if (role == Role::Apply) {
      maybeCheckpoint();
    } else if (log_->releasableAt() != 0) {
      {
        std::lock_guard lock(mu_);
        checkpointWanted_ = true;  // the apply thread may be idle: wake it
      }
      cv_.notify_all();
    }
  }
}

// On the apply thread, between two applies: a full log segment is dropped once the state
// machine holds its entries durably by itself — one extra flush per segment, not per batch.
void LocalQuorum::maybeCheckpoint() {
  if (!log_) return;
  int64_t need = log_->releasableAt();
  if (need == 0 || need > appliedIndex_) return;  // nothing full, or not applied yet
  try {
    log_->releaseUpTo(machine_.checkpoint());
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    checkpointError_ = std::string("checkpoint: ") + e.what();
  }
}

}  // namespace gk::replication
