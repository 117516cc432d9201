#include "replication/local_quorum.h"

#include <exception>
#include <utility>

namespace gk::replication {

LocalQuorum::LocalQuorum(StateMachine& machine, CommitCallback onCommit)
    : machine_(machine), onCommit_(std::move(onCommit)), thread_([this] { run(); }) {}

LocalQuorum::~LocalQuorum() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void LocalQuorum::propose(std::vector<Entry> entries) {
  {
    std::lock_guard lock(mu_);
    if (queue_.empty()) {
      queue_ = std::move(entries);
    } else {
      queue_.insert(queue_.end(), std::make_move_iterator(entries.begin()),
                    std::make_move_iterator(entries.end()));
    }
  }
  cv_.notify_one();
}

void LocalQuorum::run() {
  for (;;) {
    std::vector<Entry> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      batch.swap(queue_);
    }
    // Everything proposed while the previous batch was in fsync goes into this one commit.
    std::string error;
    try {
      machine_.apply(batch);
    } catch (const std::exception& e) {
      error = e.what();
    }
    onCommit_(std::move(batch), std::move(error));
  }
}

}  // namespace gk::replication
