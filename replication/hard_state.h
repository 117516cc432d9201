// HardState: what Raft must never forget across a crash — the latest term seen, the vote
// cast in it, and how far the log is known committed. TxnLog keeps it durable.
#pragma once

#include <cstdint>

namespace gk::replication {

struct HardState {
  int64_t term = 0;
  int32_t vote = 0;  // server id voted for in `term`, 0 for none
  int64_t commit = 0;
  bool operator==(const HardState&) const = default;
};

}  // namespace gk::replication
