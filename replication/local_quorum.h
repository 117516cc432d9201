// Replication interface and its quorum-of-one implementation.
//
// The engine proposes batches of opaque entries; once a quorum has them durable they are
// applied, in order, through the StateMachine, and the proposer is told. replication knows
// nothing of what an entry means. LocalQuorum is the standalone case: the quorum is this
// server, and durability is the state machine's own fsync'd commit, so one thread takes every
// entry proposed since its last commit and applies them as one batch (group commit).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gk::replication {

struct Entry {
  int64_t index = 0;    // the zxid
  std::string payload;  // opaque to replication
};

// Applies committed entries durably (one call = one atomic, durable batch).
class StateMachine {
 public:
  virtual ~StateMachine() = default;
  virtual void apply(const std::vector<Entry>& batch) = 0;
};

// Called on the replication thread once the entries are committed and applied, or failed.
using CommitCallback = std::function<void(std::vector<Entry> applied, std::string error)>;

class Replicator {
 public:
  virtual ~Replicator() = default;
  // Entries must come with strictly increasing indexes. Thread-safe.
  virtual void propose(std::vector<Entry> entries) = 0;
};

class LocalQuorum final : public Replicator {
 public:
  LocalQuorum(StateMachine& machine, CommitCallback onCommit);
  ~LocalQuorum() override;  // applies what is queued, then stops
  void propose(std::vector<Entry> entries) override;

 private:
  void run();
  StateMachine& machine_;
  CommitCallback onCommit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Entry> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gk::replication
