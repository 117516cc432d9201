// Entry: one replicated log entry — its place in the log (index), the term (the leader's
// epoch) it was proposed in, and a payload replication never reads.
#pragma once

#include <cstdint>
#include <string>

namespace gk::replication {

struct Entry {
  int64_t index = 0;    // position in the log; standalone: the zxid
  int64_t term = 0;     // the epoch of the leader that proposed it (0 standalone)
  std::string payload;  // opaque to replication
};

}  // namespace gk::replication
