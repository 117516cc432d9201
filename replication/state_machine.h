// StateMachine: what replication applies committed entries to, in log order. The engine's
// implementation (engine/store_machine.h) is the znode store; replication knows nothing of it.
#pragma once

#include <cstdint>
#include <vector>

#include "replication/entry.h"

namespace gk::replication {

class StateMachine {
 public:
  virtual ~StateMachine() = default;
  // Applies a batch atomically (one call = one atomic batch); throws on failure, and then
  // nothing of the batch was applied.
  virtual void apply(const std::vector<Entry>& batch) = 0;
  // Index of the last entry applied (0 if none): where a replay of the log starts.
  virtual int64_t lastApplied() = 0;
  // Makes everything applied so far durable without the log's help and returns the last
  // index that covers; the log may then drop the entries up to it.
  virtual int64_t checkpoint() = 0;
};

}  // namespace gk::replication
