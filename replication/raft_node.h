// RaftNode: one server's Raft, driven on its own thread — the loop a real server runs around
// the pure core: take what arrived (peer messages, proposals, the clock's ticks), step the
// core, then for each Ready persist it to the TxnLog (entries, then the HardState, each
// fsync'd), send its messages, hand the committed entries to `apply`, and advance.
//
// What it offers: propose() from any thread (answered "not leader" with the leader's id when
// this server does not lead as far as it knows; accepted proposals are committed or, if the
// leadership is lost first, dropped — the caller learns that from the role callback, as a
// ZooKeeper leader that loses its quorum drops its clients), step() for the transport,
// softState() for the admin view.
//
// What it does not do yet (replication issue, parts 3–4): compaction and snapshots (the log
// is kept whole, so no Snapshot message is ever needed; a Ready asking to install one is a
// logic error), ReadIndex for clients, leadership transfer on stop.
//
// Ownership: the TxnLog and the transport are the caller's and must outlive this object; the
// callbacks run on this object's thread and must not call back into it synchronously except
// propose() (which only queues).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "replication/raft/log_storage.h"
#include "replication/raft/raft.h"
#include "replication/replicator.h"
#include "replication/transport/peer_transport.h"
#include "replication/txn_log.h"

namespace gk::replication {

struct RaftNodeOptions {
  raft::Config raft;
  int tickMs = 10;  // one core tick; election timeout = raft.electionTicks × tickMs
};

class RaftNode {
 public:
  // Committed entries with a payload (the leaders' no-ops are skipped), in log order, above
  // `appliedIndex` given at construction.
  using ApplyFn = std::function<void(const std::vector<Entry>&)>;
  using RoleFn = std::function<void(const raft::SoftState&)>;

  RaftNode(RaftNodeOptions options, TxnLog& log, int64_t appliedIndex, PeerTransport& transport,
           ApplyFn apply, RoleFn onRole = {});
  ~RaftNode();  // stops the thread; what it had not persisted is lost, as in a crash
  RaftNode(const RaftNode&) = delete;
  RaftNode& operator=(const RaftNode&) = delete;

  void start();
  ProposeResult propose(std::vector<std::string> payloads);
  void step(raft::Message m);
  raft::SoftState softState() const;
  int64_t committedIndex() const;
  // An error that stopped the loop (an I/O error of the log), empty while it runs.
  std::string error() const;

 private:
  void run();

  RaftNodeOptions options_;
  raft::LogStorage storage_;
  raft::Raft raft_;
  PeerTransport& transport_;
  ApplyFn apply_;
  RoleFn onRole_;
  int64_t appliedIndex_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<raft::Message> inbox_;
  std::deque<std::vector<std::string>> proposals_;
  raft::SoftState soft_;
  int64_t committed_ = 0;
  std::string error_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gk::replication
