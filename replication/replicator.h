// Replicator: where the engine proposes entries and hears which committed.
//
// propose() either accepts the entries (they will be reported through the CommitCallback,
// committed and applied to the StateMachine, in log order) or answers "not leader", with the
// id of the server believed to lead (0 when unknown) so the caller can forward or tell its
// client. Implementations: LocalQuorum (standalone, the quorum is this server); the Raft
// driver of an ensemble (replication issue, part 2).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "replication/entry.h"

namespace gk::replication {

struct ProposeResult {
  bool accepted = true;
  int32_t leaderHint = 0;  // when not accepted: the leader's server id, 0 if unknown
  static ProposeResult ok() { return {}; }
  static ProposeResult notLeader(int32_t hint) { return {false, hint}; }
};

// Called on a replication thread with entries that are committed AND applied to the state
// machine, in log order, or with an error (then the server cannot go on: nothing of the
// failed batch was acknowledged). It should only queue and wake the event loop.
using CommitCallback = std::function<void(std::vector<Entry> committed, std::string error)>;

class Replicator {
 public:
  virtual ~Replicator() = default;
  // Entries must come with strictly increasing indexes. Thread-safe.
  virtual ProposeResult propose(std::vector<Entry> entries) = 0;
};

}  // namespace gk::replication
